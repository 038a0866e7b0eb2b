// RUN: tokamak-opt %s --split-input-file --tok-tile-linear | FileCheck %s
// RUN: tokamak-opt %s --split-input-file --tok-tile-linear="fuse-epilogues=false" | FileCheck %s --check-prefix=NOFUSE
// RUN: tokamak-opt %s --split-input-file --tok-tile-linear="fuse-norms=false" | FileCheck %s --check-prefix=NONORM
// RUN: not tokamak-opt %s --split-input-file --tok-tile-linear="cache-tile-n=48" 2>&1 | FileCheck %s --check-prefix=OPTS

// A static GEMM with bias and two K blocks: a parallel loop over column
// blocks of W, W packed per K block into [8, 512, 32] f32 panels (a stack
// buffer of the task) by 16x16 transposes, 8x32 register tiles (16 accumulators seeded with the bias in the
// first block, 8 broadcasts, 2 panel loads and 16 FMAs per k), partial sums
// kept in the output tile until the last block.

// CHECK-LABEL: func.func @linear_gemm_bias_f32
// CHECK-SAME:    %[[X:.*]]: tensor<64x1024xf32>, %[[W:.*]]: tensor<512x1024xf32>, %[[B:.*]]: tensor<512xf32>
// CHECK-NOT:     tok.linear
// CHECK:         %[[OUT:.*]] = tensor.empty() : tensor<64x512xf32>
// CHECK:         scf.forall (%{{.*}}) in (2) shared_outs(%[[SHARED:.*]] = %[[OUT]])
// CHECK:           %[[TILE:.*]] = tensor.extract_slice %[[SHARED]][0, %{{.*}}] [64, %{{.*}}] [1, 1]
// CHECK:           %[[BUF:.*]] = memref.alloca() {alignment = 64 : i64} : memref<8x512x32xf32>
// CHECK:           %[[PACK:.*]] = bufferization.to_tensor %[[BUF]] restrict writable
// CHECK:           scf.for %[[KB:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%{{.*}} = %[[TILE]], %{{.*}} = %[[PACK]])
// CHECK:             vector.transfer_read %[[W]]{{.*}} {in_bounds = [true, true]} : tensor<512x1024xf32>, vector<16x16xf32>
// CHECK:             vector.transpose %{{.*}}, [1, 0] : vector<16x16xf32> to vector<16x16xf32>
// CHECK:             vector.transfer_write {{.*}} : vector<16x16xf32>, tensor<8x512x32xf32>
// CHECK:             %[[FIRST:.*]] = arith.cmpi eq, %[[KB]]
// CHECK:             %[[LAST:.*]] = arith.cmpi sge
// CHECK:             scf.for {{.*}} step %{{.*}} iter_args
// CHECK:               scf.for
// CHECK:                 %{{.*}}:16 = scf.if %[[FIRST]] -> (vector<16xf32>,
// CHECK:                   vector.transfer_read %[[B]]
// CHECK:                 %{{.*}}:16 = scf.for {{.*}} -> (vector<16xf32>,
// CHECK-COUNT-2:           vector.transfer_read %{{.*}} {in_bounds = [true]} : tensor<8x512x32xf32>, vector<16xf32>
// CHECK:                   tensor.extract %[[X]]
// CHECK:                   vector.broadcast %{{.*}} : f32 to vector<16xf32>
// CHECK-COUNT-16:          vector.fma
// CHECK:                 scf.if %[[LAST]]
// CHECK-COUNT-16:          vector.transfer_write
// CHECK:           scf.forall.in_parallel
// CHECK:             tensor.parallel_insert_slice
func.func @linear_gemm_bias_f32(%x: tensor<64x1024xf32>, %w: tensor<512x1024xf32>, %b: tensor<512xf32>) -> tensor<64x512xf32> {
  %y = tok.linear %x, %w bias(%b : tensor<512xf32>) : (tensor<64x1024xf32>, tensor<512x1024xf32>) -> tensor<64x512xf32>
  return %y : tensor<64x512xf32>
}

// -----

// Edges: 37 rows = 4 tiles of 8, then one of 4 and one of 1 (static, no
// branches); 72 columns and K = 100 read W through masked (not in-bounds)
// transfers into zero-padded panels and store through masked transfers. One
// task: its parallel loop folds away, and the workspace, outside any loop,
// is a stack buffer of the function.

