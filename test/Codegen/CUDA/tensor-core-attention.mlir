// RUN: tokamak-opt %s --tok-cuda-tensor-cores --cse --split-input-file | FileCheck %s

// Causal MHA, f16, head dim 64, dynamic lengths: host buffers, the launch
// (query tiles x heads x batch, 4 warps, 40 KB of dynamic shared memory),
// swizzled Q/K/V tiles, the causal bound of the key loop, the two-group
// prologue and Q fragments loaded once.
// CHECK-LABEL: func.func @attention_causal_f16(
// CHECK-SAME:      %[[QUERY:[^:]*]]: tensor<2x8x?x64xf16>, %[[KEY:[^:]*]]: tensor<2x8x?x64xf16>, %[[VALUE:[^:]*]]: tensor<2x8x?x64xf16>)
// CHECK-DAG:     %[[QBUF:.*]] = bufferization.to_buffer %[[QUERY]] read_only : tensor<2x8x?x64xf16> to memref<2x8x?x64xf16>
// CHECK-DAG:     %[[KBUF:.*]] = bufferization.to_buffer %[[KEY]] read_only : tensor<2x8x?x64xf16> to memref<2x8x?x64xf16>
// CHECK-DAG:     %[[VBUF:.*]] = bufferization.to_buffer %[[VALUE]] read_only : tensor<2x8x?x64xf16> to memref<2x8x?x64xf16>
// CHECK:         %[[SQ:.*]] = memref.dim %[[QBUF]], %[[C2:.*]] : memref<2x8x?x64xf16>
// CHECK:         %[[OUT:.*]] = memref.alloc(%[[SQ]]) : memref<2x8x?x64xf16>
// CHECK:         %[[SQ63:.*]] = arith.addi %[[SQ]], %[[C63:.*]] : index
// CHECK:         %[[TILES:.*]] = arith.divui %[[SQ63]], %[[C64:.*]] : index
// CHECK:         gpu.launch blocks(%[[QTILE:.*]], %[[HEAD:.*]], %[[BATCH:.*]]) in (%{{.*}} = %[[TILES]], %{{.*}} = %c8, %{{.*}} = %[[C2]])
// CHECK-SAME:        threads(%[[TID:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c128, %{{.*}} = %c1, %{{.*}} = %c1)
// CHECK-SAME:        dynamic_shared_memory_size %c40960_i32
// CHECK:           %[[SKV:.*]] = memref.dim %[[KBUF]], %[[C2]] : memref<2x8x?x64xf16>
// CHECK:           %[[Q0:.*]] = arith.muli %[[QTILE]], %[[C64]] : index
// CHECK:           %[[SMEM:.*]] = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
// CHECK:           %[[SQT:.*]] = memref.view %[[SMEM]][%c0][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<1x64x64xf16, #gpu.address_space<workgroup>>
// CHECK:           %[[SKT:.*]] = memref.view %[[SMEM]][%c8192][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<2x64x64xf16, #gpu.address_space<workgroup>>
// CHECK:           %[[SVT:.*]] = memref.view %[[SMEM]][%c24576][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<2x64x64xf16, #gpu.address_space<workgroup>>
// Visible keys end at min(Skv, max(0, q0 + (Skv - Sq) + 64)).
// CHECK:           %[[OFFSET:.*]] = arith.subi %[[SKV]], %{{.*}} : index
// CHECK:           %[[LAST:.*]] = arith.addi %[[Q0]], %[[OFFSET]] : index
// CHECK:           %[[END0:.*]] = arith.addi %[[LAST]], %[[C64]] : index
// CHECK:           %[[END1:.*]] = arith.maxsi %[[END0]], %c0 : index
// CHECK:           %[[END:.*]] = arith.minsi %[[SKV]], %[[END1]] : index
// CHECK:           %[[BLOCKS0:.*]] = arith.addi %[[END]], %[[C63]] : index
// CHECK:           %[[BLOCKS1:.*]] = arith.divui %[[BLOCKS0]], %[[C64]] : index
// CHECK:           %[[BLOCKS:.*]] = arith.maxsi %[[BLOCKS1]], %c0 : index
// CHECK-COUNT-4:   nvgpu.device_async_copy %[[QBUF]][%[[BATCH]], %[[HEAD]], %{{.*}}, %{{.*}}], %[[SQT]][%c0, %{{.*}}, %{{.*}}], 8, %{{.*}} {bypassL1} : memref<2x8x?x64xf16> to memref<1x64x64xf16, #gpu.address_space<workgroup>>
// CHECK-COUNT-4:   nvgpu.device_async_copy %[[KBUF]][%[[BATCH]], %[[HEAD]], %{{.*}}, %{{.*}}], %[[SKT]][%c0, %{{.*}}, %{{.*}}], 8, %{{.*}} {bypassL1}
// CHECK:           %[[PROLOGUE:.*]] = nvgpu.device_async_create_group
// CHECK-COUNT-4:   nvgpu.device_async_copy %[[VBUF]][%[[BATCH]], %[[HEAD]], %{{.*}}, %{{.*}}], %[[SVT]][%c0, %{{.*}}, %{{.*}}], 8, %{{.*}} {bypassL1}
// CHECK:           nvgpu.device_async_create_group
// CHECK:           nvgpu.device_async_wait %[[PROLOGUE]] {numGroups = 1 : i32}
// CHECK:           gpu.barrier
// CHECK-COUNT-4:   nvgpu.ldmatrix %[[SQT]][%c0, %{{.*}}, %{{.*}}] {numTiles = 4 : i32, transpose = false} : memref<1x64x64xf16, #gpu.address_space<workgroup>> -> vector<4x2xf16>
// CHECK:           %[[LOOP:.*]]:10 = scf.for %[[IT:.*]] = %c0 to %[[BLOCKS]] step %c1
// CHECK-SAME:          -> (vector<2xf32>, vector<2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>)
// CHECK:             nvgpu.device_async_wait %[[PROLOGUE]] {numGroups = 1 : i32}
// CHECK-NEXT:        gpu.barrier
// CHECK-COUNT-4:     nvgpu.device_async_copy %[[KBUF]]
// CHECK:             %[[NEXTK:.*]] = nvgpu.device_async_create_group
// CHECK:             nvgpu.ldmatrix %[[SKT]][%{{.*}}, %{{.*}}, %{{.*}}] {numTiles = 4 : i32, transpose = false}
// CHECK:             nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
// The mask runs only in blocks that need it.
// CHECK:             scf.if %{{.*}} -> (vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>)
// CHECK:             gpu.shuffle  xor %{{.*}}, %c1_i32{{(_[0-9]+)?}}, %c32_i32{{(_[0-9]+)?}} : f32
// CHECK:             gpu.shuffle  xor %{{.*}}, %c2_i32{{(_[0-9]+)?}}, %c32_i32{{(_[0-9]+)?}} : f32
// CHECK:             math.exp2 %{{.*}} fastmath<afn> : vector<2xf32>
// CHECK:             nvgpu.device_async_wait %[[NEXTK]] {numGroups = 1 : i32}
// CHECK-NEXT:        gpu.barrier
// CHECK-COUNT-4:     nvgpu.device_async_copy %[[VBUF]]
// CHECK:             nvgpu.device_async_create_group
// P in registers is the A operand of P·V; V is read transposed.
// CHECK:             %[[PA:.*]] = vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3] : vector<2x2xf16>, vector<2x2xf16>
// CHECK:             nvgpu.ldmatrix %[[SVT]][%{{.*}}, %{{.*}}, %{{.*}}] {numTiles = 4 : i32, transpose = true}
// CHECK:             nvgpu.mma.sync(%[[PA]], {{.*}}) {mmaShape = [16, 8, 16]}
// CHECK:             scf.yield
// CHECK:           vector.store %{{.*}}, %[[OUT]][%[[BATCH]], %[[HEAD]], %{{.*}}, %{{.*}}] : memref<2x8x?x64xf16>, vector<2xf16>
// CHECK:           gpu.terminator
// CHECK:         %[[RESULT:.*]] = bufferization.to_tensor %[[OUT]] restrict writable : memref<2x8x?x64xf16> to tensor<2x8x?x64xf16>
// CHECK:         return %[[RESULT]]
func.func @attention_causal_f16(%q: tensor<2x8x?x64xf16>, %k: tensor<2x8x?x64xf16>, %v: tensor<2x8x?x64xf16>) -> tensor<2x8x?x64xf16> {
  %o = tok.attention %q, %k, %v {causal} : (tensor<2x8x?x64xf16>, tensor<2x8x?x64xf16>, tensor<2x8x?x64xf16>) -> tensor<2x8x?x64xf16>
  return %o : tensor<2x8x?x64xf16>
}

