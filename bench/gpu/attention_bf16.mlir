// GPU benchmark (issue 12): non-causal attention forward, bf16, B4 H32 S4096
// D128; bench/gpu/bench.py reports TFLOP/s next to PyTorch's
// scaled_dot_product_attention.
func.func @attention_bf16(%q: tensor<4x32x4096x128xbf16>, %k: tensor<4x32x4096x128xbf16>,
                          %v: tensor<4x32x4096x128xbf16>) -> tensor<4x32x4096x128xbf16> {
  %o = tok.attention %q, %k, %v
     : (tensor<4x32x4096x128xbf16>, tensor<4x32x4096x128xbf16>, tensor<4x32x4096x128xbf16>)
     -> tensor<4x32x4096x128xbf16>
  return %o : tensor<4x32x4096x128xbf16>
}
