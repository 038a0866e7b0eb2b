// A packed conv1d whose batch, init rows and sequence count are known only
// at run time.
func.func @main(%x: tensor<?x?x8xf32>, %w: tensor<8x4xf32>, %s0: tensor<?x8x3xf32>, %cu: tensor<?xi32>) -> (tensor<?x?x8xf32>, tensor<?x8x3xf32>) {
  %y, %s = tok.conv1d %x, %w init(%s0 : tensor<?x8x3xf32>) seq_starts(%cu : tensor<?xi32>) : (tensor<?x?x8xf32>, tensor<8x4xf32>) -> (tensor<?x?x8xf32>, tensor<?x8x3xf32>)
  return %y, %s : tensor<?x?x8xf32>, tensor<?x8x3xf32>
}
