// RUN: tokamak-opt %s --split-input-file --tok-tile-selective-scan="cpu=znver3" | FileCheck %s
// RUN: tokamak-opt %s --split-input-file --tok-tile-selective-scan="cpu=znver4" | FileCheck %s --check-prefix=AVX512
// RUN: not tokamak-opt %s --split-input-file --tok-tile-selective-scan="channel-tile=24" 2>&1 | FileCheck %s --check-prefix=OPTS

// Mamba-1 with D, z, dt_bias, init and softplus, 64 channels, N = 16: one
// task per (batch, tile of 64 channels) with the state and A·log2(e) in
// [vector, n, lane] stack buffers of 8-lane vectors (AVX2); per block of 64
// steps, Δ and Δ·x are staged for the tile (softplus as max(x, 0) +
// log1p(e^-|x|), log1p a polynomial), then each channel vector runs the
// block twice, with 8 of its 16 state vectors as iter_args each time (8
// exponentials per step; the first pass prefetches the next block's rows
// of x, dt and z, the second adds its C·h sums to the staged output row),
// then D·x and silu(z) are applied on the way out. The final state is
// written from the state buffer.

// With avx512, 16-lane channel vectors keep all 16 states in registers in
// one pass and the recurrence's exponentials are scaled by vscalefps, four
// states at a time stage by stage; the staged softplus keeps the generic
// exponent split.

// AVX512-LABEL: func.func @selective_scan_full_f32
// AVX512:         memref.alloca() {alignment = 64 : i64} : memref<4x16x16xf32>
// AVX512:         math.absf
// AVX512:         arith.shli
// AVX512:         %{{.*}}:16 = scf.for {{.*}} -> (vector<16xf32>,
// AVX512-COUNT-4:   math.roundeven
// AVX512-COUNT-4:   x86vector.avx512.mask.scalef
// AVX512-COUNT-4:   vector.fma
// AVX512-COUNT-4:   math.roundeven
// AVX512-COUNT-4:   x86vector.avx512.mask.scalef
// AVX512-NOT:       arith.shli
// AVX512:           vector.store

// CHECK-LABEL: func.func @selective_scan_full_f32
// CHECK-SAME:    %[[X:.*]]: tensor<?x?x64xf32>, %[[DT:.*]]: tensor<?x?x64xf32>, %[[A:.*]]: tensor<64x16xf32>, %[[B:.*]]: tensor<?x?x1x16xf32>, %[[C:.*]]: tensor<?x?x1x16xf32>
// CHECK-NOT:     tok.selective_scan
// CHECK:         %[[RES:.*]]:2 = scf.forall ({{.*}}) in (%{{.*}}, 1) shared_outs(%[[YS:.*]] = %{{.*}}, %[[HS:.*]] = %{{.*}})
// CHECK:           %[[YT:.*]] = tensor.extract_slice %[[YS]]{{.*}} to tensor<1x?x64xf32>
// CHECK:           %[[HBUF:.*]] = memref.alloca() {alignment = 64 : i64} : memref<8x16x8xf32>
// CHECK:           %[[ABUF:.*]] = memref.alloca() {alignment = 64 : i64} : memref<8x16x8xf32>
// CHECK:           scf.for
// CHECK-COUNT-16:    vector.transfer_read %[[A]]{{.*}}permutation_map
// CHECK:           %[[SD:.*]] = memref.alloca() {alignment = 64 : i64} : memref<64x64xf32>
// CHECK:           %[[SU:.*]] = memref.alloca() {alignment = 64 : i64} : memref<64x64xf32>
// CHECK:           %[[SY:.*]] = memref.alloca() {alignment = 64 : i64} : memref<64x64xf32>
// CHECK:           bufferization.to_buffer %[[X]] read_only
// CHECK:           %{{.*}} = scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%{{.*}} = %[[YT]]) -> (tensor<1x?x64xf32>)
// CHECK:             scf.for
// CHECK:               scf.for
// CHECK:                 vector.transfer_read %[[DT]]
// CHECK:                 arith.addf
// CHECK:                 math.absf
// CHECK:                 math.roundeven
// CHECK:                 vector.store %{{.*}}, %[[SD]]
// CHECK:                 vector.store %{{.*}}, %[[SU]]
// CHECK:             scf.for
// CHECK-COUNT-8:       vector.load %[[HBUF]]
// CHECK:               %{{.*}}:8 = scf.for {{.*}} -> (vector<8xf32>,
// CHECK-COUNT-3:         memref.prefetch
// CHECK:                 vector.load %[[SD]]
// CHECK:                 vector.load %[[SU]]
// CHECK-COUNT-8:         math.roundeven
// CHECK-NOT:             x86vector
// CHECK:                 vector.store %{{.*}}, %[[SY]]
// CHECK-COUNT-8:       vector.store %{{.*}}, %[[HBUF]]
// CHECK-COUNT-8:       vector.load %[[HBUF]]
// CHECK:               %{{.*}}:8 = scf.for {{.*}} -> (vector<8xf32>,
// CHECK-NOT:             memref.prefetch
// CHECK:                 vector.load %[[SD]]
// CHECK:                 vector.load %[[SU]]
// CHECK-COUNT-8:         math.roundeven
// CHECK:                 vector.load %[[SY]]
// CHECK:                 vector.store %{{.*}}, %[[SY]]
// CHECK-COUNT-8:       vector.store %{{.*}}, %[[HBUF]]
// CHECK:             scf.for
// CHECK:               scf.for
// CHECK:                 vector.load %[[SY]]
// CHECK:                 arith.divf
// CHECK:                 vector.transfer_write {{.*}} : vector<8xf32>, tensor<1x?x64xf32>
// CHECK-COUNT-16:    vector.transfer_write {{.*}}permutation_map{{.*}} : vector<8xf32>, tensor<1x64x16xf32>
// CHECK:           scf.forall.in_parallel
// CHECK-COUNT-2:     tensor.parallel_insert_slice
// CHECK:         return %[[RES]]#0, %[[RES]]#1
func.func @selective_scan_full_f32(%x: tensor<?x?x64xf32>, %dt: tensor<?x?x64xf32>, %a: tensor<64x16xf32>, %b: tensor<?x?x1x16xf32>, %c: tensor<?x?x1x16xf32>, %d: tensor<64xf32>, %z: tensor<?x?x64xf32>, %db: tensor<64xf32>, %h0: tensor<?x64x16xf32>) -> (tensor<?x?x64xf32>, tensor<?x64x16xf32>) {
  %y, %h = tok.selective_scan %x, %dt, %a, %b, %c D(%d : tensor<64xf32>) z(%z : tensor<?x?x64xf32>) dt_bias(%db : tensor<64xf32>) init(%h0 : tensor<?x64x16xf32>) {dt_softplus} : (tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<64x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>) -> (tensor<?x?x64xf32>, tensor<?x64x16xf32>)
  return %y, %h : tensor<?x?x64xf32>, tensor<?x64x16xf32>
}

