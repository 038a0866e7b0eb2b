// Block-sparse causal attention (issue 14, NSA's selected branch): each
// query block of 64 rows visits the key blocks (64 keys) its list names,
// B1 H8 S16384 D64 f32 at 1/8 of the blocks (bench/cases.py). Sequence
// length and list sizes are dynamic so --quick can run a shorter one.
func.func @attention_blocksparse(%q: tensor<1x8x?x64xf32>,
                                 %k: tensor<1x8x?x64xf32>,
                                 %v: tensor<1x8x?x64xf32>,
                                 %idx: tensor<1x8x?x?xi32>,
                                 %cnt: tensor<1x8x?xi32>)
    -> tensor<1x8x?x64xf32> {
  %o = tok.attention %q, %k, %v block_indices(%idx : tensor<1x8x?x?xi32>)
         block_counts(%cnt : tensor<1x8x?xi32>)
         {block_k = 64 : i64, block_q = 64 : i64, causal}
     : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>)
     -> tensor<1x8x?x64xf32>
  return %o : tensor<1x8x?x64xf32>
}
