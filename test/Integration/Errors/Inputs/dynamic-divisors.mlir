// A block size that the kernel divides by, dynamic: zero is an error at run
// time, not a division by zero.
func.func @main(%cache: tensor<8x?x2x64xf32>, %new: tensor<1x2x3x64xf32>, %slots: tensor<1x3xi32>) -> tensor<8x?x2x64xf32> {
  %w = tok.cache_write %cache, %new, %slots : (tensor<8x?x2x64xf32>, tensor<1x2x3x64xf32>, tensor<1x3xi32>) -> tensor<8x?x2x64xf32>
  return %w : tensor<8x?x2x64xf32>
}
