// A plain linear layer for the size mutations of static-sizes.test.
func.func @main(%x: tensor<1x?x64xf32>, %w: tensor<1024x64xf32>) -> tensor<1x?x1024xf32> {
  %y = tok.linear %x, %w : (tensor<1x?x64xf32>, tensor<1024x64xf32>) -> tensor<1x?x1024xf32>
  return %y : tensor<1x?x1024xf32>
}
