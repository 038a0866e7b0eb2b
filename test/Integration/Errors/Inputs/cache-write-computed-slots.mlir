// Slots computed by the program (block * 16 + row): only the compiled code
// can check them.
func.func @main(%cache: tensor<8x16x2x64xf32>, %new: tensor<1x2x3x64xf32>, %blocks: tensor<1x3xi32>, %rows: tensor<1x3xi32>) -> tensor<8x16x2x64xf32> {
  %c16 = arith.constant dense<16> : tensor<1x3xi32>
  %init = tensor.empty() : tensor<1x3xi32>
  %base = linalg.mul ins(%blocks, %c16 : tensor<1x3xi32>, tensor<1x3xi32>) outs(%init : tensor<1x3xi32>) -> tensor<1x3xi32>
  %slots = linalg.add ins(%base, %rows : tensor<1x3xi32>, tensor<1x3xi32>) outs(%init : tensor<1x3xi32>) -> tensor<1x3xi32>
  %c = tok.cache_write %cache, %new, %slots : (tensor<8x16x2x64xf32>, tensor<1x2x3x64xf32>, tensor<1x3xi32>) -> tensor<8x16x2x64xf32>
  return %c : tensor<8x16x2x64xf32>
}
