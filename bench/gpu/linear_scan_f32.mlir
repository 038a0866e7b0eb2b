// GPU benchmark (issue 12): linear attention with a scalar decay per step
// (RetNet / Mamba-2 style), B1 H8 L4096 D64 f32, additive update;
// bench/gpu/bench.py reports GB/s of inputs read and outputs written.
func.func @linear_scan_f32(%q: tensor<1x8x4096x64xf32>, %k: tensor<1x8x4096x64xf32>,
                           %v: tensor<1x8x4096x64xf32>, %g: tensor<1x8x4096xf32>)
    -> tensor<1x8x4096x64xf32> {
  %o = tok.linear_scan %q, %k, %v decay(%g : tensor<1x8x4096xf32>) {scale = 0.125 : f32}
     : (tensor<1x8x4096x64xf32>, tensor<1x8x4096x64xf32>, tensor<1x8x4096x64xf32>)
     -> tensor<1x8x4096x64xf32>
  return %o : tensor<1x8x4096x64xf32>
}
