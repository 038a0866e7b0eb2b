// Sparse paged decode (issue 14, Quest): one query token (Hq 32) over a
// paged cache in blocks of 16 (Hkv 8, D128) whose per-kv-head lists name
// logical key blocks of 64 tokens, 1/8 of them at 32k tokens
// (bench/cases.py). The block count, table width and list length are
// dynamic so --quick can run a shorter cache.
func.func @paged_attention_blocksparse(%q: tensor<1x32x1x128xf32>,
                                       %kc: tensor<?x16x8x128xf32>,
                                       %vc: tensor<?x16x8x128xf32>,
                                       %table: tensor<1x?xi32>,
                                       %lens: tensor<1xi32>,
                                       %idx: tensor<1x8x?xi32>,
                                       %cnt: tensor<1x8xi32>)
    -> tensor<1x32x1x128xf32> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens
         block_indices(%idx : tensor<1x8x?xi32>)
         block_counts(%cnt : tensor<1x8xi32>) {block_k = 64 : i64}
     : (tensor<1x32x1x128xf32>, tensor<?x16x8x128xf32>, tensor<?x16x8x128xf32>,
        tensor<1x?xi32>, tensor<1xi32>) -> tensor<1x32x1x128xf32>
  return %o : tensor<1x32x1x128xf32>
}
