// A parallel loop (scf.forall -> OpenMP) with a vectorizable exp body.
func.func @main(%a: tensor<64x256xf32>) -> tensor<64x256xf32> {
  %e = tensor.empty() : tensor<64x256xf32>
  %r = scf.forall (%i) in (2) shared_outs(%o = %e) -> tensor<64x256xf32> {
    %off = affine.apply affine_map<(d0) -> (d0 * 32)>(%i)
    %s = tensor.extract_slice %a[%off, 0] [32, 256] [1, 1] : tensor<64x256xf32> to tensor<32x256xf32>
    %os = tensor.extract_slice %o[%off, 0] [32, 256] [1, 1] : tensor<64x256xf32> to tensor<32x256xf32>
    %x = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%s : tensor<32x256xf32>) outs(%os : tensor<32x256xf32>) {
    ^bb0(%in: f32, %out: f32):
      %t = math.exp %in : f32
      linalg.yield %t : f32
    } -> tensor<32x256xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %x into %o[%off, 0] [32, 256] [1, 1] : tensor<32x256xf32> into tensor<64x256xf32>
    }
  }
  return %r : tensor<64x256xf32>
}
