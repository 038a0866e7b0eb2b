// The same tok.linear tiled for two CPUs: the kernels read the vector width
// and register count from the target (issue 11). num-threads is fixed so
// that the task split does not depend on the machine running the test.
// RUN: tokamak-opt %s --tokamak-cpu-pipeline="cpu=znver4 num-threads=4 compile-to=tiling" | FileCheck %s --check-prefixes=CHECK,ZNVER4
// RUN: tokamak-opt %s --tokamak-cpu-pipeline="cpu=znver3 num-threads=4 compile-to=tiling" | FileCheck %s --check-prefixes=CHECK,ZNVER3

// On both targets the linear is tiled: rows of x flattened, a GEMV path for
// one row and parallel GEMM tasks otherwise, vector FMAs, the result
// reshaped back.
// CHECK-LABEL: func.func @linear_f32
// CHECK-SAME:    (%[[X:.*]]: tensor<2x?x64xf32>, %[[W:.*]]: tensor<128x64xf32>) -> tensor<2x?x128xf32>
// CHECK-NOT:     tok.linear
// CHECK:         %[[ROWS:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2]] : tensor<2x?x64xf32> into tensor<?x64xf32>
// CHECK:         %[[M:.*]] = tensor.dim %[[ROWS]]
// CHECK:         %[[ONE_ROW:.*]] = arith.cmpi eq, %[[M]], %{{.*}} : index
// CHECK:         %[[Y:.*]] = scf.if %[[ONE_ROW]] -> (tensor<?x128xf32>) {
// CHECK:           scf.forall {{.*}} -> (tensor<?x128xf32>)
// CHECK:             vector.fma
// CHECK:         } else {
// CHECK:           scf.forall {{.*}} -> (tensor<?x128xf32>)

// AVX-512 (znver4): 16 f32 lanes and 32 registers, so B is packed in panels
// of 32 columns (two zmm vectors) and the register tile is 8 rows x 32
// columns: 16 vector<16xf32> accumulators.
// ZNVER4:             memref.alloca() {alignment = 64 : i64} : memref<4x64x32xf32>
// ZNVER4:             %{{.*}}:16 = scf.for {{.*}} -> (vector<16xf32>{{(, vector<16xf32>){15}\)}} {
// ZNVER4:               %[[B0:.*]] = vector.transfer_read %{{.*}} : tensor<4x64x32xf32>, vector<16xf32>
// ZNVER4:               %[[B1:.*]] = vector.transfer_read %{{.*}} : tensor<4x64x32xf32>, vector<16xf32>
// ZNVER4:               %[[A:.*]] = vector.broadcast %{{.*}} : f32 to vector<16xf32>
// ZNVER4:               vector.fma %[[A]], %[[B0]], %{{.*}} : vector<16xf32>
// ZNVER4:               vector.fma %[[A]], %[[B1]], %{{.*}} : vector<16xf32>

// AVX2 (znver3): tiled and vectorized; the vector width is not pinned here
// (the AVX2 width is being changed).
// ZNVER3:             vector.fma %{{.*}} : vector<{{[0-9]+}}xf32>

// CHECK:         tensor.expand_shape %[[Y]] {{\[\[}}0, 1], [2]] output_shape [2, %{{.*}}, 128] : tensor<?x128xf32> into tensor<2x?x128xf32>
// CHECK-NOT:     tok.linear
func.func @linear_f32(%x: tensor<2x?x64xf32>, %w: tensor<128x64xf32>) -> tensor<2x?x128xf32> {
  %y = tok.linear %x, %w : (tensor<2x?x64xf32>, tensor<128x64xf32>) -> tensor<2x?x128xf32>
  return %y : tensor<2x?x128xf32>
}
