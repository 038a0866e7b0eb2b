// RUN: tokamak-opt %s --convert-tok-to-linalg --split-input-file | FileCheck %s

// Plain MHA: Q·Kᵀ in f32, default scale 1/sqrt(64), max-subtracted softmax,
// P·V and the normalization; no mask.
// CHECK-DAG: #[[$Q_MAP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
// CHECK-DAG: #[[$K_MAP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>
// CHECK-DAG: #[[$S_MAP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[$V_MAP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
// CHECK-DAG: #[[$ROW_MAP:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @attention_plain_f32(
// CHECK-SAME:    %[[QUERY:.*]]: tensor<2x4x16x64xf32>, %[[KEY:.*]]: tensor<2x4x32x64xf32>, %[[VALUE:.*]]: tensor<2x4x32x48xf32>)
// CHECK-DAG:     %[[SCALE:.*]] = arith.constant 1.250000e-01 : f32
// CHECK:         %[[QK:.*]] = linalg.generic {indexing_maps = [#[[$Q_MAP]], #[[$K_MAP]], #[[$S_MAP]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME:        ins(%[[QUERY]], %[[KEY]] : {{.*}}) outs(%{{.*}} : tensor<2x4x16x32xf32>)
// CHECK:         %[[SCORES:.*]] = linalg.generic {{.*}} outs(%[[QK]] : tensor<2x4x16x32xf32>)
// CHECK:           arith.mulf %{{.*}}, %[[SCALE]] : f32
// CHECK-NOT:       arith.select
// CHECK:         %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[SCORES]] : {{.*}}) outs(%{{.*}} : tensor<2x4x16xf32>)
// CHECK:           arith.maximumf
// CHECK:         %[[EXP:.*]] = linalg.generic {{.*}} ins(%[[MAX]] : tensor<2x4x16xf32>) outs(%[[SCORES]] : tensor<2x4x16x32xf32>)
// CHECK:           math.exp
// CHECK:         %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[EXP]] : {{.*}}) outs(%{{.*}} : tensor<2x4x16xf32>)
// CHECK:           arith.addf
// CHECK:         %[[PV:.*]] = linalg.generic {indexing_maps = [#[[$Q_MAP]], #[[$V_MAP]], #[[$S_MAP]]], {{.*}}} ins(%[[EXP]], %[[VALUE]] : {{.*}}) outs(%{{.*}} : tensor<2x4x16x48xf32>)
// CHECK:         %[[OUT:.*]] = linalg.generic {{.*}} ins(%[[PV]], %[[SUM]] : tensor<2x4x16x48xf32>, tensor<2x4x16xf32>)
// CHECK:           arith.divf
// CHECK:         return %[[OUT]] : tensor<2x4x16x48xf32>
func.func @attention_plain_f32(%q: tensor<2x4x16x64xf32>, %k: tensor<2x4x32x64xf32>, %v: tensor<2x4x32x48xf32>) -> tensor<2x4x16x48xf32> {
  %o = tok.attention %q, %k, %v : (tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>, tensor<2x4x32x48xf32>) -> tensor<2x4x16x48xf32>
  return %o : tensor<2x4x16x48xf32>
}

// -----

