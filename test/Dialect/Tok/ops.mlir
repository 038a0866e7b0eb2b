// RUN: tokamak-opt %s | tokamak-opt | FileCheck %s
// RUN: tokamak-opt %s --mlir-print-op-generic | tokamak-opt | FileCheck %s

// Round trip of every tok op and every optional form: each optional operand
// group alone and together, optional results, score_mod and combine regions,
// dynamic dims, f32/f16/bf16, and the spelled examples of DESIGN §4 (with
// their types filled in). The ```mlir examples in TokOps.td are copied
// verbatim from the `*_doc_example_*` and `*_design_example_*` cases below.

//===----------------------------------------------------------------------===//
// tok.attention
//===----------------------------------------------------------------------===//

// Multi-head attention without options.
// CHECK-LABEL: func.func @attention_mha_f32(
// CHECK-SAME:    %[[QUERY:.*]]: tensor<2x8x16x64xf32>, %[[KEY:.*]]: tensor<2x8x16x64xf32>, %[[VALUE:.*]]: tensor<2x8x16x64xf32>) -> tensor<2x8x16x64xf32>
// CHECK:         %[[OUT:.*]] = tok.attention %[[QUERY]], %[[KEY]], %[[VALUE]] : (tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>) -> tensor<2x8x16x64xf32>
// CHECK:         return %[[OUT]] : tensor<2x8x16x64xf32>
func.func @attention_mha_f32(%query: tensor<2x8x16x64xf32>, %key: tensor<2x8x16x64xf32>, %value: tensor<2x8x16x64xf32>) -> tensor<2x8x16x64xf32> {
  %out = tok.attention %query, %key, %value : (tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>) -> tensor<2x8x16x64xf32>
  return %out : tensor<2x8x16x64xf32>
}

// Causal grouped-query attention with dynamic sequence lengths.
// CHECK-LABEL: func.func @attention_causal_gqa_f16(
// CHECK-SAME:    %[[QUERY:.*]]: tensor<1x8x?x64xf16>, %[[KEY:.*]]: tensor<1x2x?x64xf16>, %[[VALUE:.*]]: tensor<1x2x?x64xf16>) -> tensor<1x8x?x64xf16>
// CHECK:         %[[OUT:.*]] = tok.attention %[[QUERY]], %[[KEY]], %[[VALUE]] {causal} : (tensor<1x8x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>) -> tensor<1x8x?x64xf16>
// CHECK:         return %[[OUT]] : tensor<1x8x?x64xf16>
func.func @attention_causal_gqa_f16(%query: tensor<1x8x?x64xf16>, %key: tensor<1x2x?x64xf16>, %value: tensor<1x2x?x64xf16>) -> tensor<1x8x?x64xf16> {
  %out = tok.attention %query, %key, %value {causal} : (tensor<1x8x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>) -> tensor<1x8x?x64xf16>
  return %out : tensor<1x8x?x64xf16>
}

// Multi-query decode step (one kv head, one query) in bf16.
// CHECK-LABEL: func.func @attention_mqa_decode_bf16(
// CHECK-SAME:    %[[QUERY:.*]]: tensor<4x16x1x128xbf16>, %[[KEY:.*]]: tensor<4x1x?x128xbf16>, %[[VALUE:.*]]: tensor<4x1x?x128xbf16>) -> tensor<4x16x1x128xbf16>
// CHECK:         %[[OUT:.*]] = tok.attention %[[QUERY]], %[[KEY]], %[[VALUE]] {causal} : (tensor<4x16x1x128xbf16>, tensor<4x1x?x128xbf16>, tensor<4x1x?x128xbf16>) -> tensor<4x16x1x128xbf16>
// CHECK:         return %[[OUT]] : tensor<4x16x1x128xbf16>
func.func @attention_mqa_decode_bf16(%query: tensor<4x16x1x128xbf16>, %key: tensor<4x1x?x128xbf16>, %value: tensor<4x1x?x128xbf16>) -> tensor<4x16x1x128xbf16> {
  %out = tok.attention %query, %key, %value {causal} : (tensor<4x16x1x128xbf16>, tensor<4x1x?x128xbf16>, tensor<4x1x?x128xbf16>) -> tensor<4x16x1x128xbf16>
  return %out : tensor<4x16x1x128xbf16>
}

// Every dim dynamic, value head dim different from the query/key head dim.
// CHECK-LABEL: func.func @attention_dynamic_dv_f32(
// CHECK-SAME:    %[[QUERY:.*]]: tensor<?x?x?x?xf32>, %[[KEY:.*]]: tensor<?x?x?x?xf32>, %[[VALUE:.*]]: tensor<?x?x?x32xf32>) -> tensor<?x?x?x32xf32>
// CHECK:         %[[OUT:.*]] = tok.attention %[[QUERY]], %[[KEY]], %[[VALUE]] : (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x32xf32>) -> tensor<?x?x?x32xf32>
// CHECK:         return %[[OUT]] : tensor<?x?x?x32xf32>
func.func @attention_dynamic_dv_f32(%query: tensor<?x?x?x?xf32>, %key: tensor<?x?x?x?xf32>, %value: tensor<?x?x?x32xf32>) -> tensor<?x?x?x32xf32> {
  %out = tok.attention %query, %key, %value : (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x32xf32>) -> tensor<?x?x?x32xf32>
  return %out : tensor<?x?x?x32xf32>
}

// The first example of DESIGN 4.1: window, sinks, scale and softcap.
// CHECK-LABEL: func.func @attention_design_window_sinks_f16(
// CHECK-SAME:    %[[Q:.*]]: tensor<1x8x?x64xf16>, %[[K:.*]]: tensor<1x2x?x64xf16>, %[[V:.*]]: tensor<1x2x?x64xf16>) -> tensor<1x8x?x64xf16>
// CHECK:         %[[O:.*]] = tok.attention %[[Q]], %[[K]], %[[V]] {causal, scale = 1.250000e-01 : f32, sinks = 4 : i64, softcap = 5.000000e+01 : f32, window = 256 : i64} : (tensor<1x8x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>) -> tensor<1x8x?x64xf16>
// CHECK:         return %[[O]] : tensor<1x8x?x64xf16>
func.func @attention_design_window_sinks_f16(%q: tensor<1x8x?x64xf16>, %k: tensor<1x2x?x64xf16>, %v: tensor<1x2x?x64xf16>) -> tensor<1x8x?x64xf16> {
  %o = tok.attention %q, %k, %v {causal, window = 256 : i64, sinks = 4 : i64,
         scale = 0.125 : f32, softcap = 50.0 : f32}
       : (tensor<1x8x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>) -> tensor<1x8x?x64xf16>
  return %o : tensor<1x8x?x64xf16>
}

// The example of the tok.attention description (printed form).
// CHECK-LABEL: func.func @attention_doc_example_f16(
// CHECK-SAME:    %[[Q:.*]]: tensor<1x8x?x64xf16>, %[[K:.*]]: tensor<1x2x?x64xf16>, %[[V:.*]]: tensor<1x2x?x64xf16>) -> tensor<1x8x?x64xf16>
// CHECK:         %[[O:.*]] = tok.attention %[[Q]], %[[K]], %[[V]] {causal, scale = 1.250000e-01 : f32, sinks = 4 : i64, softcap = 5.000000e+01 : f32, window = 256 : i64} : (tensor<1x8x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>) -> tensor<1x8x?x64xf16>
// CHECK:         return %[[O]] : tensor<1x8x?x64xf16>
func.func @attention_doc_example_f16(%q: tensor<1x8x?x64xf16>, %k: tensor<1x2x?x64xf16>, %v: tensor<1x2x?x64xf16>) -> tensor<1x8x?x64xf16> {
  %o = tok.attention %q, %k, %v {causal, scale = 1.250000e-01 : f32, sinks = 4 : i64, softcap = 5.000000e+01 : f32, window = 256 : i64} : (tensor<1x8x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>) -> tensor<1x8x?x64xf16>
  return %o : tensor<1x8x?x64xf16>
}

// The second example of DESIGN 4.1: bias and the lse result.
// CHECK-LABEL: func.func @attention_design_bias_lse_f32(
// CHECK-SAME:    %[[Q:.*]]: tensor<1x8x128x64xf32>, %[[K:.*]]: tensor<1x8x128x64xf32>, %[[V:.*]]: tensor<1x8x128x64xf32>, %[[B:.*]]: tensor<1x8x128x128xf32>) -> (tensor<1x8x128x64xf32>, tensor<1x8x128xf32>)
// CHECK:         %[[O2:.*]], %[[LSE:.*]] = tok.attention %[[Q]], %[[K]], %[[V]] bias(%[[B]] : tensor<1x8x128x128xf32>) : (tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>) -> (tensor<1x8x128x64xf32>, tensor<1x8x128xf32>)
// CHECK:         return %[[O2]], %[[LSE]] : tensor<1x8x128x64xf32>, tensor<1x8x128xf32>
func.func @attention_design_bias_lse_f32(%q: tensor<1x8x128x64xf32>, %k: tensor<1x8x128x64xf32>, %v: tensor<1x8x128x64xf32>, %b: tensor<1x8x128x128xf32>) -> (tensor<1x8x128x64xf32>, tensor<1x8x128xf32>) {
  %o2, %lse = tok.attention %q, %k, %v bias(%b : tensor<1x8x128x128xf32>)
       : (tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>)
       -> (tensor<1x8x128x64xf32>, tensor<1x8x128xf32>)
  return %o2, %lse : tensor<1x8x128x64xf32>, tensor<1x8x128xf32>
}

// The stats example of the tok.attention description (printed form):
// probability column sums of the last 32 rows, summed per kv head.
// CHECK-LABEL: func.func @attention_stats_doc_example_f16(
// CHECK-SAME:    %[[Q:.*]]: tensor<1x8x?x64xf16>, %[[K:.*]]: tensor<1x2x?x64xf16>, %[[V:.*]]: tensor<1x2x?x64xf16>) -> (tensor<1x8x?x64xf16>, tensor<1x2x?xf32>)
// CHECK:         %[[O:.*]], %[[S:.*]] = tok.attention %[[Q]], %[[K]], %[[V]] {causal, stats_window = 32 : i64} : (tensor<1x8x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>) -> (tensor<1x8x?x64xf16>, stats tensor<1x2x?xf32>)
// CHECK:         return %[[O]], %[[S]] : tensor<1x8x?x64xf16>, tensor<1x2x?xf32>
func.func @attention_stats_doc_example_f16(%q: tensor<1x8x?x64xf16>, %k: tensor<1x2x?x64xf16>, %v: tensor<1x2x?x64xf16>) -> (tensor<1x8x?x64xf16>, tensor<1x2x?xf32>) {
  %o2, %s = tok.attention %q, %k, %v {causal, stats_window = 32 : i64} : (tensor<1x8x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>) -> (tensor<1x8x?x64xf16>, stats tensor<1x2x?xf32>)
  return %o2, %s : tensor<1x8x?x64xf16>, tensor<1x2x?xf32>
}

// lse and stats per query head (no window: every row), with a score_mod
// after the result list.
// CHECK-LABEL: func.func @attention_lse_stats_per_query_head_f32(
// CHECK:         %{{.*}}, %{{.*}}, %{{.*}} = tok.attention %{{.*}}, %{{.*}}, %{{.*}} {stats_per_query_head} : (tensor<2x4x3x16xf32>, tensor<2x2x40x16xf32>, tensor<2x2x40x16xf32>) -> (tensor<2x4x3x16xf32>, tensor<2x4x3xf32>, stats tensor<2x4x40xf32>) score_mod {
// CHECK:           tok.yield
func.func @attention_lse_stats_per_query_head_f32(%q: tensor<2x4x3x16xf32>, %k: tensor<2x2x40x16xf32>, %v: tensor<2x2x40x16xf32>) -> (tensor<2x4x3x16xf32>, tensor<2x4x3xf32>, tensor<2x4x40xf32>) {
  %o, %lse, %s = tok.attention %q, %k, %v {stats_per_query_head} : (tensor<2x4x3x16xf32>, tensor<2x2x40x16xf32>, tensor<2x2x40x16xf32>) -> (tensor<2x4x3x16xf32>, tensor<2x4x3xf32>, stats tensor<2x4x40xf32>) score_mod {
  ^bb0(%sc: f32, %b: index, %h: index, %i: index, %j: index):
    tok.yield %sc : f32
  }
  return %o, %lse, %s : tensor<2x4x3x16xf32>, tensor<2x4x3xf32>, tensor<2x4x40xf32>
}

// Stats of packed sequences (each key counts the last rows of its sequence).
// CHECK-LABEL: func.func @attention_stats_seq_starts_bf16(
// CHECK:         %{{.*}}, %{{.*}} = tok.attention %{{.*}}, %{{.*}}, %{{.*}} seq_starts(%{{.*}} : tensor<4xi32>) {causal, stats_window = 16 : i64} : (tensor<1x8x?x64xbf16>, tensor<1x2x?x64xbf16>, tensor<1x2x?x64xbf16>) -> (tensor<1x8x?x64xbf16>, stats tensor<1x2x?xf32>)
func.func @attention_stats_seq_starts_bf16(%q: tensor<1x8x?x64xbf16>, %k: tensor<1x2x?x64xbf16>, %v: tensor<1x2x?x64xbf16>, %cu: tensor<4xi32>) -> (tensor<1x8x?x64xbf16>, tensor<1x2x?xf32>) {
  %o, %s = tok.attention %q, %k, %v seq_starts(%cu : tensor<4xi32>) {causal, stats_window = 16 : i64} : (tensor<1x8x?x64xbf16>, tensor<1x2x?x64xbf16>, tensor<1x2x?x64xbf16>) -> (tensor<1x8x?x64xbf16>, stats tensor<1x2x?xf32>)
  return %o, %s : tensor<1x8x?x64xbf16>, tensor<1x2x?xf32>
}

// A bias alone, broadcast from [Sq, Skv] (f32 bias on f16 activations).
// CHECK-LABEL: func.func @attention_bias_broadcast_f16(
// CHECK-SAME:    %[[QUERY:.*]]: tensor<2x8x16x64xf16>, %[[KEY:.*]]: tensor<2x8x32x64xf16>, %[[VALUE:.*]]: tensor<2x8x32x64xf16>, %[[BIAS:.*]]: tensor<16x32xf32>) -> tensor<2x8x16x64xf16>
// CHECK:         %[[OUT:.*]] = tok.attention %[[QUERY]], %[[KEY]], %[[VALUE]] bias(%[[BIAS]] : tensor<16x32xf32>) : (tensor<2x8x16x64xf16>, tensor<2x8x32x64xf16>, tensor<2x8x32x64xf16>) -> tensor<2x8x16x64xf16>
// CHECK:         return %[[OUT]] : tensor<2x8x16x64xf16>
func.func @attention_bias_broadcast_f16(%query: tensor<2x8x16x64xf16>, %key: tensor<2x8x32x64xf16>, %value: tensor<2x8x32x64xf16>, %bias: tensor<16x32xf32>) -> tensor<2x8x16x64xf16> {
  %out = tok.attention %query, %key, %value bias(%bias : tensor<16x32xf32>) : (tensor<2x8x16x64xf16>, tensor<2x8x32x64xf16>, tensor<2x8x32x64xf16>) -> tensor<2x8x16x64xf16>
  return %out : tensor<2x8x16x64xf16>
}

// A rank-4 bias with size-1 batch and head dims (ALiBi-style per-position).
// CHECK-LABEL: func.func @attention_bias_rank4_bf16(
// CHECK-SAME:    %[[QUERY:.*]]: tensor<2x8x16x64xbf16>, %[[KEY:.*]]: tensor<2x8x16x64xbf16>, %[[VALUE:.*]]: tensor<2x8x16x64xbf16>, %[[BIAS:.*]]: tensor<1x1x16x16xbf16>) -> tensor<2x8x16x64xbf16>
// CHECK:         %[[OUT:.*]] = tok.attention %[[QUERY]], %[[KEY]], %[[VALUE]] bias(%[[BIAS]] : tensor<1x1x16x16xbf16>) {causal} : (tensor<2x8x16x64xbf16>, tensor<2x8x16x64xbf16>, tensor<2x8x16x64xbf16>) -> tensor<2x8x16x64xbf16>
// CHECK:         return %[[OUT]] : tensor<2x8x16x64xbf16>
func.func @attention_bias_rank4_bf16(%query: tensor<2x8x16x64xbf16>, %key: tensor<2x8x16x64xbf16>, %value: tensor<2x8x16x64xbf16>, %bias: tensor<1x1x16x16xbf16>) -> tensor<2x8x16x64xbf16> {
  %out = tok.attention %query, %key, %value bias(%bias : tensor<1x1x16x16xbf16>) {causal} : (tensor<2x8x16x64xbf16>, tensor<2x8x16x64xbf16>, tensor<2x8x16x64xbf16>) -> tensor<2x8x16x64xbf16>
  return %out : tensor<2x8x16x64xbf16>
}

