// Linear layer y = x W^T (prefill GEMM): M x 2048 times 2048 x 2048 f32, M
// dynamic (2048 in the full run).
func.func @linear(%x: tensor<?x2048xf32>, %w: tensor<2048x2048xf32>) -> tensor<?x2048xf32> {
  %y = tok.linear %x, %w : (tensor<?x2048xf32>, tensor<2048x2048xf32>) -> tensor<?x2048xf32>
  return %y : tensor<?x2048xf32>
}
