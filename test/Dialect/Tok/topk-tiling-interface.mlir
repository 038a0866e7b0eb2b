// RUN: tokamak-opt %s --split-input-file --transform-interpreter --canonicalize | FileCheck %s

// TilingInterface on tok.topk (TopKTiling.cpp): the domain is the rows (the
// results' dims but the selected one); a tile along the grouped dim reads
// whole groups of the input, and the budget and count follow the rows.

// NSA-style group sharing over heads, tiled over (kv head, query rows): a
// tile of 1 kv head at g reads query heads [4·g, 4·g + 4).

// CHECK-LABEL: func.func @topk_group_tiles_f32
// CHECK-SAME:    %[[X:[^:]*]]: tensor<1x8x32x64xf32>, %[[B:[^:]*]]: tensor<1x2x32xi32>
// CHECK:         scf.forall (%[[G:.*]], %[[Q:.*]]) in (2, 4) shared_outs(%[[V:.*]] = %{{.*}}, %[[I:.*]] = %{{.*}}, %[[N:.*]] = %{{.*}})
// CHECK-DAG:       %[[H:.*]] = affine.apply #{{.*}}(%[[G]])
// CHECK-DAG:       %[[ROW:.*]] = affine.apply #{{.*}}(%[[Q]])
// CHECK:           %[[XT:.*]] = tensor.extract_slice %[[X]][0, %[[H]], %[[ROW]], 0] [1, 4, 8, 64]
// CHECK:           %[[BT:.*]] = tensor.extract_slice %[[B]][0, %[[G]], %[[ROW]]] [1, 1, 8]
// CHECK:           tok.topk %[[XT]] budget(%[[BT]] : tensor<1x1x8xi32>) {group = 4 : i64, k = 8 : i64} : (tensor<1x4x8x64xf32>) -> (tensor<1x1x8x8xf32>, tensor<1x1x8x8xi32>, tensor<1x1x8xi32>)
// CHECK:           tensor.parallel_insert_slice %{{.*}} into %[[V]][0, %[[G]], %[[ROW]], 0] [1, 1, 8, 8]
// CHECK:           tensor.parallel_insert_slice %{{.*}} into %[[I]][0, %[[G]], %[[ROW]], 0] [1, 1, 8, 8]
// CHECK:           tensor.parallel_insert_slice %{{.*}} into %[[N]][0, %[[G]], %[[ROW]]] [1, 1, 8]
func.func @topk_group_tiles_f32(%x: tensor<1x8x32x64xf32>, %b: tensor<1x2x32xi32>) -> (tensor<1x2x32x8xf32>, tensor<1x2x32x8xi32>, tensor<1x2x32xi32>) {
  %v, %i, %n = tok.topk %x budget(%b : tensor<1x2x32xi32>) {group = 4 : i64, k = 8 : i64} : (tensor<1x8x32x64xf32>) -> (tensor<1x2x32x8xf32>, tensor<1x2x32x8xi32>, tensor<1x2x32xi32>)
  return %v, %i, %n : tensor<1x2x32x8xf32>, tensor<1x2x32x8xi32>, tensor<1x2x32xi32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["tok.topk"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %op tile_sizes [0, 1, 8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Selection along dim 0: the domain is the other dim, the input is sliced
// along it and keeps its whole column.

// CHECK-LABEL: func.func @topk_dim0_tiles_f32
// CHECK-SAME:    %[[X:[^:]*]]: tensor<50x6xf32>
// CHECK:         scf.forall (%[[J:.*]]) in (3)
// CHECK:           %[[COL:.*]] = affine.apply #{{.*}}(%[[J]])
// CHECK:           %[[XT:.*]] = tensor.extract_slice %[[X]][0, %[[COL]]] [50, 2]
// CHECK:           tok.topk %[[XT]] {dim = 0 : i64, k = 4 : i64} : (tensor<50x2xf32>) -> (tensor<4x2xf32>, tensor<4x2xi32>)
// CHECK:           tensor.parallel_insert_slice %{{.*}} into %{{.*}}[0, %[[COL]]] [4, 2]
func.func @topk_dim0_tiles_f32(%x: tensor<50x6xf32>) -> (tensor<4x6xf32>, tensor<4x6xi32>) {
  %v, %i = tok.topk %x {dim = 0 : i64, k = 4 : i64} : (tensor<50x6xf32>) -> (tensor<4x6xf32>, tensor<4x6xi32>)
  return %v, %i : tensor<4x6xf32>, tensor<4x6xi32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["tok.topk"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %op tile_sizes [2] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
