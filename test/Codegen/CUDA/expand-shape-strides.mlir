// RUN: tokamak-opt %s --tok-cuda-expand-shape-strides --split-input-file | FileCheck %s
// RUN: tokamak-opt %s --tok-cuda-expand-shape-strides --expand-strided-metadata --split-input-file -o /dev/null

// Two dynamic sizes in one group (a dynamic dim split by a dynamic group
// count, as topk's reference lowering does): the strides of the group are
// the source stride and that stride times the inner size.
// CHECK-LABEL: func.func @expand_dynamic_group(
// CHECK-SAME:      %[[SRC:[^:]*]]: memref<?x?x?xf32>, %[[BATCH:[^:]*]]: index, %[[GROUPS:[^:]*]]: index, %[[PER:[^:]*]]: index, %[[LEN:[^:]*]]: index)
// CHECK:         %[[BASE:.*]], %[[OFFSET:.*]], %[[SIZES:.*]]:3, %[[STRIDES:.*]]:3 = memref.extract_strided_metadata %[[SRC]]
// CHECK-DAG:     %[[INNER:.*]] = arith.muli %[[STRIDES]]#1, %[[PER]] : index
// CHECK:         %[[VIEW:.*]] = memref.reinterpret_cast %[[BASE]] to offset: [%[[OFFSET]]], sizes: [%[[BATCH]], %[[GROUPS]], %[[PER]], %[[LEN]]], strides: [%[[STRIDES]]#0, %[[INNER]], %[[STRIDES]]#1, %[[STRIDES]]#2] : memref<f32> to memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
// CHECK:         %[[CAST:.*]] = memref.cast %[[VIEW]] : memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>> to memref<?x?x?x?xf32>
// CHECK:         return %[[CAST]]
func.func @expand_dynamic_group(%m: memref<?x?x?xf32>, %b: index, %g: index, %n: index, %d: index) -> memref<?x?x?x?xf32> {
  %e = memref.expand_shape %m [[0], [1, 2], [3]] output_shape [%b, %g, %n, %d] : memref<?x?x?xf32> into memref<?x?x?x?xf32>
  return %e : memref<?x?x?x?xf32>
}

// -----

// At most one dynamic size per group: left to expand-strided-metadata.
// CHECK-LABEL: func.func @expand_one_dynamic(
// CHECK:         memref.expand_shape
// CHECK-NOT:     memref.reinterpret_cast
func.func @expand_one_dynamic(%m: memref<?x?x?xf32>, %b: index, %g: index, %d: index) -> memref<?x?x4x?xf32> {
  %e = memref.expand_shape %m [[0], [1, 2], [3]] output_shape [%b, %g, 4, %d] : memref<?x?x?xf32> into memref<?x?x4x?xf32>
  return %e : memref<?x?x4x?xf32>
}

// -----

// Three dynamic sizes in one group of a strided source.
// CHECK-LABEL: func.func @expand_three_in_group(
// CHECK-SAME:      %[[SRC:[^:]*]]: memref<?x?xf16, strided<[?, 2], offset: ?>>, %[[A:[^:]*]]: index, %[[B:[^:]*]]: index, %[[C:[^:]*]]: index, %[[ROWS:[^:]*]]: index)
// CHECK:         %[[BASE:.*]], %[[OFFSET:.*]], %[[SIZES:.*]]:2, %[[STRIDES:.*]]:2 = memref.extract_strided_metadata %[[SRC]]
// CHECK:         %[[S2:.*]] = arith.muli %[[STRIDES]]#1, %[[C]] : index
// CHECK:         %[[S1:.*]] = arith.muli %[[S2]], %[[B]] : index
// CHECK:         memref.reinterpret_cast %[[BASE]] to offset: [%[[OFFSET]]], sizes: [%[[ROWS]], %[[A]], %[[B]], %[[C]]], strides: [%[[STRIDES]]#0, %[[S1]], %[[S2]], %[[STRIDES]]#1]
func.func @expand_three_in_group(%m: memref<?x?xf16, strided<[?, 2], offset: ?>>, %a: index, %b: index, %c: index, %r: index) -> memref<?x?x?x?xf16, strided<[?, ?, ?, 2], offset: ?>> {
  %e = memref.expand_shape %m [[0], [1, 2, 3]] output_shape [%r, %a, %b, %c] : memref<?x?xf16, strided<[?, 2], offset: ?>> into memref<?x?x?x?xf16, strided<[?, ?, ?, 2], offset: ?>>
  return %e : memref<?x?x?x?xf16, strided<[?, ?, ?, 2], offset: ?>>
}
