// Decode attention: one new query token (Hq 32) over a contiguous KV cache
// (Hkv 8, D128) of dynamic length (16k tokens in the full run). Causal masking
// is bottom-right aligned, so the query sees every key.
func.func @attention_decode(%q: tensor<1x32x1x128xf32>, %k: tensor<1x8x?x128xf32>,
                            %v: tensor<1x8x?x128xf32>) -> tensor<1x32x1x128xf32> {
  %o = tok.attention %q, %k, %v {causal}
     : (tensor<1x32x1x128xf32>, tensor<1x8x?x128xf32>, tensor<1x8x?x128xf32>)
     -> tensor<1x32x1x128xf32>
  return %o : tensor<1x32x1x128xf32>
}
