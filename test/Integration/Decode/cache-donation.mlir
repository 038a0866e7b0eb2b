// How donated K/V pools bufferize (docs/Session.md, "Donated caches"): the
// decode step updates the caller's pools in place, a returned pool is cloned
// by the deallocation pipeline, and a write nothing reads is erased.
// RUN: tokamak-opt --tokamak-cpu-pipeline="compile-to=bufferize" %s | FileCheck %s

// Writes into the donated pools that paged attention reads: no pool-sized
// buffer is allocated or copied.
// CHECK-LABEL: func.func @decode(
// CHECK-NOT: memref.alloc() {{.*}}: memref<16x4x1x8xf32>
// CHECK-NOT: memref<16x4x1x8xf32> to memref<16x4x1x8xf32>
// CHECK: return
func.func @decode(%q: tensor<?x2x1x8xf32>, %k: tensor<?x1x1x8xf32>, %v: tensor<?x1x1x8xf32>,
                  %slots: tensor<?x1xi32>, %table: tensor<?x?xi32>, %lens: tensor<?xi32>,
                  %kc: tensor<16x4x1x8xf32> {bufferization.writable = true},
                  %vc: tensor<16x4x1x8xf32> {bufferization.writable = true}) -> tensor<?x2x1x8xf32> {
  %kc2 = tok.cache_write %kc, %k, %slots : (tensor<16x4x1x8xf32>, tensor<?x1x1x8xf32>, tensor<?x1xi32>) -> tensor<16x4x1x8xf32>
  %vc2 = tok.cache_write %vc, %v, %slots : (tensor<16x4x1x8xf32>, tensor<?x1x1x8xf32>, tensor<?x1xi32>) -> tensor<16x4x1x8xf32>
  %o = tok.paged_attention %q, %kc2, %vc2, %table, %lens : (tensor<?x2x1x8xf32>, tensor<16x4x1x8xf32>, tensor<16x4x1x8xf32>, tensor<?x?xi32>, tensor<?xi32>) -> tensor<?x2x1x8xf32>
  return %o : tensor<?x2x1x8xf32>
}

// Returning the updated pool: the write is still in place, but a public
// function must return a buffer it owns, so the whole pool is copied into a
// fresh one before the return. The model ABI never returns pools.
// CHECK-LABEL: func.func @returns_cache(
// CHECK-SAME: %[[KC:[a-z0-9]+]]: memref<16x4x1x8xf32>
// CHECK: %[[CLONE:.*]] = memref.alloc() {{.*}}: memref<16x4x1x8xf32>
// CHECK: memref.copy %[[KC]], %[[CLONE]]
// CHECK: return %[[CLONE]]
func.func @returns_cache(%kc: tensor<16x4x1x8xf32> {bufferization.writable = true},
                         %k: tensor<1x1x?x8xf32>, %slots: tensor<1x?xi32>) -> tensor<16x4x1x8xf32> {
  %kc2 = tok.cache_write %kc, %k, %slots : (tensor<16x4x1x8xf32>, tensor<1x1x?x8xf32>, tensor<1x?xi32>) -> tensor<16x4x1x8xf32>
  return %kc2 : tensor<16x4x1x8xf32>
}

// tok.cache_write is pure: a write whose result nothing reads is erased, and
// the pool is never touched. A packed prefill must read its writes back.
// CHECK-LABEL: func.func @unused_write(
// CHECK-NOT: scf.for
// CHECK-NOT: memref.subview
// CHECK: return
func.func @unused_write(%kc: tensor<16x4x1x8xf32> {bufferization.writable = true},
                        %k: tensor<1x1x?x8xf32>, %slots: tensor<1x?xi32>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %kc2 = tok.cache_write %kc, %k, %slots : (tensor<16x4x1x8xf32>, tensor<1x1x?x8xf32>, tensor<1x?xi32>) -> tensor<16x4x1x8xf32>
  return %x : tensor<4xf32>
}