// -----

// GQA (8 query heads, 2 kv heads): the 4 heads of a group share a tile of
// 4 x 16 positions and every K/V load. Grid: ceil(Sq / 16) x 2 x batch; tile
// row r is query head 4·y + r / 16 at position 16·x + r % 16; K/V come from
// kv head (4·y) / 4.
// CHECK-LABEL: func.func @attention_gqa_packed_f16(
// CHECK:         %[[SQ:.*]] = memref.dim %{{.*}}, %c2 : memref<1x8x?x64xf16>
// CHECK:         %[[SQ15:.*]] = arith.addi %[[SQ]], %c15 : index
// CHECK:         %[[TILES:.*]] = arith.divui %[[SQ15]], %c16 : index
// CHECK:         gpu.launch blocks(%[[QTILE:.*]], %[[GROUP:.*]], %[[BATCH:.*]]) in (%{{.*}} = %[[TILES]], %{{.*}} = %c2, %{{.*}} = %c1)
// CHECK:           %[[HEAD0:.*]] = arith.muli %[[GROUP]], %c4 : index
// CHECK:           %[[KVHEAD:.*]] = arith.divui %[[HEAD0]], %c4 : index
// CHECK:           %[[Q0:.*]] = arith.muli %[[QTILE]], %c16 : index
// CHECK:           %[[ROW:.*]] = arith.divui %[[TID:.*]], %c8 : index
// CHECK:           %[[POS0:.*]] = arith.remui %[[ROW]], %c16 : index
// CHECK:           %[[POS:.*]] = arith.addi %[[Q0]], %[[POS0]] : index
// CHECK:           %[[HEADOFF:.*]] = arith.divui %[[ROW]], %c16 : index
// CHECK:           %[[HEAD:.*]] = arith.addi %[[HEAD0]], %[[HEADOFF]] : index
// CHECK:           %[[VALID:.*]] = arith.cmpi slt, %[[POS]], %[[SQ]] : index
// CHECK:           %[[SRCPOS:.*]] = arith.select %[[VALID]], %[[POS]], %c0 : index
// CHECK:           nvgpu.device_async_copy %{{.*}}[%[[BATCH]], %[[HEAD]], %[[SRCPOS]], %{{.*}}], %{{.*}}[%c0, %[[ROW]], %{{.*}}], 8, %{{.*}} {bypassL1} : memref<1x8x?x64xf16> to memref<1x64x64xf16, #gpu.address_space<workgroup>>
// CHECK:           nvgpu.device_async_copy %{{.*}}[%[[BATCH]], %[[KVHEAD]], %{{.*}}, %{{.*}}], %{{.*}} : memref<1x2x?x64xf16> to memref<2x64x64xf16, #gpu.address_space<workgroup>>
func.func @attention_gqa_packed_f16(%q: tensor<1x8x?x64xf16>, %k: tensor<1x2x?x64xf16>, %v: tensor<1x2x?x64xf16>) -> tensor<1x8x?x64xf16> {
  %o = tok.attention %q, %k, %v {causal} : (tensor<1x8x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>) -> tensor<1x8x?x64xf16>
  return %o : tensor<1x8x?x64xf16>
}

