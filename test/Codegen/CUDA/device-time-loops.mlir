// tok-cuda-scans in the CUDA pipeline: each scan and conv1d is ONE kernel
// whose threads run the whole time loop (no host loop over time): one
// gpu.launch per op, the scf.for over time inside it, the per-thread state
// a local array (memref.alloca in the kernel).
// RUN: tokamak-compile %s --target=cuda --compile-to=bufferize --emit=mlir -o %t.mlir
// RUN: FileCheck %s --input-file=%t.mlir

// CHECK-LABEL: func.func @selective_scan(
// CHECK-NOT:     scf.for
// CHECK:         gpu.launch
// CHECK:           %[[H:.*]] = memref.alloca() : memref<4xf32>
// CHECK:           scf.for
// CHECK:           scf.for
// CHECK:             scf.for
// CHECK:               math.exp
// CHECK:               memref.store {{.*}}, %[[H]]
// CHECK:           gpu.terminator
// CHECK-NOT:     gpu.launch
// CHECK-NOT:     scf.for
// CHECK:         return
func.func @selective_scan(%x: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x1x4xf32>, %C: tensor<2x16x1x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>) {
  %y, %h = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<2x16x1x4xf32>, tensor<2x16x1x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return %y, %h : tensor<2x16x8xf32>, tensor<2x8x4xf32>
}

// CHECK-LABEL: func.func @linear_scan(
// CHECK-NOT:     scf.for
// CHECK:         gpu.launch
// CHECK:           %[[S:.*]] = memref.alloca() : memref<8xf32>
// CHECK:           scf.for
// CHECK:           scf.for
// CHECK:             scf.for
// CHECK:             arith.subf
// CHECK:             scf.for
// CHECK:           gpu.terminator
// CHECK-NOT:     gpu.launch
// CHECK-NOT:     scf.for
// CHECK:         return
func.func @linear_scan(%q: tensor<1x2x?x8xbf16>, %k: tensor<1x2x?x8xbf16>, %v: tensor<1x2x?x8xbf16>, %beta: tensor<1x2x?xbf16>) -> (tensor<1x2x?x8xbf16>, tensor<1x2x8x8xf32>) {
  %o, %s = tok.linear_scan %q, %k, %v beta(%beta : tensor<1x2x?xbf16>) {update = "delta", reverse} : (tensor<1x2x?x8xbf16>, tensor<1x2x?x8xbf16>, tensor<1x2x?x8xbf16>) -> (tensor<1x2x?x8xbf16>, tensor<1x2x8x8xf32>)
  return %o, %s : tensor<1x2x?x8xbf16>, tensor<1x2x8x8xf32>
}

// CHECK-LABEL: func.func @conv1d(
// CHECK-NOT:     scf.for
// CHECK:         gpu.launch
// CHECK:           %[[WIN:.*]] = memref.alloca() : memref<3xf32>
// CHECK:           scf.for
// CHECK:           scf.for
// CHECK:             scf.for
// CHECK:             arith.truncf {{.*}} : f32 to f16
// CHECK:           gpu.terminator
// CHECK-NOT:     gpu.launch
// CHECK-NOT:     scf.for
// CHECK:         return
func.func @conv1d(%x: tensor<2x?x16xf16>, %w: tensor<16x4xf16>, %b: tensor<16xf16>) -> (tensor<2x?x16xf16>, tensor<2x16x3xf16>) {
  %y, %st = tok.conv1d %x, %w bias(%b : tensor<16xf16>) {activation = "silu"} : (tensor<2x?x16xf16>, tensor<16x4xf16>) -> (tensor<2x?x16xf16>, tensor<2x16x3xf16>)
  return %y, %st : tensor<2x?x16xf16>, tensor<2x16x3xf16>
}

// CHECK-LABEL: func.func @assoc_scan(
// CHECK-NOT:     scf.for
// CHECK:         gpu.launch
// CHECK:           scf.for {{.*}} iter_args
// CHECK:             arith.mulf
// CHECK:             arith.addf
// CHECK:           gpu.terminator
// CHECK-NOT:     gpu.launch
// CHECK-NOT:     scf.for
// CHECK:         return
func.func @assoc_scan(%a: tensor<2x?x8xf32>, %b: tensor<2x?x8xf32>) -> (tensor<2x?x8xf32>, tensor<2x?x8xf32>) {
  %m, %u = tok.assoc_scan %a, %b {dim = 1 : i64} : (tensor<2x?x8xf32>, tensor<2x?x8xf32>) -> (tensor<2x?x8xf32>, tensor<2x?x8xf32>) combine {
  ^bb0(%a0: f32, %b0: f32, %a1: f32, %b1: f32):
    %a2 = arith.mulf %a0, %a1 : f32
    %t = arith.mulf %a1, %b0 : f32
    %b2 = arith.addf %t, %b1 : f32
    tok.yield %a2, %b2 : f32, f32
  }
  return %m, %u : tensor<2x?x8xf32>, tensor<2x?x8xf32>
}
