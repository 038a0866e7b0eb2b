// RMS norm then linear at decode: one token, rms_norm over 1 x 4096 f32
// (eps 1e-6), then times 4096 x 4096 (W^T, a GEMV). tok-tile-linear scales x
// once in the GEMV's prologue.
func.func @rms_norm_linear_gemv(%x: tensor<1x4096xf32>, %g: tensor<4096xf32>, %w: tensor<4096x4096xf32>) -> tensor<1x4096xf32> {
  %n = tok.rms_norm %x, %g {eps = 1.0e-6 : f32} : (tensor<1x4096xf32>, tensor<4096xf32>) -> tensor<1x4096xf32>
  %y = tok.linear %n, %w : (tensor<1x4096xf32>, tensor<4096x4096xf32>) -> tensor<1x4096xf32>
  return %y : tensor<1x4096xf32>
}
