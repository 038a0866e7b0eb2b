// GPU benchmark (issue 12): decode attention, one query token (Hq 32) over a
// 32k-token contiguous KV cache (Hkv 8, D128), bf16; bench/gpu/bench.py
// reports GB/s of K/V read next to PyTorch's scaled_dot_product_attention.
func.func @attention_decode_bf16(%q: tensor<1x32x1x128xbf16>, %k: tensor<1x8x32768x128xbf16>,
                                 %v: tensor<1x8x32768x128xbf16>) -> tensor<1x32x1x128xbf16> {
  %o = tok.attention %q, %k, %v {causal}
     : (tensor<1x32x1x128xbf16>, tensor<1x8x32768x128xbf16>, tensor<1x8x32768x128xbf16>)
     -> tensor<1x32x1x128xbf16>
  return %o : tensor<1x32x1x128xbf16>
}