// The lse result alone (split-KV partial).
// CHECK-LABEL: func.func @attention_lse_f16(
// CHECK-SAME:    %[[QUERY:.*]]: tensor<1x8x1x64xf16>, %[[KEY:.*]]: tensor<1x8x?x64xf16>, %[[VALUE:.*]]: tensor<1x8x?x64xf16>) -> (tensor<1x8x1x64xf16>, tensor<1x8x1xf32>)
// CHECK:         %[[OUT:.*]], %[[LSE:.*]] = tok.attention %[[QUERY]], %[[KEY]], %[[VALUE]] : (tensor<1x8x1x64xf16>, tensor<1x8x?x64xf16>, tensor<1x8x?x64xf16>) -> (tensor<1x8x1x64xf16>, tensor<1x8x1xf32>)
// CHECK:         return %[[OUT]], %[[LSE]] : tensor<1x8x1x64xf16>, tensor<1x8x1xf32>
func.func @attention_lse_f16(%query: tensor<1x8x1x64xf16>, %key: tensor<1x8x?x64xf16>, %value: tensor<1x8x?x64xf16>) -> (tensor<1x8x1x64xf16>, tensor<1x8x1xf32>) {
  %out, %lse = tok.attention %query, %key, %value : (tensor<1x8x1x64xf16>, tensor<1x8x?x64xf16>, tensor<1x8x?x64xf16>) -> (tensor<1x8x1x64xf16>, tensor<1x8x1xf32>)
  return %out, %lse : tensor<1x8x1x64xf16>, tensor<1x8x1xf32>
}

// The third example of DESIGN 4.1: packed variable-length sequences.
// CHECK-LABEL: func.func @attention_design_seq_starts_f32(
// CHECK-SAME:    %[[Q:.*]]: tensor<1x8x?x64xf32>, %[[K:.*]]: tensor<1x8x?x64xf32>, %[[V:.*]]: tensor<1x8x?x64xf32>, %[[CU:.*]]: tensor<5xi32>) -> tensor<1x8x?x64xf32>
// CHECK:         %[[O3:.*]] = tok.attention %[[Q]], %[[K]], %[[V]] seq_starts(%[[CU]] : tensor<5xi32>) {causal} : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32>
// CHECK:         return %[[O3]] : tensor<1x8x?x64xf32>
func.func @attention_design_seq_starts_f32(%q: tensor<1x8x?x64xf32>, %k: tensor<1x8x?x64xf32>, %v: tensor<1x8x?x64xf32>, %cu: tensor<5xi32>) -> tensor<1x8x?x64xf32> {
  %o3 = tok.attention %q, %k, %v seq_starts(%cu : tensor<5xi32>) {causal} : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32>
  return %o3 : tensor<1x8x?x64xf32>
}

// Bias, seq_starts, lse and every attribute together.
// CHECK-LABEL: func.func @attention_bias_seq_starts_lse_f32(
// CHECK-SAME:    %[[QUERY:.*]]: tensor<1x4x?x32xf32>, %[[KEY:.*]]: tensor<1x2x?x32xf32>, %[[VALUE:.*]]: tensor<1x2x?x32xf32>, %[[BIAS:.*]]: tensor<4x1x1xf32>, %[[SEQ_STARTS:.*]]: tensor<?xi32>) -> (tensor<1x4x?x32xf32>, tensor<1x4x?xf32>)
// CHECK:         %[[OUT:.*]], %[[LSE:.*]] = tok.attention %[[QUERY]], %[[KEY]], %[[VALUE]] bias(%[[BIAS]] : tensor<4x1x1xf32>) seq_starts(%[[SEQ_STARTS]] : tensor<?xi32>) {causal, scale = -2.500000e-01 : f32, sinks = 0 : i64, softcap = 3.000000e+01 : f32, window = 1 : i64} : (tensor<1x4x?x32xf32>, tensor<1x2x?x32xf32>, tensor<1x2x?x32xf32>) -> (tensor<1x4x?x32xf32>, tensor<1x4x?xf32>)
// CHECK:         return %[[OUT]], %[[LSE]] : tensor<1x4x?x32xf32>, tensor<1x4x?xf32>
func.func @attention_bias_seq_starts_lse_f32(%query: tensor<1x4x?x32xf32>, %key: tensor<1x2x?x32xf32>, %value: tensor<1x2x?x32xf32>, %bias: tensor<4x1x1xf32>, %seq_starts: tensor<?xi32>) -> (tensor<1x4x?x32xf32>, tensor<1x4x?xf32>) {
  %out, %lse = tok.attention %query, %key, %value bias(%bias : tensor<4x1x1xf32>) seq_starts(%seq_starts : tensor<?xi32>) {causal, scale = -2.500000e-01 : f32, sinks = 0 : i64, softcap = 3.000000e+01 : f32, window = 1 : i64} : (tensor<1x4x?x32xf32>, tensor<1x2x?x32xf32>, tensor<1x2x?x32xf32>) -> (tensor<1x4x?x32xf32>, tensor<1x4x?xf32>)
  return %out, %lse : tensor<1x4x?x32xf32>, tensor<1x4x?xf32>
}

// The block-sparsity example of TokOps.td: per-query-block key block lists
// with counts.
// CHECK-LABEL: func.func @attention_doc_example_block_sparse_f32(
// CHECK-SAME:    %[[Q:.*]]: tensor<1x8x256x64xf32>, %[[K:.*]]: tensor<1x2x256x64xf32>, %[[V:.*]]: tensor<1x2x256x64xf32>, %[[IDX:.*]]: tensor<1x2x4x2xi32>, %[[CNT:.*]]: tensor<1x2x4xi32>) -> tensor<1x8x256x64xf32>
// CHECK:         %[[O:.*]] = tok.attention %[[Q]], %[[K]], %[[V]] block_indices(%[[IDX]] : tensor<1x2x4x2xi32>) block_counts(%[[CNT]] : tensor<1x2x4xi32>) {block_k = 64 : i64, block_q = 64 : i64, causal} : (tensor<1x8x256x64xf32>, tensor<1x2x256x64xf32>, tensor<1x2x256x64xf32>) -> tensor<1x8x256x64xf32>
// CHECK:         return %[[O]] : tensor<1x8x256x64xf32>
func.func @attention_doc_example_block_sparse_f32(%q: tensor<1x8x256x64xf32>, %k: tensor<1x2x256x64xf32>, %v: tensor<1x2x256x64xf32>, %idx: tensor<1x2x4x2xi32>, %cnt: tensor<1x2x4xi32>) -> tensor<1x8x256x64xf32> {
  %o = tok.attention %q, %k, %v block_indices(%idx : tensor<1x2x4x2xi32>) block_counts(%cnt : tensor<1x2x4xi32>) {block_k = 64 : i64, block_q = 64 : i64, causal} : (tensor<1x8x256x64xf32>, tensor<1x2x256x64xf32>, tensor<1x2x256x64xf32>) -> tensor<1x8x256x64xf32>
  return %o : tensor<1x8x256x64xf32>
}

// Block lists without counts, with bias, seq_starts, lse and dynamic dims.
// CHECK-LABEL: func.func @attention_block_indices_seq_starts_lse_f16(
// CHECK-SAME:    %[[QUERY:.*]]: tensor<1x4x?x32xf16>, %[[KEY:.*]]: tensor<1x2x?x32xf16>, %[[VALUE:.*]]: tensor<1x2x?x32xf16>, %[[BIAS:.*]]: tensor<?xf32>, %[[SEQ_STARTS:.*]]: tensor<?xi32>, %[[INDICES:.*]]: tensor<1x2x?x?xi32>) -> (tensor<1x4x?x32xf16>, tensor<1x4x?xf32>)
// CHECK:         %[[OUT:.*]], %[[LSE:.*]] = tok.attention %[[QUERY]], %[[KEY]], %[[VALUE]] bias(%[[BIAS]] : tensor<?xf32>) seq_starts(%[[SEQ_STARTS]] : tensor<?xi32>) block_indices(%[[INDICES]] : tensor<1x2x?x?xi32>) {block_k = 32 : i64, block_q = 16 : i64} : (tensor<1x4x?x32xf16>, tensor<1x2x?x32xf16>, tensor<1x2x?x32xf16>) -> (tensor<1x4x?x32xf16>, tensor<1x4x?xf32>)
// CHECK:         return %[[OUT]], %[[LSE]] : tensor<1x4x?x32xf16>, tensor<1x4x?xf32>
func.func @attention_block_indices_seq_starts_lse_f16(%query: tensor<1x4x?x32xf16>, %key: tensor<1x2x?x32xf16>, %value: tensor<1x2x?x32xf16>, %bias: tensor<?xf32>, %seq_starts: tensor<?xi32>, %indices: tensor<1x2x?x?xi32>) -> (tensor<1x4x?x32xf16>, tensor<1x4x?xf32>) {
  %out, %lse = tok.attention %query, %key, %value bias(%bias : tensor<?xf32>) seq_starts(%seq_starts : tensor<?xi32>) block_indices(%indices : tensor<1x2x?x?xi32>) {block_k = 32 : i64, block_q = 16 : i64} : (tensor<1x4x?x32xf16>, tensor<1x2x?x32xf16>, tensor<1x2x?x32xf16>) -> (tensor<1x4x?x32xf16>, tensor<1x4x?xf32>)
  return %out, %lse : tensor<1x4x?x32xf16>, tensor<1x4x?xf32>
}

// The fourth example of DESIGN 4.1: a score_mod region (ALiBi-like slope).
// CHECK-LABEL: func.func @attention_design_score_mod_f32(
// CHECK-SAME:    %[[Q:.*]]: tensor<1x8x?x64xf32>, %[[K:.*]]: tensor<1x8x?x64xf32>, %[[V:.*]]: tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32>
// CHECK:         %[[O4:.*]] = tok.attention %[[Q]], %[[K]], %[[V]] {causal} : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32> score_mod {
// CHECK:         ^bb0(%[[S:.*]]: f32, %[[B:.*]]: index, %[[H:.*]]: index, %[[I:.*]]: index, %[[J:.*]]: index):
// CHECK:         %[[D:.*]] = arith.subi %[[J]], %[[I]] : index
// CHECK:         %[[DI:.*]] = arith.index_cast %[[D]] : index to i64
// CHECK:         %[[DF:.*]] = arith.sitofp %[[DI]] : i64 to f32
// CHECK:         %[[R:.*]] = arith.addf %[[S]], %[[DF]] : f32
// CHECK:         tok.yield %[[R]] : f32
// CHECK:         return %[[O4]] : tensor<1x8x?x64xf32>
func.func @attention_design_score_mod_f32(%q: tensor<1x8x?x64xf32>, %k: tensor<1x8x?x64xf32>, %v: tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32> {
  %o4 = tok.attention %q, %k, %v {causal} : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32> score_mod {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %d = arith.subi %j, %i : index
    %di = arith.index_cast %d : index to i64
    %df = arith.sitofp %di : i64 to f32
    %r = arith.addf %s, %df : f32
    tok.yield %r : f32
  }
  return %o4 : tensor<1x8x?x64xf32>
}

// score_mod with bias, seq_starts, lse and attributes together.
// CHECK-LABEL: func.func @attention_score_mod_all_f16(
// CHECK-SAME:    %[[QUERY:.*]]: tensor<1x8x?x64xf16>, %[[KEY:.*]]: tensor<1x4x?x64xf16>, %[[VALUE:.*]]: tensor<1x4x?x64xf16>, %[[BIAS:.*]]: tensor<1x8x?x?xf16>, %[[SEQ_STARTS:.*]]: tensor<3xi32>) -> (tensor<1x8x?x64xf16>, tensor<1x8x?xf32>)
// CHECK:         %[[OUT:.*]], %[[LSE:.*]] = tok.attention %[[QUERY]], %[[KEY]], %[[VALUE]] bias(%[[BIAS]] : tensor<1x8x?x?xf16>) seq_starts(%[[SEQ_STARTS]] : tensor<3xi32>) {causal, scale = 1.250000e-01 : f32, window = 128 : i64} : (tensor<1x8x?x64xf16>, tensor<1x4x?x64xf16>, tensor<1x4x?x64xf16>) -> (tensor<1x8x?x64xf16>, tensor<1x8x?xf32>) score_mod {
// CHECK:         ^bb0(%[[SCORE:.*]]: f32, %[[BATCH:.*]]: index, %[[HEAD:.*]]: index, %[[ROW:.*]]: index, %[[COL:.*]]: index):
// CHECK:         %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK:         %[[SCALED:.*]] = arith.mulf %[[SCORE]], %[[HALF]] : f32
// CHECK:         tok.yield %[[SCALED]] : f32
// CHECK:         return %[[OUT]], %[[LSE]] : tensor<1x8x?x64xf16>, tensor<1x8x?xf32>
func.func @attention_score_mod_all_f16(%query: tensor<1x8x?x64xf16>, %key: tensor<1x4x?x64xf16>, %value: tensor<1x4x?x64xf16>, %bias: tensor<1x8x?x?xf16>, %seq_starts: tensor<3xi32>) -> (tensor<1x8x?x64xf16>, tensor<1x8x?xf32>) {
  %out, %lse = tok.attention %query, %key, %value bias(%bias : tensor<1x8x?x?xf16>) seq_starts(%seq_starts : tensor<3xi32>) {causal, scale = 1.250000e-01 : f32, window = 128 : i64} : (tensor<1x8x?x64xf16>, tensor<1x4x?x64xf16>, tensor<1x4x?x64xf16>) -> (tensor<1x8x?x64xf16>, tensor<1x8x?xf32>) score_mod {
  ^bb0(%score: f32, %batch: index, %head: index, %row: index, %col: index):
    %half = arith.constant 5.000000e-01 : f32
    %scaled = arith.mulf %score, %half : f32
    tok.yield %scaled : f32
  }
  return %out, %lse : tensor<1x8x?x64xf16>, tensor<1x8x?xf32>
}

//===----------------------------------------------------------------------===//
// tok.paged_attention and tok.cache_write
//===----------------------------------------------------------------------===//

// The paged_attention example of DESIGN 4.2.
// CHECK-LABEL: func.func @paged_attention_design_example_f16(
// CHECK-SAME:    %[[Q:.*]]: tensor<4x32x1x128xf16>, %[[KC:.*]]: tensor<1024x16x8x128xf16>, %[[VC:.*]]: tensor<1024x16x8x128xf16>, %[[TABLE:.*]]: tensor<4x64xi32>, %[[LENS:.*]]: tensor<4xi32>) -> tensor<4x32x1x128xf16>
// CHECK:         %[[O:.*]] = tok.paged_attention %[[Q]], %[[KC]], %[[VC]], %[[TABLE]], %[[LENS]] {sinks = 4 : i64, window = 4096 : i64} : (tensor<4x32x1x128xf16>, tensor<1024x16x8x128xf16>, tensor<1024x16x8x128xf16>, tensor<4x64xi32>, tensor<4xi32>) -> tensor<4x32x1x128xf16>
// CHECK:         return %[[O]] : tensor<4x32x1x128xf16>
func.func @paged_attention_design_example_f16(%q: tensor<4x32x1x128xf16>, %kc: tensor<1024x16x8x128xf16>, %vc: tensor<1024x16x8x128xf16>, %table: tensor<4x64xi32>, %lens: tensor<4xi32>) -> tensor<4x32x1x128xf16> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens {window = 4096 : i64, sinks = 4 : i64}
       : (tensor<4x32x1x128xf16>, tensor<1024x16x8x128xf16>, tensor<1024x16x8x128xf16>,
          tensor<4x64xi32>, tensor<4xi32>) -> tensor<4x32x1x128xf16>
  return %o : tensor<4x32x1x128xf16>
}

// The example of the tok.paged_attention description (printed form).
// CHECK-LABEL: func.func @paged_attention_doc_example_f16(
// CHECK-SAME:    %[[Q:.*]]: tensor<4x32x1x128xf16>, %[[KC:.*]]: tensor<1024x16x8x128xf16>, %[[VC:.*]]: tensor<1024x16x8x128xf16>, %[[TABLE:.*]]: tensor<4x64xi32>, %[[LENS:.*]]: tensor<4xi32>) -> tensor<4x32x1x128xf16>
// CHECK:         %[[O:.*]] = tok.paged_attention %[[Q]], %[[KC]], %[[VC]], %[[TABLE]], %[[LENS]] {sinks = 4 : i64, window = 4096 : i64} : (tensor<4x32x1x128xf16>, tensor<1024x16x8x128xf16>, tensor<1024x16x8x128xf16>, tensor<4x64xi32>, tensor<4xi32>) -> tensor<4x32x1x128xf16>
// CHECK:         return %[[O]] : tensor<4x32x1x128xf16>
func.func @paged_attention_doc_example_f16(%q: tensor<4x32x1x128xf16>, %kc: tensor<1024x16x8x128xf16>, %vc: tensor<1024x16x8x128xf16>, %table: tensor<4x64xi32>, %lens: tensor<4xi32>) -> tensor<4x32x1x128xf16> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens {sinks = 4 : i64, window = 4096 : i64} : (tensor<4x32x1x128xf16>, tensor<1024x16x8x128xf16>, tensor<1024x16x8x128xf16>, tensor<4x64xi32>, tensor<4xi32>) -> tensor<4x32x1x128xf16>
  return %o : tensor<4x32x1x128xf16>
}