// CHECK-LABEL: func.func @linear_gemm_edges_f32
// CHECK-SAME:    %[[X:.*]]: tensor<37x100xf32>, %[[W:.*]]: tensor<72x100xf32>
// CHECK:         memref.alloca() {alignment = 64 : i64} : memref<3x112x32xf32>
// CHECK:         vector.transfer_read %[[W]][{{.*}}], %{{.*}} : tensor<72x100xf32>, vector<16x16xf32>
// CHECK:         scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C8:.*]] iter_args
// CHECK:           scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK:           vector.transfer_write %{{.*}} : vector<16xf32>, tensor<37x?xf32>
// CHECK:         scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK:         scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>)
// CHECK-NOT:     scf.if
// CHECK:         scf.forall.in_parallel
func.func @linear_gemm_edges_f32(%x: tensor<37x100xf32>, %w: tensor<72x100xf32>) -> tensor<37x72xf32> {
  %y = tok.linear %x, %w : (tensor<37x100xf32>, tensor<72x100xf32>) -> tensor<37x72xf32>
  return %y : tensor<37x72xf32>
}

// -----

// Decode: one row streams W once, 8 rows of W at a time with K-contiguous
// loads, one FMA accumulator per W row and a horizontal sum per output; the
// bias is added to the sum.

// CHECK-LABEL: func.func @linear_gemv_bias_f32
// CHECK-SAME:    %[[X:.*]]: tensor<1x4096xf32>, %[[W:.*]]: tensor<4096x4096xf32>, %[[B:.*]]: tensor<4096xf32>
// CHECK:         scf.forall (%{{.*}}) in (64) shared_outs
// CHECK:           scf.for {{.*}} step %[[C8:.*]] iter_args
// CHECK:             %[[ACC:.*]]:8 = scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-8:       vector.transfer_read %[[W]]{{.*}} {in_bounds = [true]} : tensor<4096x4096xf32>, vector<16xf32>
// CHECK:               vector.transfer_read %[[X]]{{.*}} {in_bounds = [true]} : tensor<1x4096xf32>, vector<16xf32>
// CHECK-COUNT-8:       vector.fma
// CHECK:             vector.reduction <add>, %[[ACC]]#0
// CHECK:             tensor.extract %[[B]]
// CHECK:             tensor.insert
// CHECK-NOT:     tok.linear
func.func @linear_gemv_bias_f32(%x: tensor<1x4096xf32>, %w: tensor<4096x4096xf32>, %b: tensor<4096xf32>) -> tensor<1x4096xf32> {
  %y = tok.linear %x, %w bias(%b : tensor<4096xf32>) : (tensor<1x4096xf32>, tensor<4096x4096xf32>) -> tensor<1x4096xf32>
  return %y : tensor<1x4096xf32>
}

// -----

// Dynamic rows (M = B·S): one row at run time takes the one-row GEMV, 2 to
// 16 rows (a decode batch) the batched GEMV (per group of W rows, chunks of
// 4 rows of x, then a copy for the 1 to 3 remaining rows), more the GEMM,
// whose rows are split into chunks of at least 64 (multiples of 8) for the
// threads, with 4-, 2- and 1-row tiles under run-time conditions.

