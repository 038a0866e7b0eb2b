// Lens computed by the program (lens + 1) before paged attention.
func.func @main(%q: tensor<2x4x1x64xf32>, %kc: tensor<6x16x2x64xf32>, %vc: tensor<6x16x2x64xf32>, %table: tensor<2x3xi32>, %lens: tensor<2xi32>) -> tensor<2x4x1x64xf32> {
  %one = arith.constant dense<1> : tensor<2xi32>
  %init = tensor.empty() : tensor<2xi32>
  %next = linalg.add ins(%lens, %one : tensor<2xi32>, tensor<2xi32>) outs(%init : tensor<2xi32>) -> tensor<2xi32>
  %o = tok.paged_attention %q, %kc, %vc, %table, %next : (tensor<2x4x1x64xf32>, tensor<6x16x2x64xf32>, tensor<6x16x2x64xf32>, tensor<2x3xi32>, tensor<2xi32>) -> tensor<2x4x1x64xf32>
  return %o : tensor<2x4x1x64xf32>
}