// The block-list example of the tok.paged_attention description.
// CHECK-LABEL: func.func @paged_attention_block_lists_doc_example_f16(
// CHECK-SAME:    %[[Q:.*]]: tensor<4x32x1x128xf16>, %[[KC:.*]]: tensor<1024x16x8x128xf16>, %[[VC:.*]]: tensor<1024x16x8x128xf16>, %[[TABLE:.*]]: tensor<4x64xi32>, %[[LENS:.*]]: tensor<4xi32>, %[[IDX:.*]]: tensor<4x8x16xi32>, %[[CNT:.*]]: tensor<4x8xi32>) -> tensor<4x32x1x128xf16>
// CHECK:         %[[O:.*]] = tok.paged_attention %[[Q]], %[[KC]], %[[VC]], %[[TABLE]], %[[LENS]] block_indices(%[[IDX]] : tensor<4x8x16xi32>) block_counts(%[[CNT]] : tensor<4x8xi32>) {block_k = 64 : i64} : (tensor<4x32x1x128xf16>, tensor<1024x16x8x128xf16>, tensor<1024x16x8x128xf16>, tensor<4x64xi32>, tensor<4xi32>) -> tensor<4x32x1x128xf16>
// CHECK:         return %[[O]] : tensor<4x32x1x128xf16>
func.func @paged_attention_block_lists_doc_example_f16(%q: tensor<4x32x1x128xf16>, %kc: tensor<1024x16x8x128xf16>, %vc: tensor<1024x16x8x128xf16>, %table: tensor<4x64xi32>, %lens: tensor<4xi32>, %idx: tensor<4x8x16xi32>, %cnt: tensor<4x8xi32>) -> tensor<4x32x1x128xf16> {
  %o3 = tok.paged_attention %q, %kc, %vc, %table, %lens block_indices(%idx : tensor<4x8x16xi32>) block_counts(%cnt : tensor<4x8xi32>) {block_k = 64 : i64} : (tensor<4x32x1x128xf16>, tensor<1024x16x8x128xf16>, tensor<1024x16x8x128xf16>, tensor<4x64xi32>, tensor<4xi32>) -> tensor<4x32x1x128xf16>
  return %o3 : tensor<4x32x1x128xf16>
}

// Block lists without counts, per-head lens and tables (blocks of one kv
// head), window and sinks on top.
// CHECK-LABEL: func.func @paged_attention_block_lists_head_tables_f32(
// CHECK:         tok.paged_attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} block_indices(%{{.*}} : tensor<2x2x?xi32>) {block_k = 16 : i64, sinks = 2 : i64, window = 64 : i64} : (tensor<2x8x1x64xf32>, tensor<64x16x1x64xf32>, tensor<64x16x1x64xf32>, tensor<2x2x8xi32>, tensor<2x2xi32>) -> tensor<2x8x1x64xf32>
func.func @paged_attention_block_lists_head_tables_f32(%q: tensor<2x8x1x64xf32>, %kc: tensor<64x16x1x64xf32>, %vc: tensor<64x16x1x64xf32>, %table: tensor<2x2x8xi32>, %lens: tensor<2x2xi32>, %idx: tensor<2x2x?xi32>) -> tensor<2x8x1x64xf32> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens block_indices(%idx : tensor<2x2x?xi32>) {block_k = 16 : i64, sinks = 2 : i64, window = 64 : i64} : (tensor<2x8x1x64xf32>, tensor<64x16x1x64xf32>, tensor<64x16x1x64xf32>, tensor<2x2x8xi32>, tensor<2x2xi32>) -> tensor<2x8x1x64xf32>
  return %o : tensor<2x8x1x64xf32>
}

// The stats example of the tok.paged_attention description.
// CHECK-LABEL: func.func @paged_attention_stats_doc_example_f16(
// CHECK-SAME:    %[[Q:.*]]: tensor<4x32x1x128xf16>, %[[KC:.*]]: tensor<1024x16x8x128xf16>, %[[VC:.*]]: tensor<1024x16x8x128xf16>, %[[TABLE:.*]]: tensor<4x64xi32>, %[[LENS:.*]]: tensor<4xi32>) -> (tensor<4x32x1x128xf16>, tensor<4x8x1024xf32>)
// CHECK:         %[[O:.*]], %[[S:.*]] = tok.paged_attention %[[Q]], %[[KC]], %[[VC]], %[[TABLE]], %[[LENS]] : (tensor<4x32x1x128xf16>, tensor<1024x16x8x128xf16>, tensor<1024x16x8x128xf16>, tensor<4x64xi32>, tensor<4xi32>) -> (tensor<4x32x1x128xf16>, stats tensor<4x8x1024xf32>)
// CHECK:         return %[[O]], %[[S]] : tensor<4x32x1x128xf16>, tensor<4x8x1024xf32>
func.func @paged_attention_stats_doc_example_f16(%q: tensor<4x32x1x128xf16>, %kc: tensor<1024x16x8x128xf16>, %vc: tensor<1024x16x8x128xf16>, %table: tensor<4x64xi32>, %lens: tensor<4xi32>) -> (tensor<4x32x1x128xf16>, tensor<4x8x1024xf32>) {
  %o4, %s = tok.paged_attention %q, %kc, %vc, %table, %lens : (tensor<4x32x1x128xf16>, tensor<1024x16x8x128xf16>, tensor<1024x16x8x128xf16>, tensor<4x64xi32>, tensor<4xi32>) -> (tensor<4x32x1x128xf16>, stats tensor<4x8x1024xf32>)
  return %o4, %s : tensor<4x32x1x128xf16>, tensor<4x8x1024xf32>
}

// Stats per query head with per-head lens and tables, block lists and a
// dynamic table width.
// CHECK-LABEL: func.func @paged_attention_stats_per_query_head_f32(
// CHECK:         tok.paged_attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} block_indices(%{{.*}} : tensor<2x2x4xi32>) {block_k = 16 : i64, stats_per_query_head} : (tensor<2x8x1x64xf32>, tensor<64x16x1x64xf32>, tensor<64x16x1x64xf32>, tensor<2x2x?xi32>, tensor<2x2xi32>) -> (tensor<2x8x1x64xf32>, stats tensor<2x8x?xf32>)
func.func @paged_attention_stats_per_query_head_f32(%q: tensor<2x8x1x64xf32>, %kc: tensor<64x16x1x64xf32>, %vc: tensor<64x16x1x64xf32>, %table: tensor<2x2x?xi32>, %lens: tensor<2x2xi32>, %idx: tensor<2x2x4xi32>) -> tensor<2x8x?xf32> {
  %o, %s = tok.paged_attention %q, %kc, %vc, %table, %lens block_indices(%idx : tensor<2x2x4xi32>) {block_k = 16 : i64, stats_per_query_head} : (tensor<2x8x1x64xf32>, tensor<64x16x1x64xf32>, tensor<64x16x1x64xf32>, tensor<2x2x?xi32>, tensor<2x2xi32>) -> (tensor<2x8x1x64xf32>, stats tensor<2x8x?xf32>)
  return %s : tensor<2x8x?xf32>
}

// Paged attention without attributes (multi-token prefill chunk, MHA).
// CHECK-LABEL: func.func @paged_attention_plain_f32(
// CHECK-SAME:    %[[QUERY:.*]]: tensor<2x8x16x64xf32>, %[[KEY_CACHE:.*]]: tensor<256x16x8x64xf32>, %[[VALUE_CACHE:.*]]: tensor<256x16x8x64xf32>, %[[BLOCK_TABLE:.*]]: tensor<2x16xi32>, %[[LENS:.*]]: tensor<2xi32>) -> tensor<2x8x16x64xf32>
// CHECK:         %[[OUT:.*]] = tok.paged_attention %[[QUERY]], %[[KEY_CACHE]], %[[VALUE_CACHE]], %[[BLOCK_TABLE]], %[[LENS]] : (tensor<2x8x16x64xf32>, tensor<256x16x8x64xf32>, tensor<256x16x8x64xf32>, tensor<2x16xi32>, tensor<2xi32>) -> tensor<2x8x16x64xf32>
// CHECK:         return %[[OUT]] : tensor<2x8x16x64xf32>
func.func @paged_attention_plain_f32(%query: tensor<2x8x16x64xf32>, %key_cache: tensor<256x16x8x64xf32>, %value_cache: tensor<256x16x8x64xf32>, %block_table: tensor<2x16xi32>, %lens: tensor<2xi32>) -> tensor<2x8x16x64xf32> {
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<2x8x16x64xf32>, tensor<256x16x8x64xf32>, tensor<256x16x8x64xf32>, tensor<2x16xi32>, tensor<2xi32>) -> tensor<2x8x16x64xf32>
  return %out : tensor<2x8x16x64xf32>
}

// Dynamic batch and block counts with scale and softcap, in bf16.
// CHECK-LABEL: func.func @paged_attention_dynamic_bf16(
// CHECK-SAME:    %[[QUERY:.*]]: tensor<?x8x1x64xbf16>, %[[KEY_CACHE:.*]]: tensor<?x16x2x64xbf16>, %[[VALUE_CACHE:.*]]: tensor<?x16x2x64xbf16>, %[[BLOCK_TABLE:.*]]: tensor<?x?xi32>, %[[LENS:.*]]: tensor<?xi32>) -> tensor<?x8x1x64xbf16>
// CHECK:         %[[OUT:.*]] = tok.paged_attention %[[QUERY]], %[[KEY_CACHE]], %[[VALUE_CACHE]], %[[BLOCK_TABLE]], %[[LENS]] {scale = 1.250000e-01 : f32, softcap = 5.000000e+01 : f32} : (tensor<?x8x1x64xbf16>, tensor<?x16x2x64xbf16>, tensor<?x16x2x64xbf16>, tensor<?x?xi32>, tensor<?xi32>) -> tensor<?x8x1x64xbf16>
// CHECK:         return %[[OUT]] : tensor<?x8x1x64xbf16>
func.func @paged_attention_dynamic_bf16(%query: tensor<?x8x1x64xbf16>, %key_cache: tensor<?x16x2x64xbf16>, %value_cache: tensor<?x16x2x64xbf16>, %block_table: tensor<?x?xi32>, %lens: tensor<?xi32>) -> tensor<?x8x1x64xbf16> {
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens {scale = 1.250000e-01 : f32, softcap = 5.000000e+01 : f32} : (tensor<?x8x1x64xbf16>, tensor<?x16x2x64xbf16>, tensor<?x16x2x64xbf16>, tensor<?x?xi32>, tensor<?xi32>) -> tensor<?x8x1x64xbf16>
  return %out : tensor<?x8x1x64xbf16>
}

// Per-head lens with per-head block tables over blocks of one kv head (the
// second example of the tok.paged_attention description).
// CHECK-LABEL: func.func @paged_attention_head_tables_f16(
// CHECK-SAME:    %[[Q:.*]]: tensor<4x32x1x128xf16>, %[[KC1:.*]]: tensor<4096x16x1x128xf16>, %[[VC1:.*]]: tensor<4096x16x1x128xf16>, %[[TABLES:.*]]: tensor<4x8x64xi32>, %[[HEAD_LENS:.*]]: tensor<4x8xi32>) -> tensor<4x32x1x128xf16>
// CHECK:         %[[O2:.*]] = tok.paged_attention %[[Q]], %[[KC1]], %[[VC1]], %[[TABLES]], %[[HEAD_LENS]] : (tensor<4x32x1x128xf16>, tensor<4096x16x1x128xf16>, tensor<4096x16x1x128xf16>, tensor<4x8x64xi32>, tensor<4x8xi32>) -> tensor<4x32x1x128xf16>
// CHECK:         return %[[O2]] : tensor<4x32x1x128xf16>
func.func @paged_attention_head_tables_f16(%q: tensor<4x32x1x128xf16>, %kc1: tensor<4096x16x1x128xf16>, %vc1: tensor<4096x16x1x128xf16>, %tables: tensor<4x8x64xi32>, %head_lens: tensor<4x8xi32>) -> tensor<4x32x1x128xf16> {
  %o2 = tok.paged_attention %q, %kc1, %vc1, %tables, %head_lens : (tensor<4x32x1x128xf16>, tensor<4096x16x1x128xf16>, tensor<4096x16x1x128xf16>, tensor<4x8x64xi32>, tensor<4x8xi32>) -> tensor<4x32x1x128xf16>
  return %o2 : tensor<4x32x1x128xf16>
}

// Per-head lens over a shared table (heads compacted to different lengths),
// dynamic batch, with window and sinks.
// CHECK-LABEL: func.func @paged_attention_head_lens_shared_table_f32(
// CHECK-SAME:    %[[QUERY:.*]]: tensor<?x8x1x64xf32>, %[[KEY_CACHE:.*]]: tensor<64x16x2x64xf32>, %[[VALUE_CACHE:.*]]: tensor<64x16x2x64xf32>, %[[BLOCK_TABLE:.*]]: tensor<?x8xi32>, %[[LENS:.*]]: tensor<?x2xi32>) -> tensor<?x8x1x64xf32>
// CHECK:         %[[OUT:.*]] = tok.paged_attention %[[QUERY]], %[[KEY_CACHE]], %[[VALUE_CACHE]], %[[BLOCK_TABLE]], %[[LENS]] {sinks = 4 : i64, window = 32 : i64} : (tensor<?x8x1x64xf32>, tensor<64x16x2x64xf32>, tensor<64x16x2x64xf32>, tensor<?x8xi32>, tensor<?x2xi32>) -> tensor<?x8x1x64xf32>
// CHECK:         return %[[OUT]] : tensor<?x8x1x64xf32>
func.func @paged_attention_head_lens_shared_table_f32(%query: tensor<?x8x1x64xf32>, %key_cache: tensor<64x16x2x64xf32>, %value_cache: tensor<64x16x2x64xf32>, %block_table: tensor<?x8xi32>, %lens: tensor<?x2xi32>) -> tensor<?x8x1x64xf32> {
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens {window = 32 : i64, sinks = 4 : i64} : (tensor<?x8x1x64xf32>, tensor<64x16x2x64xf32>, tensor<64x16x2x64xf32>, tensor<?x8xi32>, tensor<?x2xi32>) -> tensor<?x8x1x64xf32>
  return %out : tensor<?x8x1x64xf32>
}

// Per-head slots into blocks of one kv head (the second example of the
// tok.cache_write description).
// CHECK-LABEL: func.func @cache_write_head_slots_f16(
// CHECK-SAME:    %[[KC1:.*]]: tensor<4096x16x1x128xf16>, %[[KNEW:.*]]: tensor<4x8x1x128xf16>, %[[HEAD_SLOTS:.*]]: tensor<4x8x1xi32>) -> tensor<4096x16x1x128xf16>
// CHECK:         %[[KC3:.*]] = tok.cache_write %[[KC1]], %[[KNEW]], %[[HEAD_SLOTS]] : (tensor<4096x16x1x128xf16>, tensor<4x8x1x128xf16>, tensor<4x8x1xi32>) -> tensor<4096x16x1x128xf16>
// CHECK:         return %[[KC3]] : tensor<4096x16x1x128xf16>
func.func @cache_write_head_slots_f16(%kc1: tensor<4096x16x1x128xf16>, %knew: tensor<4x8x1x128xf16>, %head_slots: tensor<4x8x1xi32>) -> tensor<4096x16x1x128xf16> {
  %kc3 = tok.cache_write %kc1, %knew, %head_slots : (tensor<4096x16x1x128xf16>, tensor<4x8x1x128xf16>, tensor<4x8x1xi32>) -> tensor<4096x16x1x128xf16>
  return %kc3 : tensor<4096x16x1x128xf16>
}

// Per-head slots into a cache that holds every kv head, dynamic length.
// CHECK-LABEL: func.func @cache_write_head_slots_all_heads_f32(
// CHECK-SAME:    %[[CACHE:.*]]: tensor<32x16x2x64xf32>, %[[UPDATE:.*]]: tensor<?x2x?x64xf32>, %[[SLOTS:.*]]: tensor<?x2x?xi32>) -> tensor<32x16x2x64xf32>
// CHECK:         %[[RESULT:.*]] = tok.cache_write %[[CACHE]], %[[UPDATE]], %[[SLOTS]] : (tensor<32x16x2x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?xi32>) -> tensor<32x16x2x64xf32>
// CHECK:         return %[[RESULT]] : tensor<32x16x2x64xf32>
func.func @cache_write_head_slots_all_heads_f32(%cache: tensor<32x16x2x64xf32>, %update: tensor<?x2x?x64xf32>, %slots: tensor<?x2x?xi32>) -> tensor<32x16x2x64xf32> {
  %result = tok.cache_write %cache, %update, %slots : (tensor<32x16x2x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?xi32>) -> tensor<32x16x2x64xf32>
  return %result : tensor<32x16x2x64xf32>
}

