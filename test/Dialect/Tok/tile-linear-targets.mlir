// RUN: tokamak-opt %s --split-input-file --tok-tile-linear="cpu=znver3 remarks=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=AVX2-REMARK
// RUN: tokamak-opt %s --split-input-file --tok-tile-linear="cpu=znver4 remarks=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=AVX512-REMARK
// RUN: tokamak-opt %s --split-input-file --tok-tile-linear="cpu=znver3" | FileCheck %s --check-prefix=AVX2
// RUN: tokamak-opt %s --split-input-file --tok-tile-linear="cpu=znver4" | FileCheck %s --check-prefix=AVX512
// RUN: tokamak-opt %s --split-input-file --verify-diagnostics --tok-tile-linear="cpu=znver4 register-tile-cols=16"
// RUN: not tokamak-opt %s --split-input-file --tok-tile-linear="cpu=znver3 register-tile-cols=8" -o /dev/null 2>&1 | FileCheck %s --check-prefix=GLU-AVX2
// RUN: not tokamak-opt %s --split-input-file --tok-tile-linear="cpu=znver3 cache-tile-k=100" -o /dev/null 2>&1 | FileCheck %s --check-prefix=OPTS-AVX2

// The kernels' vectors and tiles follow the target: with AVX2 (znver3: 16
// ymm registers of 8 f32) a 6x16 register tile (12 accumulators, 2 panel
// loads and 6 broadcasts per k) over 8x8 packing transposes and a 256x256
// packed block (512 KiB L2); with AVX-512 (znver4: 32 zmm registers of 16
// f32) an 8x32 tile (16 accumulators) over 16x16 transposes and a 512x256
// block (1 MiB L2).

// AVX2-REMARK: remark: tok-tile-linear: GEMM register tile 6x16, packed block 256x256, GEMV 64 rows of W per task, 8 f32 lanes
// AVX512-REMARK: remark: tok-tile-linear: GEMM register tile 8x32, packed block 512x256, GEMV 64 rows of W per task, 16 f32 lanes

// AVX2-LABEL: func.func @linear_gemm_bias_f32
// AVX2-SAME:    %[[X:.*]]: tensor<64x1024xf32>, %[[W:.*]]: tensor<512x1024xf32>, %[[B:.*]]: tensor<512xf32>
// AVX2:         scf.forall (%{{.*}}) in (2) shared_outs
// AVX2:           memref.alloca() {alignment = 64 : i64} : memref<16x256x16xf32>
// AVX2:           vector.transfer_read %[[W]]{{.*}} {in_bounds = [true, true]} : tensor<512x1024xf32>, vector<8x8xf32>
// AVX2:           vector.transpose %{{.*}}, [1, 0] : vector<8x8xf32> to vector<8x8xf32>
// AVX2:           vector.transfer_write {{.*}} : vector<8x8xf32>, tensor<16x256x16xf32>
// AVX2:           %{{.*}}:12 = scf.if %{{.*}} -> (vector<8xf32>,
// AVX2:             vector.transfer_read %[[B]]{{.*}} : tensor<512xf32>, vector<8xf32>
// AVX2:           %{{.*}}:12 = scf.for {{.*}} -> (vector<8xf32>,
// AVX2-COUNT-2:     vector.transfer_read %{{.*}} {in_bounds = [true]} : tensor<16x256x16xf32>, vector<8xf32>
// AVX2:             tensor.extract %[[X]]
// AVX2:             vector.broadcast %{{.*}} : f32 to vector<8xf32>
// AVX2-COUNT-12:    vector.fma %{{.*}} : vector<8xf32>
// AVX2-NOT:         vector.fma
// AVX2:             scf.yield
// The 4 rows left after 10 tiles of 6.
// AVX2:           %{{.*}}:8 = scf.for {{.*}} -> (vector<8xf32>,
// AVX2-NOT:       vector<16xf32>
// AVX2:           scf.forall.in_parallel