// CHECK-LABEL: func.func @linear_dynamic_rows_f32
// CHECK-SAME:    %[[X:.*]]: tensor<?x256xf32>
// CHECK:         %[[M:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x256xf32>
// CHECK:         %[[ONE:.*]] = arith.cmpi eq, %[[M]], %{{.*}} : index
// CHECK:         scf.if %[[ONE]] -> (tensor<?x512xf32>) {
// CHECK:           scf.forall (%{{.*}}) in (8)
// CHECK:             %{{.*}}:8 = scf.for
// CHECK:             vector.reduction <add>
// CHECK:         } else {
// CHECK:           %[[BATCH:.*]] = arith.cmpi ule, %[[M]], %{{.*}} : index
// CHECK:           scf.if %[[BATCH]] -> (tensor<?x512xf32>) {
// CHECK:             scf.forall (%{{.*}}) in (8)
// CHECK:               scf.for {{.*}} -> (tensor<?x?xf32>) {
// CHECK:                 scf.for {{.*}} -> (tensor<?x?xf32>) {
// CHECK:                   %{{.*}}:16 = scf.for
// CHECK:                 arith.cmpi eq, %{{.*}}, %{{.*}} : index
// CHECK:                 %{{.*}}:4 = scf.for
// CHECK:                 arith.cmpi eq, %{{.*}}, %{{.*}} : index
// CHECK:                 %{{.*}}:8 = scf.for
// CHECK:                 arith.cmpi eq, %{{.*}}, %{{.*}} : index
// CHECK:                 %{{.*}}:12 = scf.for
// CHECK:           } else {
// CHECK:             scf.forall (%{{.*}}, %{{.*}}) in (%{{.*}}, 2)
// CHECK:               memref.alloca() {alignment = 64 : i64} : memref<8x256x32xf32>
// CHECK:               arith.andi %{{.*}}, %{{.*}} : index
// CHECK:               scf.if
// CHECK:                 scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
func.func @linear_dynamic_rows_f32(%x: tensor<?x256xf32>, %w: tensor<512x256xf32>) -> tensor<?x512xf32> {
  %y = tok.linear %x, %w : (tensor<?x256xf32>, tensor<512x256xf32>) -> tensor<?x512xf32>
  return %y : tensor<?x512xf32>
}

// -----

// A 3-D input with a dynamic sequence collapses to rows and expands back.

// CHECK-LABEL: func.func @linear_3d_f32
// CHECK:         tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<2x?x64xf32> into tensor<?x64xf32>
// CHECK:         scf.if
// CHECK:         tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2]] output_shape [2, %{{.*}}, 96] : tensor<?x96xf32> into tensor<2x?x96xf32>
func.func @linear_3d_f32(%x: tensor<2x?x64xf32>, %w: tensor<96x64xf32>) -> tensor<2x?x96xf32> {
  %y = tok.linear %x, %w : (tensor<2x?x64xf32>, tensor<96x64xf32>) -> tensor<2x?x96xf32>
  return %y : tensor<2x?x96xf32>
}

// -----

// f16 with several K blocks: W widened while packing, the rows of x widened
// once per row tile and K block into an [8, 512] f32 buffer that the
// broadcasts read, partial sums in an f32 scratch tile (a stack buffer), the
// result narrowed once in the last block.

// CHECK-LABEL: func.func @linear_gemm_f16
// CHECK:         scf.forall
// CHECK:           memref.alloca() {alignment = 64 : i64} : memref<64x128xf32>
// CHECK:           memref.alloca() {alignment = 64 : i64} : memref<4x512x32xf32>
// CHECK:           memref.alloca() {alignment = 64 : i64} : memref<8x512xf32>
// CHECK:           vector.transfer_read {{.*}} : tensor<128x1024xf16>, vector<16x16xf16>
// CHECK:           arith.extf %{{.*}} : vector<16x16xf16> to vector<16x16xf32>
// CHECK:           vector.transfer_read {{.*}} : tensor<64x1024xf16>, vector<16xf16>
// CHECK:           arith.extf %{{.*}} : vector<16xf16> to vector<16xf32>
// CHECK:           vector.transfer_write {{.*}} : vector<16xf32>, tensor<8x512xf32>
// CHECK:           tensor.extract %{{.*}} : tensor<8x512xf32>
// CHECK:           arith.truncf %{{.*}} : vector<16xf32> to vector<16xf16>
// CHECK:           vector.transfer_write {{.*}} : vector<16xf16>, tensor<64x?xf16>
func.func @linear_gemm_f16(%x: tensor<64x1024xf16>, %w: tensor<128x1024xf16>) -> tensor<64x128xf16> {
  %y = tok.linear %x, %w : (tensor<64x1024xf16>, tensor<128x1024xf16>) -> tensor<64x128xf16>
  return %y : tensor<64x128xf16>
}

// -----

// Epilogue fusion: the activation and the residual add that consume the
// linear are applied to the accumulators before the store; with
// fuse-epilogues=false they stay.

