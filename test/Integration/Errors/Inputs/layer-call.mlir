// The key length reaches the attention through a private function with one
// call site and a tok.linear: still traced to @main's arguments.
func.func private @layer(%q: tensor<1x2x?x16xf32>, %k: tensor<1x2x?x16xf32>, %v: tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32> {
  %o = tok.attention %q, %k, %v : (tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32>
  return %o : tensor<1x2x?x16xf32>
}
func.func @main(%q: tensor<1x2x?x16xf32>, %k: tensor<1x2x?x16xf32>, %v: tensor<1x2x?x8xf32>, %w: tensor<16x8xf32>) -> tensor<1x2x?x16xf32> {
  %vp = tok.linear %v, %w : (tensor<1x2x?x8xf32>, tensor<16x8xf32>) -> tensor<1x2x?x16xf32>
  %o = func.call @layer(%q, %k, %vp) : (tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32>
  return %o : tensor<1x2x?x16xf32>
}