// AVX512-LABEL: func.func @linear_gemm_bias_f32
// AVX512:         scf.forall (%{{.*}}) in (2) shared_outs
// AVX512:           memref.alloca() {alignment = 64 : i64} : memref<8x512x32xf32>
// AVX512:           vector.transfer_read %{{.*}} {in_bounds = [true, true]} : tensor<512x1024xf32>, vector<16x16xf32>
// AVX512:           %{{.*}}:16 = scf.for {{.*}} -> (vector<16xf32>,
// AVX512-COUNT-2:     vector.transfer_read %{{.*}} {in_bounds = [true]} : tensor<8x512x32xf32>, vector<16xf32>
// AVX512:             vector.broadcast %{{.*}} : f32 to vector<16xf32>
// AVX512-COUNT-16:    vector.fma %{{.*}} : vector<16xf32>
// AVX512-NOT:       vector<8xf32>
// AVX512:           scf.forall.in_parallel
func.func @linear_gemm_bias_f32(%x: tensor<64x1024xf32>, %w: tensor<512x1024xf32>, %b: tensor<512xf32>) -> tensor<64x512xf32> {
  %y = tok.linear %x, %w bias(%b : tensor<512xf32>) : (tensor<64x1024xf32>, tensor<512x1024xf32>) -> tensor<64x512xf32>
  return %y : tensor<64x512xf32>
}

// -----

// A fused GLU splits each panel into gate and up vectors: with AVX2 a
// 16-column panel is one 8-lane gate vector (W rows r..r+7) and one up
// vector (rows N/2 + r..); each tile row stores silu(gate) * up for 8
// output columns. A register tile of one vector per panel cannot hold both
// halves.

// GLU-AVX2: error: tok-tile-linear: a fused GLU needs register-tile-cols a multiple of 16 (gate and up vectors of 8 f32 lanes per panel), got 8

// AVX2-LABEL: func.func @linear_glu_silu_f32
// AVX2-SAME:    %[[X:.*]]: tensor<64x256xf32>, %[[W:.*]]: tensor<1024x256xf32>
// AVX2:         memref.alloca() {alignment = 64 : i64} : memref<16x256x16xf32>
// AVX2:         vector.transfer_read %[[W]][%[[ROW:.*]], %{{.*}}], %{{.*}} {in_bounds = [true, true]} : tensor<1024x256xf32>, vector<8x8xf32>
// AVX2:         %[[UPROW:.*]] = arith.addi %{{.*}}, %[[ROW]] : index
// AVX2:         vector.transfer_read %[[W]][%[[UPROW]], %{{.*}}]
// AVX2:         %[[ACC:.*]]:12 = scf.for {{.*}} -> (vector<8xf32>,
// AVX2:         math.exp %{{.*}} : vector<8xf32>
// AVX2:         %[[SILU:.*]] = arith.mulf %[[ACC]]#0, %{{.*}} : vector<8xf32>
// AVX2:         arith.mulf %[[SILU]], %[[ACC]]#1 : vector<8xf32>
// AVX2:         vector.transfer_write {{.*}} : vector<8xf32>, tensor<64x?xf32>

// AVX512-LABEL: func.func @linear_glu_silu_f32
// AVX512:         memref.alloca() {alignment = 64 : i64} : memref<8x256x32xf32>
// AVX512:         %[[ACC:.*]]:16 = scf.for {{.*}} -> (vector<16xf32>,
// AVX512:         %[[SILU:.*]] = arith.mulf %[[ACC]]#0, %{{.*}} : vector<16xf32>
// AVX512:         arith.mulf %[[SILU]], %[[ACC]]#1 : vector<16xf32>
func.func @linear_glu_silu_f32(%x: tensor<64x256xf32>, %w: tensor<1024x256xf32>) -> tensor<64x512xf32> {
  // expected-error @below {{tok-tile-linear: a fused GLU needs register-tile-cols a multiple of 32 (gate and up vectors of 16 f32 lanes per panel), got 16}}
  %y = tok.linear %x, %w : (tensor<64x256xf32>, tensor<1024x256xf32>) -> tensor<64x1024xf32>
  %g = tok.glu %y {activation = "silu"} : (tensor<64x1024xf32>) -> tensor<64x512xf32>
  return %g : tensor<64x512xf32>
}