// -----

// Non-causal, bf16, head dim 128 with lse: 32-key blocks (48 KB of shared
// memory), every key block visited, bf16 MMAs through nvvm.mma.sync, the lse
// written by one lane per row.
// CHECK-LABEL: func.func @attention_lse_bf16_d128(
// CHECK:         %[[OUT:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x4x?x128xbf16>
// CHECK:         %[[LSE:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x4x?xf32>
// CHECK:         gpu.launch
// CHECK-SAME:        dynamic_shared_memory_size %c49152_i32
// CHECK:           memref.view %{{.*}} to memref<1x64x128xbf16, #gpu.address_space<workgroup>>
// CHECK:           memref.view %{{.*}} to memref<2x32x128xbf16, #gpu.address_space<workgroup>>
// CHECK:           memref.view %{{.*}} to memref<2x32x128xbf16, #gpu.address_space<workgroup>>
// CHECK-NOT:       arith.minsi
// CHECK:           %[[END:.*]] = arith.addi %{{.*}}, %c31 : index
// CHECK:           %[[LASTB:.*]] = arith.divui %[[END]], %c32 : index
// CHECK:           %[[BLOCKS:.*]] = arith.maxsi %[[LASTB]], %c0 : index
// CHECK:           scf.for %{{.*}} = %c0 to %[[BLOCKS]] step %c1
// CHECK:             nvvm.mma.sync A[{{.*}}] B[{{.*}}] C[{{.*}}] {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK:             scf.yield
// CHECK:           math.log2
// CHECK:           memref.store %{{.*}}, %[[LSE]][%{{.*}}, %{{.*}}, %{{.*}}] : memref<?x4x?xf32>
// CHECK:         %[[O:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK:         %[[L:.*]] = bufferization.to_tensor %[[LSE]] restrict writable
// CHECK:         return %[[O]], %[[L]]
func.func @attention_lse_bf16_d128(%q: tensor<?x4x?x128xbf16>, %k: tensor<?x4x?x128xbf16>, %v: tensor<?x4x?x128xbf16>) -> (tensor<?x4x?x128xbf16>, tensor<?x4x?xf32>) {
  %o, %lse = tok.attention %q, %k, %v : (tensor<?x4x?x128xbf16>, tensor<?x4x?x128xbf16>, tensor<?x4x?x128xbf16>) -> (tensor<?x4x?x128xbf16>, tensor<?x4x?xf32>)
  return %o, %lse : tensor<?x4x?x128xbf16>, tensor<?x4x?xf32>
}