// GQA (8 query heads over 2 kv heads) with dynamic sequences, causal
// bottom-right aligned, f16 extended to f32 and truncated at the end.
// CHECK-DAG: #[[$KV_MAP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 floordiv 4, d3, d4)>
// CHECK-DAG: #[[$V_MAP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 floordiv 4, d4, d3)>
// CHECK-LABEL: func.func @attention_gqa_causal_f16(
// CHECK-SAME:    %[[QUERY:.*]]: tensor<1x8x?x64xf16>, %[[KEY:.*]]: tensor<1x2x?x64xf16>, %[[VALUE:.*]]: tensor<1x2x?x64xf16>)
// CHECK-DAG:     %[[SQ:.*]] = tensor.dim %[[QUERY]], %{{.*}} : tensor<1x8x?x64xf16>
// CHECK-DAG:     %[[SKV:.*]] = tensor.dim %[[KEY]], %{{.*}} : tensor<1x2x?x64xf16>
// CHECK:         %[[EMPTY:.*]] = tensor.empty(%[[SQ]], %[[SKV]]) : tensor<1x8x?x?xf32>
// CHECK:         %[[QK:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #[[$KV_MAP]], #{{.*}}]{{.*}} ins(%[[QUERY]], %[[KEY]] : tensor<1x8x?x64xf16>, tensor<1x2x?x64xf16>)
// CHECK:           arith.extf %{{.*}} : f16 to f32
// CHECK:         %[[OFFSET:.*]] = arith.subi %[[SKV]], %[[SQ]] : index
// CHECK:         linalg.generic {{.*}} outs(%[[QK]] : tensor<1x8x?x?xf32>)
// CHECK:           %[[I:.*]] = linalg.index 2 : index
// CHECK:           %[[J:.*]] = linalg.index 3 : index
// CHECK:           %[[LAST:.*]] = arith.addi %[[I]], %[[OFFSET]] : index
// CHECK:           %[[CAUSAL:.*]] = arith.cmpi sle, %[[J]], %[[LAST]] : index
// CHECK:           arith.select %[[CAUSAL]], %{{.*}}, %{{.*}} : f32
// CHECK:         linalg.generic {indexing_maps = [#{{.*}}, #[[$V_MAP]], #{{.*}}]{{.*}} ins(%{{.*}}, %[[VALUE]] : tensor<1x8x?x?xf32>, tensor<1x2x?x64xf16>)
// CHECK:           arith.truncf %{{.*}} : f32 to f16
func.func @attention_gqa_causal_f16(%q: tensor<1x8x?x64xf16>, %k: tensor<1x2x?x64xf16>, %v: tensor<1x2x?x64xf16>) -> tensor<1x8x?x64xf16> {
  %o = tok.attention %q, %k, %v {causal} : (tensor<1x8x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>) -> tensor<1x8x?x64xf16>
  return %o : tensor<1x8x?x64xf16>
}

// -----

// Window and sinks: keys inside the window or among the first N are visible
// when causal allows them.
// CHECK-LABEL: func.func @attention_window_sinks_bf16(
// CHECK:         linalg.generic
// CHECK:           arith.extf %{{.*}} : bf16 to f32
// CHECK:         linalg.generic
// CHECK:           %[[I:.*]] = linalg.index 2 : index
// CHECK:           %[[J:.*]] = linalg.index 3 : index
// CHECK:           %[[LAST:.*]] = arith.addi %[[I]], %{{.*}} : index
// CHECK:           %[[CAUSAL:.*]] = arith.cmpi sle, %[[J]], %[[LAST]] : index
// CHECK:           %[[W:.*]] = arith.constant 256 : index
// CHECK:           %[[LO:.*]] = arith.subi %[[LAST]], %[[W]] : index
// CHECK:           %[[IN_WINDOW:.*]] = arith.cmpi sgt, %[[J]], %[[LO]] : index
// CHECK:           %[[N:.*]] = arith.constant 4 : index
// CHECK:           %[[SINK:.*]] = arith.cmpi slt, %[[J]], %[[N]] : index
// CHECK:           %[[KEEP:.*]] = arith.ori %[[IN_WINDOW]], %[[SINK]] : i1
// CHECK:           %[[VISIBLE:.*]] = arith.andi %[[CAUSAL]], %[[KEEP]] : i1
// CHECK:           %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
// CHECK:           arith.select %[[VISIBLE]], %{{.*}}, %[[NEG_INF]] : f32
// CHECK:         arith.truncf %{{.*}} : f32 to bf16
func.func @attention_window_sinks_bf16(%q: tensor<1x4x?x64xbf16>, %k: tensor<1x4x?x64xbf16>, %v: tensor<1x4x?x64xbf16>) -> tensor<1x4x?x64xbf16> {
  %o = tok.attention %q, %k, %v {causal, window = 256 : i64, sinks = 4 : i64} : (tensor<1x4x?x64xbf16>, tensor<1x4x?x64xbf16>, tensor<1x4x?x64xbf16>) -> tensor<1x4x?x64xbf16>
  return %o : tensor<1x4x?x64xbf16>
}

