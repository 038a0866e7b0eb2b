// Mamba-1 selective scan, DESIGN 4.3, as a Mamba block calls it: B1 L4096
// Dm1536 N16 f32, one group, with D skip, z gate, dt bias and softplus.
func.func @selective_scan(%x: tensor<1x?x1536xf32>, %dt: tensor<1x?x1536xf32>,
                          %A: tensor<1536x16xf32>, %B: tensor<1x?x1x16xf32>,
                          %C: tensor<1x?x1x16xf32>, %D: tensor<1536xf32>,
                          %z: tensor<1x?x1536xf32>, %db: tensor<1536xf32>)
    -> tensor<1x?x1536xf32> {
  %y = tok.selective_scan %x, %dt, %A, %B, %C D(%D : tensor<1536xf32>)
         z(%z : tensor<1x?x1536xf32>) dt_bias(%db : tensor<1536xf32>) {dt_softplus}
     : (tensor<1x?x1536xf32>, tensor<1x?x1536xf32>, tensor<1536x16xf32>,
        tensor<1x?x1x16xf32>, tensor<1x?x1x16xf32>) -> tensor<1x?x1536xf32>
  return %y : tensor<1x?x1536xf32>
}