// The cache_write example of DESIGN 4.2 (also the description's).
// CHECK-LABEL: func.func @cache_write_design_example_f16(
// CHECK-SAME:    %[[KC:.*]]: tensor<1024x16x8x128xf16>, %[[KNEW:.*]]: tensor<4x8x1x128xf16>, %[[SLOTS:.*]]: tensor<4x1xi32>) -> tensor<1024x16x8x128xf16>
// CHECK:         %[[KC2:.*]] = tok.cache_write %[[KC]], %[[KNEW]], %[[SLOTS]] : (tensor<1024x16x8x128xf16>, tensor<4x8x1x128xf16>, tensor<4x1xi32>) -> tensor<1024x16x8x128xf16>
// CHECK:         return %[[KC2]] : tensor<1024x16x8x128xf16>
func.func @cache_write_design_example_f16(%kc: tensor<1024x16x8x128xf16>, %knew: tensor<4x8x1x128xf16>, %slots: tensor<4x1xi32>) -> tensor<1024x16x8x128xf16> {
  %kc2 = tok.cache_write %kc, %knew, %slots : (tensor<1024x16x8x128xf16>, tensor<4x8x1x128xf16>, tensor<4x1xi32>) -> tensor<1024x16x8x128xf16>
  return %kc2 : tensor<1024x16x8x128xf16>
}

// A prefill write with dynamic batch and length in f32.
// CHECK-LABEL: func.func @cache_write_dynamic_f32(
// CHECK-SAME:    %[[CACHE:.*]]: tensor<?x16x2x64xf32>, %[[UPDATE:.*]]: tensor<?x2x?x64xf32>, %[[SLOTS:.*]]: tensor<?x?xi32>) -> tensor<?x16x2x64xf32>
// CHECK:         %[[RESULT:.*]] = tok.cache_write %[[CACHE]], %[[UPDATE]], %[[SLOTS]] : (tensor<?x16x2x64xf32>, tensor<?x2x?x64xf32>, tensor<?x?xi32>) -> tensor<?x16x2x64xf32>
// CHECK:         return %[[RESULT]] : tensor<?x16x2x64xf32>
func.func @cache_write_dynamic_f32(%cache: tensor<?x16x2x64xf32>, %update: tensor<?x2x?x64xf32>, %slots: tensor<?x?xi32>) -> tensor<?x16x2x64xf32> {
  %result = tok.cache_write %cache, %update, %slots : (tensor<?x16x2x64xf32>, tensor<?x2x?x64xf32>, tensor<?x?xi32>) -> tensor<?x16x2x64xf32>
  return %result : tensor<?x16x2x64xf32>
}

//===----------------------------------------------------------------------===//
// tok.lse_merge
//===----------------------------------------------------------------------===//

// The example of the tok.lse_merge description.
// CHECK-LABEL: func.func @lse_merge_doc_example_f32(
// CHECK-SAME:    %[[O1:.*]]: tensor<1x8x128x64xf32>, %[[L1:.*]]: tensor<1x8x128xf32>, %[[O2:.*]]: tensor<1x8x128x64xf32>, %[[L2:.*]]: tensor<1x8x128xf32>) -> (tensor<1x8x128x64xf32>, tensor<1x8x128xf32>)
// CHECK:         %[[O:.*]], %[[L:.*]] = tok.lse_merge %[[O1]], %[[L1]], %[[O2]], %[[L2]] : (tensor<1x8x128x64xf32>, tensor<1x8x128xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128xf32>) -> (tensor<1x8x128x64xf32>, tensor<1x8x128xf32>)
// CHECK:         return %[[O]], %[[L]] : tensor<1x8x128x64xf32>, tensor<1x8x128xf32>
func.func @lse_merge_doc_example_f32(%o1: tensor<1x8x128x64xf32>, %l1: tensor<1x8x128xf32>, %o2: tensor<1x8x128x64xf32>, %l2: tensor<1x8x128xf32>) -> (tensor<1x8x128x64xf32>, tensor<1x8x128xf32>) {
  %o, %l = tok.lse_merge %o1, %l1, %o2, %l2 : (tensor<1x8x128x64xf32>, tensor<1x8x128xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128xf32>) -> (tensor<1x8x128x64xf32>, tensor<1x8x128xf32>)
  return %o, %l : tensor<1x8x128x64xf32>, tensor<1x8x128xf32>
}

// Merging f16 partial outputs with dynamic dims.
// CHECK-LABEL: func.func @lse_merge_dynamic_f16(
// CHECK-SAME:    %[[OUTPUT1:.*]]: tensor<?x8x?x64xf16>, %[[LSE1:.*]]: tensor<?x8x?xf32>, %[[OUTPUT2:.*]]: tensor<?x8x?x64xf16>, %[[LSE2:.*]]: tensor<?x8x?xf32>) -> (tensor<?x8x?x64xf16>, tensor<?x8x?xf32>)
// CHECK:         %[[OUT:.*]], %[[LSE:.*]] = tok.lse_merge %[[OUTPUT1]], %[[LSE1]], %[[OUTPUT2]], %[[LSE2]] : (tensor<?x8x?x64xf16>, tensor<?x8x?xf32>, tensor<?x8x?x64xf16>, tensor<?x8x?xf32>) -> (tensor<?x8x?x64xf16>, tensor<?x8x?xf32>)
// CHECK:         return %[[OUT]], %[[LSE]] : tensor<?x8x?x64xf16>, tensor<?x8x?xf32>
func.func @lse_merge_dynamic_f16(%output1: tensor<?x8x?x64xf16>, %lse1: tensor<?x8x?xf32>, %output2: tensor<?x8x?x64xf16>, %lse2: tensor<?x8x?xf32>) -> (tensor<?x8x?x64xf16>, tensor<?x8x?xf32>) {
  %out, %lse = tok.lse_merge %output1, %lse1, %output2, %lse2 : (tensor<?x8x?x64xf16>, tensor<?x8x?xf32>, tensor<?x8x?x64xf16>, tensor<?x8x?xf32>) -> (tensor<?x8x?x64xf16>, tensor<?x8x?xf32>)
  return %out, %lse : tensor<?x8x?x64xf16>, tensor<?x8x?xf32>
}

//===----------------------------------------------------------------------===//
// tok.selective_scan
//===----------------------------------------------------------------------===//

// The example of DESIGN 4.3: every optional operand and the final state.
// CHECK-LABEL: func.func @selective_scan_design_example_f32(
// CHECK-SAME:    %[[X:.*]]: tensor<2x?x1536xf32>, %[[DT:.*]]: tensor<2x?x1536xf32>, %[[A:.*]]: tensor<1536x16xf32>, %[[B:.*]]: tensor<2x?x1x16xf32>, %[[C:.*]]: tensor<2x?x1x16xf32>, %[[D:.*]]: tensor<1536xf32>, %[[Z:.*]]: tensor<2x?x1536xf32>, %[[DB:.*]]: tensor<1536xf32>, %[[H0:.*]]: tensor<2x1536x16xf32>) -> (tensor<2x?x1536xf32>, tensor<2x1536x16xf32>)
// CHECK:         %[[Y:.*]], %[[HT:.*]] = tok.selective_scan %[[X]], %[[DT]], %[[A]], %[[B]], %[[C]] D(%[[D]] : tensor<1536xf32>) z(%[[Z]] : tensor<2x?x1536xf32>) dt_bias(%[[DB]] : tensor<1536xf32>) init(%[[H0]] : tensor<2x1536x16xf32>) {dt_softplus} : (tensor<2x?x1536xf32>, tensor<2x?x1536xf32>, tensor<1536x16xf32>, tensor<2x?x1x16xf32>, tensor<2x?x1x16xf32>) -> (tensor<2x?x1536xf32>, tensor<2x1536x16xf32>)
// CHECK:         return %[[Y]], %[[HT]] : tensor<2x?x1536xf32>, tensor<2x1536x16xf32>
func.func @selective_scan_design_example_f32(%x: tensor<2x?x1536xf32>, %dt: tensor<2x?x1536xf32>, %A: tensor<1536x16xf32>, %B: tensor<2x?x1x16xf32>, %C: tensor<2x?x1x16xf32>, %d: tensor<1536xf32>, %z: tensor<2x?x1536xf32>, %db: tensor<1536xf32>, %h0: tensor<2x1536x16xf32>) -> (tensor<2x?x1536xf32>, tensor<2x1536x16xf32>) {
  %y, %hT = tok.selective_scan %x, %dt, %A, %B, %C D(%d : tensor<1536xf32>) z(%z : tensor<2x?x1536xf32>)
              dt_bias(%db : tensor<1536xf32>) init(%h0 : tensor<2x1536x16xf32>) {dt_softplus}
     : (tensor<2x?x1536xf32>, tensor<2x?x1536xf32>, tensor<1536x16xf32>, tensor<2x?x1x16xf32>, tensor<2x?x1x16xf32>)
     -> (tensor<2x?x1536xf32>, tensor<2x1536x16xf32>)
  return %y, %hT : tensor<2x?x1536xf32>, tensor<2x1536x16xf32>
}

// The example of the tok.selective_scan description (printed form).
// CHECK-LABEL: func.func @selective_scan_doc_example_f32(
// CHECK-SAME:    %[[X:.*]]: tensor<2x?x1536xf32>, %[[DT:.*]]: tensor<2x?x1536xf32>, %[[A:.*]]: tensor<1536x16xf32>, %[[B:.*]]: tensor<2x?x1x16xf32>, %[[C:.*]]: tensor<2x?x1x16xf32>, %[[D:.*]]: tensor<1536xf32>, %[[Z:.*]]: tensor<2x?x1536xf32>, %[[DB:.*]]: tensor<1536xf32>, %[[H0:.*]]: tensor<2x1536x16xf32>) -> (tensor<2x?x1536xf32>, tensor<2x1536x16xf32>)
// CHECK:         %[[Y:.*]], %[[HT:.*]] = tok.selective_scan %[[X]], %[[DT]], %[[A]], %[[B]], %[[C]] D(%[[D]] : tensor<1536xf32>) z(%[[Z]] : tensor<2x?x1536xf32>) dt_bias(%[[DB]] : tensor<1536xf32>) init(%[[H0]] : tensor<2x1536x16xf32>) {dt_softplus} : (tensor<2x?x1536xf32>, tensor<2x?x1536xf32>, tensor<1536x16xf32>, tensor<2x?x1x16xf32>, tensor<2x?x1x16xf32>) -> (tensor<2x?x1536xf32>, tensor<2x1536x16xf32>)
// CHECK:         return %[[Y]], %[[HT]] : tensor<2x?x1536xf32>, tensor<2x1536x16xf32>
func.func @selective_scan_doc_example_f32(%x: tensor<2x?x1536xf32>, %dt: tensor<2x?x1536xf32>, %A: tensor<1536x16xf32>, %B: tensor<2x?x1x16xf32>, %C: tensor<2x?x1x16xf32>, %d: tensor<1536xf32>, %z: tensor<2x?x1536xf32>, %db: tensor<1536xf32>, %h0: tensor<2x1536x16xf32>) -> (tensor<2x?x1536xf32>, tensor<2x1536x16xf32>) {
  %y, %hT = tok.selective_scan %x, %dt, %A, %B, %C D(%d : tensor<1536xf32>) z(%z : tensor<2x?x1536xf32>) dt_bias(%db : tensor<1536xf32>) init(%h0 : tensor<2x1536x16xf32>) {dt_softplus} : (tensor<2x?x1536xf32>, tensor<2x?x1536xf32>, tensor<1536x16xf32>, tensor<2x?x1x16xf32>, tensor<2x?x1x16xf32>) -> (tensor<2x?x1536xf32>, tensor<2x1536x16xf32>)
  return %y, %hT : tensor<2x?x1536xf32>, tensor<2x1536x16xf32>
}

// No optional operand and no final state.
// CHECK-LABEL: func.func @selective_scan_plain_f32(
// CHECK-SAME:    %[[X:.*]]: tensor<1x32x64xf32>, %[[DT:.*]]: tensor<1x32x64xf32>, %[[A:.*]]: tensor<64x8xf32>, %[[B:.*]]: tensor<1x32x1x8xf32>, %[[C:.*]]: tensor<1x32x1x8xf32>) -> tensor<1x32x64xf32>
// CHECK:         %[[Y:.*]] = tok.selective_scan %[[X]], %[[DT]], %[[A]], %[[B]], %[[C]] : (tensor<1x32x64xf32>, tensor<1x32x64xf32>, tensor<64x8xf32>, tensor<1x32x1x8xf32>, tensor<1x32x1x8xf32>) -> tensor<1x32x64xf32>
// CHECK:         return %[[Y]] : tensor<1x32x64xf32>
func.func @selective_scan_plain_f32(%x: tensor<1x32x64xf32>, %dt: tensor<1x32x64xf32>, %A: tensor<64x8xf32>, %B: tensor<1x32x1x8xf32>, %C: tensor<1x32x1x8xf32>) -> tensor<1x32x64xf32> {
  %y = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<1x32x64xf32>, tensor<1x32x64xf32>, tensor<64x8xf32>, tensor<1x32x1x8xf32>, tensor<1x32x1x8xf32>) -> tensor<1x32x64xf32>
  return %y : tensor<1x32x64xf32>
}

// D alone, with two groups and f32 parameters on f16 activations.
// CHECK-LABEL: func.func @selective_scan_d_groups_f16(
// CHECK-SAME:    %[[X:.*]]: tensor<1x?x64xf16>, %[[DT:.*]]: tensor<1x?x64xf16>, %[[A:.*]]: tensor<64x8xf32>, %[[B:.*]]: tensor<1x?x2x8xf16>, %[[C:.*]]: tensor<1x?x2x8xf16>, %[[D:.*]]: tensor<64xf32>) -> tensor<1x?x64xf16>
// CHECK:         %[[Y:.*]] = tok.selective_scan %[[X]], %[[DT]], %[[A]], %[[B]], %[[C]] D(%[[D]] : tensor<64xf32>) : (tensor<1x?x64xf16>, tensor<1x?x64xf16>, tensor<64x8xf32>, tensor<1x?x2x8xf16>, tensor<1x?x2x8xf16>) -> tensor<1x?x64xf16>
// CHECK:         return %[[Y]] : tensor<1x?x64xf16>
func.func @selective_scan_d_groups_f16(%x: tensor<1x?x64xf16>, %dt: tensor<1x?x64xf16>, %A: tensor<64x8xf32>, %B: tensor<1x?x2x8xf16>, %C: tensor<1x?x2x8xf16>, %D: tensor<64xf32>) -> tensor<1x?x64xf16> {
  %y = tok.selective_scan %x, %dt, %A, %B, %C D(%D : tensor<64xf32>) : (tensor<1x?x64xf16>, tensor<1x?x64xf16>, tensor<64x8xf32>, tensor<1x?x2x8xf16>, tensor<1x?x2x8xf16>) -> tensor<1x?x64xf16>
  return %y : tensor<1x?x64xf16>
}

// z alone in bf16.
// CHECK-LABEL: func.func @selective_scan_z_bf16(
// CHECK-SAME:    %[[X:.*]]: tensor<2x?x64xbf16>, %[[DT:.*]]: tensor<2x?x64xbf16>, %[[A:.*]]: tensor<64x8xbf16>, %[[B:.*]]: tensor<2x?x1x8xbf16>, %[[C:.*]]: tensor<2x?x1x8xbf16>, %[[Z:.*]]: tensor<2x?x64xbf16>) -> tensor<2x?x64xbf16>
// CHECK:         %[[Y:.*]] = tok.selective_scan %[[X]], %[[DT]], %[[A]], %[[B]], %[[C]] z(%[[Z]] : tensor<2x?x64xbf16>) : (tensor<2x?x64xbf16>, tensor<2x?x64xbf16>, tensor<64x8xbf16>, tensor<2x?x1x8xbf16>, tensor<2x?x1x8xbf16>) -> tensor<2x?x64xbf16>
// CHECK:         return %[[Y]] : tensor<2x?x64xbf16>
func.func @selective_scan_z_bf16(%x: tensor<2x?x64xbf16>, %dt: tensor<2x?x64xbf16>, %A: tensor<64x8xbf16>, %B: tensor<2x?x1x8xbf16>, %C: tensor<2x?x1x8xbf16>, %z: tensor<2x?x64xbf16>) -> tensor<2x?x64xbf16> {
  %y = tok.selective_scan %x, %dt, %A, %B, %C z(%z : tensor<2x?x64xbf16>) : (tensor<2x?x64xbf16>, tensor<2x?x64xbf16>, tensor<64x8xbf16>, tensor<2x?x1x8xbf16>, tensor<2x?x1x8xbf16>) -> tensor<2x?x64xbf16>
  return %y : tensor<2x?x64xbf16>
}