// -----

// Explicit scale and softcap c·tanh(s/c).
// CHECK-LABEL: func.func @attention_scale_softcap_f32(
// CHECK:         %[[SCALE:.*]] = arith.constant 5.000000e-01 : f32
// CHECK:         linalg.generic
// CHECK:         linalg.generic
// CHECK:           %[[SCALED:.*]] = arith.mulf %{{.*}}, %[[SCALE]] : f32
// CHECK:           %[[CAP:.*]] = arith.constant 3.000000e+01 : f32
// CHECK:           %[[DIV:.*]] = arith.divf %[[SCALED]], %[[CAP]] : f32
// CHECK:           %[[TANH:.*]] = math.tanh %[[DIV]] : f32
// CHECK:           %[[CAPPED:.*]] = arith.mulf %[[CAP]], %[[TANH]] : f32
// CHECK:           linalg.yield %[[CAPPED]] : f32
func.func @attention_scale_softcap_f32(%q: tensor<1x4x16x64xf32>, %k: tensor<1x4x16x64xf32>, %v: tensor<1x4x16x64xf32>) -> tensor<1x4x16x64xf32> {
  %o = tok.attention %q, %k, %v {scale = 5.000000e-01 : f32, softcap = 3.000000e+01 : f32} : (tensor<1x4x16x64xf32>, tensor<1x4x16x64xf32>, tensor<1x4x16x64xf32>) -> tensor<1x4x16x64xf32>
  return %o : tensor<1x4x16x64xf32>
}

// -----

// A bias broadcast over batch and heads reads index 0 along its unit dims.
// CHECK-DAG: #[[$BIAS_MAP:.*]] = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
// CHECK-LABEL: func.func @attention_bias_bcast_f32(
// CHECK-SAME:    %[[BIAS:[^:]*]]: tensor<1x1x16x16xf32>)
// CHECK:         linalg.generic
// CHECK:         linalg.generic {indexing_maps = [#[[$BIAS_MAP]], #{{.*}}]{{.*}} ins(%[[BIAS]] : tensor<1x1x16x16xf32>) outs(%{{.*}} : tensor<2x4x16x16xf32>)
// CHECK:         ^bb0(%[[B:.*]]: f32, %[[S:.*]]: f32):
// CHECK:           %[[SCALED:.*]] = arith.mulf %[[S]], %{{.*}} : f32
// CHECK:           %[[BIASED:.*]] = arith.addf %[[SCALED]], %[[B]] : f32
// CHECK:           linalg.yield %[[BIASED]] : f32
func.func @attention_bias_bcast_f32(%q: tensor<2x4x16x64xf32>, %k: tensor<2x4x16x64xf32>, %v: tensor<2x4x16x64xf32>, %b: tensor<1x1x16x16xf32>) -> tensor<2x4x16x64xf32> {
  %o = tok.attention %q, %k, %v bias(%b : tensor<1x1x16x16xf32>) : (tensor<2x4x16x64xf32>, tensor<2x4x16x64xf32>, tensor<2x4x16x64xf32>) -> tensor<2x4x16x64xf32>
  return %o : tensor<2x4x16x64xf32>
}

// -----

