// RUN: tokamak-opt %s --split-input-file --resolve-ranked-shaped-type-result-dims --canonicalize --cse | FileCheck %s

// ReifyRankedShapedTypeOpInterface on the tok ops: `tensor.dim` of a result
// resolves to the dims of the operands it comes from, so the op itself is no
// longer needed to know its shape.

// Linear: rows from the input, N from the weight.
// CHECK-LABEL: func.func @linear_dims_f32
// CHECK-SAME:    %[[X:[^:]*]]: tensor<?x?x64xf32>, %[[W:[^:]*]]: tensor<?x64xf32>
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[B:.*]] = tensor.dim %[[X]], %[[C0]]
// CHECK-DAG:     %[[S:.*]] = tensor.dim %[[X]], %[[C1]]
// CHECK-DAG:     %[[N:.*]] = tensor.dim %[[W]], %[[C0]]
// CHECK-NOT:     tok.linear
// CHECK:         return %[[B]], %[[S]], %[[N]]
func.func @linear_dims_f32(%x: tensor<?x?x64xf32>, %w: tensor<?x64xf32>) -> (index, index, index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %y = tok.linear %x, %w : (tensor<?x?x64xf32>, tensor<?x64xf32>) -> tensor<?x?x?xf32>
  %d0 = tensor.dim %y, %c0 : tensor<?x?x?xf32>
  %d1 = tensor.dim %y, %c1 : tensor<?x?x?xf32>
  %d2 = tensor.dim %y, %c2 : tensor<?x?x?xf32>
  return %d0, %d1, %d2 : index, index, index
}

// -----

// Attention: output rows from the query, Dv from the value; lse alike.
// CHECK-LABEL: func.func @attention_dims_f32
// CHECK-SAME:    %[[Q:[^:]*]]: tensor<?x8x?x64xf32>, %{{[^:]*}}: tensor<?x2x?x64xf32>, %[[V:[^:]*]]: tensor<?x2x?x?xf32>
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG:     %[[SQ:.*]] = tensor.dim %[[Q]], %[[C2]]
// CHECK-DAG:     %[[DV:.*]] = tensor.dim %[[V]], %[[C3]]
// CHECK-NOT:     tok.attention
// CHECK:         return %[[SQ]], %[[DV]], %[[SQ]]
func.func @attention_dims_f32(%q: tensor<?x8x?x64xf32>, %k: tensor<?x2x?x64xf32>, %v: tensor<?x2x?x?xf32>) -> (index, index, index) {
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %o, %l = tok.attention %q, %k, %v {causal} : (tensor<?x8x?x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?x?xf32>) -> (tensor<?x8x?x?xf32>, tensor<?x8x?xf32>)
  %d0 = tensor.dim %o, %c2 : tensor<?x8x?x?xf32>
  %d1 = tensor.dim %o, %c3 : tensor<?x8x?x?xf32>
  %d2 = tensor.dim %l, %c2 : tensor<?x8x?xf32>
  return %d0, %d1, %d2 : index, index, index
}

// -----

// glu halves the last dim; conv1d's state has K − 1 columns; the scans'
// final states take their sizes from the operands.
// CHECK-DAG:   #[[$HALF:.*]] = affine_map<()[s0] -> (s0 floordiv 2)>
// CHECK-DAG:   #[[$KM1:.*]] = affine_map<()[s0] -> (s0 - 1)>
// CHECK-LABEL: func.func @glu_conv_scan_dims_f32
// CHECK-SAME:    %[[X:[^:]*]]: tensor<2x?x?xf32>, %[[W:[^:]*]]: tensor<64x?xf32>, %[[C:[^:]*]]: tensor<2x?x64xf32>, %{{[^:]*}}: tensor<1x4x?x?xf32>, %[[K:[^:]*]]: tensor<1x4x?x?xf32>, %[[V:[^:]*]]: tensor<1x4x?x?xf32>
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG:     %[[LAST:.*]] = tensor.dim %[[X]], %[[C2]]
// CHECK-DAG:     %[[N:.*]] = affine.apply #[[$HALF]]()[%[[LAST]]]
// CHECK-DAG:     %[[WIDTH:.*]] = tensor.dim %[[W]], %[[C1]]
// CHECK-DAG:     %[[KM1:.*]] = affine.apply #[[$KM1]]()[%[[WIDTH]]]
// CHECK-DAG:     %[[DK:.*]] = tensor.dim %[[K]], %[[C3]]
// CHECK-DAG:     %[[DV:.*]] = tensor.dim %[[V]], %[[C3]]
// CHECK-NOT:     tok.
// CHECK:         return %[[N]], %[[KM1]], %[[DK]], %[[DV]]
func.func @glu_conv_scan_dims_f32(%x: tensor<2x?x?xf32>, %w: tensor<64x?xf32>, %c: tensor<2x?x64xf32>, %q: tensor<1x4x?x?xf32>, %k: tensor<1x4x?x?xf32>, %v: tensor<1x4x?x?xf32>) -> (index, index, index, index) {
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %g = tok.glu %x : (tensor<2x?x?xf32>) -> tensor<2x?x?xf32>
  %y, %st = tok.conv1d %c, %w : (tensor<2x?x64xf32>, tensor<64x?xf32>) -> (tensor<2x?x64xf32>, tensor<2x64x?xf32>)
  %o, %s = tok.linear_scan %q, %k, %v : (tensor<1x4x?x?xf32>, tensor<1x4x?x?xf32>, tensor<1x4x?x?xf32>) -> (tensor<1x4x?x?xf32>, tensor<1x4x?x?xf32>)
  %d0 = tensor.dim %g, %c2 : tensor<2x?x?xf32>
  %d1 = tensor.dim %st, %c2 : tensor<2x64x?xf32>
  %d2 = tensor.dim %s, %c2 : tensor<1x4x?x?xf32>
  %d3 = tensor.dim %s, %c3 : tensor<1x4x?x?xf32>
  return %d0, %d1, %d2, %d3 : index, index, index, index
}
