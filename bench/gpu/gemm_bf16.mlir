// GPU benchmark (issue 12): GEMM y = x Wᵀ, bf16, 4096 x 4096 x 4096;
// bench/gpu/bench.py reports TFLOP/s next to torch.matmul.
func.func @gemm_bf16(%x: tensor<4096x4096xbf16>, %w: tensor<4096x4096xbf16>) -> tensor<4096x4096xbf16> {
  %y = tok.linear %x, %w : (tensor<4096x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<4096x4096xbf16>
  return %y : tensor<4096x4096xbf16>
}