// CHECK-LABEL: func.func @linear_silu_residual_f32
// CHECK-SAME:    %[[R:[^:]*]]: tensor<64x128xf32>) -> tensor<64x128xf32>
// CHECK-NOT:     tok.activation
// CHECK-NOT:     linalg.add
// CHECK:         scf.forall
// CHECK:           vector.fma
// CHECK:           math.exp %{{.*}} : vector<16xf32>
// CHECK:           arith.divf %{{.*}} : vector<16xf32>
// CHECK:           arith.mulf %{{.*}} : vector<16xf32>
// CHECK:           vector.transfer_read %[[R]]
// CHECK:           arith.addf %{{.*}} : vector<16xf32>
// CHECK:           vector.transfer_write
// CHECK-NOT:     tok.activation
// CHECK-NOT:     linalg.add

// NOFUSE-LABEL: func.func @linear_silu_residual_f32
// NOFUSE:         scf.forall
// NOFUSE-NOT:     math.exp
// NOFUSE:         tok.activation
// NOFUSE:         linalg.add
func.func @linear_silu_residual_f32(%x: tensor<64x256xf32>, %w: tensor<128x256xf32>, %r: tensor<64x128xf32>) -> tensor<64x128xf32> {
  %y = tok.linear %x, %w : (tensor<64x256xf32>, tensor<128x256xf32>) -> tensor<64x128xf32>
  %a = tok.activation %y {kind = "silu"} : (tensor<64x128xf32>) -> tensor<64x128xf32>
  %e = tensor.empty() : tensor<64x128xf32>
  %s = linalg.add ins(%a, %r : tensor<64x128xf32>, tensor<64x128xf32>) outs(%e : tensor<64x128xf32>) -> tensor<64x128xf32>
  return %s : tensor<64x128xf32>
}

// -----

// GLU fusion: each packed panel holds 16 gate rows of W then the matching 16
// up rows (offset N/2 = 512), a task covers half the columns of a plain
// linear, and the store computes silu(gate + b) * (up + b) for 16 output
// columns per tile row.

// CHECK-LABEL: func.func @linear_glu_silu_f32
// CHECK-SAME:    %[[X:.*]]: tensor<64x256xf32>, %[[W:.*]]: tensor<1024x256xf32>, %[[B:.*]]: tensor<1024xf32>
// CHECK-NOT:     tok.glu
// CHECK:         %[[OUT:.*]] = tensor.empty() : tensor<64x512xf32>
// CHECK:         scf.forall (%{{.*}}) in (4) shared_outs(%{{.*}} = %[[OUT]])
// CHECK:           memref.alloca() {alignment = 64 : i64} : memref<8x256x32xf32>
// CHECK:           %[[GATE:.*]] = vector.transfer_read %[[W]][%[[ROW:.*]], %{{.*}}], %{{.*}} {in_bounds = [true, true]} : tensor<1024x256xf32>, vector<16x16xf32>
// CHECK:           %[[UPROW:.*]] = arith.addi %{{.*}}, %[[ROW]] : index
// CHECK:           vector.transfer_read %[[W]][%[[UPROW]], %{{.*}}]
// CHECK:           %{{.*}}:16 = scf.for
// CHECK:           math.exp %{{.*}} : vector<16xf32>
// CHECK:           %[[SILU:.*]] = arith.mulf %{{.*}}#0, %{{.*}} : vector<16xf32>
// CHECK:           arith.mulf %[[SILU]], %{{.*}}#1 : vector<16xf32>
// CHECK:           vector.transfer_write {{.*}} : vector<16xf32>, tensor<64x?xf32>
func.func @linear_glu_silu_f32(%x: tensor<64x256xf32>, %w: tensor<1024x256xf32>, %b: tensor<1024xf32>) -> tensor<64x512xf32> {
  %y = tok.linear %x, %w bias(%b : tensor<1024xf32>) : (tensor<64x256xf32>, tensor<1024x256xf32>) -> tensor<64x1024xf32>
  %g = tok.glu %y {activation = "silu"} : (tensor<64x1024xf32>) -> tensor<64x512xf32>
  return %g : tensor<64x512xf32>
}

// -----

