// The static twin of a run-time mismatch: the same message from the verifier.
func.func @main(%q: tensor<1x4x16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<1x2x8x64xf32>) -> tensor<1x4x16x64xf32> {
  %o = tok.attention %q, %k, %v {causal} : (tensor<1x4x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x8x64xf32>) -> tensor<1x4x16x64xf32>
  return %o : tensor<1x4x16x64xf32>
}