// -----

// Sliding window with a softcap and an explicit scale: the key loop starts
// at the first block the window leaves visible (q0 + Skv - Sq - W + 1), and
// scores go through tanh.
// CHECK-LABEL: func.func @attention_window_softcap_f16(
// CHECK:         gpu.launch
// CHECK:           %[[OFFSET:.*]] = arith.subi
// CHECK:           %[[LAST:.*]] = arith.addi %[[Q0:.*]], %[[OFFSET]] : index
// CHECK:           %[[END:.*]] = arith.minsi
// CHECK:           %[[BEGIN0:.*]] = arith.addi %[[LAST]], %c-255 : index
// CHECK:           %[[BEGIN1:.*]] = arith.maxsi %[[BEGIN0]], %c0 : index
// CHECK:           %[[BEGIN:.*]] = arith.minsi %[[END]], %[[BEGIN1]] : index
// CHECK:           %[[FIRST:.*]] = arith.divui %[[BEGIN]], %c64 : index
// CHECK:           %[[LAST0:.*]] = arith.divui %{{.*}}, %c64 : index
// CHECK:           %[[LASTB:.*]] = arith.maxsi %[[FIRST]], %[[LAST0]] : index
// CHECK:           %[[BLOCKS:.*]] = arith.subi %[[LASTB]], %[[FIRST]] : index
// CHECK:           scf.for %[[IT:.*]] = %c0 to %[[BLOCKS]] step %c1
// CHECK:             %[[BLOCK:.*]] = arith.addi %[[FIRST]], %[[IT]] : index
// CHECK:             math.tanh %{{.*}} : vector<2xf32>
// CHECK:             scf.yield
func.func @attention_window_softcap_f16(%q: tensor<1x4x?x64xf16>, %k: tensor<1x4x?x64xf16>, %v: tensor<1x4x?x64xf16>) -> tensor<1x4x?x64xf16> {
  %o = tok.attention %q, %k, %v {causal, window = 256 : i64, softcap = 30.0 : f32, scale = 0.1 : f32} : (tensor<1x4x?x64xf16>, tensor<1x4x?x64xf16>, tensor<1x4x?x64xf16>) -> tensor<1x4x?x64xf16>
  return %o : tensor<1x4x?x64xf16>
}

// -----

// Variants the kernel does not handle stay for the SIMT path.
// CHECK-LABEL: func.func @attention_left_alone(
// CHECK-NOT:     gpu.launch
// CHECK:         tok.attention {{.*}} bias(
// CHECK:         tok.attention {{.*}} {causal, sinks = 4 : i64}
// CHECK:         tok.attention {{.*}} : (tensor<1x2x?x64xf32>
// CHECK:         tok.attention {{.*}} : (tensor<1x2x?x96xf16>
func.func @attention_left_alone(%q: tensor<1x2x?x64xf16>, %k: tensor<1x2x?x64xf16>, %v: tensor<1x2x?x64xf16>, %b: tensor<1x2x?x?xf32>, %qf: tensor<1x2x?x64xf32>, %q96: tensor<1x2x?x96xf16>) -> (tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf32>, tensor<1x2x?x96xf16>) {
  %0 = tok.attention %q, %k, %v bias(%b : tensor<1x2x?x?xf32>) : (tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>) -> tensor<1x2x?x64xf16>
  %1 = tok.attention %q, %k, %v {causal, sinks = 4 : i64} : (tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>) -> tensor<1x2x?x64xf16>
  %2 = tok.attention %qf, %qf, %qf : (tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> tensor<1x2x?x64xf32>
  %3 = tok.attention %q96, %q96, %q96 : (tensor<1x2x?x96xf16>, tensor<1x2x?x96xf16>, tensor<1x2x?x96xf16>) -> tensor<1x2x?x96xf16>
  return %0, %1, %2, %3 : tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf32>, tensor<1x2x?x96xf16>
}
