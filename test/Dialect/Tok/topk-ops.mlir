// RUN: tokamak-opt %s | tokamak-opt | FileCheck %s
// RUN: tokamak-opt %s --mlir-print-op-generic | tokamak-opt | FileCheck %s

// Round trip of tok.topk and each optional form: plain (i32 and i64
// indices), dim, smallest, group (default and explicit group_dim), budget,
// mass, the count result, k = 0, dynamic dims, f32/f16/bf16. The ```mlir
// examples in TokOps.td are copied verbatim from the `topk_doc_example_*`
// cases.

// CHECK-LABEL: func.func @topk_doc_example_plain_f32(
// CHECK-SAME:    %[[SCORES:.*]]: tensor<2x8x?xf32>)
// CHECK:         %[[V:.*]], %[[I:.*]] = tok.topk %[[SCORES]] {k = 8 : i64} : (tensor<2x8x?xf32>) -> (tensor<2x8x8xf32>, tensor<2x8x8xi32>)
// CHECK:         return %[[V]], %[[I]]
func.func @topk_doc_example_plain_f32(%scores: tensor<2x8x?xf32>) -> (tensor<2x8x8xf32>, tensor<2x8x8xi32>) {
  %v, %i = tok.topk %scores {k = 8 : i64} : (tensor<2x8x?xf32>) -> (tensor<2x8x8xf32>, tensor<2x8x8xi32>)
  return %v, %i : tensor<2x8x8xf32>, tensor<2x8x8xi32>
}

// NSA's block selection: importance [B, Hq, Sq, blocks] summed over the 4
// query heads of each kv head, 16 blocks per query, a run-time budget.
// CHECK-LABEL: func.func @topk_doc_example_group_f16(
// CHECK-SAME:    %[[IMP:.*]]: tensor<1x16x?x128xf16>, %[[B:.*]]: tensor<1x4x?xi32>)
// CHECK:         %[[V:.*]], %[[I:.*]], %[[N:.*]] = tok.topk %[[IMP]] budget(%[[B]] : tensor<1x4x?xi32>) {group = 4 : i64, k = 16 : i64} : (tensor<1x16x?x128xf16>) -> (tensor<1x4x?x16xf16>, tensor<1x4x?x16xi64>, tensor<1x4x?xi32>)
func.func @topk_doc_example_group_f16(%imp: tensor<1x16x?x128xf16>, %b: tensor<1x4x?xi32>) -> (tensor<1x4x?x16xf16>, tensor<1x4x?x16xi64>, tensor<1x4x?xi32>) {
  %bv, %bi, %n = tok.topk %imp budget(%b : tensor<1x4x?xi32>) {group = 4 : i64, k = 16 : i64} : (tensor<1x16x?x128xf16>) -> (tensor<1x4x?x16xf16>, tensor<1x4x?x16xi64>, tensor<1x4x?xi32>)
  return %bv, %bi, %n : tensor<1x4x?x16xf16>, tensor<1x4x?x16xi64>, tensor<1x4x?xi32>
}

// The mass-threshold variant (top-p) with its count.
// CHECK-LABEL: func.func @topk_doc_example_mass_f32(
// CHECK:         tok.topk %{{.*}} {k = 64 : i64, mass = 0.899999976 : f32} : (tensor<4x1024xf32>) -> (tensor<4x64xf32>, tensor<4x64xi32>, tensor<4xi32>)
func.func @topk_doc_example_mass_f32(%probs: tensor<4x1024xf32>) -> (tensor<4x64xf32>, tensor<4x64xi32>, tensor<4xi32>) {
  %pv, %pi, %pn = tok.topk %probs {k = 64 : i64, mass = 0.899999976 : f32} : (tensor<4x1024xf32>) -> (tensor<4x64xf32>, tensor<4x64xi32>, tensor<4xi32>)
  return %pv, %pi, %pn : tensor<4x64xf32>, tensor<4x64xi32>, tensor<4xi32>
}

// Selection along dim 0 with smallest, bf16, i64 indices.
// CHECK-LABEL: func.func @topk_dim0_smallest_bf16(
// CHECK:         tok.topk %{{.*}} {dim = 0 : i64, k = 3 : i64, smallest} : (tensor<?x5xbf16>) -> (tensor<3x5xbf16>, tensor<3x5xi64>)
func.func @topk_dim0_smallest_bf16(%x: tensor<?x5xbf16>) -> (tensor<3x5xbf16>, tensor<3x5xi64>) {
  %v, %i = tok.topk %x {dim = 0 : i64, k = 3 : i64, smallest} : (tensor<?x5xbf16>) -> (tensor<3x5xbf16>, tensor<3x5xi64>)
  return %v, %i : tensor<3x5xbf16>, tensor<3x5xi64>
}

// SnapKV: group along an explicit group_dim, count without budget, k = 0.
// CHECK-LABEL: func.func @topk_group_dim_count_f32(
// CHECK:         tok.topk %{{.*}} {group = 2 : i64, group_dim = 0 : i64, k = 0 : i64} : (tensor<8x?xf32>) -> (tensor<4x0xf32>, tensor<4x0xi32>, tensor<4xi32>)
func.func @topk_group_dim_count_f32(%x: tensor<8x?xf32>) -> (tensor<4x0xf32>, tensor<4x0xi32>, tensor<4xi32>) {
  %v, %i, %n = tok.topk %x {group = 2 : i64, group_dim = 0 : i64, k = 0 : i64} : (tensor<8x?xf32>) -> (tensor<4x0xf32>, tensor<4x0xi32>, tensor<4xi32>)
  return %v, %i, %n : tensor<4x0xf32>, tensor<4x0xi32>, tensor<4xi32>
}

// A dynamic grouped dim, a budget and mass together.
// CHECK-LABEL: func.func @topk_dynamic_group_budget_mass_f32(
// CHECK:         tok.topk %{{.*}} budget(%{{.*}} : tensor<?xi32>) {group = 8 : i64, group_dim = 0 : i64, k = 4 : i64, mass = 5.000000e-01 : f32} : (tensor<?x?xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
func.func @topk_dynamic_group_budget_mass_f32(%x: tensor<?x?xf32>, %b: tensor<?xi32>) -> (tensor<?x4xf32>, tensor<?x4xi32>) {
  %v, %i = tok.topk %x budget(%b : tensor<?xi32>) {group = 8 : i64, group_dim = 0 : i64, k = 4 : i64, mass = 0.5 : f32} : (tensor<?x?xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
  return %v, %i : tensor<?x4xf32>, tensor<?x4xi32>
}
