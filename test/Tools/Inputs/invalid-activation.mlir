// Parses, but does not verify: "swish" is not an activation kind.
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %y = tok.activation %x {kind = "swish"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
