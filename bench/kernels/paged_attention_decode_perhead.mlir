// Dense paged decode in the per-head layout: one query token (Hq 32) over
// per-kv-head block tables of one-head blocks of 16 rows (Hkv 8, D128); the
// baseline of paged_attention_blocksparse_perhead.mlir (bench/cases.py).
func.func @paged_attention_decode_perhead(%q: tensor<1x32x1x128xf32>,
                                          %kc: tensor<?x16x1x128xf32>,
                                          %vc: tensor<?x16x1x128xf32>,
                                          %table: tensor<1x8x?xi32>,
                                          %lens: tensor<1x8xi32>)
    -> tensor<1x32x1x128xf32> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens
     : (tensor<1x32x1x128xf32>, tensor<?x16x1x128xf32>, tensor<?x16x1x128xf32>,
        tensor<1x8x?xi32>, tensor<1x8xi32>) -> tensor<1x32x1x128xf32>
  return %o : tensor<1x32x1x128xf32>
}
