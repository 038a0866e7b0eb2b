// Linear layer at decode: one token, 1 x 4096 times 4096 x 4096 f32 (GEMV).
func.func @linear_gemv(%x: tensor<1x4096xf32>, %w: tensor<4096x4096xf32>) -> tensor<1x4096xf32> {
  %y = tok.linear %x, %w : (tensor<1x4096xf32>, tensor<4096x4096xf32>) -> tensor<1x4096xf32>
  return %y : tensor<1x4096xf32>
}