// A rank-1 key bias is aligned with the last (key) dim.
// CHECK-DAG: #[[$KEY_BIAS_MAP:.*]] = affine_map<(d0, d1, d2, d3) -> (d3)>
// CHECK-LABEL: func.func @attention_bias_key_f32(
// CHECK-SAME:    %[[BIAS:[^:]*]]: tensor<32xf16>)
// CHECK:         linalg.generic {indexing_maps = [#[[$KEY_BIAS_MAP]], #{{.*}}]{{.*}} ins(%[[BIAS]] : tensor<32xf16>)
// CHECK:           arith.extf %{{.*}} : f16 to f32
func.func @attention_bias_key_f32(%q: tensor<1x4x16x64xf32>, %k: tensor<1x4x32x64xf32>, %v: tensor<1x4x32x64xf32>, %b: tensor<32xf16>) -> tensor<1x4x16x64xf32> {
  %o = tok.attention %q, %k, %v bias(%b : tensor<32xf16>) : (tensor<1x4x16x64xf32>, tensor<1x4x32x64xf32>, tensor<1x4x32x64xf32>) -> tensor<1x4x16x64xf32>
  return %o : tensor<1x4x16x64xf32>
}

// -----

// score_mod is inlined into the score generic: its block arguments become
// the score and linalg.index values; a captured tensor is read in place.
// CHECK-LABEL: func.func @attention_score_mod_f32(
// CHECK-SAME:    %[[TABLE:[^:]*]]: tensor<4x16xf32>)
// CHECK:         linalg.generic
// CHECK:         linalg.generic
// CHECK:           %[[H:.*]] = linalg.index 1 : index
// CHECK:           %[[J:.*]] = linalg.index 3 : index
// CHECK:           %[[SCALED:.*]] = arith.mulf
// CHECK:           %[[X:.*]] = tensor.extract %[[TABLE]][%[[H]], %[[J]]] : tensor<4x16xf32>
// CHECK:           %[[MOD:.*]] = arith.mulf %[[SCALED]], %[[X]] : f32
// CHECK:           linalg.yield %[[MOD]] : f32
// CHECK-NOT:     tok.
func.func @attention_score_mod_f32(%q: tensor<1x4x16x64xf32>, %k: tensor<1x4x16x64xf32>, %v: tensor<1x4x16x64xf32>, %t: tensor<4x16xf32>) -> tensor<1x4x16x64xf32> {
  %o = tok.attention %q, %k, %v : (tensor<1x4x16x64xf32>, tensor<1x4x16x64xf32>, tensor<1x4x16x64xf32>) -> tensor<1x4x16x64xf32> score_mod {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %x = tensor.extract %t[%h, %j] : tensor<4x16xf32>
    %r = arith.mulf %s, %x : f32
    tok.yield %r : f32
  }
  return %o : tensor<1x4x16x64xf32>
}

// -----

// The lse result: row max (0 for empty rows) plus log of the row sum.
// CHECK-LABEL: func.func @attention_lse_f32(
// CHECK:         %[[MAX:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x4x16xf32>)
// CHECK:           arith.maximumf
// CHECK:         %[[SUM:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x4x16xf32>)
// CHECK:           arith.addf
// CHECK:         %[[PV:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x4x16x64xf32>)
// CHECK:         %[[OUT:.*]] = linalg.generic {{.*}} ins(%[[PV]], %[[SUM]] : {{.*}}) outs(%{{.*}} : tensor<1x4x16x64xf32>)
// CHECK:         %[[LSE:.*]] = linalg.generic {{.*}} ins(%[[MAX]], %[[SUM]] : tensor<1x4x16xf32>, tensor<1x4x16xf32>)
// CHECK:         ^bb0(%[[M:.*]]: f32, %[[L:.*]]: f32, %{{.*}}: f32):
// CHECK:           %[[LOG:.*]] = math.log %[[L]] : f32
// CHECK:           %[[EMPTY:.*]] = arith.cmpf oeq, %[[M]], %{{.*}} : f32
// CHECK:           %[[SAFE:.*]] = arith.select %[[EMPTY]], %{{.*}}, %[[M]] : f32
// CHECK:           %[[R:.*]] = arith.addf %[[SAFE]], %[[LOG]] : f32
// CHECK:           linalg.yield %[[R]] : f32
// CHECK:         return %[[OUT]], %[[LSE]] : tensor<1x4x16x64xf32>, tensor<1x4x16xf32>
func.func @attention_lse_f32(%q: tensor<1x4x16x64xf32>, %k: tensor<1x4x16x64xf32>, %v: tensor<1x4x16x64xf32>) -> (tensor<1x4x16x64xf32>, tensor<1x4x16xf32>) {
  %o, %l = tok.attention %q, %k, %v {causal} : (tensor<1x4x16x64xf32>, tensor<1x4x16x64xf32>, tensor<1x4x16x64xf32>) -> (tensor<1x4x16x64xf32>, tensor<1x4x16xf32>)
  return %o, %l : tensor<1x4x16x64xf32>, tensor<1x4x16xf32>
}

