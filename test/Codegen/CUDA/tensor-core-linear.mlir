// RUN: tokamak-opt %s --tok-cuda-tensor-cores --cse --split-input-file | FileCheck %s
// RUN: tokamak-opt %s --tok-cuda-tensor-cores="cuda-arch=sm_86" --cse --split-input-file | FileCheck %s --check-prefix=SM86

// Dynamic rows (decode or prefill, known at run time) with a bias: the
// leading dims collapse into M, and M <= 16 takes the 16x64 decode kernel,
// larger M the 128x128x32 kernel (8 warps, 4 stages, 64 KB; 3 stages and
// 48 KB on sm_86). Per K step: wait until at most stages - 2 groups are in
// flight, one barrier, the next stage's copies, 2 x (4 + 2) ldmatrix.x4 and
// 32 mma per warp. The epilogue adds the bias in f32 and stores pairs.
// CHECK-LABEL: func.func @linear_bias_f16(
// CHECK-SAME:      %[[X:[^:]*]]: tensor<2x?x1024xf16>, %[[W:[^:]*]]: tensor<4096x1024xf16>, %[[B:[^:]*]]: tensor<4096xf16>)
// CHECK-DAG:     %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only : tensor<2x?x1024xf16> to memref<2x?x1024xf16>
// CHECK-DAG:     %[[WB:.*]] = bufferization.to_buffer %[[W]] read_only : tensor<4096x1024xf16> to memref<4096x1024xf16>
// CHECK-DAG:     %[[BB:.*]] = bufferization.to_buffer %[[B]] read_only : tensor<4096xf16> to memref<4096xf16>
// CHECK:         %[[Y:.*]] = memref.alloc(%{{.*}}) : memref<2x?x4096xf16>
// CHECK:         %[[XM:.*]] = memref.collapse_shape %[[XB]] {{\[\[}}0, 1], [2]] : memref<2x?x1024xf16> into memref<?x1024xf16>
// CHECK:         %[[YM:.*]] = memref.collapse_shape %[[Y]] {{\[\[}}0, 1], [2]] : memref<2x?x4096xf16> into memref<?x4096xf16>
// CHECK:         %[[M:.*]] = memref.dim %[[XM]], %c0 : memref<?x1024xf16>
// CHECK:         %[[SMALL:.*]] = arith.cmpi ule, %[[M]], %c16 : index
// CHECK:         scf.if %[[SMALL]] {
// CHECK:           gpu.launch blocks({{.*}}) in (%{{.*}} = %c64, %{{.*}} = %{{.*}}, %{{.*}} = %c1) threads({{.*}}) in (%{{.*}} = %c128, %{{.*}} = %c1, %{{.*}} = %c1) dynamic_shared_memory_size %c40960_i32
// CHECK:             memref.view %{{.*}} to memref<4x16x64xf16, #gpu.address_space<workgroup>>
// CHECK:             memref.view %{{.*}} to memref<4x64x64xf16, #gpu.address_space<workgroup>>
// CHECK:             scf.for %{{.*}} = %c0 to %c16 step %c1
// CHECK:         } else {
// CHECK:           gpu.launch blocks({{.*}}) in (%{{.*}} = %c32, %{{.*}} = %{{.*}}, %{{.*}} = %c1) threads({{.*}}) in (%{{.*}} = %c256, %{{.*}} = %c1, %{{.*}} = %c1) dynamic_shared_memory_size %c65536_i32
// CHECK:             %[[SA:.*]] = memref.view %{{.*}} to memref<4x128x32xf16, #gpu.address_space<workgroup>>
// CHECK:             %[[SB:.*]] = memref.view %{{.*}} to memref<4x128x32xf16, #gpu.address_space<workgroup>>
// CHECK-COUNT-2:     nvgpu.device_async_copy %[[XM]][%{{.*}}, %{{.*}}], %[[SA]][%c0, %{{.*}}, %{{.*}}], 8, %{{.*}} {bypassL1}
// CHECK-COUNT-2:     nvgpu.device_async_copy %[[WB]][%{{.*}}, %{{.*}}], %[[SB]][%c0, %{{.*}}, %{{.*}}], 8, %{{.*}} {bypassL1}
// CHECK:             %[[G0:.*]] = nvgpu.device_async_create_group
// CHECK:             nvgpu.device_async_create_group
// CHECK:             %[[G2:.*]] = nvgpu.device_async_create_group
// CHECK:             scf.for %{{.*}} = %c0 to %c32 step %c1 iter_args({{.*}}) -> (vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>)
// CHECK-NEXT:          nvgpu.device_async_wait %[[G2]] {numGroups = 2 : i32}
// CHECK-NEXT:          gpu.barrier
// CHECK-COUNT-4:       nvgpu.device_async_copy
// CHECK:               nvgpu.device_async_create_group
// CHECK-COUNT-4:       nvgpu.ldmatrix %[[SA]][%{{.*}}, %{{.*}}, %{{.*}}] {numTiles = 4 : i32, transpose = false} : memref<4x128x32xf16, #gpu.address_space<workgroup>> -> vector<4x2xf16>
// CHECK-COUNT-2:       nvgpu.ldmatrix %[[SB]][%{{.*}}, %{{.*}}, %{{.*}}] {numTiles = 4 : i32, transpose = false}
// CHECK-COUNT-16:      nvgpu.mma.sync
// CHECK-COUNT-4:       nvgpu.ldmatrix %[[SA]]
// CHECK-COUNT-2:       nvgpu.ldmatrix %[[SB]]
// CHECK-COUNT-16:      nvgpu.mma.sync
// CHECK-NOT:           nvgpu.mma.sync
// CHECK:               scf.yield
// CHECK:             memref.load %[[BB]]
// CHECK:             arith.extf %{{.*}} : vector<2xf16> to vector<2xf32>
// CHECK:             vector.store %{{.*}}, %[[YM]][%{{.*}}, %{{.*}}] : memref<?x4096xf16>, vector<2xf16>
// CHECK:         %[[R:.*]] = bufferization.to_tensor %[[Y]] restrict writable : memref<2x?x4096xf16> to tensor<2x?x4096xf16>
// CHECK:         return %[[R]]
// SM86-LABEL: func.func @linear_bias_f16(
// SM86:         dynamic_shared_memory_size %c30720_i32
// SM86:         dynamic_shared_memory_size %c49152_i32
// SM86:           memref.view %{{.*}} to memref<3x128x32xf16, #gpu.address_space<workgroup>>
// SM86:           nvgpu.device_async_wait %{{.*}} {numGroups = 1 : i32}
func.func @linear_bias_f16(%x: tensor<2x?x1024xf16>, %w: tensor<4096x1024xf16>, %b: tensor<4096xf16>) -> tensor<2x?x4096xf16> {
  %y = tok.linear %x, %w bias(%b : tensor<4096xf16>) : (tensor<2x?x1024xf16>, tensor<4096x1024xf16>) -> tensor<2x?x4096xf16>
  return %y : tensor<2x?x4096xf16>
}