// dt_bias alone with softplus.
// CHECK-LABEL: func.func @selective_scan_dt_bias_f32(
// CHECK-SAME:    %[[X:.*]]: tensor<2x?x64xf32>, %[[DT:.*]]: tensor<2x?x64xf32>, %[[A:.*]]: tensor<64x8xf32>, %[[B:.*]]: tensor<2x?x1x8xf32>, %[[C:.*]]: tensor<2x?x1x8xf32>, %[[DT_BIAS:.*]]: tensor<64xf32>) -> tensor<2x?x64xf32>
// CHECK:         %[[Y:.*]] = tok.selective_scan %[[X]], %[[DT]], %[[A]], %[[B]], %[[C]] dt_bias(%[[DT_BIAS]] : tensor<64xf32>) {dt_softplus} : (tensor<2x?x64xf32>, tensor<2x?x64xf32>, tensor<64x8xf32>, tensor<2x?x1x8xf32>, tensor<2x?x1x8xf32>) -> tensor<2x?x64xf32>
// CHECK:         return %[[Y]] : tensor<2x?x64xf32>
func.func @selective_scan_dt_bias_f32(%x: tensor<2x?x64xf32>, %dt: tensor<2x?x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x?x1x8xf32>, %C: tensor<2x?x1x8xf32>, %dt_bias: tensor<64xf32>) -> tensor<2x?x64xf32> {
  %y = tok.selective_scan %x, %dt, %A, %B, %C dt_bias(%dt_bias : tensor<64xf32>) {dt_softplus} : (tensor<2x?x64xf32>, tensor<2x?x64xf32>, tensor<64x8xf32>, tensor<2x?x1x8xf32>, tensor<2x?x1x8xf32>) -> tensor<2x?x64xf32>
  return %y : tensor<2x?x64xf32>
}

// init alone, with the final state (a decode step of length 1).
// CHECK-LABEL: func.func @selective_scan_init_f32(
// CHECK-SAME:    %[[X:.*]]: tensor<2x1x64xf32>, %[[DT:.*]]: tensor<2x1x64xf32>, %[[A:.*]]: tensor<64x8xf32>, %[[B:.*]]: tensor<2x1x1x8xf32>, %[[C:.*]]: tensor<2x1x1x8xf32>, %[[INIT:.*]]: tensor<2x64x8xf32>) -> (tensor<2x1x64xf32>, tensor<2x64x8xf32>)
// CHECK:         %[[Y:.*]], %[[FINAL_STATE:.*]] = tok.selective_scan %[[X]], %[[DT]], %[[A]], %[[B]], %[[C]] init(%[[INIT]] : tensor<2x64x8xf32>) : (tensor<2x1x64xf32>, tensor<2x1x64xf32>, tensor<64x8xf32>, tensor<2x1x1x8xf32>, tensor<2x1x1x8xf32>) -> (tensor<2x1x64xf32>, tensor<2x64x8xf32>)
// CHECK:         return %[[Y]], %[[FINAL_STATE]] : tensor<2x1x64xf32>, tensor<2x64x8xf32>
func.func @selective_scan_init_f32(%x: tensor<2x1x64xf32>, %dt: tensor<2x1x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x1x1x8xf32>, %C: tensor<2x1x1x8xf32>, %init: tensor<2x64x8xf32>) -> (tensor<2x1x64xf32>, tensor<2x64x8xf32>) {
  %y, %final_state = tok.selective_scan %x, %dt, %A, %B, %C init(%init : tensor<2x64x8xf32>) : (tensor<2x1x64xf32>, tensor<2x1x64xf32>, tensor<64x8xf32>, tensor<2x1x1x8xf32>, tensor<2x1x1x8xf32>) -> (tensor<2x1x64xf32>, tensor<2x64x8xf32>)
  return %y, %final_state : tensor<2x1x64xf32>, tensor<2x64x8xf32>
}

// The final state without init (h_0 = 0), every dim dynamic.
// CHECK-LABEL: func.func @selective_scan_final_state_dynamic_f32(
// CHECK-SAME:    %[[X:.*]]: tensor<?x?x?xf32>, %[[DT:.*]]: tensor<?x?x?xf32>, %[[A:.*]]: tensor<?x?xf32>, %[[B:.*]]: tensor<?x?x?x?xf32>, %[[C:.*]]: tensor<?x?x?x?xf32>) -> (tensor<?x?x?xf32>, tensor<?x?x?xf32>)
// CHECK:         %[[Y:.*]], %[[FINAL_STATE:.*]] = tok.selective_scan %[[X]], %[[DT]], %[[A]], %[[B]], %[[C]] : (tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>) -> (tensor<?x?x?xf32>, tensor<?x?x?xf32>)
// CHECK:         return %[[Y]], %[[FINAL_STATE]] : tensor<?x?x?xf32>, tensor<?x?x?xf32>
func.func @selective_scan_final_state_dynamic_f32(%x: tensor<?x?x?xf32>, %dt: tensor<?x?x?xf32>, %A: tensor<?x?xf32>, %B: tensor<?x?x?x?xf32>, %C: tensor<?x?x?x?xf32>) -> (tensor<?x?x?xf32>, tensor<?x?x?xf32>) {
  %y, %final_state = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>) -> (tensor<?x?x?xf32>, tensor<?x?x?xf32>)
  return %y, %final_state : tensor<?x?x?xf32>, tensor<?x?x?xf32>
}

//===----------------------------------------------------------------------===//
// tok.linear_scan
//===----------------------------------------------------------------------===//

// The example of DESIGN 4.4: gated delta rule with init and final state.
// CHECK-LABEL: func.func @linear_scan_design_example_f32(
// CHECK-SAME:    %[[Q:.*]]: tensor<1x4x?x64xf32>, %[[K:.*]]: tensor<1x4x?x64xf32>, %[[V:.*]]: tensor<1x4x?x64xf32>, %[[G:.*]]: tensor<1x4x?xf32>, %[[BETA:.*]]: tensor<1x4x?xf32>, %[[S0:.*]]: tensor<1x4x64x64xf32>) -> (tensor<1x4x?x64xf32>, tensor<1x4x64x64xf32>)
// CHECK:         %[[O:.*]], %[[ST:.*]] = tok.linear_scan %[[Q]], %[[K]], %[[V]] decay(%[[G]] : tensor<1x4x?xf32>) beta(%[[BETA]] : tensor<1x4x?xf32>) init(%[[S0]] : tensor<1x4x64x64xf32>) {scale = 1.250000e-01 : f32, update = "delta"} : (tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>) -> (tensor<1x4x?x64xf32>, tensor<1x4x64x64xf32>)
// CHECK:         return %[[O]], %[[ST]] : tensor<1x4x?x64xf32>, tensor<1x4x64x64xf32>
func.func @linear_scan_design_example_f32(%q: tensor<1x4x?x64xf32>, %k: tensor<1x4x?x64xf32>, %v: tensor<1x4x?x64xf32>, %g: tensor<1x4x?xf32>, %beta: tensor<1x4x?xf32>, %S0: tensor<1x4x64x64xf32>) -> (tensor<1x4x?x64xf32>, tensor<1x4x64x64xf32>) {
  %o, %ST = tok.linear_scan %q, %k, %v decay(%g : tensor<1x4x?xf32>) beta(%beta : tensor<1x4x?xf32>)
              init(%S0 : tensor<1x4x64x64xf32>) {update = "delta", scale = 0.125 : f32}
     : (tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>)
     -> (tensor<1x4x?x64xf32>, tensor<1x4x64x64xf32>)
  return %o, %ST : tensor<1x4x?x64xf32>, tensor<1x4x64x64xf32>
}

// The example of the tok.linear_scan description (printed form).
// CHECK-LABEL: func.func @linear_scan_doc_example_f32(
// CHECK-SAME:    %[[Q:.*]]: tensor<1x4x?x64xf32>, %[[K:.*]]: tensor<1x4x?x64xf32>, %[[V:.*]]: tensor<1x4x?x64xf32>, %[[G:.*]]: tensor<1x4x?xf32>, %[[BETA:.*]]: tensor<1x4x?xf32>, %[[S0:.*]]: tensor<1x4x64x64xf32>) -> (tensor<1x4x?x64xf32>, tensor<1x4x64x64xf32>)
// CHECK:         %[[O:.*]], %[[ST:.*]] = tok.linear_scan %[[Q]], %[[K]], %[[V]] decay(%[[G]] : tensor<1x4x?xf32>) beta(%[[BETA]] : tensor<1x4x?xf32>) init(%[[S0]] : tensor<1x4x64x64xf32>) {scale = 1.250000e-01 : f32, update = "delta"} : (tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>) -> (tensor<1x4x?x64xf32>, tensor<1x4x64x64xf32>)
// CHECK:         return %[[O]], %[[ST]] : tensor<1x4x?x64xf32>, tensor<1x4x64x64xf32>
func.func @linear_scan_doc_example_f32(%q: tensor<1x4x?x64xf32>, %k: tensor<1x4x?x64xf32>, %v: tensor<1x4x?x64xf32>, %g: tensor<1x4x?xf32>, %beta: tensor<1x4x?xf32>, %S0: tensor<1x4x64x64xf32>) -> (tensor<1x4x?x64xf32>, tensor<1x4x64x64xf32>) {
  %o, %ST = tok.linear_scan %q, %k, %v decay(%g : tensor<1x4x?xf32>) beta(%beta : tensor<1x4x?xf32>) init(%S0 : tensor<1x4x64x64xf32>) {scale = 1.250000e-01 : f32, update = "delta"} : (tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>) -> (tensor<1x4x?x64xf32>, tensor<1x4x64x64xf32>)
  return %o, %ST : tensor<1x4x?x64xf32>, tensor<1x4x64x64xf32>
}

// Plain linear attention: no optional operand, value dim differs from key dim.
// CHECK-LABEL: func.func @linear_scan_plain_f32(
// CHECK-SAME:    %[[QUERY:.*]]: tensor<2x4x32x16xf32>, %[[KEY:.*]]: tensor<2x4x32x16xf32>, %[[VALUE:.*]]: tensor<2x4x32x64xf32>) -> tensor<2x4x32x64xf32>
// CHECK:         %[[OUT:.*]] = tok.linear_scan %[[QUERY]], %[[KEY]], %[[VALUE]] : (tensor<2x4x32x16xf32>, tensor<2x4x32x16xf32>, tensor<2x4x32x64xf32>) -> tensor<2x4x32x64xf32>
// CHECK:         return %[[OUT]] : tensor<2x4x32x64xf32>
func.func @linear_scan_plain_f32(%query: tensor<2x4x32x16xf32>, %key: tensor<2x4x32x16xf32>, %value: tensor<2x4x32x64xf32>) -> tensor<2x4x32x64xf32> {
  %out = tok.linear_scan %query, %key, %value : (tensor<2x4x32x16xf32>, tensor<2x4x32x16xf32>, tensor<2x4x32x64xf32>) -> tensor<2x4x32x64xf32>
  return %out : tensor<2x4x32x64xf32>
}

// A scalar decay per step (RetNet / Mamba-2), alone, in f16.
// CHECK-LABEL: func.func @linear_scan_decay_scalar_f16(
// CHECK-SAME:    %[[QUERY:.*]]: tensor<1x8x?x64xf16>, %[[KEY:.*]]: tensor<1x8x?x64xf16>, %[[VALUE:.*]]: tensor<1x8x?x64xf16>, %[[DECAY:.*]]: tensor<1x8x?xf32>) -> tensor<1x8x?x64xf16>
// CHECK:         %[[OUT:.*]] = tok.linear_scan %[[QUERY]], %[[KEY]], %[[VALUE]] decay(%[[DECAY]] : tensor<1x8x?xf32>) : (tensor<1x8x?x64xf16>, tensor<1x8x?x64xf16>, tensor<1x8x?x64xf16>) -> tensor<1x8x?x64xf16>
// CHECK:         return %[[OUT]] : tensor<1x8x?x64xf16>
func.func @linear_scan_decay_scalar_f16(%query: tensor<1x8x?x64xf16>, %key: tensor<1x8x?x64xf16>, %value: tensor<1x8x?x64xf16>, %decay: tensor<1x8x?xf32>) -> tensor<1x8x?x64xf16> {
  %out = tok.linear_scan %query, %key, %value decay(%decay : tensor<1x8x?xf32>) : (tensor<1x8x?x64xf16>, tensor<1x8x?x64xf16>, tensor<1x8x?x64xf16>) -> tensor<1x8x?x64xf16>
  return %out : tensor<1x8x?x64xf16>
}

// A per-key-channel decay (GLA) with explicit additive update, in bf16.
// CHECK-LABEL: func.func @linear_scan_decay_channel_bf16(
// CHECK-SAME:    %[[QUERY:.*]]: tensor<1x8x?x64xbf16>, %[[KEY:.*]]: tensor<1x8x?x64xbf16>, %[[VALUE:.*]]: tensor<1x8x?x128xbf16>, %[[DECAY:.*]]: tensor<1x8x?x64xbf16>) -> tensor<1x8x?x128xbf16>
// CHECK:         %[[OUT:.*]] = tok.linear_scan %[[QUERY]], %[[KEY]], %[[VALUE]] decay(%[[DECAY]] : tensor<1x8x?x64xbf16>) {update = "additive"} : (tensor<1x8x?x64xbf16>, tensor<1x8x?x64xbf16>, tensor<1x8x?x128xbf16>) -> tensor<1x8x?x128xbf16>
// CHECK:         return %[[OUT]] : tensor<1x8x?x128xbf16>
func.func @linear_scan_decay_channel_bf16(%query: tensor<1x8x?x64xbf16>, %key: tensor<1x8x?x64xbf16>, %value: tensor<1x8x?x128xbf16>, %decay: tensor<1x8x?x64xbf16>) -> tensor<1x8x?x128xbf16> {
  %out = tok.linear_scan %query, %key, %value decay(%decay : tensor<1x8x?x64xbf16>) {update = "additive"} : (tensor<1x8x?x64xbf16>, tensor<1x8x?x64xbf16>, tensor<1x8x?x128xbf16>) -> tensor<1x8x?x128xbf16>
  return %out : tensor<1x8x?x128xbf16>
}

// beta alone with the delta rule (DeltaNet).
// CHECK-LABEL: func.func @linear_scan_beta_delta_f32(
// CHECK-SAME:    %[[QUERY:.*]]: tensor<1x4x?x32xf32>, %[[KEY:.*]]: tensor<1x4x?x32xf32>, %[[VALUE:.*]]: tensor<1x4x?x32xf32>, %[[BETA:.*]]: tensor<1x4x?xf32>) -> tensor<1x4x?x32xf32>
// CHECK:         %[[OUT:.*]] = tok.linear_scan %[[QUERY]], %[[KEY]], %[[VALUE]] beta(%[[BETA]] : tensor<1x4x?xf32>) {update = "delta"} : (tensor<1x4x?x32xf32>, tensor<1x4x?x32xf32>, tensor<1x4x?x32xf32>) -> tensor<1x4x?x32xf32>
// CHECK:         return %[[OUT]] : tensor<1x4x?x32xf32>
func.func @linear_scan_beta_delta_f32(%query: tensor<1x4x?x32xf32>, %key: tensor<1x4x?x32xf32>, %value: tensor<1x4x?x32xf32>, %beta: tensor<1x4x?xf32>) -> tensor<1x4x?x32xf32> {
  %out = tok.linear_scan %query, %key, %value beta(%beta : tensor<1x4x?xf32>) {update = "delta"} : (tensor<1x4x?x32xf32>, tensor<1x4x?x32xf32>, tensor<1x4x?x32xf32>) -> tensor<1x4x?x32xf32>
  return %out : tensor<1x4x?x32xf32>
}