// -----

// Packed sequences: per-position segment counts and starts from seq_starts,
// then a mask that keeps same-segment keys, causal relative to the start.
// CHECK-LABEL: func.func @attention_seq_starts_f32(
// CHECK-SAME:    %[[CU:[^:]*]]: tensor<4xi32>)
// CHECK:         %[[QSEG:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[CU]] : tensor<4xi32>) outs(%{{.*}}, %{{.*}} : tensor<?xi64>, tensor<?xi64>)
// CHECK:           arith.cmpi sle
// CHECK:           arith.maxsi
// CHECK:         %[[KSEG:.*]]:2 = linalg.generic {{.*}} ins(%[[CU]] : tensor<4xi32>)
// CHECK:         linalg.generic {{.*}} ins(%[[QSEG]]#0, %[[QSEG]]#1, %[[KSEG]]#0, %[[KSEG]]#1 : tensor<?xi64>, tensor<?xi64>, tensor<?xi64>, tensor<?xi64>)
// CHECK:         ^bb0(%[[QC:.*]]: i64, %[[QS:.*]]: i64, %[[KC:.*]]: i64, %[[KS:.*]]: i64, %{{.*}}: f32):
// CHECK:           %[[SAME:.*]] = arith.cmpi eq, %[[QC]], %[[KC]] : i64
// CHECK:           arith.index_cast %[[QS]] : i64 to index
// CHECK:           arith.index_cast %[[KS]] : i64 to index
// CHECK:           arith.select
func.func @attention_seq_starts_f32(%q: tensor<1x4x?x64xf32>, %k: tensor<1x4x?x64xf32>, %v: tensor<1x4x?x64xf32>, %cu: tensor<4xi32>) -> tensor<1x4x?x64xf32> {
  %o = tok.attention %q, %k, %v seq_starts(%cu : tensor<4xi32>) {causal} : (tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>) -> tensor<1x4x?x64xf32>
  return %o : tensor<1x4x?x64xf32>
}

// -----