// -----

// One static row (decode), bf16: only the decode kernel, bf16 MMAs through
// nvvm.mma.sync; K = 4096 is a multiple of the K step, so copies are
// predicated on rows only.
// CHECK-LABEL: func.func @linear_decode_bf16(
// CHECK-NOT:     scf.if
// CHECK:         gpu.launch blocks({{.*}}) in (%{{.*}} = %c172, %{{.*}} = %c1, %{{.*}} = %c1) threads({{.*}}) in (%{{.*}} = %c128, %{{.*}} = %c1, %{{.*}} = %c1) dynamic_shared_memory_size %c40960_i32
// CHECK:           scf.for %{{.*}} = %c0 to %c64 step %c1
// CHECK:             nvvm.mma.sync {{.*}}multiplicandAPtxType = #nvvm.mma_type<bf16>
// CHECK-NOT:     gpu.launch
// SM86-LABEL: func.func @linear_decode_bf16(
// SM86:         dynamic_shared_memory_size %c30720_i32
func.func @linear_decode_bf16(%x: tensor<1x1x4096xbf16>, %w: tensor<11008x4096xbf16>) -> tensor<1x1x11008xbf16> {
  %y = tok.linear %x, %w : (tensor<1x1x4096xbf16>, tensor<11008x4096xbf16>) -> tensor<1x1x11008xbf16>
  return %y : tensor<1x1x11008xbf16>
}

// -----

// Linears the kernel does not handle stay for the SIMT path: f32, K not a
// multiple of 8, odd N, rank-1 input.
// CHECK-LABEL: func.func @linear_left_alone(
// CHECK-NOT:     gpu.launch
// CHECK-COUNT-4: tok.linear
// SM86-LABEL: func.func @linear_left_alone(
// SM86-NOT:     gpu.launch
func.func @linear_left_alone(%xf: tensor<4x64xf32>, %wf: tensor<32x64xf32>, %x: tensor<4x60xf16>, %w: tensor<32x60xf16>, %x2: tensor<4x64xf16>, %w2: tensor<33x64xf16>, %x1: tensor<64xf16>, %w1: tensor<32x64xf16>) -> (tensor<4x32xf32>, tensor<4x32xf16>, tensor<4x33xf16>, tensor<32xf16>) {
  %0 = tok.linear %xf, %wf : (tensor<4x64xf32>, tensor<32x64xf32>) -> tensor<4x32xf32>
  %1 = tok.linear %x, %w : (tensor<4x60xf16>, tensor<32x60xf16>) -> tensor<4x32xf16>
  %2 = tok.linear %x2, %w2 : (tensor<4x64xf16>, tensor<33x64xf16>) -> tensor<4x33xf16>
  %3 = tok.linear %x1, %w1 : (tensor<64xf16>, tensor<32x64xf16>) -> tensor<32xf16>
  return %0, %1, %2, %3 : tensor<4x32xf32>, tensor<4x32xf16>, tensor<4x33xf16>, tensor<32xf16>
}
