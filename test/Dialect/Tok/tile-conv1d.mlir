// RUN: tokamak-opt %s --split-input-file --tok-tile-conv1d | FileCheck %s
// RUN: not tokamak-opt %s --split-input-file --tok-tile-conv1d="num-threads=0" 2>&1 | FileCheck %s --check-prefix=OPTS

// Bias, init and silu over 64 channels: one task per (batch, tile of four
// channel vectors); the taps are read transposed into registers (one vector
// per tap and channel vector), the three inputs before t = 0 of each channel
// vector come from init (no time split, so no branch) and slide through the
// time loop's iter_args, and each output vector is act(bias + Σ w·x),
// written once. The final state is gathered after the forall.

// CHECK-LABEL: func.func @conv1d_silu_init_f32
// CHECK-SAME:    %[[X:.*]]: tensor<?x?x64xf32>, %[[W:.*]]: tensor<64x4xf32>, %[[B:.*]]: tensor<64xf32>, %[[INIT:.*]]: tensor<?x64x3xf32>
// CHECK-NOT:     tok.conv1d
// CHECK:         %[[Y:.*]] = scf.forall ({{.*}}) in (%{{.*}}, 1, 1) shared_outs(%[[SHARED:.*]] = %{{.*}}) -> (tensor<?x?x64xf32>)
// CHECK:           %[[TILE:.*]] = tensor.extract_slice %[[SHARED]]
// CHECK-COUNT-16:  vector.transfer_read %[[W]]{{.*}} {in_bounds = [true], permutation_map = #{{.*}}} : tensor<64x4xf32>, vector<16xf32>
// CHECK-COUNT-4:   vector.transfer_read %[[B]]
// CHECK-NOT:       scf.if
// CHECK-COUNT-12:  vector.transfer_read %[[INIT]]{{.*}}permutation_map
// CHECK:           %{{.*}}:13 = scf.for {{.*}} iter_args(%{{.*}} = %[[TILE]], {{.*}}) -> (tensor<1x?x64xf32>, vector<16xf32>
// CHECK:             vector.transfer_read %[[X]]
// CHECK-COUNT-4:     vector.fma
// CHECK:             math.roundeven
// CHECK:             arith.divf
// CHECK:             vector.transfer_write %{{.*}} {in_bounds = [true]} : vector<16xf32>, tensor<1x?x64xf32>
// CHECK:           scf.forall.in_parallel
// CHECK:             tensor.parallel_insert_slice
// CHECK:         %[[ST:.*]] = scf.for
// CHECK:           scf.for
// CHECK:             vector.transfer_write {{.*}}permutation_map{{.*}} : vector<16xf32>, tensor<?x64x3xf32>
// CHECK:         return %[[Y]], %[[ST]]
func.func @conv1d_silu_init_f32(%x: tensor<?x?x64xf32>, %w: tensor<64x4xf32>, %b: tensor<64xf32>, %s0: tensor<?x64x3xf32>) -> (tensor<?x?x64xf32>, tensor<?x64x3xf32>) {
  %y, %s = tok.conv1d %x, %w bias(%b : tensor<64xf32>) init(%s0 : tensor<?x64x3xf32>) {activation = "silu"} : (tensor<?x?x64xf32>, tensor<64x4xf32>) -> (tensor<?x?x64xf32>, tensor<?x64x3xf32>)
  return %y, %s : tensor<?x?x64xf32>, tensor<?x64x3xf32>
}

// -----

// Eight f16 channels, static batch 2: the one channel tile leaves threads
// idle, so time splits in four; the 16-lane vectors are masked (not in
// bounds), widened on reads and narrowed on the store; no activation.

// CHECK-LABEL: func.func @conv1d_masked_f16
// CHECK:         scf.forall ({{.*}}) in (2, 1, 4)
// CHECK:           vector.transfer_read {{.*}} : tensor<2x512x8xf16>, vector<16xf16>
// CHECK:           arith.extf {{.*}} : vector<16xf16> to vector<16xf32>
// CHECK:           scf.for
// CHECK-NOT:         math.roundeven
// CHECK:             arith.truncf {{.*}} : vector<16xf32> to vector<16xf16>
// CHECK:             vector.transfer_write {{.*}} : vector<16xf16>, tensor<1x?x8xf16>
func.func @conv1d_masked_f16(%x: tensor<2x512x8xf16>, %w: tensor<8x3xf16>) -> tensor<2x512x8xf16> {
  %y = tok.conv1d %x, %w : (tensor<2x512x8xf16>, tensor<8x3xf16>) -> tensor<2x512x8xf16>
  return %y : tensor<2x512x8xf16>
}

// -----

// A dynamic channel count stays for convert-tok-to-linalg.

// CHECK-LABEL: func.func @conv1d_dynamic_channels_f32
// CHECK:         tok.conv1d
func.func @conv1d_dynamic_channels_f32(%x: tensor<1x?x?xf32>, %w: tensor<?x4xf32>) -> tensor<1x?x?xf32> {
  %y = tok.conv1d %x, %w : (tensor<1x?x?xf32>, tensor<?x4xf32>) -> tensor<1x?x?xf32>
  return %y : tensor<1x?x?xf32>
}

// OPTS: error: tok-tile-conv1d: num-threads must be positive, got 0