// Paged attention gathers keys and values through the block table, then
// masks positions at or past lens[b]; queries sit at lens[b] - Sq + i.
// CHECK-LABEL: func.func @paged_attention_f16(
// CHECK-SAME:    %[[QUERY:[^:]*]]: tensor<4x32x1x128xf16>, %[[KCACHE:[^:]*]]: tensor<1024x16x8x128xf16>, %[[VCACHE:[^:]*]]: tensor<1024x16x8x128xf16>, %[[TABLE:[^:]*]]: tensor<4x64xi32>, %[[LENS:[^:]*]]: tensor<4xi32>)
// CHECK:         %[[KEYS:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<4x8x1024x128xf16>)
// CHECK:           %[[B:.*]] = linalg.index 0 : index
// CHECK:           %[[H:.*]] = linalg.index 1 : index
// CHECK:           %[[P:.*]] = linalg.index 2 : index
// CHECK:           %[[D:.*]] = linalg.index 3 : index
// CHECK:           %[[LOGICAL:.*]] = arith.divui %[[P]], %{{.*}} : index
// CHECK:           %[[ROW:.*]] = arith.remui %[[P]], %{{.*}} : index
// CHECK:           tensor.extract %[[LENS]][%[[B]]] : tensor<4xi32>
// CHECK:           tensor.extract %[[TABLE]][%[[B]], %[[LOGICAL]]] : tensor<4x64xi32>
// CHECK:           %[[BLOCK:.*]] = arith.select
// CHECK:           tensor.extract %[[KCACHE]][%[[BLOCK]], %[[ROW]], %[[H]], %[[D]]] : tensor<1024x16x8x128xf16>
// CHECK:         %[[VALUES:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<4x8x1024x128xf16>)
// CHECK:           tensor.extract %[[VCACHE]]
// CHECK:         linalg.generic {{.*}} ins(%[[QUERY]], %[[KEYS]] : tensor<4x32x1x128xf16>, tensor<4x8x1024x128xf16>)
// CHECK:         linalg.generic {{.*}} ins(%[[LENS]] : tensor<4xi32>) outs(%{{.*}} : tensor<4x32x1x1024xf32>)
// CHECK:         ^bb0(%[[LEN:.*]]: i32, %{{.*}}: f32):
// CHECK:           %[[I:.*]] = linalg.index 2 : index
// CHECK:           %[[J:.*]] = linalg.index 3 : index
// CHECK:           %[[LEN_IDX:.*]] = arith.index_cast %[[LEN]] : i32 to index
// CHECK:           %[[FIRST:.*]] = arith.subi %[[LEN_IDX]], %{{.*}} : index
// CHECK:           arith.addi %[[FIRST]], %[[I]] : index
// CHECK:           arith.cmpi slt, %[[J]], %[[LEN_IDX]] : index
// CHECK:           arith.constant 4096 : index
// CHECK:         linalg.generic {{.*}} ins(%{{.*}}, %[[VALUES]] : tensor<4x32x1x1024xf32>, tensor<4x8x1024x128xf16>)
func.func @paged_attention_f16(%q: tensor<4x32x1x128xf16>, %kc: tensor<1024x16x8x128xf16>, %vc: tensor<1024x16x8x128xf16>, %table: tensor<4x64xi32>, %lens: tensor<4xi32>) -> tensor<4x32x1x128xf16> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens {window = 4096 : i64, sinks = 4 : i64} : (tensor<4x32x1x128xf16>, tensor<1024x16x8x128xf16>, tensor<1024x16x8x128xf16>, tensor<4x64xi32>, tensor<4xi32>) -> tensor<4x32x1x128xf16>
  return %o : tensor<4x32x1x128xf16>
}

// -----

