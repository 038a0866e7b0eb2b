// Decode attention over a paged KV cache, DESIGN 4.2: one query token (Hq 32)
// over 16k cached tokens in blocks of 16 (Hkv 8, D128). The block count and
// the table width are dynamic.
func.func @paged_attention_decode(%q: tensor<1x32x1x128xf32>,
                                  %kc: tensor<?x16x8x128xf32>,
                                  %vc: tensor<?x16x8x128xf32>,
                                  %table: tensor<1x?xi32>,
                                  %lens: tensor<1xi32>) -> tensor<1x32x1x128xf32> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens
     : (tensor<1x32x1x128xf32>, tensor<?x16x8x128xf32>, tensor<?x16x8x128xf32>,
        tensor<1x?xi32>, tensor<1xi32>) -> tensor<1x32x1x128xf32>
  return %o : tensor<1x32x1x128xf32>
}
