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
// with lse weights and the rows reshaped back to [B, Hq, Sq, Dv].
// CHECK-LABEL: func.func @attention_decode_f32
// CHECK-SAME:    (%[[QUERY:[^:]*]]: tensor<1x32x1x128xf32>, %[[KEY:[^:]*]]: tensor<1x8x?x128xf32>, %[[VALUE:[^:]*]]: tensor<1x8x?x128xf32>)
// CHECK:       %[[SKV:.*]] = tensor.dim %[[KEY]], %c2
// CHECK:       %[[BLOCKS:.*]] = arith.ceildivsi %[[SKV]], %c64 : index
// CHECK:       %[[CHUNK:.*]] = arith.maxsi %{{.*}}, %c16 : index
// CHECK:       %[[SPLITS:.*]] = arith.ceildivsi %[[BLOCKS]], %[[CHUNK]] : index
// CHECK:       %[[PARTS:.*]]:2 = scf.forall (%[[KVHEAD:.*]], %[[SPLIT:.*]]) in (8, %{{.*}}) shared_outs(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (tensor<1x8x?x4x128xf32>, tensor<1x8x?x4xf32>)
// CHECK:         %[[FIRST_BLOCK:.*]] = arith.muli %[[SPLIT]], %[[CHUNK]] : index
// CHECK:         %[[LAST_BLOCK:.*]] = arith.addi %[[FIRST_BLOCK]], %[[CHUNK]] : index
// CHECK:       } {tok.key_blocks = "interior"}
// CHECK:       %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[PARTS]]#1 : tensor<1x8x?x4xf32>)
// CHECK:         arith.maxnumf
// CHECK:       %[[MERGED:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[PARTS]]#0, %[[PARTS]]#1, %{{.*}} : tensor<1x8x?x4x128xf32>, tensor<1x8x?x4xf32>, tensor<1x8x4xf32>)
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
// copy); the keys of sequence b end at lens[b].
// CHECK-LABEL: func.func @paged_attention_decode_f32
// CHECK-SAME:    (%[[QUERY:[^:]*]]: tensor<4x8x1x64xf32>, %[[KCACHE:[^:]*]]: tensor<27x16x2x64xf32>, %[[VCACHE:[^:]*]]: tensor<27x16x2x64xf32>, %[[TABLE:[^:]*]]: tensor<4x20xi32>, %[[LENS:[^:]*]]: tensor<4xi32>)
// CHECK-NOT:   tensor<4x2x320x64xf32>
// CHECK:       scf.forall (%[[B:.*]], %[[KVHEAD:.*]]) in (4, 2)
// CHECK:         %[[LEN:.*]] = tensor.extract %[[LENS]][%[[B]]] : tensor<4xi32>
// CHECK:         scf.for
// CHECK:           %[[LOGICAL:.*]] = arith.divui %{{.*}}, %c16 : index
// CHECK:           %[[SLOT:.*]] = arith.remui %{{.*}}, %c16 : index
// CHECK:           %[[PAGE:.*]] = tensor.extract %[[TABLE]][%[[B]], %[[LOGICAL]]] : tensor<4x20xi32>
// CHECK:           vector.transfer_read %[[KCACHE]][%{{.*}}, %[[SLOT]], %[[KVHEAD]], %c0]
// CHECK:           tensor.extract %[[TABLE]][%[[B]], %{{.*}}] : tensor<4x20xi32>
// CHECK:           vector.transfer_read %[[VCACHE]][%{{.*}}, %{{.*}}, %[[KVHEAD]], %c0]
// CHECK:         } {tok.key_blocks = "leading"}
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
