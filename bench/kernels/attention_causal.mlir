// Causal multi-head attention (prefill), DESIGN 4.1: B1 H8 S2048 D64 f32.
// The sequence length is dynamic so --quick can run a shorter one.
func.func @attention_causal(%q: tensor<1x8x?x64xf32>, %k: tensor<1x8x?x64xf32>,
                            %v: tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32> {
  %o = tok.attention %q, %k, %v {causal}
     : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>)
     -> tensor<1x8x?x64xf32>
  return %o : tensor<1x8x?x64xf32>
}
