// GPU benchmark (issue 12): the Mamba-1 selective scan of a Mamba block, B1
// L4096 Dm1536 N16 f32 with D, z, dt bias and softplus; bench/gpu/bench.py
// reports GB/s of inputs read and outputs written.
func.func @selective_scan_f32(%x: tensor<1x4096x1536xf32>, %dt: tensor<1x4096x1536xf32>,
                              %A: tensor<1536x16xf32>, %B: tensor<1x4096x1x16xf32>,
                              %C: tensor<1x4096x1x16xf32>, %D: tensor<1536xf32>,
                              %z: tensor<1x4096x1536xf32>, %db: tensor<1536xf32>)
    -> tensor<1x4096x1536xf32> {
  %y = tok.selective_scan %x, %dt, %A, %B, %C D(%D : tensor<1536xf32>)
         z(%z : tensor<1x4096x1536xf32>) dt_bias(%db : tensor<1536xf32>) {dt_softplus}
     : (tensor<1x4096x1536xf32>, tensor<1x4096x1536xf32>, tensor<1536x16xf32>,
        tensor<1x4096x1x16xf32>, tensor<1x4096x1x16xf32>) -> tensor<1x4096x1536xf32>
  return %y : tensor<1x4096x1536xf32>
}
