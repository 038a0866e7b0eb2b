// RUN: tokamak-opt %s --split-input-file --tok-tile-attention --canonicalize --cse | FileCheck %s

// Causal MHA: one scf.forall over (heads, query tiles of 64); the key-block
// loops are bounded by the tile's first and last query (the last block the
// first query sees entirely ends the unmasked interior), and only the
// boundary blocks evaluate the mask.
// CHECK-LABEL: func.func @attention_causal_f32
// CHECK-SAME:    (%[[QUERY:[^:]*]]: tensor<1x8x?x64xf32>, %[[KEY:[^:]*]]: tensor<1x8x?x64xf32>, %[[VALUE:[^:]*]]: tensor<1x8x?x64xf32>)
// CHECK-NOT:   tok.attention
// CHECK:       %[[SQ:.*]] = tensor.dim %[[QUERY]], %c2
// CHECK:       %[[SKV:.*]] = tensor.dim %[[KEY]], %c2
// CHECK:       %[[TILES:.*]] = arith.ceildivsi %[[SQ]], %c64 : index
// CHECK:       scf.forall (%[[HEAD:.*]], %[[TILE:.*]]) in (8, %[[TILES]]) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<1x8x?x64xf32>)
// CHECK:         %[[FIRST:.*]] = arith.muli %{{.*}}, %c64 : index
// CHECK:         %[[OFFSET:.*]] = arith.subi %[[SKV]], %[[SQ]] : index
// CHECK:         %[[DIAG:.*]] = arith.addi %[[FIRST]], %[[OFFSET]] : index
// CHECK:         %[[HI_FIRST:.*]] = arith.minsi %[[DIAG]], %{{.*}} : index
// CHECK:         %[[HI_FIRST_END:.*]] = arith.addi %[[HI_FIRST]], %c1 : index
// CHECK:         %[[FULL_END:.*]] = arith.floordivsi %[[HI_FIRST_END]], %c64 : index
// CHECK:         %[[MAX:.*]] = arith.maxsi %[[FULL_END]], %[[INTERIOR:.*]] : index
// CHECK:         %[[TRAILING:.*]] = arith.minsi %[[MAX]], %[[END:.*]] : index
// CHECK:         scf.for %{{.*}} = %c0 to %[[INTERIOR]] step %c1
// CHECK:           arith.cmpi sge, %{{.*}}, %{{.*}} : vector<64xi32>
// CHECK:           arith.select %{{.*}}, %{{.*}}, %{{.*}} : vector<64xi1>, vector<64xf32>
// CHECK:         } {tok.key_blocks = "leading"}
// CHECK-NEXT:    scf.for %{{.*}} = %[[INTERIOR]] to %[[TRAILING]] step %c1
// CHECK-NOT:       arith.cmpi
// CHECK-NOT:       vector<64xi1>
// CHECK:         } {tok.key_blocks = "interior"}
// CHECK-NEXT:    scf.for %{{.*}} = %[[TRAILING]] to %[[END]] step %c1
// QK^T and P.V are broadcast + FMA on 64-key rows.
// CHECK:           vector.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<64xf32>
// CHECK:           arith.cmpi sge, %{{.*}}, %{{.*}} : vector<64xi32>
// CHECK:           arith.cmpi sle, %{{.*}}, %{{.*}} : vector<64xi32>
// CHECK:           arith.select %{{.*}}, %{{.*}}, %{{.*}} : vector<64xi1>, vector<64xf32>
// CHECK:           vector.reduction <maxnumf>
// CHECK:           vector.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<64xf32>
// CHECK:         } {tok.key_blocks = "trailing"}
// CHECK:         scf.forall.in_parallel
// CHECK-NEXT:      tensor.parallel_insert_slice %{{.*}} into %[[OUT]][0, %[[HEAD]], %{{.*}}, 0] [1, 1, %{{.*}}, 64] [1, 1, 1, 1]
func.func @attention_causal_f32(%q: tensor<1x8x?x64xf32>, %k: tensor<1x8x?x64xf32>, %v: tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32> {
  %o = tok.attention %q, %k, %v {causal} : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32>
  return %o : tensor<1x8x?x64xf32>
}

// -----

// GQA (4 query heads per kv head), f16 with lse: a tile is 4 heads x 16
// positions against one kv head, so each K/V block is loaded once for the
// group; f16 is widened to f32 in registers and narrowed on the way out.
// CHECK-LABEL: func.func @attention_gqa_lse_f16
// CHECK-SAME:    (%[[QUERY:[^:]*]]: tensor<2x8x?x64xf16>, %[[KEY:[^:]*]]: tensor<2x2x?x64xf16>, %[[VALUE:[^:]*]]: tensor<2x2x?x64xf16>)
// CHECK:       %[[SQ:.*]] = tensor.dim %[[QUERY]], %c2
// CHECK:       %[[TILES:.*]] = arith.ceildivsi %[[SQ]], %c16 : index
// CHECK:       scf.forall (%[[B:.*]], %[[KVHEAD:.*]], %{{.*}}) in (2, 2, %[[TILES]]) shared_outs(%[[OUT:.*]] = %{{.*}}, %[[LSE:.*]] = %{{.*}})
// CHECK:         %[[GROUP:.*]] = arith.divui %{{.*}}, %c16 : index
// CHECK:         %[[HEAD0:.*]] = arith.muli %[[KVHEAD]], %c4 : index
// CHECK:         %[[HEAD:.*]] = arith.addi %[[HEAD0]], %[[GROUP]] : index
// CHECK:         vector.transfer_read %[[QUERY]][%[[B]], %[[HEAD]], %{{.*}}, %c0]{{.*}} : tensor<2x8x?x64xf16>, vector<64xf16>
// CHECK:         arith.extf %{{.*}} : vector<64xf16> to vector<64xf32>
// CHECK:         vector.transfer_read %[[KEY]][%[[B]], %[[KVHEAD]], %{{.*}}, %c0]{{.*}} : tensor<2x2x?x64xf16>, vector<64xf16>
// CHECK:       } {tok.key_blocks = "leading"}
// CHECK:       %[[SLICE:.*]] = tensor.extract_slice %[[OUT]][%[[B]], %{{.*}}, %{{.*}}, 0] [1, 4, %{{.*}}, 64] [1, 1, 1, 1] : tensor<2x8x?x64xf16> to tensor<4x?x64xf16>
// CHECK:       arith.truncf %{{.*}} : vector<64xf32> to vector<64xf16>
// CHECK:       tensor.parallel_insert_slice %{{.*}} into %[[OUT]][%[[B]], %{{.*}}, %{{.*}}, 0] [1, 4, %{{.*}}, 64] [1, 1, 1, 1] : tensor<4x?x64xf16> into tensor<2x8x?x64xf16>
// CHECK:       tensor.parallel_insert_slice %{{.*}} into %[[LSE]][%[[B]], %{{.*}}, %{{.*}}] [1, 4, %{{.*}}] [1, 1, 1] : tensor<4x?xf32> into tensor<2x8x?xf32>
func.func @attention_gqa_lse_f16(%q: tensor<2x8x?x64xf16>, %k: tensor<2x2x?x64xf16>, %v: tensor<2x2x?x64xf16>) -> (tensor<2x8x?x64xf16>, tensor<2x8x?xf32>) {
  %o, %lse = tok.attention %q, %k, %v {causal} : (tensor<2x8x?x64xf16>, tensor<2x2x?x64xf16>, tensor<2x2x?x64xf16>) -> (tensor<2x8x?x64xf16>, tensor<2x8x?xf32>)
  return %o, %lse : tensor<2x8x?x64xf16>, tensor<2x8x?xf32>
}

// -----

// Decode (one query, 4 heads per kv head): split-KV. The forall runs over
// (kv heads, key chunks of at least 1024 keys), each producing a partial
// output and lse for the 4 rows of its group; the chunks are then merged
// with lse weights and the rows reshaped back to [B, Hq, Sq, Dv]. The
// scores of the 4 rows are row dot products over K rows read in place.
// CHECK-LABEL: func.func @attention_decode_f32
// CHECK-SAME:    (%[[QUERY:[^:]*]]: tensor<1x32x1x128xf32>, %[[KEY:[^:]*]]: tensor<1x8x?x128xf32>, %[[VALUE:[^:]*]]: tensor<1x8x?x128xf32>)
// CHECK:       %[[SKV:.*]] = tensor.dim %[[KEY]], %c2
// CHECK:       %[[KBUF:.*]] = bufferization.to_buffer %[[KEY]] read_only
// CHECK:       %[[BLOCKS:.*]] = arith.ceildivsi %[[SKV]], %c64 : index
// CHECK:       %[[CHUNK:.*]] = arith.maxsi %{{.*}}, %c16 : index
// CHECK:       %[[SPLITS:.*]] = arith.ceildivsi %[[BLOCKS]], %[[CHUNK]] : index
// CHECK:       %[[PARTS:.*]]:2 = scf.forall (%[[KVHEAD:.*]], %[[SPLIT:.*]]) in (8, %{{.*}}) shared_outs(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (tensor<1x8x?x4x128xf32>, tensor<1x8x?x4xf32>)
// CHECK:         %[[FIRST_BLOCK:.*]] = arith.muli %[[SPLIT]], %[[CHUNK]] : index
// CHECK:         %[[LAST_BLOCK:.*]] = arith.addi %[[FIRST_BLOCK]], %[[CHUNK]] : index
// CHECK:         } {tok.key_blocks = "leading"}
// Unmasked blocks address the 16 rows of a group from one base and
// prefetch the rows of the group 64 keys ahead, one 64-byte line at a time.
// CHECK:         scf.for
// CHECK-COUNT-128: memref.prefetch %[[KBUF]][%c0, %[[KVHEAD]], %{{.*}}, %{{.*}}], read, locality<3>, data
// CHECK:         } {tok.key_blocks = "interior"}
// The merge: a second forall over kv heads; per row, the max and the sum of
// exp(l_s - max) over chunks, then one exp per chunk weighting a 128-wide
// partial row (no exp per output element).
// CHECK:       %[[MERGED:.*]] = scf.forall (%[[MHEAD:.*]]) in (8)
// CHECK:         scf.for
// CHECK:           scf.for
// CHECK:             tensor.extract %[[PARTS]]#1[%c0, %[[MHEAD]], %{{.*}}, %{{.*}}] : tensor<1x8x?x4xf32>
// CHECK:             arith.maxnumf
// CHECK:           scf.for
// CHECK:             math.exp
// CHECK:           math.log
// CHECK:           scf.for {{.*}} -> (vector<128xf32>)
// CHECK:             math.exp %{{.*}} : f32
// CHECK:             vector.transfer_read %[[PARTS]]#0[%c0, %[[MHEAD]], %{{.*}}, %{{.*}}, %c0]{{.*}} : tensor<1x8x?x4x128xf32>, vector<128xf32>
// CHECK:             vector.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<128xf32>
// CHECK:       %[[EXPANDED:.*]] = tensor.expand_shape %[[MERGED]] {{\[\[}}0], [1], [2, 3], [4]] output_shape [1, 8, 4, 1, 128]
// CHECK:       %[[RESULT:.*]] = tensor.collapse_shape %[[EXPANDED]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x8x4x1x128xf32> into tensor<1x32x1x128xf32>
// CHECK:       return %[[RESULT]]
func.func @attention_decode_f32(%q: tensor<1x32x1x128xf32>, %k: tensor<1x8x?x128xf32>, %v: tensor<1x8x?x128xf32>) -> tensor<1x32x1x128xf32> {
  %o = tok.attention %q, %k, %v {causal} : (tensor<1x32x1x128xf32>, tensor<1x8x?x128xf32>, tensor<1x8x?x128xf32>) -> tensor<1x32x1x128xf32>
  return %o : tensor<1x32x1x128xf32>
}

// -----

// Paged decode: keys and values are gathered block by block through the
// block table inside the key loops (no dense [B, Hkv, MaxBlocks * 16, D]
// copy); the keys of sequence b end at lens[b]. With 4 rows per kv group the
// scores are row dot products: per 16 keys and per row, 16 partial vectors
// over D (K rows read in place), then one shuffle transpose-reduction. One
// tile per (batch, key chunk) covers both kv heads: the state holds 2 x 4
// rows and each key block is visited for every kv head in turn, so the
// block's pages are read together. In unmasked blocks the 16 keys share one
// table lookup (pages of 16 rows), V is read in place (no scratch copy) and
// the K and V rows 128 keys ahead are prefetched into L2.
// CHECK-LABEL: func.func @paged_attention_decode_f32
// CHECK-SAME:    (%[[QUERY:[^:]*]]: tensor<4x8x1x64xf32>, %[[KCACHE:[^:]*]]: tensor<27x16x2x64xf32>, %[[VCACHE:[^:]*]]: tensor<27x16x2x64xf32>, %[[TABLE:[^:]*]]: tensor<4x20xi32>, %[[LENS:[^:]*]]: tensor<4xi32>)
// CHECK-NOT:   tensor<4x2x320x64xf32>
// CHECK:       %[[KBUF:.*]] = bufferization.to_buffer %[[KCACHE]] read_only
// CHECK:       %[[VBUF:.*]] = bufferization.to_buffer %[[VCACHE]] read_only
// CHECK:       scf.forall (%[[B:.*]]) in (4) shared_outs({{.*}}) -> (tensor<4x2x1x4x64xf32>, tensor<4x2x1x4xf32>)
// CHECK:         %[[LEN:.*]] = tensor.extract %[[LENS]][%[[B]]] : tensor<4xi32>
// CHECK:         scf.for
// CHECK:           scf.for %[[KVHEAD:.*]] = %c0 to %c2 step %c1 {{.*}} -> (tensor<4x64xf32>, tensor<4xf32>, tensor<8x64xf32>, tensor<8xf32>, tensor<8xf32>, tensor<64x64xf32>)
// CHECK:             tensor.extract_slice %{{.*}}[%{{.*}}, 0] [4, 64] [1, 1] : tensor<8x64xf32> to tensor<4x64xf32>
// CHECK:             scf.for %{{.*}} = %c0 to %c64 step %c16
// CHECK:               %[[LOGICAL:.*]] = arith.divui %{{.*}}, %c16 : index
// CHECK:               %[[SLOT:.*]] = arith.remui %{{.*}}, %c16 : index
// CHECK:               %[[PAGE:.*]] = tensor.extract %[[TABLE]][%[[B]], %[[LOGICAL]]] : tensor<4x20xi32>
// CHECK:               scf.for
// CHECK:                 scf.for %[[D:.*]] = %c0 to %c64 step %c16 {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK:                   vector.transfer_read %[[KCACHE]][%{{.*}}, %[[SLOT]], %[[KVHEAD]], %[[D]]]
// CHECK:                   vector.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK:                 vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23] : vector<16xf32>, vector<16xf32>
// CHECK:             tensor.extract %[[TABLE]][%[[B]], %{{.*}}] : tensor<4x20xi32>
// CHECK:             vector.transfer_read %[[VCACHE]][%{{.*}}, %{{.*}}, %[[KVHEAD]], %c0]
// CHECK:             tensor.insert_slice %{{.*}} into %{{.*}}[%{{.*}}, 0] [4, 64] [1, 1] : tensor<4x64xf32> into tensor<8x64xf32>
// CHECK:       } {tok.key_blocks = "leading"}
// CHECK:         scf.for
// CHECK:           scf.for %[[IHEAD:.*]] = %c0 to %c2 step %c1
// CHECK:             scf.for %{{.*}} = %c0 to %c64 step %c16
// CHECK:               %[[IPAGE:.*]] = tensor.extract %[[TABLE]][%[[B]], %{{.*}}] : tensor<4x20xi32>
// CHECK:               arith.addi %{{.*}}, %c128 : index
// CHECK:               tensor.extract %[[TABLE]][%[[B]], %{{.*}}] : tensor<4x20xi32>
// CHECK-COUNT-128:     memref.prefetch %{{.*}}, read, locality<2>, data : memref<27x16x2x64xf32>
// CHECK-NOT:           tensor.extract %[[TABLE]]
// CHECK:               scf.for
// CHECK:                 scf.for
// CHECK-COUNT-16:          vector.transfer_read %[[KCACHE]][%{{.*}}, %{{.*}}, %[[IHEAD]], %{{.*}}]
// P.V reads the 16 V rows of each page group in place, one lookup per group.
// CHECK:             scf.for %{{.*}} = %c0 to %c64 step %c16 {{.*}} -> (vector<64xf32>, vector<64xf32>, vector<64xf32>, vector<64xf32>)
// CHECK:               tensor.extract %[[TABLE]][%[[B]], %{{.*}}] : tensor<4x20xi32>
// CHECK:               scf.for %[[X:.*]] = %c0 to %c16 step %c1
// CHECK:                 vector.transfer_read %[[VCACHE]][%{{.*}}, %{{.*}}, %[[IHEAD]], %c0]
// CHECK:       } {tok.key_blocks = "interior"}
// CHECK-NOT:   tensor<4x2x320x64xf32>
func.func @paged_attention_decode_f32(%q: tensor<4x8x1x64xf32>, %kc: tensor<27x16x2x64xf32>, %vc: tensor<27x16x2x64xf32>, %table: tensor<4x20xi32>, %lens: tensor<4xi32>) -> tensor<4x8x1x64xf32> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens : (tensor<4x8x1x64xf32>, tensor<27x16x2x64xf32>, tensor<27x16x2x64xf32>, tensor<4x20xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf32>
  return %o : tensor<4x8x1x64xf32>
}

// -----

// Sliding window with sinks: a masked loop over the sink blocks comes before
// the window's blocks; blocks between the sinks and the window are skipped.
// CHECK-LABEL: func.func @attention_window_sinks_f32
// CHECK:       scf.forall
// CHECK:         scf.for
// CHECK:           arith.ori %{{.*}}, %{{.*}} : vector<64xi1>
// CHECK:         } {tok.key_blocks = "sink"}
// CHECK-NEXT:    scf.for
// CHECK:         } {tok.key_blocks = "leading"}
// CHECK-NEXT:    scf.for
// CHECK-NOT:       arith.cmpi
// CHECK:         } {tok.key_blocks = "interior"}
// CHECK-NEXT:    scf.for
// CHECK:         } {tok.key_blocks = "trailing"}
func.func @attention_window_sinks_f32(%q: tensor<1x4x?x64xf32>, %k: tensor<1x4x?x64xf32>, %v: tensor<1x4x?x64xf32>) -> tensor<1x4x?x64xf32> {
  %o = tok.attention %q, %k, %v {causal, sinks = 4 : i64, window = 256 : i64} : (tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>) -> tensor<1x4x?x64xf32>
  return %o : tensor<1x4x?x64xf32>
}

// -----

// Packed sequences: each query position of the tile looks up its sequence
// in seq_starts; the per-row ranges are stored for the masks and reduced to
// the tile's block bounds.
// CHECK-LABEL: func.func @attention_varlen_f32
// CHECK-SAME:    %[[CU:[^:]*]]: tensor<5xi32>
// CHECK:       scf.forall
// CHECK:         scf.for %{{.*}} = %c0 to %c64 step %c1 iter_args({{.*}}) -> (tensor<64xi32>, tensor<64xi32>, tensor<64xi32>, tensor<64xi32>, index, index, index, index)
// CHECK:           scf.for %[[K:.*]] = %c0 to %c5 step %c1
// CHECK:             tensor.extract %[[CU]][%[[K]]] : tensor<5xi32>
// CHECK:         } {tok.key_blocks = "leading"}
func.func @attention_varlen_f32(%q: tensor<1x4x?x64xf32>, %k: tensor<1x4x?x64xf32>, %v: tensor<1x4x?x64xf32>, %cu: tensor<5xi32>) -> tensor<1x4x?x64xf32> {
  %o = tok.attention %q, %k, %v seq_starts(%cu : tensor<5xi32>) {causal} : (tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>) -> tensor<1x4x?x64xf32>
  return %o : tensor<1x4x?x64xf32>
}

// -----

// An elementwise score_mod runs on whole rows of 64 scores: the key index
// becomes a vector, the query index stays scalar.
// CHECK-LABEL: func.func @attention_score_mod_f32
// CHECK:       scf.forall
// CHECK:         vector.step : vector<64xindex>
// CHECK:         arith.subi %{{.*}}, %{{.*}} : vector<64xindex>
// CHECK:         arith.index_cast %{{.*}} : vector<64xindex> to vector<64xi64>
// CHECK:         arith.sitofp %{{.*}} : vector<64xi64> to vector<64xf32>
// CHECK:         arith.addf %{{.*}}, %{{.*}} : vector<64xf32>
func.func @attention_score_mod_f32(%q: tensor<1x4x?x64xf32>, %k: tensor<1x4x?x64xf32>, %v: tensor<1x4x?x64xf32>) -> tensor<1x4x?x64xf32> {
  %o = tok.attention %q, %k, %v {causal} : (tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>) -> tensor<1x4x?x64xf32> score_mod {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %d = arith.subi %i, %j : index
    %di = arith.index_cast %d : index to i64
    %df = arith.sitofp %di : i64 to f32
    %r = arith.addf %s, %df : f32
    tok.yield %r : f32
  }
  return %o : tensor<1x4x?x64xf32>
}

// -----

// A score_mod that reads a captured tensor runs lane by lane.
// CHECK-LABEL: func.func @attention_score_mod_capture_f32
// CHECK-SAME:    %[[TABLE:[^:]*]]: tensor<4x128xf32>
// CHECK:       scf.forall
// CHECK:         scf.for %[[LANE:.*]] = %c0 to %c64 step %c1 iter_args(%[[ROW:.*]] = %{{.*}}) -> (vector<64xf32>)
// CHECK:           %[[SCORE:.*]] = vector.extract %[[ROW]][%[[LANE]]] : f32 from vector<64xf32>
// CHECK:           tensor.extract %[[TABLE]][%{{.*}}, %{{.*}}] : tensor<4x128xf32>
// CHECK:           vector.insert %{{.*}}, %[[ROW]] [%[[LANE]]] : f32 into vector<64xf32>
func.func @attention_score_mod_capture_f32(%q: tensor<1x4x128x64xf32>, %k: tensor<1x4x128x64xf32>, %v: tensor<1x4x128x64xf32>, %table: tensor<4x128xf32>) -> tensor<1x4x128x64xf32> {
  %o = tok.attention %q, %k, %v : (tensor<1x4x128x64xf32>, tensor<1x4x128x64xf32>, tensor<1x4x128x64xf32>) -> tensor<1x4x128x64xf32> score_mod {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %x = tensor.extract %table[%h, %j] : tensor<4x128xf32>
    %r = arith.mulf %s, %x : f32
    tok.yield %r : f32
  }
  return %o : tensor<1x4x128x64xf32>
}

// -----

// Dynamic head dims stay for the reference lowering.
// CHECK-LABEL: func.func @attention_dynamic_head_dim_f32
// CHECK:       tok.attention
// CHECK-NOT:   scf.forall
func.func @attention_dynamic_head_dim_f32(%q: tensor<1x4x?x?xf32>, %k: tensor<1x4x?x?xf32>, %v: tensor<1x4x?x?xf32>) -> tensor<1x4x?x?xf32> {
  %o = tok.attention %q, %k, %v : (tensor<1x4x?x?xf32>, tensor<1x4x?x?xf32>, tensor<1x4x?x?xf32>) -> tensor<1x4x?x?xf32>
  return %o : tensor<1x4x?x?xf32>
}

// -----

// Rope fused into the query prologue (causal GQA, NeoX): the tile reads the
// rope's input, rotates each query row with sin/cos of pos * theta_i while
// packing it, and the rotated query is never materialized.
// CHECK-LABEL: func.func @attention_rope_gqa_f32
// CHECK-SAME:    (%[[X:[^:]*]]: tensor<1x8x?x64xf32>, %[[KEY:[^:]*]]: tensor<1x2x?x64xf32>, %[[VALUE:[^:]*]]: tensor<1x2x?x64xf32>, %[[POS:[^:]*]]: tensor<1x?xi32>)
// CHECK-NOT:   tok.rope
// CHECK:       %[[SQ:.*]] = tensor.dim %[[X]], %c2
// CHECK:       scf.forall
// CHECK:         scf.for
// CHECK:           vector.transfer_read %[[X]][%c0, %{{.*}}, %{{.*}}, %c0]{{.*}} : tensor<1x8x?x64xf32>, vector<64xf32>
// CHECK:           %[[P:.*]] = tensor.extract %[[POS]][%c0, %{{.*}}] : tensor<1x?xi32>
// CHECK:           %[[PF:.*]] = arith.sitofp %[[P]] : i32 to f32
// CHECK:           %[[ANGLE:.*]] = arith.mulf %{{.*}}, %{{.*}} : vector<32xf32>
// CHECK:           math.cos %[[ANGLE]] : vector<32xf32>
// CHECK:           math.sin %[[ANGLE]] : vector<32xf32>
// CHECK:           vector.shuffle {{.*}} : vector<32xf32>, vector<32xf32>
// CHECK:         } {tok.key_blocks = "leading"}
// CHECK-NOT:   tok.rope
func.func @attention_rope_gqa_f32(%x: tensor<1x8x?x64xf32>, %k: tensor<1x2x?x64xf32>, %v: tensor<1x2x?x64xf32>, %pos: tensor<1x?xi32>) -> tensor<1x8x?x64xf32> {
  %q = tok.rope %x, %pos {theta = 10000.0 : f32} : (tensor<1x8x?x64xf32>, tensor<1x?xi32>) -> tensor<1x8x?x64xf32>
  %o = tok.attention %q, %k, %v {causal} : (tensor<1x8x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> tensor<1x8x?x64xf32>
  return %o : tensor<1x8x?x64xf32>
}

// -----

// Rope fused into paged decode, GPT-J pairs over the first 64 of 128
// channels: even and odd lanes are split and merged back by shuffles, the
// last 64 channels pass through. (128 keys are one chunk: the tile over
// both kv heads runs once, with no forall.)
// CHECK-LABEL: func.func @paged_attention_rope_interleaved_f32
// CHECK-SAME:    (%[[X:[^:]*]]: tensor<1x8x1x128xf32>, %{{[^:]*}}: tensor<9x16x2x128xf32>, %{{[^:]*}}: tensor<9x16x2x128xf32>, %{{[^:]*}}: tensor<1x8xi32>, %{{[^:]*}}: tensor<1xi32>, %[[POS:[^:]*]]: tensor<1x1xi32>)
// CHECK-NOT:   tok.rope
// CHECK:       scf.for %{{.*}} = %c0 to %c2 step %c1
// CHECK:         vector.transfer_read %[[X]]
// CHECK:         tensor.extract %[[POS]]
// CHECK:         math.cos %{{.*}} : vector<32xf32>
// CHECK:         vector.shuffle %{{.*}}, %{{.*}} [0, 2, 4, 6, 8
// CHECK:         vector.shuffle %{{.*}}, %{{.*}} [1, 3, 5, 7, 9
// CHECK:         vector.interleave %{{.*}}, %{{.*}} : vector<32xf32> -> vector<64xf32>
// CHECK:         vector.shuffle %{{.*}}, %{{.*}} [0, 1, {{.*}}, 62, 63, 128, 129, {{.*}}, 190, 191] : vector<64xf32>, vector<128xf32>
// CHECK-NOT:   tok.rope
func.func @paged_attention_rope_interleaved_f32(%x: tensor<1x8x1x128xf32>, %kc: tensor<9x16x2x128xf32>, %vc: tensor<9x16x2x128xf32>, %table: tensor<1x8xi32>, %lens: tensor<1xi32>, %pos: tensor<1x1xi32>) -> tensor<1x8x1x128xf32> {
  %q = tok.rope %x, %pos {rotary_dim = 64 : i64, interleaved} : (tensor<1x8x1x128xf32>, tensor<1x1xi32>) -> tensor<1x8x1x128xf32>
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens : (tensor<1x8x1x128xf32>, tensor<9x16x2x128xf32>, tensor<9x16x2x128xf32>, tensor<1x8xi32>, tensor<1xi32>) -> tensor<1x8x1x128xf32>
  return %o : tensor<1x8x1x128xf32>
}

// -----

// A rope whose result has another reader stays (and the attention still
// reads its input, rotating in the tile).
// CHECK-LABEL: func.func @attention_rope_shared_f32
// CHECK:       %[[Q:.*]] = tok.rope
// CHECK:       scf.forall
// CHECK:         math.cos
// CHECK:       return %{{.*}}, %[[Q]]
func.func @attention_rope_shared_f32(%x: tensor<1x4x?x64xf32>, %k: tensor<1x4x?x64xf32>, %v: tensor<1x4x?x64xf32>, %pos: tensor<1x?xi32>) -> (tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>) {
  %q = tok.rope %x, %pos : (tensor<1x4x?x64xf32>, tensor<1x?xi32>) -> tensor<1x4x?x64xf32>
  %o = tok.attention %q, %k, %v : (tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>) -> tensor<1x4x?x64xf32>
  return %o, %q : tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>
}