// A GLU on bf16 with several K blocks: partial sums need an f32 scratch
// tile, so the rows are split into chunks of at most 256 (here 2 x 8 tasks
// for 512 rows) and the scratch tile [256, 256] is a stack buffer of the
// task like the packed panels: no heap workspace per call.

// CHECK-LABEL: func.func @linear_glu_scratch_bf16
// CHECK-NOT:     tensor.empty() : tensor<{{.*}}xf32>
// CHECK:         scf.forall (%[[I:.*]], %[[J:.*]]) in (2, 16)
// CHECK:           memref.alloca() {alignment = 64 : i64} : memref<256x256xf32>
// CHECK:           memref.alloca() {alignment = 64 : i64} : memref<8x512x32xf32>
// CHECK:           memref.alloca() {alignment = 64 : i64} : memref<8x512xf32>
// CHECK-NOT:     tensor.empty() : tensor<{{.*}}xf32>
func.func @linear_glu_scratch_bf16(%x: tensor<512x2048xbf16>, %w: tensor<4096x2048xbf16>) -> tensor<512x2048xbf16> {
  %y = tok.linear %x, %w : (tensor<512x2048xbf16>, tensor<4096x2048xbf16>) -> tensor<512x4096xbf16>
  %g = tok.glu %y {activation = "silu"} : (tensor<512x4096xbf16>) -> tensor<512x2048xbf16>
  return %g : tensor<512x2048xbf16>
}

// -----

// A linear inside a loop whose parallel loop folds away (one task): its
// workspaces come from the heap, since allocas there would grow the stack
// per iteration.

// CHECK-LABEL: func.func @linear_in_loop_f32
// CHECK:         scf.for
// CHECK-NOT:       memref.alloca
// CHECK:           tensor.empty() : tensor<4x112x32xf32>
// CHECK-NOT:       memref.alloca
// CHECK:           scf.yield
func.func @linear_in_loop_f32(%x: tensor<37x100xf32>, %w: tensor<100x100xf32>, %n: index) -> tensor<37x100xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%h = %x) -> (tensor<37x100xf32>) {
    %y = tok.linear %h, %w : (tensor<37x100xf32>, tensor<100x100xf32>) -> tensor<37x100xf32>
    scf.yield %y : tensor<37x100xf32>
  }
  return %r : tensor<37x100xf32>
}

// -----

// RMS norm fused into the GEMM's prologue: one pass per row of x computes
// rstd = rsqrt(mean(x²) + eps) into a [64, 1] stack buffer (a plain loop for
// 64 rows), then each row tile's rows are scaled by rstd and γ while they are
// widened into the task's [8, 512] panel that the broadcasts read (and the
// next row tile's rows are prefetched into L2, line by line); the
// normalized activation is never stored. With fuse-norms=false the norm
// stays and the GEMM reads its result.

// CHECK-LABEL: func.func @rms_norm_linear_gemm_f32
// CHECK-SAME:    %[[X:.*]]: tensor<64x1024xf32>, %[[G:.*]]: tensor<1024xf32>, %[[W:.*]]: tensor<512x1024xf32>
// CHECK-NOT:     tok.rms_norm
// CHECK:         %[[SBUF:.*]] = memref.alloca() {alignment = 64 : i64} : memref<64x1xf32>
// CHECK:         %[[STATS0:.*]] = bufferization.to_tensor %[[SBUF]] restrict writable
// CHECK:         %[[STATS:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[STATS0]]) -> (tensor<64x1xf32>)
// CHECK:           scf.for {{.*}} -> (vector<16xf32>)
// CHECK:             %[[XV:.*]] = vector.transfer_read %[[X]]
// CHECK:             arith.mulf %[[XV]], %[[XV]] : vector<16xf32>
// CHECK:           vector.reduction <add>
// CHECK:           math.rsqrt
// CHECK:           tensor.insert
// CHECK:         scf.forall (%{{.*}}) in (2)
// CHECK:           memref.alloca() {alignment = 64 : i64} : memref<8x512x32xf32>
// CHECK:           memref.alloca() {alignment = 64 : i64} : memref<8x512xf32>
// CHECK:           %[[XBUF:.*]] = bufferization.to_buffer %[[X]] read_only
// CHECK:           vector.transfer_read %[[W]]
// CHECK:           tensor.extract %[[STATS]]
// CHECK:           %[[RSTD:.*]] = vector.broadcast
// CHECK:           scf.for {{.*}} -> (tensor<8x512xf32>)
// CHECK-COUNT-8:     memref.prefetch %[[XBUF]][%{{.*}}, %{{.*}}], read, locality<2>, data
// CHECK:             %[[GV:.*]] = vector.transfer_read %[[G]]
// CHECK:             %[[XR:.*]] = vector.transfer_read %[[X]]
// CHECK:             %[[S:.*]] = arith.mulf %[[XR]], %[[RSTD]] : vector<16xf32>
// CHECK:             %[[N:.*]] = arith.mulf %[[S]], %[[GV]] : vector<16xf32>
// CHECK:             vector.transfer_write %[[N]], %{{.*}} : vector<16xf32>, tensor<8x512xf32>
// CHECK:           scf.for {{.*}} -> (vector<16xf32>,
// CHECK:             tensor.extract %{{.*}} : tensor<8x512xf32>
// CHECK-COUNT-16:    vector.fma
// CHECK-NOT:     tok.rms_norm

