// Reductions run sequentially inside the thread that owns an output: the
// row loop of rms_norm (one thread per row for the sum of squares, one per
// element for the scaling) and the K loop of a linear (one thread per
// output element). The host only allocates and launches.
// RUN: tokamak-compile %s --target=cuda --compile-to=bufferize --emit=mlir -o %t.mlir
// RUN: tokamak-opt %t.mlir --gpu-kernel-outlining | FileCheck %s

// CHECK-LABEL: func.func @main(
// CHECK-NOT:     memref.load
// CHECK-NOT:     memref.store
// CHECK-NOT:     scf.for
// CHECK-COUNT-5: gpu.launch_func
// CHECK-NOT:     memref.load
// CHECK:         gpu.module
// The sum of squares of rms_norm: one thread per row, the row loop inside.
// CHECK:           scf.for
// CHECK-NEXT:        memref.load %{{.*}} : memref<4x64xf32>
// CHECK-NEXT:        memref.load %{{.*}} : memref<4xf32>
// CHECK-NEXT:        arith.mulf
// CHECK-NEXT:        arith.addf
// The linear: one thread per output element, the K loop inside.
// CHECK:           scf.for
// CHECK-NEXT:        memref.load %{{.*}} : memref<4x64xf32>
// CHECK-NEXT:        memref.load %{{.*}} : memref<32x64xf32>
// CHECK-NEXT:        memref.load %{{.*}} : memref<4x32xf32>
// CHECK-NEXT:        arith.mulf
// CHECK-NEXT:        arith.addf

func.func @main(%x: tensor<4x64xf32>, %g: tensor<64xf32>, %w: tensor<32x64xf32>) -> tensor<4x32xf32> {
  %n = tok.rms_norm %x, %g {eps = 1.0e-6 : f32} : (tensor<4x64xf32>, tensor<64xf32>) -> tensor<4x64xf32>
  %y = tok.linear %n, %w : (tensor<4x64xf32>, tensor<32x64xf32>) -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}