// cache_write: a loop nest carrying the cache, skipping negative slots.
// CHECK-LABEL: func.func @cache_write_f16(
// CHECK-SAME:    %[[CACHE:[^:]*]]: tensor<1024x16x8x128xf16>, %[[NEW:[^:]*]]: tensor<4x8x?x128xf16>, %[[SLOTS:[^:]*]]: tensor<4x?xi32>)
// CHECK:         %[[RESULT:.*]] = scf.for %[[B:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[OUTER:.*]] = %[[CACHE]])
// CHECK:           scf.for %[[S:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[INNER:.*]] = %[[OUTER]])
// CHECK:             %[[SLOT_I32:.*]] = tensor.extract %[[SLOTS]][%[[B]], %[[S]]] : tensor<4x?xi32>
// CHECK:             %[[SLOT:.*]] = arith.index_cast %[[SLOT_I32]] : i32 to index
// CHECK:             %[[VALID:.*]] = arith.cmpi sge, %[[SLOT]], %{{.*}} : index
// CHECK:             scf.if %[[VALID]] -> (tensor<1024x16x8x128xf16>)
// CHECK:               %[[BLOCK:.*]] = arith.divui %[[SLOT]], %{{.*}} : index
// CHECK:               %[[ROW:.*]] = arith.remui %[[SLOT]], %{{.*}} : index
// CHECK:               %[[SRC:.*]] = tensor.extract_slice %[[NEW]][%[[B]], 0, %[[S]], 0] [1, 8, 1, 128] [1, 1, 1, 1] : tensor<4x8x?x128xf16> to tensor<8x128xf16>
// CHECK:               %[[DST:.*]] = tensor.extract_slice %[[INNER]][%[[BLOCK]], %[[ROW]], 0, 0] [1, 1, 8, 128] [1, 1, 1, 1]
// CHECK:               %[[COPY:.*]] = linalg.copy ins(%[[SRC]] : tensor<8x128xf16>) outs(%[[DST]] : tensor<8x128xf16>)
// CHECK:               %[[WRITTEN:.*]] = tensor.insert_slice %[[COPY]] into %[[INNER]][%[[BLOCK]], %[[ROW]], 0, 0] [1, 1, 8, 128] [1, 1, 1, 1]
// CHECK:               scf.yield %[[WRITTEN]]
// CHECK:             } else {
// CHECK:               scf.yield %[[INNER]]
// CHECK:         return %[[RESULT]] : tensor<1024x16x8x128xf16>
func.func @cache_write_f16(%kc: tensor<1024x16x8x128xf16>, %knew: tensor<4x8x?x128xf16>, %slots: tensor<4x?xi32>) -> tensor<1024x16x8x128xf16> {
  %kc2 = tok.cache_write %kc, %knew, %slots : (tensor<1024x16x8x128xf16>, tensor<4x8x?x128xf16>, tensor<4x?xi32>) -> tensor<1024x16x8x128xf16>
  return %kc2 : tensor<1024x16x8x128xf16>
}

// -----

// lse_merge: the merged lse first, then the weighted outputs (zeros where
// both lse are -inf).
// CHECK-DAG: #[[$ROW:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @lse_merge_bf16(
// CHECK-SAME:    %[[O1:[^:]*]]: tensor<1x8x?x64xbf16>, %[[L1:[^:]*]]: tensor<1x8x?xf32>, %[[O2:[^:]*]]: tensor<1x8x?x64xbf16>, %[[L2:[^:]*]]: tensor<1x8x?xf32>)
// CHECK:         %[[LSE:.*]] = linalg.generic {{.*}} ins(%[[L1]], %[[L2]] : tensor<1x8x?xf32>, tensor<1x8x?xf32>)
// CHECK:           arith.maximumf
// CHECK:           math.exp
// CHECK:           math.exp
// CHECK:           math.log
// CHECK:         %[[OUT:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #[[$ROW]], #{{.*}}, #[[$ROW]], #[[$ROW]], #{{.*}}]{{.*}} ins(%[[O1]], %[[L1]], %[[O2]], %[[L2]], %[[LSE]] : {{.*}}) outs(%{{.*}} : tensor<1x8x?x64xbf16>)
// CHECK:           %[[DEAD:.*]] = arith.cmpf oeq
// CHECK:           %[[R:.*]] = arith.select %[[DEAD]]
// CHECK:           arith.truncf %[[R]] : f32 to bf16
// CHECK:         return %[[OUT]], %[[LSE]] : tensor<1x8x?x64xbf16>, tensor<1x8x?xf32>
func.func @lse_merge_bf16(%o1: tensor<1x8x?x64xbf16>, %l1: tensor<1x8x?xf32>, %o2: tensor<1x8x?x64xbf16>, %l2: tensor<1x8x?xf32>) -> (tensor<1x8x?x64xbf16>, tensor<1x8x?xf32>) {
  %o, %l = tok.lse_merge %o1, %l1, %o2, %l2 : (tensor<1x8x?x64xbf16>, tensor<1x8x?xf32>, tensor<1x8x?x64xbf16>, tensor<1x8x?xf32>) -> (tensor<1x8x?x64xbf16>, tensor<1x8x?xf32>)
  return %o, %l : tensor<1x8x?x64xbf16>, tensor<1x8x?xf32>
}