// -----

// A GEMV of 4 rows: 8-lane loads of W and x with AVX2, 2 W rows per group
// (8 accumulators, next to the 4 x vectors, fit 16 ymm registers); 16-lane
// loads and 4 W rows per group (16 accumulators) with AVX-512.

// AVX2-LABEL: func.func @linear_gemv_rows4_f32
// AVX2-SAME:    %[[X:.*]]: tensor<4x1024xf32>, %[[W:.*]]: tensor<256x1024xf32>
// AVX2:         scf.forall (%{{.*}}) in (4) shared_outs
// AVX2:           %{{.*}}:8 = scf.for {{.*}} -> (vector<8xf32>,
// AVX2-COUNT-2:     vector.transfer_read %[[W]]{{.*}} {in_bounds = [true]} : tensor<256x1024xf32>, vector<8xf32>
// AVX2-COUNT-4:     vector.transfer_read %[[X]]{{.*}} {in_bounds = [true]} : tensor<4x1024xf32>, vector<8xf32>
// AVX2-COUNT-8:     vector.fma %{{.*}} : vector<8xf32>
// AVX2:           vector.reduction <add>, %{{.*}} : vector<8xf32> into f32

// AVX512-LABEL: func.func @linear_gemv_rows4_f32
// AVX512:           %{{.*}}:16 = scf.for {{.*}} -> (vector<16xf32>,
// AVX512-COUNT-4:     vector.transfer_read %{{.*}} {in_bounds = [true]} : tensor<256x1024xf32>, vector<16xf32>
// AVX512:           vector.reduction <add>, %{{.*}} : vector<16xf32> into f32
func.func @linear_gemv_rows4_f32(%x: tensor<4x1024xf32>, %w: tensor<256x1024xf32>) -> tensor<4x256xf32> {
  %y = tok.linear %x, %w : (tensor<4x1024xf32>, tensor<256x1024xf32>) -> tensor<4x256xf32>
  return %y : tensor<4x256xf32>
}

// -----

// A fused RMS norm, for AVX2 code: the statistics and the normalized row panel
// [6, 256] of the GEMM read x 8 lanes at a time.

// AVX2-LABEL: func.func @rms_norm_linear_gemm_f32
// AVX2:         vector.transfer_read %{{.*}} : tensor<64x1024xf32>, vector<8xf32>
// AVX2:         vector.reduction <add>, %{{.*}} : vector<8xf32> into f32
// AVX2:         scf.forall
// AVX2:           memref.alloca() {alignment = 64 : i64} : memref<6x256xf32>
// AVX2:           arith.mulf %{{.*}} : vector<8xf32>
// AVX2:           %{{.*}}:12 = scf.for {{.*}} -> (vector<8xf32>,
// AVX2-NOT:     vector<16xf32>
// AVX2:         return

// AVX512-LABEL: func.func @rms_norm_linear_gemm_f32
// AVX512:         memref.alloca() {alignment = 64 : i64} : memref<8x512xf32>
func.func @rms_norm_linear_gemm_f32(%x: tensor<64x1024xf32>, %g: tensor<1024xf32>, %w: tensor<512x1024xf32>) -> tensor<64x512xf32> {
  %n = tok.rms_norm %x, %g {eps = 1.0e-06 : f32} : (tensor<64x1024xf32>, tensor<1024xf32>) -> tensor<64x1024xf32>
  %y = tok.linear %n, %w : (tensor<64x1024xf32>, tensor<512x1024xf32>) -> tensor<64x512xf32>
  return %y : tensor<64x512xf32>
}

// OPTS-AVX2: error: tok-tile-linear: expected register-tile-cols a positive multiple of the target's 8 f32 lanes, cache-tile-n of register-tile-cols and cache-tile-k of 8, got 6x16, 256 and 100