// NONORM-LABEL: func.func @rms_norm_linear_gemm_f32
// NONORM:         %[[N:.*]] = tok.rms_norm
// NONORM-NOT:     math.rsqrt
// NONORM:         scf.forall
// NONORM:           tensor.extract %[[N]]
func.func @rms_norm_linear_gemm_f32(%x: tensor<64x1024xf32>, %g: tensor<1024xf32>, %w: tensor<512x1024xf32>) -> tensor<64x512xf32> {
  %n = tok.rms_norm %x, %g {eps = 1.0e-5 : f32} : (tensor<64x1024xf32>, tensor<1024xf32>) -> tensor<64x1024xf32>
  %y = tok.linear %n, %w : (tensor<64x1024xf32>, tensor<512x1024xf32>) -> tensor<64x512xf32>
  return %y : tensor<64x512xf32>
}

// -----

// A layer norm feeding two linears and returned: mean and rstd per row
// (two passes over the row) are computed once, by a parallel loop over row
// chunks, into a [128, 2] buffer that both fused GEMMs read while packing
// (x − mean)·rstd·γ + β, widened from f16; the norm stays for its other user.

// CHECK-LABEL: func.func @layer_norm_two_linears_f16
// CHECK-SAME:    %[[X:.*]]: tensor<128x256xf16>, %[[G:.*]]: tensor<256xf16>, %[[B:.*]]: tensor<256xf16>, %[[W1:.*]]: tensor<128x256xf16>, %[[W2:.*]]: tensor<64x256xf16>
// CHECK:         %[[STATS0:.*]] = bufferization.to_tensor %{{.*}} restrict writable : memref<128x2xf32> to tensor<128x2xf32>
// CHECK:         %[[STATS:.*]] = scf.forall (%{{.*}}) in (%{{.*}}) shared_outs(%{{.*}} = %[[STATS0]]) -> (tensor<128x2xf32>)
// CHECK:           vector.reduction <add>
// CHECK:           arith.subf %{{.*}} : vector<16xf32>
// CHECK:           vector.reduction <add>
// CHECK:           math.rsqrt
// CHECK:         %[[NORM:.*]] = tok.layer_norm %[[X]], %[[G]], %[[B]]
// CHECK-NOT:     tok.linear
// CHECK-NOT:     tensor<128x2xf32>)
// CHECK:         scf.forall
// CHECK:           vector.transfer_read %[[W1]]
// CHECK:           tensor.extract %[[STATS]]
// CHECK:           vector.transfer_read %[[G]]{{.*}} : tensor<256xf16>, vector<16xf16>
// CHECK:           vector.transfer_read %[[B]]
// CHECK:           vector.transfer_read %[[X]]
// CHECK:           arith.subf
// CHECK:           arith.mulf
// CHECK:           arith.mulf
// CHECK:           arith.addf
// CHECK:         scf.forall
// CHECK:           vector.transfer_read %[[W2]]
// CHECK:           tensor.extract %[[STATS]]
// CHECK:         return %{{.*}}, %{{.*}}, %[[NORM]]
func.func @layer_norm_two_linears_f16(%x: tensor<128x256xf16>, %g: tensor<256xf16>, %b: tensor<256xf16>, %w1: tensor<128x256xf16>, %w2: tensor<64x256xf16>) -> (tensor<128x128xf16>, tensor<128x64xf16>, tensor<128x256xf16>) {
  %n = tok.layer_norm %x, %g, %b : (tensor<128x256xf16>, tensor<256xf16>, tensor<256xf16>) -> tensor<128x256xf16>
  %y1 = tok.linear %n, %w1 : (tensor<128x256xf16>, tensor<128x256xf16>) -> tensor<128x128xf16>
  %y2 = tok.linear %n, %w2 : (tensor<128x256xf16>, tensor<64x256xf16>) -> tensor<128x64xf16>
  return %y1, %y2, %n : tensor<128x128xf16>, tensor<128x64xf16>, tensor<128x256xf16>
}

