// RUN: tokamak-opt %s --split-input-file --transform-interpreter --canonicalize | FileCheck %s

// TilingInterface on the tok compute ops (TilingInterfaceImpl.cpp): upstream
// transform ops tile each op over its exact iteration domain and fuse tok
// producers into the tiles of their consumers.

// Linear: rows and output features in parallel, K whole; bias sliced with N.

// CHECK-LABEL: func.func @linear_bias_f32
// CHECK-SAME:    %[[X:[^:]*]]: tensor<4x?x64xf32>, %[[W:[^:]*]]: tensor<128x64xf32>, %[[B:[^:]*]]: tensor<128xf32>
// CHECK:         scf.forall (%[[I:.*]], %[[J:.*]]) in (2, 4) shared_outs(%[[OUT:.*]] = %{{.*}})
// CHECK-DAG:       %[[ROW:.*]] = affine.apply #{{.*}}(%[[I]])
// CHECK-DAG:       %[[COL:.*]] = affine.apply #{{.*}}(%[[J]])
// CHECK:           %[[XT:.*]] = tensor.extract_slice %[[X]][%[[ROW]], 0, 0] [2, %{{.*}}, 64]
// CHECK:           %[[WT:.*]] = tensor.extract_slice %[[W]][%[[COL]], 0] [32, 64]
// CHECK:           %[[BT:.*]] = tensor.extract_slice %[[B]][%[[COL]]] [32]
// CHECK:           %[[Y:.*]] = tok.linear %[[XT]], %[[WT]] bias(%[[BT]] : tensor<32xf32>) : (tensor<2x?x64xf32>, tensor<32x64xf32>) -> tensor<2x?x32xf32>
// CHECK:           tensor.parallel_insert_slice %[[Y]] into %[[OUT]][%[[ROW]], 0, %[[COL]]] [2, %{{.*}}, 32]