// init alone, with the final state.
// CHECK-LABEL: func.func @linear_scan_init_f32(
// CHECK-SAME:    %[[QUERY:.*]]: tensor<1x4x1x32xf32>, %[[KEY:.*]]: tensor<1x4x1x32xf32>, %[[VALUE:.*]]: tensor<1x4x1x16xf32>, %[[INIT:.*]]: tensor<1x4x32x16xf32>) -> (tensor<1x4x1x16xf32>, tensor<1x4x32x16xf32>)
// CHECK:         %[[OUT:.*]], %[[FINAL_STATE:.*]] = tok.linear_scan %[[QUERY]], %[[KEY]], %[[VALUE]] init(%[[INIT]] : tensor<1x4x32x16xf32>) : (tensor<1x4x1x32xf32>, tensor<1x4x1x32xf32>, tensor<1x4x1x16xf32>) -> (tensor<1x4x1x16xf32>, tensor<1x4x32x16xf32>)
// CHECK:         return %[[OUT]], %[[FINAL_STATE]] : tensor<1x4x1x16xf32>, tensor<1x4x32x16xf32>
func.func @linear_scan_init_f32(%query: tensor<1x4x1x32xf32>, %key: tensor<1x4x1x32xf32>, %value: tensor<1x4x1x16xf32>, %init: tensor<1x4x32x16xf32>) -> (tensor<1x4x1x16xf32>, tensor<1x4x32x16xf32>) {
  %out, %final_state = tok.linear_scan %query, %key, %value init(%init : tensor<1x4x32x16xf32>) : (tensor<1x4x1x32xf32>, tensor<1x4x1x32xf32>, tensor<1x4x1x16xf32>) -> (tensor<1x4x1x16xf32>, tensor<1x4x32x16xf32>)
  return %out, %final_state : tensor<1x4x1x16xf32>, tensor<1x4x32x16xf32>
}

// A reversed scan with decay and the final state, every dim dynamic.
// CHECK-LABEL: func.func @linear_scan_reverse_dynamic_f32(
// CHECK-SAME:    %[[QUERY:.*]]: tensor<?x?x?x?xf32>, %[[KEY:.*]]: tensor<?x?x?x?xf32>, %[[VALUE:.*]]: tensor<?x?x?x?xf32>, %[[DECAY:.*]]: tensor<?x?x?xf32>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>)
// CHECK:         %[[OUT:.*]], %[[FINAL_STATE:.*]] = tok.linear_scan %[[QUERY]], %[[KEY]], %[[VALUE]] decay(%[[DECAY]] : tensor<?x?x?xf32>) {reverse, scale = 5.000000e-01 : f32} : (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>)
// CHECK:         return %[[OUT]], %[[FINAL_STATE]] : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>
func.func @linear_scan_reverse_dynamic_f32(%query: tensor<?x?x?x?xf32>, %key: tensor<?x?x?x?xf32>, %value: tensor<?x?x?x?xf32>, %decay: tensor<?x?x?xf32>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>) {
  %out, %final_state = tok.linear_scan %query, %key, %value decay(%decay : tensor<?x?x?xf32>) {reverse, scale = 5.000000e-01 : f32} : (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>)
  return %out, %final_state : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>
}

//===----------------------------------------------------------------------===//
// tok.assoc_scan
//===----------------------------------------------------------------------===//

// The example of DESIGN 4.5 and of the description: a first-order recurrence.
// CHECK-LABEL: func.func @assoc_scan_design_example_f32(
// CHECK-SAME:    %[[A:.*]]: tensor<2x?x8xf32>, %[[B:.*]]: tensor<2x?x8xf32>) -> (tensor<2x?x8xf32>, tensor<2x?x8xf32>)
// CHECK:         %[[SCAN:.*]]:2 = tok.assoc_scan %[[A]], %[[B]] {dim = 1 : i64} : (tensor<2x?x8xf32>, tensor<2x?x8xf32>) -> (tensor<2x?x8xf32>, tensor<2x?x8xf32>) combine {
// CHECK:         ^bb0(%[[A0:.*]]: f32, %[[B0:.*]]: f32, %[[A1:.*]]: f32, %[[B1:.*]]: f32):
// CHECK:         %[[A2:.*]] = arith.mulf %[[A0]], %[[A1]] : f32
// CHECK:         %[[T:.*]] = arith.mulf %[[A1]], %[[B0]] : f32
// CHECK:         %[[B2:.*]] = arith.addf %[[T]], %[[B1]] : f32
// CHECK:         tok.yield %[[A2]], %[[B2]] : f32, f32
// CHECK:         return %[[SCAN]]#0, %[[SCAN]]#1 : tensor<2x?x8xf32>, tensor<2x?x8xf32>
func.func @assoc_scan_design_example_f32(%a: tensor<2x?x8xf32>, %b: tensor<2x?x8xf32>) -> (tensor<2x?x8xf32>, tensor<2x?x8xf32>) {
  %m, %u = tok.assoc_scan %a, %b {dim = 1 : i64} : (tensor<2x?x8xf32>, tensor<2x?x8xf32>) -> (tensor<2x?x8xf32>, tensor<2x?x8xf32>) combine {
  ^bb0(%a0: f32, %b0: f32, %a1: f32, %b1: f32):
    %a2 = arith.mulf %a0, %a1 : f32
    %t = arith.mulf %a1, %b0 : f32
    %b2 = arith.addf %t, %b1 : f32
    tok.yield %a2, %b2 : f32, f32
  }
  return %m, %u : tensor<2x?x8xf32>, tensor<2x?x8xf32>
}

// A single-input reversed cumulative sum in f16.
// CHECK-LABEL: func.func @assoc_scan_reverse_cumsum_f16(
// CHECK-SAME:    %[[INPUT:.*]]: tensor<4x?xf16>) -> tensor<4x?xf16>
// CHECK:         %[[SUM:.*]] = tok.assoc_scan %[[INPUT]] {dim = 1 : i64, reverse} : (tensor<4x?xf16>) -> tensor<4x?xf16> combine {
// CHECK:         ^bb0(%[[LHS:.*]]: f16, %[[RHS:.*]]: f16):
// CHECK:         %[[ADD:.*]] = arith.addf %[[LHS]], %[[RHS]] : f16
// CHECK:         tok.yield %[[ADD]] : f16
// CHECK:         return %[[SUM]] : tensor<4x?xf16>
func.func @assoc_scan_reverse_cumsum_f16(%input: tensor<4x?xf16>) -> tensor<4x?xf16> {
  %sum = tok.assoc_scan %input {dim = 1 : i64, reverse} : (tensor<4x?xf16>) -> tensor<4x?xf16> combine {
  ^bb0(%lhs: f16, %rhs: f16):
    %add = arith.addf %lhs, %rhs : f16
    tok.yield %add : f16
  }
  return %sum : tensor<4x?xf16>
}

// An integer running maximum along dim 0.
// CHECK-LABEL: func.func @assoc_scan_max_i32(
// CHECK-SAME:    %[[INPUT:.*]]: tensor<?x16xi32>) -> tensor<?x16xi32>
// CHECK:         %[[MAX:.*]] = tok.assoc_scan %[[INPUT]] {dim = 0 : i64} : (tensor<?x16xi32>) -> tensor<?x16xi32> combine {
// CHECK:         ^bb0(%[[LHS:.*]]: i32, %[[RHS:.*]]: i32):
// CHECK:         %[[M:.*]] = arith.maxsi %[[LHS]], %[[RHS]] : i32
// CHECK:         tok.yield %[[M]] : i32
// CHECK:         return %[[MAX]] : tensor<?x16xi32>
func.func @assoc_scan_max_i32(%input: tensor<?x16xi32>) -> tensor<?x16xi32> {
  %max = tok.assoc_scan %input {dim = 0 : i64} : (tensor<?x16xi32>) -> tensor<?x16xi32> combine {
  ^bb0(%lhs: i32, %rhs: i32):
    %m = arith.maxsi %lhs, %rhs : i32
    tok.yield %m : i32
  }
  return %max : tensor<?x16xi32>
}

// Three inputs of mixed element types (a bf16 value with an i32 counter).
// CHECK-LABEL: func.func @assoc_scan_mixed_bf16(
// CHECK-SAME:    %[[VALUE:.*]]: tensor<2x?xbf16>, %[[WEIGHT:.*]]: tensor<2x?xf32>, %[[COUNT:.*]]: tensor<2x?xi32>) -> (tensor<2x?xbf16>, tensor<2x?xf32>, tensor<2x?xi32>)
// CHECK:         %[[SCAN:.*]]:3 = tok.assoc_scan %[[VALUE]], %[[WEIGHT]], %[[COUNT]] {dim = 1 : i64} : (tensor<2x?xbf16>, tensor<2x?xf32>, tensor<2x?xi32>) -> (tensor<2x?xbf16>, tensor<2x?xf32>, tensor<2x?xi32>) combine {
// CHECK:         ^bb0(%[[V0:.*]]: bf16, %[[W0:.*]]: f32, %[[C0:.*]]: i32, %[[V1:.*]]: bf16, %[[W1:.*]]: f32, %[[C1:.*]]: i32):
// CHECK:         %[[V2:.*]] = arith.addf %[[V0]], %[[V1]] : bf16
// CHECK:         %[[W2:.*]] = arith.addf %[[W0]], %[[W1]] : f32
// CHECK:         %[[C2:.*]] = arith.addi %[[C0]], %[[C1]] : i32
// CHECK:         tok.yield %[[V2]], %[[W2]], %[[C2]] : bf16, f32, i32
// CHECK:         return %[[SCAN]]#0, %[[SCAN]]#1, %[[SCAN]]#2 : tensor<2x?xbf16>, tensor<2x?xf32>, tensor<2x?xi32>
func.func @assoc_scan_mixed_bf16(%value: tensor<2x?xbf16>, %weight: tensor<2x?xf32>, %count: tensor<2x?xi32>) -> (tensor<2x?xbf16>, tensor<2x?xf32>, tensor<2x?xi32>) {
  %v, %w, %c = tok.assoc_scan %value, %weight, %count {dim = 1 : i64} : (tensor<2x?xbf16>, tensor<2x?xf32>, tensor<2x?xi32>) -> (tensor<2x?xbf16>, tensor<2x?xf32>, tensor<2x?xi32>) combine {
  ^bb0(%v0: bf16, %w0: f32, %c0: i32, %v1: bf16, %w1: f32, %c1: i32):
    %v2 = arith.addf %v0, %v1 : bf16
    %w2 = arith.addf %w0, %w1 : f32
    %c2 = arith.addi %c0, %c1 : i32
    tok.yield %v2, %w2, %c2 : bf16, f32, i32
  }
  return %v, %w, %c : tensor<2x?xbf16>, tensor<2x?xf32>, tensor<2x?xi32>
}

//===----------------------------------------------------------------------===//
// tok.conv1d and tok.pool2d
//===----------------------------------------------------------------------===//

// The conv1d example of DESIGN 4.6.
// CHECK-LABEL: func.func @conv1d_design_example_f32(
// CHECK-SAME:    %[[X:.*]]: tensor<2x?x1536xf32>, %[[W:.*]]: tensor<1536x4xf32>, %[[B:.*]]: tensor<1536xf32>, %[[S0:.*]]: tensor<2x1536x3xf32>) -> (tensor<2x?x1536xf32>, tensor<2x1536x3xf32>)
// CHECK:         %[[Y:.*]], %[[ST:.*]] = tok.conv1d %[[X]], %[[W]] bias(%[[B]] : tensor<1536xf32>) init(%[[S0]] : tensor<2x1536x3xf32>) {activation = "silu"} : (tensor<2x?x1536xf32>, tensor<1536x4xf32>) -> (tensor<2x?x1536xf32>, tensor<2x1536x3xf32>)
// CHECK:         return %[[Y]], %[[ST]] : tensor<2x?x1536xf32>, tensor<2x1536x3xf32>
func.func @conv1d_design_example_f32(%x: tensor<2x?x1536xf32>, %w: tensor<1536x4xf32>, %b: tensor<1536xf32>, %s0: tensor<2x1536x3xf32>) -> (tensor<2x?x1536xf32>, tensor<2x1536x3xf32>) {
  %y, %st = tok.conv1d %x, %w bias(%b : tensor<1536xf32>) init(%s0 : tensor<2x1536x3xf32>) {activation = "silu"}
     : (tensor<2x?x1536xf32>, tensor<1536x4xf32>) -> (tensor<2x?x1536xf32>, tensor<2x1536x3xf32>)
  return %y, %st : tensor<2x?x1536xf32>, tensor<2x1536x3xf32>
}

// The example of the tok.conv1d description (printed form).
// CHECK-LABEL: func.func @conv1d_doc_example_f32(
// CHECK-SAME:    %[[X:.*]]: tensor<2x?x1536xf32>, %[[W:.*]]: tensor<1536x4xf32>, %[[B:.*]]: tensor<1536xf32>, %[[S0:.*]]: tensor<2x1536x3xf32>) -> (tensor<2x?x1536xf32>, tensor<2x1536x3xf32>)
// CHECK:         %[[Y:.*]], %[[ST:.*]] = tok.conv1d %[[X]], %[[W]] bias(%[[B]] : tensor<1536xf32>) init(%[[S0]] : tensor<2x1536x3xf32>) {activation = "silu"} : (tensor<2x?x1536xf32>, tensor<1536x4xf32>) -> (tensor<2x?x1536xf32>, tensor<2x1536x3xf32>)
// CHECK:         return %[[Y]], %[[ST]] : tensor<2x?x1536xf32>, tensor<2x1536x3xf32>
func.func @conv1d_doc_example_f32(%x: tensor<2x?x1536xf32>, %w: tensor<1536x4xf32>, %b: tensor<1536xf32>, %s0: tensor<2x1536x3xf32>) -> (tensor<2x?x1536xf32>, tensor<2x1536x3xf32>) {
  %y, %st = tok.conv1d %x, %w bias(%b : tensor<1536xf32>) init(%s0 : tensor<2x1536x3xf32>) {activation = "silu"} : (tensor<2x?x1536xf32>, tensor<1536x4xf32>) -> (tensor<2x?x1536xf32>, tensor<2x1536x3xf32>)
  return %y, %st : tensor<2x?x1536xf32>, tensor<2x1536x3xf32>
}

// Packed sequences (seq_starts, issue 14): one init and final-state row
// per sequence.
// CHECK-LABEL: func.func @scans_packed_f32(
// CHECK:         tok.selective_scan %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} init(%{{.*}} : tensor<3x64x16xf32>) seq_starts(%{{.*}} : tensor<4xi32>) : (tensor<1x?x64xf32>, tensor<1x?x64xf32>, tensor<64x16xf32>, tensor<1x?x1x16xf32>, tensor<1x?x1x16xf32>) -> (tensor<1x?x64xf32>, tensor<3x64x16xf32>)
// CHECK:         tok.linear_scan %{{.*}}, %{{.*}}, %{{.*}} seq_starts(%{{.*}} : tensor<?xi32>) {reverse} : (tensor<1x4x?x32xf32>, tensor<1x4x?x32xf32>, tensor<1x4x?x32xf32>) -> (tensor<1x4x?x32xf32>, tensor<?x4x32x32xf32>)
// CHECK:         tok.conv1d %{{.*}}, %{{.*}} seq_starts(%{{.*}} : tensor<4xi32>) : (tensor<1x?x64xf32>, tensor<64x4xf32>) -> (tensor<1x?x64xf32>, tensor<3x64x3xf32>)
func.func @scans_packed_f32(%x: tensor<1x?x64xf32>, %a: tensor<64x16xf32>, %bc: tensor<1x?x1x16xf32>, %h0: tensor<3x64x16xf32>, %cu: tensor<4xi32>, %q: tensor<1x4x?x32xf32>, %cud: tensor<?xi32>, %w: tensor<64x4xf32>) -> (tensor<1x?x64xf32>, tensor<3x64x16xf32>, tensor<?x4x32x32xf32>, tensor<3x64x3xf32>) {
  %y, %h = tok.selective_scan %x, %x, %a, %bc, %bc init(%h0 : tensor<3x64x16xf32>) seq_starts(%cu : tensor<4xi32>) : (tensor<1x?x64xf32>, tensor<1x?x64xf32>, tensor<64x16xf32>, tensor<1x?x1x16xf32>, tensor<1x?x1x16xf32>) -> (tensor<1x?x64xf32>, tensor<3x64x16xf32>)
  %o, %s = tok.linear_scan %q, %q, %q seq_starts(%cud : tensor<?xi32>) {reverse} : (tensor<1x4x?x32xf32>, tensor<1x4x?x32xf32>, tensor<1x4x?x32xf32>) -> (tensor<1x4x?x32xf32>, tensor<?x4x32x32xf32>)
  %c, %st = tok.conv1d %x, %w seq_starts(%cu : tensor<4xi32>) : (tensor<1x?x64xf32>, tensor<64x4xf32>) -> (tensor<1x?x64xf32>, tensor<3x64x3xf32>)
  return %y, %h, %s, %st : tensor<1x?x64xf32>, tensor<3x64x16xf32>, tensor<?x4x32x32xf32>, tensor<3x64x3xf32>
}