// -----

// Decode: an RMS norm feeding two GEMVs. The prologue scales x once (K
// elements: statistics, then x·rstd·γ into a [1, 512] stack buffer) and both
// GEMVs stream their W against that row.

// CHECK-LABEL: func.func @rms_norm_decode_two_linears_f32
// CHECK-SAME:    %[[X:.*]]: tensor<1x512xf32>, %[[G:.*]]: tensor<512xf32>, %[[W1:.*]]: tensor<256x512xf32>, %[[W2:.*]]: tensor<128x512xf32>
// CHECK:         math.rsqrt
// CHECK:         %[[RBUF:.*]] = memref.alloca() {alignment = 64 : i64} : memref<1x512xf32>
// CHECK:         %[[R0:.*]] = bufferization.to_tensor %[[RBUF]]
// CHECK:         %[[ROWS:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[R0]]) -> (tensor<1x512xf32>)
// CHECK:           scf.for
// CHECK:             vector.transfer_read %[[X]]
// CHECK:             vector.transfer_read %[[G]]
// CHECK:             arith.mulf
// CHECK:             arith.mulf
// CHECK:             vector.transfer_write
// CHECK-NOT:     tok.rms_norm
// CHECK:         scf.forall (%{{.*}}) in (4)
// CHECK:           vector.transfer_read %[[W1]]
// CHECK:           vector.transfer_read %[[ROWS]]
// CHECK-COUNT-8:   vector.fma
// CHECK:         scf.forall (%{{.*}}) in (2)
// CHECK:           vector.transfer_read %[[W2]]
// CHECK:           vector.transfer_read %[[ROWS]]
// CHECK-NOT:     tok.rms_norm
func.func @rms_norm_decode_two_linears_f32(%x: tensor<1x512xf32>, %g: tensor<512xf32>, %w1: tensor<256x512xf32>, %w2: tensor<128x512xf32>) -> (tensor<1x256xf32>, tensor<1x128xf32>) {
  %n = tok.rms_norm %x, %g : (tensor<1x512xf32>, tensor<512xf32>) -> tensor<1x512xf32>
  %y1 = tok.linear %n, %w1 : (tensor<1x512xf32>, tensor<256x512xf32>) -> tensor<1x256xf32>
  %y2 = tok.linear %n, %w2 : (tensor<1x512xf32>, tensor<128x512xf32>) -> tensor<1x128xf32>
  return %y1, %y2 : tensor<1x256xf32>, tensor<1x128xf32>
}

// -----

// Two dynamic leading dims stay for the reference lowering.

// CHECK-LABEL: func.func @linear_two_dynamic_dims_f32
// CHECK:         tok.linear
// CHECK-NOT:     scf.forall
func.func @linear_two_dynamic_dims_f32(%x: tensor<?x?x64xf32>, %w: tensor<32x64xf32>) -> tensor<?x?x32xf32> {
  %y = tok.linear %x, %w : (tensor<?x?x64xf32>, tensor<32x64xf32>) -> tensor<?x?x32xf32>
  return %y : tensor<?x?x32xf32>
}

// OPTS: error: tok-tile-linear: expected register-tile-cols a positive multiple of the target's 16 f32 lanes, cache-tile-n of register-tile-cols and cache-tile-k of 16, got 8x32, 48 and 512
