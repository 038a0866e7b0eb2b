// RMS norm then linear (prefill, the input projection of an attention or MLP
// block): rms_norm over M x 2048 f32 (eps 1e-6), then times 2048 x 2048 (W^T);
// M dynamic (2048 in the full run). tok-tile-linear fuses the norm into the
// GEMM's packing of x.
func.func @rms_norm_linear(%x: tensor<?x2048xf32>, %g: tensor<2048xf32>, %w: tensor<2048x2048xf32>) -> tensor<?x2048xf32> {
  %n = tok.rms_norm %x, %g {eps = 1.0e-6 : f32} : (tensor<?x2048xf32>, tensor<2048xf32>) -> tensor<?x2048xf32>
  %y = tok.linear %n, %w : (tensor<?x2048xf32>, tensor<2048x2048xf32>) -> tensor<?x2048xf32>
  return %y : tensor<?x2048xf32>
}