func.func @linear_bias_f32(%x: tensor<4x?x64xf32>, %w: tensor<128x64xf32>, %b: tensor<128xf32>) -> tensor<4x?x128xf32> {
  %y = tok.linear %x, %w bias(%b : tensor<128xf32>) : (tensor<4x?x64xf32>, tensor<128x64xf32>) -> tensor<4x?x128xf32>
  return %y : tensor<4x?x128xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["tok.linear"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %op tile_sizes [2, 0, 32] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// rms_norm fused into scf.for tiles of a linear by structured.fuse.

// CHECK-LABEL: func.func @rms_norm_linear_fuse_f32
// CHECK-SAME:    %[[X:[^:]*]]: tensor<2x64x96xf32>, %[[NW:[^:]*]]: tensor<96xf32>, %[[W:[^:]*]]: tensor<128x96xf32>
// CHECK-NOT:     tok.rms_norm
// CHECK:         scf.for %[[B:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK:           scf.for %[[S:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %{{.*}})
// CHECK:             %[[XT:.*]] = tensor.extract_slice %[[X]][%[[B]], %[[S]], 0] [1, 16, 96]
// CHECK:             %[[N:.*]] = tok.rms_norm %[[XT]], %[[NW]] {eps = {{.*}}} : (tensor<1x16x96xf32>, tensor<96xf32>) -> tensor<1x16x96xf32>
// CHECK:             %[[Y:.*]] = tok.linear %[[N]], %[[W]] : (tensor<1x16x96xf32>, tensor<128x96xf32>) -> tensor<1x16x128xf32>
// CHECK:             tensor.insert_slice %[[Y]] into %[[ACC]][%[[B]], %[[S]], 0] [1, 16, 128]

func.func @rms_norm_linear_fuse_f32(%x: tensor<2x64x96xf32>, %nw: tensor<96xf32>, %w: tensor<128x96xf32>) -> tensor<2x64x128xf32> {
  %h = tok.rms_norm %x, %nw {eps = 1.0e-05 : f32} : (tensor<2x64x96xf32>, tensor<96xf32>) -> tensor<2x64x96xf32>
  %y = tok.linear %h, %w : (tensor<2x64x96xf32>, tensor<128x96xf32>) -> tensor<2x64x128xf32>
  return %y : tensor<2x64x128xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["tok.linear"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %l0, %l1 = transform.structured.fuse %op tile_sizes [1, 16, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// GQA attention over heads: 4 query heads (one group) read one kv head.

// CHECK-LABEL: func.func @attention_gqa_heads_f32
// CHECK-SAME:    %[[Q:[^:]*]]: tensor<2x8x?x64xf32>, %[[K:[^:]*]]: tensor<2x2x?x64xf32>, %[[V:[^:]*]]: tensor<2x2x?x64xf32>
// CHECK:         scf.forall (%[[B:.*]], %[[G:.*]]) in (2, 2)
// CHECK:           %[[H:.*]] = affine.apply #{{.*}}(%[[G]])
// CHECK:           %[[QT:.*]] = tensor.extract_slice %[[Q]][%[[B]], %[[H]], 0, 0] [1, 4, %{{.*}}, 64]
// CHECK:           %[[KT:.*]] = tensor.extract_slice %[[K]][%[[B]], %[[G]], 0, 0] [1, 1, %{{.*}}, 64]
// CHECK:           %[[VT:.*]] = tensor.extract_slice %[[V]][%[[B]], %[[G]], 0, 0] [1, 1, %{{.*}}, 64]
// CHECK:           tok.attention %[[QT]], %[[KT]], %[[VT]] {causal} : (tensor<1x4x?x64xf32>, tensor<1x1x?x64xf32>, tensor<1x1x?x64xf32>) -> tensor<1x4x?x64xf32>

func.func @attention_gqa_heads_f32(%q: tensor<2x8x?x64xf32>, %k: tensor<2x2x?x64xf32>, %v: tensor<2x2x?x64xf32>) -> tensor<2x8x?x64xf32> {
  %o = tok.attention %q, %k, %v {causal} : (tensor<2x8x?x64xf32>, tensor<2x2x?x64xf32>, tensor<2x2x?x64xf32>) -> tensor<2x8x?x64xf32>
  return %o : tensor<2x8x?x64xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["tok.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %op tile_sizes [1, 4, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Stats per query head follow the batch and head tiles (every key, every
// row): the stats tile is [1, 4, Skv] at (b, h, 0).

// CHECK-LABEL: func.func @attention_stats_per_query_head_tiles_f32
// CHECK-SAME:    %[[Q:[^:]*]]: tensor<2x8x?x64xf32>, %[[K:[^:]*]]: tensor<2x2x?x64xf32>, %[[V:[^:]*]]: tensor<2x2x?x64xf32>
// CHECK:         scf.forall (%[[B:.*]], %[[G:.*]]) in (2, 2) shared_outs(%[[OUT:.*]] = %{{.*}}, %[[ST:.*]] = %{{.*}})
// CHECK:           %[[H:.*]] = affine.apply #{{.*}}(%[[G]])
// CHECK:           %[[QT:.*]] = tensor.extract_slice %[[Q]][%[[B]], %[[H]], 0, 0] [1, 4, %{{.*}}, 64]
// CHECK:           %{{.*}}, %[[S:.*]] = tok.attention %[[QT]], %{{.*}}, %{{.*}} {causal, stats_per_query_head, stats_window = 8 : i64} : (tensor<1x4x?x64xf32>, tensor<1x1x?x64xf32>, tensor<1x1x?x64xf32>) -> (tensor<1x4x?x64xf32>, stats tensor<1x4x?xf32>)
// CHECK:           tensor.parallel_insert_slice %[[S]] into %[[ST]][%[[B]], %[[H]], 0] [1, 4, %{{.*}}]

func.func @attention_stats_per_query_head_tiles_f32(%q: tensor<2x8x?x64xf32>, %k: tensor<2x2x?x64xf32>, %v: tensor<2x2x?x64xf32>) -> (tensor<2x8x?x64xf32>, tensor<2x8x?xf32>) {
  %o, %s = tok.attention %q, %k, %v {causal, stats_per_query_head, stats_window = 8 : i64} : (tensor<2x8x?x64xf32>, tensor<2x2x?x64xf32>, tensor<2x2x?x64xf32>) -> (tensor<2x8x?x64xf32>, stats tensor<2x8x?xf32>)
  return %o, %s : tensor<2x8x?x64xf32>, tensor<2x8x?xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["tok.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %op tile_sizes [1, 4, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Block-sparse GQA attention over heads: the tile of one kv group reads the
// block lists (and counts) of its batch entry and kv head, every query block.

// CHECK-LABEL: func.func @attention_block_lists_heads_f32
// CHECK-SAME:    %[[Q:[^:]*]]: tensor<2x8x?x64xf32>, %[[K:[^:]*]]: tensor<2x2x?x64xf32>, %[[V:[^:]*]]: tensor<2x2x?x64xf32>, %[[IDX:[^:]*]]: tensor<2x2x?x4xi32>, %[[CNT:[^:]*]]: tensor<2x2x?xi32>
// CHECK:         scf.forall (%[[B:.*]], %[[G:.*]]) in (2, 2)
// CHECK:           %[[IT:.*]] = tensor.extract_slice %[[IDX]][%[[B]], %[[G]], 0, 0] [1, 1, %{{.*}}, 4]
// CHECK:           %[[CT:.*]] = tensor.extract_slice %[[CNT]][%[[B]], %[[G]], 0] [1, 1, %{{.*}}]
// CHECK:           tok.attention %{{.*}}, %{{.*}}, %{{.*}} block_indices(%[[IT]] : tensor<1x1x?x4xi32>) block_counts(%[[CT]] : tensor<1x1x?xi32>) {block_k = 64 : i64, block_q = 32 : i64, causal} : (tensor<1x4x?x64xf32>, tensor<1x1x?x64xf32>, tensor<1x1x?x64xf32>) -> tensor<1x4x?x64xf32>

func.func @attention_block_lists_heads_f32(%q: tensor<2x8x?x64xf32>, %k: tensor<2x2x?x64xf32>, %v: tensor<2x2x?x64xf32>, %idx: tensor<2x2x?x4xi32>, %cnt: tensor<2x2x?xi32>) -> tensor<2x8x?x64xf32> {
  %o = tok.attention %q, %k, %v block_indices(%idx : tensor<2x2x?x4xi32>) block_counts(%cnt : tensor<2x2x?xi32>) {block_k = 64 : i64, block_q = 32 : i64, causal} : (tensor<2x8x?x64xf32>, tensor<2x2x?x64xf32>, tensor<2x2x?x64xf32>) -> tensor<2x8x?x64xf32>
  return %o : tensor<2x8x?x64xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["tok.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %op tile_sizes [1, 4, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Causal query-row tiles keep the bottom-right alignment: rows [o, o+32) of
// Sq=64 against Skv=128 read keys [0, o + 96); lse is tiled alike.

// CHECK-DAG:   #[[$PREFIX:.*]] = affine_map<(d0) -> (d0 + 96)>
// CHECK-LABEL: func.func @attention_causal_rows_f32
// CHECK-SAME:    %[[Q:[^:]*]]: tensor<1x4x64x32xf32>, %[[K:[^:]*]]: tensor<1x4x128x32xf32>, %[[V:[^:]*]]: tensor<1x4x128x32xf32>
// CHECK:         scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[O:.*]] = %{{.*}}, %[[L:.*]] = %{{.*}})
// CHECK:           %[[LEN:.*]] = affine.apply #[[$PREFIX]](%[[I]])
// CHECK:           %[[QT:.*]] = tensor.extract_slice %[[Q]][0, 0, %[[I]], 0] [1, 4, 32, 32]
// CHECK:           %[[KT:.*]] = tensor.extract_slice %[[K]][0, 0, 0, 0] [1, 4, %[[LEN]], 32]
// CHECK:           %[[VT:.*]] = tensor.extract_slice %[[V]][0, 0, 0, 0] [1, 4, %[[LEN]], 32]
// CHECK:           %[[OT:.*]], %[[LT:.*]] = tok.attention %[[QT]], %[[KT]], %[[VT]] {causal, sinks = 4 : i64, window = 48 : i64} : (tensor<1x4x32x32xf32>, tensor<1x4x?x32xf32>, tensor<1x4x?x32xf32>) -> (tensor<1x4x32x32xf32>, tensor<1x4x32xf32>)
// CHECK:           tensor.insert_slice %[[OT]] into %[[O]][0, 0, %[[I]], 0] [1, 4, 32, 32]
// CHECK:           tensor.insert_slice %[[LT]] into %[[L]][0, 0, %[[I]]] [1, 4, 32]

func.func @attention_causal_rows_f32(%q: tensor<1x4x64x32xf32>, %k: tensor<1x4x128x32xf32>, %v: tensor<1x4x128x32xf32>) -> (tensor<1x4x64x32xf32>, tensor<1x4x64xf32>) {
  %o, %l = tok.attention %q, %k, %v {causal, window = 48 : i64, sinks = 4 : i64} : (tensor<1x4x64x32xf32>, tensor<1x4x128x32xf32>, tensor<1x4x128x32xf32>) -> (tensor<1x4x64x32xf32>, tensor<1x4x64xf32>)
  return %o, %l : tensor<1x4x64x32xf32>, tensor<1x4x64xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["tok.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_for %op tile_sizes [0, 0, 32] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Bias broadcast over batch and heads is sliced along rows and the key
// prefix only; score_mod gets global head and query indices.

// CHECK-DAG:   #[[$PREFIX:.*]] = affine_map<(d0, d1)[s0, s1] -> (0, d0 + d1 * 16 + s0 - s1)>
// CHECK-LABEL: func.func @attention_bias_score_mod_f32
// CHECK-SAME:    %[[Q:[^:]*]]: tensor<1x4x?x32xf32>, %[[K:[^:]*]]: tensor<1x4x?x32xf32>, %[[V:[^:]*]]: tensor<1x4x?x32xf32>, %[[BIAS:[^:]*]]: tensor<1x1x?x?xf32>
// CHECK:         scf.forall (%[[HI:.*]], %[[RI:.*]]) in (2, %{{.*}})
// CHECK:           %[[H:.*]] = affine.apply #{{.*}}(%[[HI]])
// CHECK:           %[[R:.*]] = affine.apply #{{.*}}(%[[RI]])
// CHECK:           %[[ROWS:.*]] = affine.min #{{.*}}(%[[RI]])
// CHECK:           %[[LEN:.*]] = affine.max #[[$PREFIX]](%[[ROWS]], %[[RI]])
// CHECK:           %[[KT:.*]] = tensor.extract_slice %[[K]][0, %[[H]], 0, 0] [1, 2, %[[LEN]], 32]
// CHECK:           %[[BT:.*]] = tensor.extract_slice %[[BIAS]][0, 0, %[[R]], 0] [1, 1, %[[ROWS]], %[[LEN]]]
// CHECK:           tok.attention %{{.*}}, %[[KT]], %{{.*}} bias(%[[BT]] : tensor<1x1x?x?xf32>) {causal}
// CHECK:           ^bb0(%{{.*}}: f32, %{{.*}}: index, %[[HA:.*]]: index, %[[IA:.*]]: index, %{{.*}}: index):
// CHECK-DAG:         %[[HG:.*]] = arith.addi %[[HA]], %[[H]] : index
// CHECK-DAG:         %[[IG:.*]] = arith.addi %[[IA]], %[[R]] : index
// CHECK:             arith.subi %[[IG]], %[[HG]] : index

func.func @attention_bias_score_mod_f32(%q: tensor<1x4x?x32xf32>, %k: tensor<1x4x?x32xf32>, %v: tensor<1x4x?x32xf32>, %b: tensor<1x1x?x?xf32>) -> tensor<1x4x?x32xf32> {
  %o = tok.attention %q, %k, %v bias(%b : tensor<1x1x?x?xf32>) {causal} : (tensor<1x4x?x32xf32>, tensor<1x4x?x32xf32>, tensor<1x4x?x32xf32>) -> tensor<1x4x?x32xf32> score_mod {
  ^bb0(%s: f32, %bi: index, %h: index, %i: index, %j: index):
    %d = arith.subi %i, %h : index
    %di = arith.index_cast %d : index to i64
    %df = arith.sitofp %di : i64 to f32
    %r = arith.addf %s, %df : f32
    tok.yield %r : f32
  }
  return %o : tensor<1x4x?x32xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["tok.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %op tile_sizes [1, 2, 16] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// rope fused into the per-group tiles of attention: it rotates only the
// query heads and rows of the tile, positions sliced with them.

// CHECK-LABEL: func.func @rope_attention_fuse_f32
// CHECK-SAME:    %[[Q:[^:]*]]: tensor<1x8x?x64xf32>, %[[K:[^:]*]]: tensor<1x2x?x64xf32>, %[[V:[^:]*]]: tensor<1x2x?x64xf32>, %[[POS:[^:]*]]: tensor<1x?xi32>
// CHECK-NOT:     tok.rope
// CHECK:         scf.forall (%[[G:.*]], %[[RI:.*]]) in (2, %{{.*}})
// CHECK:           %[[H:.*]] = affine.apply #{{.*}}(%[[G]])
// CHECK:           %[[R:.*]] = affine.apply #{{.*}}(%[[RI]])
// CHECK:           %[[ROWS:.*]] = affine.min
// CHECK:           %[[QT:.*]] = tensor.extract_slice %[[Q]][0, %[[H]], %[[R]], 0] [1, 4, %[[ROWS]], 64]
// CHECK:           %[[PT:.*]] = tensor.extract_slice %[[POS]][0, %[[R]]] [1, %[[ROWS]]]
// CHECK:           %[[QR:.*]] = tok.rope %[[QT]], %[[PT]] : (tensor<1x4x?x64xf32>, tensor<1x?xi32>) -> tensor<1x4x?x64xf32>
// CHECK:           %[[KT:.*]] = tensor.extract_slice %[[K]][0, %[[G]], 0, 0]
// CHECK:           tok.attention %[[QR]], %[[KT]]

func.func @rope_attention_fuse_f32(%q: tensor<1x8x?x64xf32>, %k: tensor<1x2x?x64xf32>, %v: tensor<1x2x?x64xf32>, %pos: tensor<1x?xi32>) -> tensor<1x8x?x64xf32> {
  %qr = tok.rope %q, %pos : (tensor<1x8x?x64xf32>, tensor<1x?xi32>) -> tensor<1x8x?x64xf32>
  %o = tok.attention %qr, %k, %v : (tensor<1x8x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> tensor<1x8x?x64xf32>
  return %o : tensor<1x8x?x64xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %attn = transform.structured.match ops{["tok.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %rope = transform.structured.match ops{["tok.rope"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %attn tile_sizes [0, 4, 64] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %fused, %loop2 = transform.structured.fuse_into_containing_op %rope into %loop : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Paged attention over batch and whole GQA groups: the caches are sliced
// along their kv-head dim, the block table and lens along batch.

// CHECK-LABEL: func.func @paged_attention_heads_f16
// CHECK-SAME:    %[[Q:[^:]*]]: tensor<4x32x1x128xf16>, %[[KC:[^:]*]]: tensor<1024x16x8x128xf16>, %[[VC:[^:]*]]: tensor<1024x16x8x128xf16>, %[[T:[^:]*]]: tensor<4x64xi32>, %[[LENS:[^:]*]]: tensor<4xi32>
// CHECK:         scf.forall (%[[B:.*]], %[[HI:.*]]) in (4, 4)
// CHECK-DAG:       %[[H:.*]] = affine.apply #{{.*}}(%[[HI]])
// CHECK-DAG:       %[[KVH:.*]] = affine.apply #{{.*}}(%[[HI]])
// CHECK:           %[[QT:.*]] = tensor.extract_slice %[[Q]][%[[B]], %[[H]], 0, 0] [1, 8, 1, 128]
// CHECK:           %[[KT:.*]] = tensor.extract_slice %[[KC]][0, 0, %[[KVH]], 0] [1024, 16, 2, 128]
// CHECK:           %[[VT:.*]] = tensor.extract_slice %[[VC]][0, 0, %[[KVH]], 0] [1024, 16, 2, 128]
// CHECK:           %[[TT:.*]] = tensor.extract_slice %[[T]][%[[B]], 0] [1, 64]
// CHECK:           %[[LT:.*]] = tensor.extract_slice %[[LENS]][%[[B]]] [1]
// CHECK:           tok.paged_attention %[[QT]], %[[KT]], %[[VT]], %[[TT]], %[[LT]] {window = 4096 : i64} : (tensor<1x8x1x128xf16>, tensor<1024x16x2x128xf16>, tensor<1024x16x2x128xf16>, tensor<1x64xi32>, tensor<1xi32>) -> tensor<1x8x1x128xf16>

func.func @paged_attention_heads_f16(%q: tensor<4x32x1x128xf16>, %kc: tensor<1024x16x8x128xf16>, %vc: tensor<1024x16x8x128xf16>, %t: tensor<4x64xi32>, %lens: tensor<4xi32>) -> tensor<4x32x1x128xf16> {
  %o = tok.paged_attention %q, %kc, %vc, %t, %lens {window = 4096 : i64} : (tensor<4x32x1x128xf16>, tensor<1024x16x8x128xf16>, tensor<1024x16x8x128xf16>, tensor<4x64xi32>, tensor<4xi32>) -> tensor<4x32x1x128xf16>
  return %o : tensor<4x32x1x128xf16>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["tok.paged_attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %op tile_sizes [1, 8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Paged attention with per-head lens and per-head tables over one-head
// blocks: the tables and lens are sliced along batch and kv heads; the
// caches, whose blocks hold one kv head each, stay whole.

// CHECK-LABEL: func.func @paged_attention_head_tables_f16
// CHECK-SAME:    %[[Q:[^:]*]]: tensor<4x32x1x128xf16>, %[[KC:[^:]*]]: tensor<4096x16x1x128xf16>, %[[VC:[^:]*]]: tensor<4096x16x1x128xf16>, %[[T:[^:]*]]: tensor<4x8x64xi32>, %[[LENS:[^:]*]]: tensor<4x8xi32>
// CHECK:         scf.forall (%[[B:.*]], %[[HI:.*]]) in (4, 4)
// CHECK-DAG:       %[[H:.*]] = affine.apply #{{.*}}(%[[HI]])
// CHECK-DAG:       %[[KVH:.*]] = affine.apply #{{.*}}(%[[HI]])
// CHECK:           %[[QT:.*]] = tensor.extract_slice %[[Q]][%[[B]], %[[H]], 0, 0] [1, 8, 1, 128]
// CHECK:           %[[TT:.*]] = tensor.extract_slice %[[T]][%[[B]], %[[KVH]], 0] [1, 2, 64]
// CHECK:           %[[LT:.*]] = tensor.extract_slice %[[LENS]][%[[B]], %[[KVH]]] [1, 2]
// CHECK:           tok.paged_attention %[[QT]], %[[KC]], %[[VC]], %[[TT]], %[[LT]] : (tensor<1x8x1x128xf16>, tensor<4096x16x1x128xf16>, tensor<4096x16x1x128xf16>, tensor<1x2x64xi32>, tensor<1x2xi32>) -> tensor<1x8x1x128xf16>

func.func @paged_attention_head_tables_f16(%q: tensor<4x32x1x128xf16>, %kc: tensor<4096x16x1x128xf16>, %vc: tensor<4096x16x1x128xf16>, %t: tensor<4x8x64xi32>, %lens: tensor<4x8xi32>) -> tensor<4x32x1x128xf16> {
  %o = tok.paged_attention %q, %kc, %vc, %t, %lens : (tensor<4x32x1x128xf16>, tensor<4096x16x1x128xf16>, tensor<4096x16x1x128xf16>, tensor<4x8x64xi32>, tensor<4x8xi32>) -> tensor<4x32x1x128xf16>
  return %o : tensor<4x32x1x128xf16>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["tok.paged_attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %op tile_sizes [1, 8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Per-head lens over a shared table: the caches follow the kv heads, the
// table only the batch, the lens both.

// CHECK-LABEL: func.func @paged_attention_head_lens_shared_f32
// CHECK-SAME:    %[[Q:[^:]*]]: tensor<2x8x1x64xf32>, %[[KC:[^:]*]]: tensor<64x16x4x64xf32>, %[[VC:[^:]*]]: tensor<64x16x4x64xf32>, %[[T:[^:]*]]: tensor<2x8xi32>, %[[LENS:[^:]*]]: tensor<2x4xi32>
// CHECK:         scf.forall (%[[B:.*]], %[[HI:.*]]) in (2, 2)
// CHECK-DAG:       %[[H:.*]] = affine.apply #{{.*}}(%[[HI]])
// CHECK-DAG:       %[[KVH:.*]] = affine.apply #{{.*}}(%[[HI]])
// CHECK:           %[[KT:.*]] = tensor.extract_slice %[[KC]][0, 0, %[[KVH]], 0] [64, 16, 2, 64]
// CHECK:           %[[VT:.*]] = tensor.extract_slice %[[VC]][0, 0, %[[KVH]], 0] [64, 16, 2, 64]
// CHECK:           %[[TT:.*]] = tensor.extract_slice %[[T]][%[[B]], 0] [1, 8]
// CHECK:           %[[LT:.*]] = tensor.extract_slice %[[LENS]][%[[B]], %[[KVH]]] [1, 2]
// CHECK:           tok.paged_attention %{{.*}}, %[[KT]], %[[VT]], %[[TT]], %[[LT]] : (tensor<1x4x1x64xf32>, tensor<64x16x2x64xf32>, tensor<64x16x2x64xf32>, tensor<1x8xi32>, tensor<1x2xi32>) -> tensor<1x4x1x64xf32>

func.func @paged_attention_head_lens_shared_f32(%q: tensor<2x8x1x64xf32>, %kc: tensor<64x16x4x64xf32>, %vc: tensor<64x16x4x64xf32>, %t: tensor<2x8xi32>, %lens: tensor<2x4xi32>) -> tensor<2x8x1x64xf32> {
  %o = tok.paged_attention %q, %kc, %vc, %t, %lens : (tensor<2x8x1x64xf32>, tensor<64x16x4x64xf32>, tensor<64x16x4x64xf32>, tensor<2x8xi32>, tensor<2x4xi32>) -> tensor<2x8x1x64xf32>
  return %o : tensor<2x8x1x64xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["tok.paged_attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %op tile_sizes [1, 4] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// linear_scan over batch and heads: decay, beta, init and the final state
// follow the head tile.

// CHECK-LABEL: func.func @linear_scan_heads_f32
// CHECK-SAME:    %[[Q:[^:]*]]: tensor<2x4x?x64xf32>, %[[K:[^:]*]]: tensor<2x4x?x64xf32>, %[[V:[^:]*]]: tensor<2x4x?x64xf32>, %[[G:[^:]*]]: tensor<2x4x?xf32>, %[[BETA:[^:]*]]: tensor<2x4x?xf32>, %[[S0:[^:]*]]: tensor<2x4x64x64xf32>
// CHECK:         scf.forall (%[[B:.*]], %[[HI:.*]]) in (2, 2) shared_outs(%[[O:.*]] = %{{.*}}, %[[ST:.*]] = %{{.*}})
// CHECK:           %[[H:.*]] = affine.apply #{{.*}}(%[[HI]])
// CHECK:           tensor.extract_slice %[[Q]][%[[B]], %[[H]], 0, 0] [1, 2, %{{.*}}, 64]
// CHECK:           tensor.extract_slice %[[G]][%[[B]], %[[H]], 0] [1, 2, %{{.*}}]
// CHECK:           tensor.extract_slice %[[BETA]][%[[B]], %[[H]], 0] [1, 2, %{{.*}}]
// CHECK:           %[[ST0:.*]] = tensor.extract_slice %[[S0]][%[[B]], %[[H]], 0, 0] [1, 2, 64, 64]
// CHECK:           %[[OT:.*]], %[[STT:.*]] = tok.linear_scan {{.*}} init(%[[ST0]] : tensor<1x2x64x64xf32>) {update = "delta"} : (tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> (tensor<1x2x?x64xf32>, tensor<1x2x64x64xf32>)
// CHECK:           tensor.parallel_insert_slice %[[OT]] into %[[O]][%[[B]], %[[H]], 0, 0] [1, 2, %{{.*}}, 64]
// CHECK:           tensor.parallel_insert_slice %[[STT]] into %[[ST]][%[[B]], %[[H]], 0, 0] [1, 2, 64, 64]

func.func @linear_scan_heads_f32(%q: tensor<2x4x?x64xf32>, %k: tensor<2x4x?x64xf32>, %v: tensor<2x4x?x64xf32>, %g: tensor<2x4x?xf32>, %beta: tensor<2x4x?xf32>, %s0: tensor<2x4x64x64xf32>) -> (tensor<2x4x?x64xf32>, tensor<2x4x64x64xf32>) {
  %o, %st = tok.linear_scan %q, %k, %v decay(%g : tensor<2x4x?xf32>) beta(%beta : tensor<2x4x?xf32>) init(%s0 : tensor<2x4x64x64xf32>) {update = "delta"} : (tensor<2x4x?x64xf32>, tensor<2x4x?x64xf32>, tensor<2x4x?x64xf32>) -> (tensor<2x4x?x64xf32>, tensor<2x4x64x64xf32>)
  return %o, %st : tensor<2x4x?x64xf32>, tensor<2x4x64x64xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["tok.linear_scan"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %op tile_sizes [1, 2] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// selective_scan over channels in whole groups: 32 channels = 2 groups of
// 16, so B and C take groups [o / 16, 2).

// CHECK-LABEL: func.func @selective_scan_groups_f32
// CHECK-SAME:    %[[X:[^:]*]]: tensor<2x?x64xf32>, %[[DT:[^:]*]]: tensor<2x?x64xf32>, %[[A:[^:]*]]: tensor<64x16xf32>, %[[B:[^:]*]]: tensor<2x?x4x16xf32>, %[[C:[^:]*]]: tensor<2x?x4x16xf32>, %[[D:[^:]*]]: tensor<64xf32>
// CHECK:         scf.forall (%[[I:.*]]) in (2) shared_outs(%[[Y:.*]] = %{{.*}}, %[[H:.*]] = %{{.*}})
// CHECK-DAG:       %[[CH:.*]] = affine.apply #{{.*}}(%[[I]])
// CHECK-DAG:       %[[GR:.*]] = affine.apply #{{.*}}(%[[I]])
// CHECK:           tensor.extract_slice %[[X]][0, 0, %[[CH]]] [2, %{{.*}}, 32]
// CHECK:           tensor.extract_slice %[[A]][%[[CH]], 0] [32, 16]
// CHECK:           tensor.extract_slice %[[B]][0, 0, %[[GR]], 0] [2, %{{.*}}, 2, 16]
// CHECK:           tensor.extract_slice %[[C]][0, 0, %[[GR]], 0] [2, %{{.*}}, 2, 16]
// CHECK:           tensor.extract_slice %[[D]][%[[CH]]] [32]
// CHECK:           %[[YT:.*]], %[[HT:.*]] = tok.selective_scan {{.*}} : (tensor<2x?x32xf32>, tensor<2x?x32xf32>, tensor<32x16xf32>, tensor<2x?x2x16xf32>, tensor<2x?x2x16xf32>) -> (tensor<2x?x32xf32>, tensor<2x32x16xf32>)
// CHECK:           tensor.parallel_insert_slice %[[YT]] into %[[Y]][0, 0, %[[CH]]] [2, %{{.*}}, 32]
// CHECK:           tensor.parallel_insert_slice %[[HT]] into %[[H]][0, %[[CH]], 0] [2, 32, 16]

func.func @selective_scan_groups_f32(%x: tensor<2x?x64xf32>, %dt: tensor<2x?x64xf32>, %a: tensor<64x16xf32>, %b: tensor<2x?x4x16xf32>, %c: tensor<2x?x4x16xf32>, %d: tensor<64xf32>) -> (tensor<2x?x64xf32>, tensor<2x64x16xf32>) {
  %y, %h = tok.selective_scan %x, %dt, %a, %b, %c D(%d : tensor<64xf32>) : (tensor<2x?x64xf32>, tensor<2x?x64xf32>, tensor<64x16xf32>, tensor<2x?x4x16xf32>, tensor<2x?x4x16xf32>) -> (tensor<2x?x64xf32>, tensor<2x64x16xf32>)
  return %y, %h : tensor<2x?x64xf32>, tensor<2x64x16xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["tok.selective_scan"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %op tile_sizes [0, 32] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// conv1d over batch and channels; time stays whole (the state crosses it).

// CHECK-LABEL: func.func @conv1d_channels_f32
// CHECK-SAME:    %[[X:[^:]*]]: tensor<2x?x256xf32>, %[[W:[^:]*]]: tensor<256x4xf32>, %[[B:[^:]*]]: tensor<256xf32>, %[[S0:[^:]*]]: tensor<2x256x3xf32>
// CHECK:         scf.forall (%[[BI:.*]], %[[CI:.*]]) in (2, 4) shared_outs(%[[Y:.*]] = %{{.*}}, %[[ST:.*]] = %{{.*}})
// CHECK:           %[[C:.*]] = affine.apply #{{.*}}(%[[CI]])
// CHECK:           tensor.extract_slice %[[X]][%[[BI]], 0, %[[C]]] [1, %{{.*}}, 64]
// CHECK:           tensor.extract_slice %[[W]][%[[C]], 0] [64, 4]
// CHECK:           tensor.extract_slice %[[B]][%[[C]]] [64]
// CHECK:           tensor.extract_slice %[[S0]][%[[BI]], %[[C]], 0] [1, 64, 3]
// CHECK:           %[[YT:.*]], %[[STT:.*]] = tok.conv1d {{.*}} {activation = "silu"} : (tensor<1x?x64xf32>, tensor<64x4xf32>) -> (tensor<1x?x64xf32>, tensor<1x64x3xf32>)
// CHECK:           tensor.parallel_insert_slice %[[YT]] into %[[Y]][%[[BI]], 0, %[[C]]] [1, %{{.*}}, 64]
// CHECK:           tensor.parallel_insert_slice %[[STT]] into %[[ST]][%[[BI]], %[[C]], 0] [1, 64, 3]

func.func @conv1d_channels_f32(%x: tensor<2x?x256xf32>, %w: tensor<256x4xf32>, %b: tensor<256xf32>, %s0: tensor<2x256x3xf32>) -> (tensor<2x?x256xf32>, tensor<2x256x3xf32>) {
  %y, %st = tok.conv1d %x, %w bias(%b : tensor<256xf32>) init(%s0 : tensor<2x256x3xf32>) {activation = "silu"} : (tensor<2x?x256xf32>, tensor<256x4xf32>) -> (tensor<2x?x256xf32>, tensor<2x256x3xf32>)
  return %y, %st : tensor<2x?x256xf32>, tensor<2x256x3xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["tok.conv1d"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %op tile_sizes [1, 64] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// The elementwise and row-wise ops: activation over every dim, glu and
// layer_norm over the leading dims, embedding over ids and the width.

// CHECK-LABEL: func.func @rowwise_ops_f32
// CHECK-SAME:    %[[X:[^:]*]]: tensor<2x?x512xf32>, %{{[^:]*}}: tensor<256xf32>, %{{[^:]*}}: tensor<256xf32>, %[[IDS:[^:]*]]: tensor<2x?xi32>, %[[TABLE:[^:]*]]: tensor<1000x256xf32>
// CHECK-NOT:     tok.activation
// CHECK:         scf.forall
// CHECK:           %[[XT:.*]] = tensor.extract_slice %[[X]][%{{.*}}, %{{.*}}, 0] [1, %{{.*}}, 512]
// CHECK:           %[[A:.*]] = tok.activation %[[XT]] {kind = "gelu_tanh"} : (tensor<1x?x512xf32>) -> tensor<1x?x512xf32>
// CHECK:           %[[G:.*]] = tok.glu %[[A]] {activation = "silu"} : (tensor<1x?x512xf32>) -> tensor<1x?x256xf32>
// CHECK:           tok.layer_norm %[[G]], {{.*}} -> tensor<1x?x256xf32>
// CHECK:         scf.forall (%[[B:.*]], %[[EI:.*]]) in (2, 2)
// CHECK:           %[[E:.*]] = affine.apply #{{.*}}(%[[EI]])
// CHECK:           %[[IT:.*]] = tensor.extract_slice %[[IDS]][%[[B]], 0] [1, %{{.*}}]
// CHECK:           %[[TT:.*]] = tensor.extract_slice %[[TABLE]][0, %[[E]]] [1000, 128]
// CHECK:           tok.embedding %[[IT]], %[[TT]] : (tensor<1x?xi32>, tensor<1000x128xf32>) -> tensor<1x?x128xf32>

func.func @rowwise_ops_f32(%x: tensor<2x?x512xf32>, %w: tensor<256xf32>, %b: tensor<256xf32>, %ids: tensor<2x?xi32>, %table: tensor<1000x256xf32>) -> (tensor<2x?x256xf32>, tensor<2x?x256xf32>) {
  %a = tok.activation %x {kind = "gelu_tanh"} : (tensor<2x?x512xf32>) -> tensor<2x?x512xf32>
  %g = tok.glu %a {activation = "silu"} : (tensor<2x?x512xf32>) -> tensor<2x?x256xf32>
  %n = tok.layer_norm %g, %w, %b : (tensor<2x?x256xf32>, tensor<256xf32>, tensor<256xf32>) -> tensor<2x?x256xf32>
  %e = tok.embedding %ids, %table : (tensor<2x?xi32>, tensor<1000x256xf32>) -> tensor<2x?x256xf32>
  return %n, %e : tensor<2x?x256xf32>, tensor<2x?x256xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %norm = transform.structured.match ops{["tok.layer_norm"]} in %root : (!transform.any_op) -> !transform.any_op
    %glu = transform.structured.match ops{["tok.glu"]} in %root : (!transform.any_op) -> !transform.any_op
    %act = transform.structured.match ops{["tok.activation"]} in %root : (!transform.any_op) -> !transform.any_op
    %emb = transform.structured.match ops{["tok.embedding"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %norm tile_sizes [1, 8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %f1, %loop1 = transform.structured.fuse_into_containing_op %glu into %loop : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    %f2, %loop2 = transform.structured.fuse_into_containing_op %act into %loop1 : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    %t2, %eloop = transform.structured.tile_using_forall %emb tile_sizes [1, 0, 128] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// lse_merge over its rows, pool2d over batch and channels, assoc_scan over
// every dim but the scanned one.

// CHECK-LABEL: func.func @merge_pool_scan_f32
// CHECK-SAME:    %[[O1:[^:]*]]: tensor<1x8x?x64xf32>, %[[L1:[^:]*]]: tensor<1x8x?xf32>, %{{[^:]*}}: tensor<1x8x?x64xf32>, %{{[^:]*}}: tensor<1x8x?xf32>, %[[P:[^:]*]]: tensor<1x56x56x64xf32>, %[[S:[^:]*]]: tensor<2x?x8xf32>
// CHECK:         scf.forall
// CHECK:           tensor.extract_slice %[[O1]][0, %[[H:.*]], %[[R:.*]], 0] [1, 2, %[[N:.*]], 64]
// CHECK:           tensor.extract_slice %[[L1]][0, %[[H]], %[[R]]] [1, 2, %[[N]]]
// CHECK:           tok.lse_merge {{.*}} -> (tensor<1x2x?x64xf32>, tensor<1x2x?xf32>)
// CHECK:         scf.forall (%[[CI:.*]]) in (4)
// CHECK:           %[[C:.*]] = affine.apply #{{.*}}(%[[CI]])
// CHECK:           %[[PT:.*]] = tensor.extract_slice %[[P]][0, 0, 0, %[[C]]] [1, 56, 56, 16]
// CHECK:           tok.pool2d %[[PT]] {kernel = 3 : i64, subtract_input} : (tensor<1x56x56x16xf32>) -> tensor<1x56x56x16xf32>
// CHECK:         scf.forall (%[[B:.*]], %[[FI:.*]]) in (2, 2)
// CHECK:           %[[F:.*]] = affine.apply #{{.*}}(%[[FI]])
// CHECK:           %[[ST:.*]] = tensor.extract_slice %[[S]][%[[B]], 0, %[[F]]] [1, %{{.*}}, 4]
// CHECK:           tok.assoc_scan %[[ST]] {dim = 1 : i64} : (tensor<1x?x4xf32>) -> tensor<1x?x4xf32> combine

func.func @merge_pool_scan_f32(%o1: tensor<1x8x?x64xf32>, %l1: tensor<1x8x?xf32>, %o2: tensor<1x8x?x64xf32>, %l2: tensor<1x8x?xf32>, %p: tensor<1x56x56x64xf32>, %s: tensor<2x?x8xf32>) -> (tensor<1x8x?x64xf32>, tensor<1x8x?xf32>, tensor<1x56x56x64xf32>, tensor<2x?x8xf32>) {
  %o, %l = tok.lse_merge %o1, %l1, %o2, %l2 : (tensor<1x8x?x64xf32>, tensor<1x8x?xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?xf32>) -> (tensor<1x8x?x64xf32>, tensor<1x8x?xf32>)
  %q = tok.pool2d %p {kernel = 3 : i64, subtract_input} : (tensor<1x56x56x64xf32>) -> tensor<1x56x56x64xf32>
  %c = tok.assoc_scan %s {dim = 1 : i64} : (tensor<2x?x8xf32>) -> tensor<2x?x8xf32> combine {
  ^bb0(%a0: f32, %a1: f32):
    %r = arith.addf %a0, %a1 : f32
    tok.yield %r : f32
  }
  return %o, %l, %q, %c : tensor<1x8x?x64xf32>, tensor<1x8x?xf32>, tensor<1x56x56x64xf32>, tensor<2x?x8xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %merge = transform.structured.match ops{["tok.lse_merge"]} in %root : (!transform.any_op) -> !transform.any_op
    %pool = transform.structured.match ops{["tok.pool2d"]} in %root : (!transform.any_op) -> !transform.any_op
    %scan = transform.structured.match ops{["tok.assoc_scan"]} in %root : (!transform.any_op) -> !transform.any_op
    %t0, %l0 = transform.structured.tile_using_forall %merge tile_sizes [0, 2, 32] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %t1, %l1 = transform.structured.tile_using_forall %pool tile_sizes [1, 16] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %t2, %l2 = transform.structured.tile_using_forall %scan tile_sizes [1, 4] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Packed (seq_starts) attention tiles heads only; its rows stay whole even
// when their count is read through the rope that produces the query.
// CHECK-LABEL: func.func @rope_attention_varlen_heads_f32
// CHECK-SAME:    %[[Q:[^:]*]]: tensor<1x4x?x64xf32>, %[[K:[^:]*]]: tensor<1x4x?x64xf32>, %[[V:[^:]*]]: tensor<1x4x?x64xf32>, %[[POS:[^:]*]]: tensor<1x?xi32>, %[[CU:[^:]*]]: tensor<3xi32>
// CHECK:         scf.forall (%[[H:.*]]) in (4)
// CHECK:           %[[QT:.*]] = tensor.extract_slice %[[Q]][0, %[[H]], 0, 0] [1, 1, %{{.*}}, 64]
// CHECK:           %[[PT:.*]] = tensor.extract_slice %[[POS]][0, 0] [1, %{{.*}}]
// CHECK:           %[[QR:.*]] = tok.rope %[[QT]], %[[PT]]
// CHECK:           %[[KT:.*]] = tensor.extract_slice %[[K]][0, %[[H]], 0, 0] [1, 1, %{{.*}}, 64]
// CHECK:           tok.attention %[[QR]], %[[KT]], %{{.*}} seq_starts(%[[CU]] : tensor<3xi32>) {causal} : (tensor<1x1x?x64xf32>, tensor<1x1x?x64xf32>, tensor<1x1x?x64xf32>) -> tensor<1x1x?x64xf32>
func.func @rope_attention_varlen_heads_f32(%q: tensor<1x4x?x64xf32>, %k: tensor<1x4x?x64xf32>, %v: tensor<1x4x?x64xf32>, %pos: tensor<1x?xi32>, %cu: tensor<3xi32>) -> tensor<1x4x?x64xf32> {
  %qr = tok.rope %q, %pos : (tensor<1x4x?x64xf32>, tensor<1x?xi32>) -> tensor<1x4x?x64xf32>
  %o = tok.attention %qr, %k, %v seq_starts(%cu : tensor<3xi32>) {causal} : (tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>) -> tensor<1x4x?x64xf32>
  return %o : tensor<1x4x?x64xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %attn = transform.structured.match ops{["tok.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %rope = transform.structured.match ops{["tok.rope"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %attn tile_sizes [0, 1] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %fused, %loop2 = transform.structured.fuse_into_containing_op %rope into %loop : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Paged stats per query head follow the batch and head tiles (every cache
// row): the stats tile is [1, 4, MaxBlocks * BlockSize] at (b, h, 0).

// CHECK-LABEL: func.func @paged_attention_stats_per_query_head_tiles_f32
// CHECK:         scf.forall (%[[B:.*]], %[[G:.*]]) in (2, 2) shared_outs(%[[OUT:.*]] = %{{.*}}, %[[ST:.*]] = %{{.*}})
// CHECK:           %[[H:.*]] = affine.apply #{{.*}}(%[[G]])
// CHECK:           %{{.*}}, %[[S:.*]] = tok.paged_attention %{{.*}} {stats_per_query_head} : (tensor<1x4x1x64xf32>, tensor<64x16x1x64xf32>, tensor<64x16x1x64xf32>, tensor<1x8xi32>, tensor<1xi32>) -> (tensor<1x4x1x64xf32>, stats tensor<1x4x128xf32>)
// CHECK:           tensor.parallel_insert_slice %[[S]] into %[[ST]][%[[B]], %[[H]], 0] [1, 4, 128]

func.func @paged_attention_stats_per_query_head_tiles_f32(%q: tensor<2x8x1x64xf32>, %kc: tensor<64x16x2x64xf32>, %vc: tensor<64x16x2x64xf32>, %table: tensor<2x8xi32>, %lens: tensor<2xi32>) -> (tensor<2x8x1x64xf32>, tensor<2x8x128xf32>) {
  %o, %s = tok.paged_attention %q, %kc, %vc, %table, %lens {stats_per_query_head} : (tensor<2x8x1x64xf32>, tensor<64x16x2x64xf32>, tensor<64x16x2x64xf32>, tensor<2x8xi32>, tensor<2xi32>) -> (tensor<2x8x1x64xf32>, stats tensor<2x8x128xf32>)
  return %o, %s : tensor<2x8x1x64xf32>, tensor<2x8x128xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["tok.paged_attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %op tile_sizes [1, 4] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