// No optional operand, no state, explicit "none" activation.
// CHECK-LABEL: func.func @conv1d_plain_f32(
// CHECK-SAME:    %[[INPUT:.*]]: tensor<1x32x64xf32>, %[[WEIGHT:.*]]: tensor<64x4xf32>) -> tensor<1x32x64xf32>
// CHECK:         %[[OUT:.*]] = tok.conv1d %[[INPUT]], %[[WEIGHT]] {activation = "none"} : (tensor<1x32x64xf32>, tensor<64x4xf32>) -> tensor<1x32x64xf32>
// CHECK:         return %[[OUT]] : tensor<1x32x64xf32>
func.func @conv1d_plain_f32(%input: tensor<1x32x64xf32>, %weight: tensor<64x4xf32>) -> tensor<1x32x64xf32> {
  %out = tok.conv1d %input, %weight {activation = "none"} : (tensor<1x32x64xf32>, tensor<64x4xf32>) -> tensor<1x32x64xf32>
  return %out : tensor<1x32x64xf32>
}

// bias alone in f16.
// CHECK-LABEL: func.func @conv1d_bias_f16(
// CHECK-SAME:    %[[INPUT:.*]]: tensor<1x?x64xf16>, %[[WEIGHT:.*]]: tensor<64x4xf16>, %[[BIAS:.*]]: tensor<64xf16>) -> tensor<1x?x64xf16>
// CHECK:         %[[OUT:.*]] = tok.conv1d %[[INPUT]], %[[WEIGHT]] bias(%[[BIAS]] : tensor<64xf16>) : (tensor<1x?x64xf16>, tensor<64x4xf16>) -> tensor<1x?x64xf16>
// CHECK:         return %[[OUT]] : tensor<1x?x64xf16>
func.func @conv1d_bias_f16(%input: tensor<1x?x64xf16>, %weight: tensor<64x4xf16>, %bias: tensor<64xf16>) -> tensor<1x?x64xf16> {
  %out = tok.conv1d %input, %weight bias(%bias : tensor<64xf16>) : (tensor<1x?x64xf16>, tensor<64x4xf16>) -> tensor<1x?x64xf16>
  return %out : tensor<1x?x64xf16>
}

// init alone with the final state (a decode step) in bf16.
// CHECK-LABEL: func.func @conv1d_init_bf16(
// CHECK-SAME:    %[[INPUT:.*]]: tensor<2x1x64xbf16>, %[[WEIGHT:.*]]: tensor<64x4xbf16>, %[[INIT:.*]]: tensor<2x64x3xbf16>) -> (tensor<2x1x64xbf16>, tensor<2x64x3xbf16>)
// CHECK:         %[[OUT:.*]], %[[FINAL_STATE:.*]] = tok.conv1d %[[INPUT]], %[[WEIGHT]] init(%[[INIT]] : tensor<2x64x3xbf16>) : (tensor<2x1x64xbf16>, tensor<64x4xbf16>) -> (tensor<2x1x64xbf16>, tensor<2x64x3xbf16>)
// CHECK:         return %[[OUT]], %[[FINAL_STATE]] : tensor<2x1x64xbf16>, tensor<2x64x3xbf16>
func.func @conv1d_init_bf16(%input: tensor<2x1x64xbf16>, %weight: tensor<64x4xbf16>, %init: tensor<2x64x3xbf16>) -> (tensor<2x1x64xbf16>, tensor<2x64x3xbf16>) {
  %out, %final_state = tok.conv1d %input, %weight init(%init : tensor<2x64x3xbf16>) : (tensor<2x1x64xbf16>, tensor<64x4xbf16>) -> (tensor<2x1x64xbf16>, tensor<2x64x3xbf16>)
  return %out, %final_state : tensor<2x1x64xbf16>, tensor<2x64x3xbf16>
}

// The final state without init, kernel size 1 (an empty state) and dynamic dims.
// CHECK-LABEL: func.func @conv1d_final_state_dynamic_f32(
// CHECK-SAME:    %[[INPUT:.*]]: tensor<?x?x?xf32>, %[[WEIGHT:.*]]: tensor<?x1xf32>) -> (tensor<?x?x?xf32>, tensor<?x?x0xf32>)
// CHECK:         %[[OUT:.*]], %[[FINAL_STATE:.*]] = tok.conv1d %[[INPUT]], %[[WEIGHT]] : (tensor<?x?x?xf32>, tensor<?x1xf32>) -> (tensor<?x?x?xf32>, tensor<?x?x0xf32>)
// CHECK:         return %[[OUT]], %[[FINAL_STATE]] : tensor<?x?x?xf32>, tensor<?x?x0xf32>
func.func @conv1d_final_state_dynamic_f32(%input: tensor<?x?x?xf32>, %weight: tensor<?x1xf32>) -> (tensor<?x?x?xf32>, tensor<?x?x0xf32>) {
  %out, %final_state = tok.conv1d %input, %weight : (tensor<?x?x?xf32>, tensor<?x1xf32>) -> (tensor<?x?x?xf32>, tensor<?x?x0xf32>)
  return %out, %final_state : tensor<?x?x?xf32>, tensor<?x?x0xf32>
}

// The pool2d example of DESIGN 4.6 (also the description's).
// CHECK-LABEL: func.func @pool2d_design_example_f32(
// CHECK-SAME:    %[[X:.*]]: tensor<1x56x56x64xf32>) -> tensor<1x56x56x64xf32>
// CHECK:         %[[P:.*]] = tok.pool2d %[[X]] {kernel = 3 : i64, subtract_input} : (tensor<1x56x56x64xf32>) -> tensor<1x56x56x64xf32>
// CHECK:         return %[[P]] : tensor<1x56x56x64xf32>
func.func @pool2d_design_example_f32(%x: tensor<1x56x56x64xf32>) -> tensor<1x56x56x64xf32> {
  %p = tok.pool2d %x {kernel = 3 : i64, subtract_input} : (tensor<1x56x56x64xf32>) -> tensor<1x56x56x64xf32>
  return %p : tensor<1x56x56x64xf32>
}

// Plain pooling with a larger kernel and dynamic batch in f16.
// CHECK-LABEL: func.func @pool2d_kernel5_f16(
// CHECK-SAME:    %[[INPUT:.*]]: tensor<?x28x28x128xf16>) -> tensor<?x28x28x128xf16>
// CHECK:         %[[OUT:.*]] = tok.pool2d %[[INPUT]] {kernel = 5 : i64} : (tensor<?x28x28x128xf16>) -> tensor<?x28x28x128xf16>
// CHECK:         return %[[OUT]] : tensor<?x28x28x128xf16>
func.func @pool2d_kernel5_f16(%input: tensor<?x28x28x128xf16>) -> tensor<?x28x28x128xf16> {
  %out = tok.pool2d %input {kernel = 5 : i64} : (tensor<?x28x28x128xf16>) -> tensor<?x28x28x128xf16>
  return %out : tensor<?x28x28x128xf16>
}

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

// The linear example of DESIGN 4.7 (also the description's).
// CHECK-LABEL: func.func @linear_design_example_f32(
// CHECK-SAME:    %[[X:.*]]: tensor<2x?x1024xf32>, %[[W:.*]]: tensor<4096x1024xf32>, %[[B:.*]]: tensor<4096xf32>) -> tensor<2x?x4096xf32>
// CHECK:         %[[Y:.*]] = tok.linear %[[X]], %[[W]] bias(%[[B]] : tensor<4096xf32>) : (tensor<2x?x1024xf32>, tensor<4096x1024xf32>) -> tensor<2x?x4096xf32>
// CHECK:         return %[[Y]] : tensor<2x?x4096xf32>
func.func @linear_design_example_f32(%x: tensor<2x?x1024xf32>, %w: tensor<4096x1024xf32>, %b: tensor<4096xf32>) -> tensor<2x?x4096xf32> {
  %y = tok.linear %x, %w bias(%b : tensor<4096xf32>) : (tensor<2x?x1024xf32>, tensor<4096x1024xf32>) -> tensor<2x?x4096xf32>
  return %y : tensor<2x?x4096xf32>
}

// No bias, a rank-1 input, in bf16.
// CHECK-LABEL: func.func @linear_vector_bf16(
// CHECK-SAME:    %[[INPUT:.*]]: tensor<1024xbf16>, %[[WEIGHT:.*]]: tensor<256x1024xbf16>) -> tensor<256xbf16>
// CHECK:         %[[OUT:.*]] = tok.linear %[[INPUT]], %[[WEIGHT]] : (tensor<1024xbf16>, tensor<256x1024xbf16>) -> tensor<256xbf16>
// CHECK:         return %[[OUT]] : tensor<256xbf16>
func.func @linear_vector_bf16(%input: tensor<1024xbf16>, %weight: tensor<256x1024xbf16>) -> tensor<256xbf16> {
  %out = tok.linear %input, %weight : (tensor<1024xbf16>, tensor<256x1024xbf16>) -> tensor<256xbf16>
  return %out : tensor<256xbf16>
}

// Dynamic feature counts in f16.
// CHECK-LABEL: func.func @linear_dynamic_f16(
// CHECK-SAME:    %[[INPUT:.*]]: tensor<?x?xf16>, %[[WEIGHT:.*]]: tensor<?x?xf16>, %[[BIAS:.*]]: tensor<?xf16>) -> tensor<?x?xf16>
// CHECK:         %[[OUT:.*]] = tok.linear %[[INPUT]], %[[WEIGHT]] bias(%[[BIAS]] : tensor<?xf16>) : (tensor<?x?xf16>, tensor<?x?xf16>) -> tensor<?x?xf16>
// CHECK:         return %[[OUT]] : tensor<?x?xf16>
func.func @linear_dynamic_f16(%input: tensor<?x?xf16>, %weight: tensor<?x?xf16>, %bias: tensor<?xf16>) -> tensor<?x?xf16> {
  %out = tok.linear %input, %weight bias(%bias : tensor<?xf16>) : (tensor<?x?xf16>, tensor<?x?xf16>) -> tensor<?x?xf16>
  return %out : tensor<?x?xf16>
}

// The rms_norm example of DESIGN 4.7.
// CHECK-LABEL: func.func @rms_norm_design_example_f32(
// CHECK-SAME:    %[[X:.*]]: tensor<2x?x1024xf32>, %[[W:.*]]: tensor<1024xf32>) -> tensor<2x?x1024xf32>
// CHECK:         %[[Y:.*]] = tok.rms_norm %[[X]], %[[W]] {eps = 9.99999997E-7 : f32} : (tensor<2x?x1024xf32>, tensor<1024xf32>) -> tensor<2x?x1024xf32>
// CHECK:         return %[[Y]] : tensor<2x?x1024xf32>
func.func @rms_norm_design_example_f32(%x: tensor<2x?x1024xf32>, %w: tensor<1024xf32>) -> tensor<2x?x1024xf32> {
  %y = tok.rms_norm %x, %w {eps = 1.0e-6 : f32} : (tensor<2x?x1024xf32>, tensor<1024xf32>) -> tensor<2x?x1024xf32>
  return %y : tensor<2x?x1024xf32>
}

// The example of the tok.rms_norm description (printed form).
// CHECK-LABEL: func.func @rms_norm_doc_example_f32(
// CHECK-SAME:    %[[X:.*]]: tensor<2x?x1024xf32>, %[[W:.*]]: tensor<1024xf32>) -> tensor<2x?x1024xf32>
// CHECK:         %[[Y:.*]] = tok.rms_norm %[[X]], %[[W]] {eps = 9.99999997E-7 : f32} : (tensor<2x?x1024xf32>, tensor<1024xf32>) -> tensor<2x?x1024xf32>
// CHECK:         return %[[Y]] : tensor<2x?x1024xf32>
func.func @rms_norm_doc_example_f32(%x: tensor<2x?x1024xf32>, %w: tensor<1024xf32>) -> tensor<2x?x1024xf32> {
  %y = tok.rms_norm %x, %w {eps = 9.99999997E-7 : f32} : (tensor<2x?x1024xf32>, tensor<1024xf32>) -> tensor<2x?x1024xf32>
  return %y : tensor<2x?x1024xf32>
}

// The default eps in bf16.
// CHECK-LABEL: func.func @rms_norm_default_eps_bf16(
// CHECK-SAME:    %[[INPUT:.*]]: tensor<?x4096xbf16>, %[[WEIGHT:.*]]: tensor<4096xbf16>) -> tensor<?x4096xbf16>
// CHECK:         %[[OUT:.*]] = tok.rms_norm %[[INPUT]], %[[WEIGHT]] : (tensor<?x4096xbf16>, tensor<4096xbf16>) -> tensor<?x4096xbf16>
// CHECK:         return %[[OUT]] : tensor<?x4096xbf16>
func.func @rms_norm_default_eps_bf16(%input: tensor<?x4096xbf16>, %weight: tensor<4096xbf16>) -> tensor<?x4096xbf16> {
  %out = tok.rms_norm %input, %weight : (tensor<?x4096xbf16>, tensor<4096xbf16>) -> tensor<?x4096xbf16>
  return %out : tensor<?x4096xbf16>
}

// The layer_norm example of DESIGN 4.7 (types filled in).
// CHECK-LABEL: func.func @layer_norm_design_example_f32(
// CHECK-SAME:    %[[X:.*]]: tensor<2x?x1024xf32>, %[[W:.*]]: tensor<1024xf32>, %[[B:.*]]: tensor<1024xf32>) -> tensor<2x?x1024xf32>
// CHECK:         %[[Y:.*]] = tok.layer_norm %[[X]], %[[W]], %[[B]] {eps = 9.99999974E-6 : f32} : (tensor<2x?x1024xf32>, tensor<1024xf32>, tensor<1024xf32>) -> tensor<2x?x1024xf32>
// CHECK:         return %[[Y]] : tensor<2x?x1024xf32>
func.func @layer_norm_design_example_f32(%x: tensor<2x?x1024xf32>, %w: tensor<1024xf32>, %b: tensor<1024xf32>) -> tensor<2x?x1024xf32> {
  %y = tok.layer_norm %x, %w, %b {eps = 1.0e-5 : f32} : (tensor<2x?x1024xf32>, tensor<1024xf32>, tensor<1024xf32>) -> tensor<2x?x1024xf32>
  return %y : tensor<2x?x1024xf32>
}

// The example of the tok.layer_norm description (printed form).
// CHECK-LABEL: func.func @layer_norm_doc_example_f32(
// CHECK-SAME:    %[[X:.*]]: tensor<2x?x1024xf32>, %[[W:.*]]: tensor<1024xf32>, %[[B:.*]]: tensor<1024xf32>) -> tensor<2x?x1024xf32>
// CHECK:         %[[Y:.*]] = tok.layer_norm %[[X]], %[[W]], %[[B]] {eps = 9.99999974E-6 : f32} : (tensor<2x?x1024xf32>, tensor<1024xf32>, tensor<1024xf32>) -> tensor<2x?x1024xf32>
// CHECK:         return %[[Y]] : tensor<2x?x1024xf32>
func.func @layer_norm_doc_example_f32(%x: tensor<2x?x1024xf32>, %w: tensor<1024xf32>, %b: tensor<1024xf32>) -> tensor<2x?x1024xf32> {
  %y = tok.layer_norm %x, %w, %b {eps = 9.99999974E-6 : f32} : (tensor<2x?x1024xf32>, tensor<1024xf32>, tensor<1024xf32>) -> tensor<2x?x1024xf32>
  return %y : tensor<2x?x1024xf32>
}

// The default eps in f16 with a dynamic normalized dim.
// CHECK-LABEL: func.func @layer_norm_default_eps_f16(
// CHECK-SAME:    %[[INPUT:.*]]: tensor<8x?xf16>, %[[WEIGHT:.*]]: tensor<?xf16>, %[[BIAS:.*]]: tensor<?xf16>) -> tensor<8x?xf16>
// CHECK:         %[[OUT:.*]] = tok.layer_norm %[[INPUT]], %[[WEIGHT]], %[[BIAS]] : (tensor<8x?xf16>, tensor<?xf16>, tensor<?xf16>) -> tensor<8x?xf16>
// CHECK:         return %[[OUT]] : tensor<8x?xf16>
func.func @layer_norm_default_eps_f16(%input: tensor<8x?xf16>, %weight: tensor<?xf16>, %bias: tensor<?xf16>) -> tensor<8x?xf16> {
  %out = tok.layer_norm %input, %weight, %bias : (tensor<8x?xf16>, tensor<?xf16>, tensor<?xf16>) -> tensor<8x?xf16>
  return %out : tensor<8x?xf16>
}

// The rope example of DESIGN 4.7: partial rotation.
// CHECK-LABEL: func.func @rope_design_example_f32(
// CHECK-SAME:    %[[X:.*]]: tensor<1x8x?x128xf32>, %[[POS:.*]]: tensor<1x?xi32>) -> tensor<1x8x?x128xf32>
// CHECK:         %[[Y:.*]] = tok.rope %[[X]], %[[POS]] {rotary_dim = 64 : i64, theta = 1.000000e+04 : f32} : (tensor<1x8x?x128xf32>, tensor<1x?xi32>) -> tensor<1x8x?x128xf32>
// CHECK:         return %[[Y]] : tensor<1x8x?x128xf32>
func.func @rope_design_example_f32(%x: tensor<1x8x?x128xf32>, %pos: tensor<1x?xi32>) -> tensor<1x8x?x128xf32> {
  %y = tok.rope %x, %pos {theta = 10000.0 : f32, rotary_dim = 64 : i64} : (tensor<1x8x?x128xf32>, tensor<1x?xi32>) -> tensor<1x8x?x128xf32>
  return %y : tensor<1x8x?x128xf32>
}

