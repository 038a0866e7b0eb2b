// A causal depthwise convolution for the size mutations of static-sizes.test.
func.func @main(%x: tensor<2x?x1536xf32>, %w: tensor<1536x4xf32>) -> tensor<2x?x1536xf32> {
  %y = tok.conv1d %x, %w : (tensor<2x?x1536xf32>, tensor<1536x4xf32>) -> tensor<2x?x1536xf32>
  return %y : tensor<2x?x1536xf32>
}