// -----

// Groups of 8 channels: vectors of 8 lanes stay inside one group (B and C
// read at the vector's group); static batch 2 with 32 channels gives tiles
// of 16 channels, two per batch.

// CHECK-LABEL: func.func @selective_scan_groups_f32
// CHECK:         scf.forall ({{.*}}) in (2, 2)
// CHECK:           memref.alloca() {alignment = 64 : i64} : memref<2x8x8xf32>
// CHECK:           arith.divui %{{.*}}, %{{.*}} : index
// CHECK:           scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK:             tensor.extract %{{.*}} : tensor<2x?x4x8xf32>
// CHECK:             vector.broadcast %{{.*}} : f32 to vector<8xf32>
func.func @selective_scan_groups_f32(%x: tensor<2x?x32xf32>, %dt: tensor<2x?x32xf32>, %a: tensor<32x8xf32>, %b: tensor<2x?x4x8xf32>, %c: tensor<2x?x4x8xf32>) -> tensor<2x?x32xf32> {
  %y = tok.selective_scan %x, %dt, %a, %b, %c : (tensor<2x?x32xf32>, tensor<2x?x32xf32>, tensor<32x8xf32>, tensor<2x?x4x8xf32>, tensor<2x?x4x8xf32>) -> tensor<2x?x32xf32>
  return %y : tensor<2x?x32xf32>
}

// -----

// A dynamic state size stays for convert-tok-to-linalg.

// CHECK-LABEL: func.func @selective_scan_dynamic_state_f32
// CHECK:         tok.selective_scan
func.func @selective_scan_dynamic_state_f32(%x: tensor<1x?x16xf32>, %dt: tensor<1x?x16xf32>, %a: tensor<16x?xf32>, %b: tensor<1x?x1x?xf32>, %c: tensor<1x?x1x?xf32>) -> tensor<1x?x16xf32> {
  %y = tok.selective_scan %x, %dt, %a, %b, %c : (tensor<1x?x16xf32>, tensor<1x?x16xf32>, tensor<16x?xf32>, tensor<1x?x1x?xf32>, tensor<1x?x1x?xf32>) -> tensor<1x?x16xf32>
  return %y : tensor<1x?x16xf32>
}

// OPTS: error: tok-tile-selective-scan: expected channel-tile 0 or a positive multiple of 16 and time-block and state-block 0 or positive, got 24, 0 and 0