// The example of the tok.rope description (printed form).
// CHECK-LABEL: func.func @rope_doc_example_f32(
// CHECK-SAME:    %[[X:.*]]: tensor<1x8x?x128xf32>, %[[POS:.*]]: tensor<1x?xi32>) -> tensor<1x8x?x128xf32>
// CHECK:         %[[Y:.*]] = tok.rope %[[X]], %[[POS]] {rotary_dim = 64 : i64, theta = 1.000000e+04 : f32} : (tensor<1x8x?x128xf32>, tensor<1x?xi32>) -> tensor<1x8x?x128xf32>
// CHECK:         return %[[Y]] : tensor<1x8x?x128xf32>
func.func @rope_doc_example_f32(%x: tensor<1x8x?x128xf32>, %pos: tensor<1x?xi32>) -> tensor<1x8x?x128xf32> {
  %y = tok.rope %x, %pos {rotary_dim = 64 : i64, theta = 1.000000e+04 : f32} : (tensor<1x8x?x128xf32>, tensor<1x?xi32>) -> tensor<1x8x?x128xf32>
  return %y : tensor<1x8x?x128xf32>
}

// GPT-J interleaved pairs with default theta and rotary_dim, in f16.
// CHECK-LABEL: func.func @rope_interleaved_f16(
// CHECK-SAME:    %[[INPUT:.*]]: tensor<2x16x?x64xf16>, %[[POSITIONS:.*]]: tensor<2x?xi32>) -> tensor<2x16x?x64xf16>
// CHECK:         %[[OUT:.*]] = tok.rope %[[INPUT]], %[[POSITIONS]] {interleaved} : (tensor<2x16x?x64xf16>, tensor<2x?xi32>) -> tensor<2x16x?x64xf16>
// CHECK:         return %[[OUT]] : tensor<2x16x?x64xf16>
func.func @rope_interleaved_f16(%input: tensor<2x16x?x64xf16>, %positions: tensor<2x?xi32>) -> tensor<2x16x?x64xf16> {
  %out = tok.rope %input, %positions {interleaved} : (tensor<2x16x?x64xf16>, tensor<2x?xi32>) -> tensor<2x16x?x64xf16>
  return %out : tensor<2x16x?x64xf16>
}

// A dynamic head dim with rotary_dim in bf16.
// CHECK-LABEL: func.func @rope_dynamic_bf16(
// CHECK-SAME:    %[[INPUT:.*]]: tensor<?x?x?x?xbf16>, %[[POSITIONS:.*]]: tensor<?x?xi32>) -> tensor<?x?x?x?xbf16>
// CHECK:         %[[OUT:.*]] = tok.rope %[[INPUT]], %[[POSITIONS]] {rotary_dim = 32 : i64, theta = 5.000000e+05 : f32} : (tensor<?x?x?x?xbf16>, tensor<?x?xi32>) -> tensor<?x?x?x?xbf16>
// CHECK:         return %[[OUT]] : tensor<?x?x?x?xbf16>
func.func @rope_dynamic_bf16(%input: tensor<?x?x?x?xbf16>, %positions: tensor<?x?xi32>) -> tensor<?x?x?x?xbf16> {
  %out = tok.rope %input, %positions {rotary_dim = 32 : i64, theta = 5.000000e+05 : f32} : (tensor<?x?x?x?xbf16>, tensor<?x?xi32>) -> tensor<?x?x?x?xbf16>
  return %out : tensor<?x?x?x?xbf16>
}

// An explicit inverse-frequency table (RoPE scaling) with partial rotation.
// CHECK-LABEL: func.func @rope_inv_freq_f32(
// CHECK-SAME:    %[[INPUT:.*]]: tensor<1x2x?x8xf32>, %[[POSITIONS:.*]]: tensor<1x?xi32>) -> tensor<1x2x?x8xf32>
// CHECK:         %[[OUT:.*]] = tok.rope %[[INPUT]], %[[POSITIONS]] {inv_freq = array<f32: 1.000000e+00, 1.250000e-01>, rotary_dim = 4 : i64} : (tensor<1x2x?x8xf32>, tensor<1x?xi32>) -> tensor<1x2x?x8xf32>
// CHECK:         return %[[OUT]] : tensor<1x2x?x8xf32>
func.func @rope_inv_freq_f32(%input: tensor<1x2x?x8xf32>, %positions: tensor<1x?xi32>) -> tensor<1x2x?x8xf32> {
  %out = tok.rope %input, %positions {rotary_dim = 4 : i64, inv_freq = array<f32: 1.0, 0.125>} : (tensor<1x2x?x8xf32>, tensor<1x?xi32>) -> tensor<1x2x?x8xf32>
  return %out : tensor<1x2x?x8xf32>
}

// The glu example of DESIGN 4.7.
// CHECK-LABEL: func.func @glu_design_example_f32(
// CHECK-SAME:    %[[X:.*]]: tensor<2x?x8192xf32>) -> tensor<2x?x4096xf32>
// CHECK:         %[[Y:.*]] = tok.glu %[[X]] {activation = "silu"} : (tensor<2x?x8192xf32>) -> tensor<2x?x4096xf32>
// CHECK:         return %[[Y]] : tensor<2x?x4096xf32>
func.func @glu_design_example_f32(%x: tensor<2x?x8192xf32>) -> tensor<2x?x4096xf32> {
  %y = tok.glu %x {activation = "silu"} : (tensor<2x?x8192xf32>) -> tensor<2x?x4096xf32>
  return %y : tensor<2x?x4096xf32>
}

// Every other glu activation and the default one.
// CHECK-LABEL: func.func @glu_activations_f16(
// CHECK-SAME:    %[[INPUT:.*]]: tensor<4x64xf16>) -> (tensor<4x32xf16>, tensor<4x32xf16>, tensor<4x32xf16>, tensor<4x32xf16>, tensor<4x32xf16>)
// CHECK:         %[[GELU:.*]] = tok.glu %[[INPUT]] {activation = "gelu"} : (tensor<4x64xf16>) -> tensor<4x32xf16>
// CHECK:         %[[GELU_TANH:.*]] = tok.glu %[[INPUT]] {activation = "gelu_tanh"} : (tensor<4x64xf16>) -> tensor<4x32xf16>
// CHECK:         %[[RELU:.*]] = tok.glu %[[INPUT]] {activation = "relu"} : (tensor<4x64xf16>) -> tensor<4x32xf16>
// CHECK:         %[[SIGMOID:.*]] = tok.glu %[[INPUT]] {activation = "sigmoid"} : (tensor<4x64xf16>) -> tensor<4x32xf16>
// CHECK:         %[[DEFAULT:.*]] = tok.glu %[[INPUT]] : (tensor<4x64xf16>) -> tensor<4x32xf16>
// CHECK:         return %[[GELU]], %[[GELU_TANH]], %[[RELU]], %[[SIGMOID]], %[[DEFAULT]] : tensor<4x32xf16>, tensor<4x32xf16>, tensor<4x32xf16>, tensor<4x32xf16>, tensor<4x32xf16>
func.func @glu_activations_f16(%input: tensor<4x64xf16>) -> (tensor<4x32xf16>, tensor<4x32xf16>, tensor<4x32xf16>, tensor<4x32xf16>, tensor<4x32xf16>) {
  %gelu = tok.glu %input {activation = "gelu"} : (tensor<4x64xf16>) -> tensor<4x32xf16>
  %gelu_tanh = tok.glu %input {activation = "gelu_tanh"} : (tensor<4x64xf16>) -> tensor<4x32xf16>
  %relu = tok.glu %input {activation = "relu"} : (tensor<4x64xf16>) -> tensor<4x32xf16>
  %sigmoid = tok.glu %input {activation = "sigmoid"} : (tensor<4x64xf16>) -> tensor<4x32xf16>
  %default = tok.glu %input : (tensor<4x64xf16>) -> tensor<4x32xf16>
  return %gelu, %gelu_tanh, %relu, %sigmoid, %default : tensor<4x32xf16>, tensor<4x32xf16>, tensor<4x32xf16>, tensor<4x32xf16>, tensor<4x32xf16>
}

// A dynamic last dim in bf16.
// CHECK-LABEL: func.func @glu_dynamic_bf16(
// CHECK-SAME:    %[[INPUT:.*]]: tensor<2x?xbf16>) -> tensor<2x?xbf16>
// CHECK:         %[[OUT:.*]] = tok.glu %[[INPUT]] : (tensor<2x?xbf16>) -> tensor<2x?xbf16>
// CHECK:         return %[[OUT]] : tensor<2x?xbf16>
func.func @glu_dynamic_bf16(%input: tensor<2x?xbf16>) -> tensor<2x?xbf16> {
  %out = tok.glu %input : (tensor<2x?xbf16>) -> tensor<2x?xbf16>
  return %out : tensor<2x?xbf16>
}

// The activation example of DESIGN 4.7.
// CHECK-LABEL: func.func @activation_design_example_f32(
// CHECK-SAME:    %[[X:.*]]: tensor<2x?x4096xf32>) -> tensor<2x?x4096xf32>
// CHECK:         %[[Y:.*]] = tok.activation %[[X]] {kind = "gelu_tanh"} : (tensor<2x?x4096xf32>) -> tensor<2x?x4096xf32>
// CHECK:         return %[[Y]] : tensor<2x?x4096xf32>
func.func @activation_design_example_f32(%x: tensor<2x?x4096xf32>) -> tensor<2x?x4096xf32> {
  %y = tok.activation %x {kind = "gelu_tanh"} : (tensor<2x?x4096xf32>) -> tensor<2x?x4096xf32>
  return %y : tensor<2x?x4096xf32>
}

// Every other activation kind, in bf16.
// CHECK-LABEL: func.func @activation_kinds_bf16(
// CHECK-SAME:    %[[INPUT:.*]]: tensor<?x8xbf16>) -> (tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>)
// CHECK:         %[[SILU:.*]] = tok.activation %[[INPUT]] {kind = "silu"} : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
// CHECK:         %[[GELU:.*]] = tok.activation %[[INPUT]] {kind = "gelu"} : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
// CHECK:         %[[RELU:.*]] = tok.activation %[[INPUT]] {kind = "relu"} : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
// CHECK:         %[[SIGMOID:.*]] = tok.activation %[[INPUT]] {kind = "sigmoid"} : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
// CHECK:         %[[SOFTPLUS:.*]] = tok.activation %[[INPUT]] {kind = "softplus"} : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
// CHECK:         %[[ELU:.*]] = tok.activation %[[INPUT]] {kind = "elu"} : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
// CHECK:         %[[TANH:.*]] = tok.activation %[[INPUT]] {kind = "tanh"} : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
// CHECK:         return %[[SILU]], %[[GELU]], %[[RELU]], %[[SIGMOID]], %[[SOFTPLUS]], %[[ELU]], %[[TANH]] : tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>
func.func @activation_kinds_bf16(%input: tensor<?x8xbf16>) -> (tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>) {
  %silu = tok.activation %input {kind = "silu"} : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
  %gelu = tok.activation %input {kind = "gelu"} : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
  %relu = tok.activation %input {kind = "relu"} : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
  %sigmoid = tok.activation %input {kind = "sigmoid"} : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
  %softplus = tok.activation %input {kind = "softplus"} : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
  %elu = tok.activation %input {kind = "elu"} : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
  %tanh = tok.activation %input {kind = "tanh"} : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
  return %silu, %gelu, %relu, %sigmoid, %softplus, %elu, %tanh : tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>
}

// The embedding example of DESIGN 4.7.
// CHECK-LABEL: func.func @embedding_design_example_f32(
// CHECK-SAME:    %[[IDS:.*]]: tensor<2x?xi32>, %[[TABLE:.*]]: tensor<32000x1024xf32>) -> tensor<2x?x1024xf32>
// CHECK:         %[[E:.*]] = tok.embedding %[[IDS]], %[[TABLE]] : (tensor<2x?xi32>, tensor<32000x1024xf32>) -> tensor<2x?x1024xf32>
// CHECK:         return %[[E]] : tensor<2x?x1024xf32>
func.func @embedding_design_example_f32(%ids: tensor<2x?xi32>, %table: tensor<32000x1024xf32>) -> tensor<2x?x1024xf32> {
  %e = tok.embedding %ids, %table : (tensor<2x?xi32>, tensor<32000x1024xf32>) -> tensor<2x?x1024xf32>
  return %e : tensor<2x?x1024xf32>
}

// i64 ids of rank 1 and a bf16 table.
// CHECK-LABEL: func.func @embedding_i64_ids_bf16(
// CHECK-SAME:    %[[IDS:.*]]: tensor<?xi64>, %[[TABLE:.*]]: tensor<?x512xbf16>) -> tensor<?x512xbf16>
// CHECK:         %[[OUT:.*]] = tok.embedding %[[IDS]], %[[TABLE]] : (tensor<?xi64>, tensor<?x512xbf16>) -> tensor<?x512xbf16>
// CHECK:         return %[[OUT]] : tensor<?x512xbf16>
func.func @embedding_i64_ids_bf16(%ids: tensor<?xi64>, %table: tensor<?x512xbf16>) -> tensor<?x512xbf16> {
  %out = tok.embedding %ids, %table : (tensor<?xi64>, tensor<?x512xbf16>) -> tensor<?x512xbf16>
  return %out : tensor<?x512xbf16>
}

// The lse_merge line of DESIGN 4.7 (types filled in) merging two attention halves.
// CHECK-LABEL: func.func @lse_merge_design_example_f16(
// CHECK-SAME:    %[[Q:.*]]: tensor<1x8x1x64xf16>, %[[K1:.*]]: tensor<1x8x?x64xf16>, %[[V1:.*]]: tensor<1x8x?x64xf16>, %[[K2:.*]]: tensor<1x8x?x64xf16>, %[[V2:.*]]: tensor<1x8x?x64xf16>) -> (tensor<1x8x1x64xf16>, tensor<1x8x1xf32>)
// CHECK:         %[[O1:.*]], %[[L1:.*]] = tok.attention %[[Q]], %[[K1]], %[[V1]] : (tensor<1x8x1x64xf16>, tensor<1x8x?x64xf16>, tensor<1x8x?x64xf16>) -> (tensor<1x8x1x64xf16>, tensor<1x8x1xf32>)
// CHECK:         %[[O2:.*]], %[[L2:.*]] = tok.attention %[[Q]], %[[K2]], %[[V2]] : (tensor<1x8x1x64xf16>, tensor<1x8x?x64xf16>, tensor<1x8x?x64xf16>) -> (tensor<1x8x1x64xf16>, tensor<1x8x1xf32>)
// CHECK:         %[[O:.*]], %[[L:.*]] = tok.lse_merge %[[O1]], %[[L1]], %[[O2]], %[[L2]] : (tensor<1x8x1x64xf16>, tensor<1x8x1xf32>, tensor<1x8x1x64xf16>, tensor<1x8x1xf32>) -> (tensor<1x8x1x64xf16>, tensor<1x8x1xf32>)
// CHECK:         return %[[O]], %[[L]] : tensor<1x8x1x64xf16>, tensor<1x8x1xf32>
func.func @lse_merge_design_example_f16(%q: tensor<1x8x1x64xf16>, %k1: tensor<1x8x?x64xf16>, %v1: tensor<1x8x?x64xf16>, %k2: tensor<1x8x?x64xf16>, %v2: tensor<1x8x?x64xf16>) -> (tensor<1x8x1x64xf16>, tensor<1x8x1xf32>) {
  %o1, %l1 = tok.attention %q, %k1, %v1 : (tensor<1x8x1x64xf16>, tensor<1x8x?x64xf16>, tensor<1x8x?x64xf16>) -> (tensor<1x8x1x64xf16>, tensor<1x8x1xf32>)
  %o2, %l2 = tok.attention %q, %k2, %v2 : (tensor<1x8x1x64xf16>, tensor<1x8x?x64xf16>, tensor<1x8x?x64xf16>) -> (tensor<1x8x1x64xf16>, tensor<1x8x1xf32>)
  %o, %l = tok.lse_merge %o1, %l1, %o2, %l2 : (tensor<1x8x1x64xf16>, tensor<1x8x1xf32>, tensor<1x8x1x64xf16>, tensor<1x8x1xf32>) -> (tensor<1x8x1x64xf16>, tensor<1x8x1xf32>)
  return %o, %l : tensor<1x8x1x64xf16>, tensor<1x8x1xf32>
}
