// Dynamic batch and length: B and C must agree with x at run time.
func.func @main(%x: tensor<?x?x8xf32>, %dt: tensor<?x?x8xf32>, %a: tensor<8x4xf32>, %b: tensor<?x?x2x4xf32>, %c: tensor<?x?x2x4xf32>) -> (tensor<?x?x8xf32>, tensor<?x8x4xf32>) {
  %y, %h = tok.selective_scan %x, %dt, %a, %b, %c : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<8x4xf32>, tensor<?x?x2x4xf32>, tensor<?x?x2x4xf32>) -> (tensor<?x?x8xf32>, tensor<?x8x4xf32>)
  return %y, %h : tensor<?x?x8xf32>, tensor<?x8x4xf32>
}
