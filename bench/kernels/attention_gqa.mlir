// Causal grouped-query attention (prefill): 32 query heads share 8 kv heads,
// D128, S4096 f32; the sequence length is dynamic.
func.func @attention_gqa(%q: tensor<1x32x?x128xf32>, %k: tensor<1x8x?x128xf32>,
                         %v: tensor<1x8x?x128xf32>) -> tensor<1x32x?x128xf32> {
  %o = tok.attention %q, %k, %v {causal}
     : (tensor<1x32x?x128xf32>, tensor<1x8x?x128xf32>, tensor<1x8x?x128xf32>)
     -> tensor<1x32x?x128xf32>
  return %o : tensor<1x32x?x128xf32>
}
