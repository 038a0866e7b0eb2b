// RUN: tokamak-opt %s --tok-cuda-scans --split-input-file | FileCheck %s

// A selective scan: operands as read-only buffers, results in fresh
// buffers, one scf.parallel over (batch, channel) with the time loop inside
// and the state row in a local array.
// CHECK-LABEL: func.func @selective_scan_static_f32(
// CHECK-SAME:      %[[X:[^:]*]]: tensor<2x16x8xf32>
// CHECK:         %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only
// CHECK:         %[[Y:.*]] = memref.alloc() : memref<2x16x8xf32>
// CHECK:         scf.parallel (%[[B:.*]], %[[D:.*]]) = (%{{.*}}, %{{.*}}) to (%{{.*}}, %{{.*}})
// CHECK:           %[[H:.*]] = memref.alloca() : memref<4xf32>
// CHECK:           scf.for %[[T:[^ ]*]] =
// CHECK:             memref.load %[[XB]][%[[B]], %[[T]], %[[D]]]
// CHECK:             scf.for
// CHECK:               math.exp
// CHECK:               memref.store %{{.*}}, %[[H]]
// CHECK:             memref.store %{{.*}}, %[[Y]][%[[B]], %[[T]], %[[D]]]
// CHECK:         bufferization.to_tensor %[[Y]] restrict writable
// CHECK-NOT:     tok.selective_scan
func.func @selective_scan_static_f32(%x: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x1x4xf32>, %C: tensor<2x16x1x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>) {
  %y, %h = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<2x16x1x4xf32>, tensor<2x16x1x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return %y, %h : tensor<2x16x8xf32>, tensor<2x8x4xf32>
}

// -----

// A dynamic state size: each thread's state is a row of a device scratch
// buffer [threads, N] allocated before the loop.
// CHECK-LABEL: func.func @selective_scan_dynamic_state_f32(
// CHECK:         %[[SCRATCH:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x?xf32>
// CHECK:         scf.parallel
// CHECK-NOT:       memref.alloca
// CHECK:           memref.subview %[[SCRATCH]]
// CHECK:           scf.for
func.func @selective_scan_dynamic_state_f32(%x: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x?xf32>, %B: tensor<2x16x1x?xf32>, %C: tensor<2x16x1x?xf32>) -> tensor<2x16x8xf32> {
  %y = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x?xf32>, tensor<2x16x1x?xf32>, tensor<2x16x1x?xf32>) -> tensor<2x16x8xf32>
  return %y : tensor<2x16x8xf32>
}

// -----

// A linear scan with a per-key decay: one thread per (batch, head, value
// column), the column of the state in a local array of Dk values.
// CHECK-LABEL: func.func @linear_scan_key_decay_f16(
// CHECK:         scf.parallel (%{{.*}}, %{{.*}}, %{{.*}}) = (%{{.*}}, %{{.*}}, %{{.*}}) to
// CHECK:           memref.alloca() : memref<16xf32>
// CHECK:           scf.for
// CHECK:             scf.for
// CHECK:               math.exp
// CHECK:             arith.truncf %{{.*}} : f32 to f16
func.func @linear_scan_key_decay_f16(%q: tensor<1x2x?x16xf16>, %k: tensor<1x2x?x16xf16>, %v: tensor<1x2x?x8xf16>, %g: tensor<1x2x?x16xf16>) -> tensor<1x2x?x8xf16> {
  %o = tok.linear_scan %q, %k, %v decay(%g : tensor<1x2x?x16xf16>) {scale = 0.25 : f32} : (tensor<1x2x?x16xf16>, tensor<1x2x?x16xf16>, tensor<1x2x?x8xf16>) -> tensor<1x2x?x8xf16>
  return %o : tensor<1x2x?x8xf16>
}

// -----

// A packed conv1d is left to tok-decompose-packed-scans (which the CUDA
// pipeline runs first).
// CHECK-LABEL: func.func @conv1d_packed_left_alone(
// CHECK:         tok.conv1d
// CHECK-NOT:     scf.parallel
func.func @conv1d_packed_left_alone(%x: tensor<1x?x16xf32>, %w: tensor<16x4xf32>, %cu: tensor<3xi32>) -> tensor<1x?x16xf32> {
  %y = tok.conv1d %x, %w seq_starts(%cu : tensor<3xi32>) : (tensor<1x?x16xf32>, tensor<16x4xf32>) -> tensor<1x?x16xf32>
  return %y : tensor<1x?x16xf32>
}

// -----

// An assoc_scan of a rank-1 tensor is one thread; the combine region is
// inlined in the time loop, the earlier value first.
// CHECK-LABEL: func.func @assoc_scan_rank1_reverse(
// CHECK:         scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[ONE:.*]]) step
// CHECK:           scf.if
// CHECK:             %[[LAST:.*]] = memref.load
// CHECK:             scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %[[LAST]]) -> (f32)
// CHECK:               %[[X:.*]] = memref.load
// CHECK:               %[[SUM:.*]] = arith.subf %[[ACC]], %[[X]] : f32
// CHECK:               memref.store %[[SUM]]
// CHECK:               scf.yield %[[SUM]]
func.func @assoc_scan_rank1_reverse(%a: tensor<?xf32>) -> tensor<?xf32> {
  %r = tok.assoc_scan %a {dim = 0 : i64, reverse} : (tensor<?xf32>) -> tensor<?xf32> combine {
  ^bb0(%e: f32, %l: f32):
    %s = arith.subf %e, %l : f32
    tok.yield %s : f32
  }
  return %r : tensor<?xf32>
}
