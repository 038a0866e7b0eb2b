// Causal GQA attention (4 query heads over 2 kv heads), bf16 with f32 lse:
// the attention case of isa-artifacts.test.
func.func @main(%q: tensor<1x4x?x64xbf16>, %k: tensor<1x2x?x64xbf16>, %v: tensor<1x2x?x64xbf16>) -> (tensor<1x4x?x64xbf16>, tensor<1x4x?xf32>) {
  %o, %lse = tok.attention %q, %k, %v {causal} : (tensor<1x4x?x64xbf16>, tensor<1x2x?x64xbf16>, tensor<1x2x?x64xbf16>) -> (tensor<1x4x?x64xbf16>, tensor<1x4x?xf32>)
  return %o, %lse : tensor<1x4x?x64xbf16>, tensor<1x4x?xf32>
}
