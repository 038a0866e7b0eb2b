// RUN: tokamak-opt %s --split-input-file --tokamak-expand-strided-copies | FileCheck %s

// A copy out of a block of a larger buffer (rows of 8 out of 16) becomes a
// linalg.copy, which lowers to loops instead of a call of memrefCopy.
// CHECK-LABEL: func.func @copy_from_block_f32
// CHECK-SAME:    (%[[SRC:.*]]: memref<8x16xf32>, %[[DST:.*]]: memref<4x8xf32>)
// CHECK:         %[[BLOCK:.*]] = memref.subview %[[SRC]][0, 0] [4, 8] [1, 1]
// CHECK-NOT:     memref.copy
// CHECK:         linalg.copy ins(%[[BLOCK]] : memref<4x8xf32, strided<[16, 1]>>) outs(%[[DST]] : memref<4x8xf32>)
// CHECK-NOT:     memref.copy
// CHECK:         return
func.func @copy_from_block_f32(%src: memref<8x16xf32>, %dst: memref<4x8xf32>) {
  %block = memref.subview %src[0, 0] [4, 8] [1, 1] : memref<8x16xf32> to memref<4x8xf32, strided<[16, 1]>>
  memref.copy %block, %dst : memref<4x8xf32, strided<[16, 1]>> to memref<4x8xf32>
  return
}

// -----

// Into a block: a non-contiguous target is enough.
// CHECK-LABEL: func.func @copy_into_block_f32
// CHECK-SAME:    (%[[SRC:.*]]: memref<4x8xf32>, %[[DST:.*]]: memref<8x16xf32>)
// CHECK:         %[[BLOCK:.*]] = memref.subview %[[DST]][2, 4] [4, 8] [1, 1]
// CHECK-NOT:     memref.copy
// CHECK:         linalg.copy ins(%[[SRC]] : memref<4x8xf32>) outs(%[[BLOCK]] : memref<4x8xf32, strided<[16, 1], offset: 36>>)
func.func @copy_into_block_f32(%src: memref<4x8xf32>, %dst: memref<8x16xf32>) {
  %block = memref.subview %dst[2, 4] [4, 8] [1, 1] : memref<8x16xf32> to memref<4x8xf32, strided<[16, 1], offset: 36>>
  memref.copy %src, %block : memref<4x8xf32> to memref<4x8xf32, strided<[16, 1], offset: 36>>
  return
}

// -----

// Between two dynamic blocks (a KV-cache slice into a strided view): both
// sides strided, sizes dynamic.
// CHECK-LABEL: func.func @copy_dynamic_blocks_f16
// CHECK-SAME:    (%[[SRC:.*]]: memref<?x64xf16>, %[[DST:.*]]: memref<?x128xf16>, %[[N:.*]]: index)
// CHECK:         %[[FROM:.*]] = memref.subview %[[SRC]]
// CHECK:         %[[TO:.*]] = memref.subview %[[DST]]
// CHECK-NOT:     memref.copy
// CHECK:         linalg.copy ins(%[[FROM]] : memref<?x32xf16, strided<[64, 1], offset: 32>>) outs(%[[TO]] : memref<?x32xf16, strided<[256, 2]>>)
func.func @copy_dynamic_blocks_f16(%src: memref<?x64xf16>, %dst: memref<?x128xf16>, %n: index) {
  %from = memref.subview %src[0, 32] [%n, 32] [1, 1] : memref<?x64xf16> to memref<?x32xf16, strided<[64, 1], offset: 32>>
  %to = memref.subview %dst[0, 0] [%n, 32] [2, 2] : memref<?x128xf16> to memref<?x32xf16, strided<[256, 2]>>
  memref.copy %from, %to : memref<?x32xf16, strided<[64, 1], offset: 32>> to memref<?x32xf16, strided<[256, 2]>>
  return
}

// -----

// Copies between identity-layout buffers (static or dynamic) stay
// memref.copy: LLVM lowers them to one memcpy.
// CHECK-LABEL: func.func @copy_contiguous_f32
// CHECK-SAME:    (%[[A:.*]]: memref<4x8xf32>, %[[B:.*]]: memref<4x8xf32>, %[[C:.*]]: memref<?x16xf32>, %[[D:.*]]: memref<?x16xf32>)
// CHECK-NEXT:    memref.copy %[[A]], %[[B]] : memref<4x8xf32> to memref<4x8xf32>
// CHECK-NEXT:    memref.copy %[[C]], %[[D]] : memref<?x16xf32> to memref<?x16xf32>
// CHECK-NEXT:    return
func.func @copy_contiguous_f32(%a: memref<4x8xf32>, %b: memref<4x8xf32>, %c: memref<?x16xf32>, %d: memref<?x16xf32>) {
  memref.copy %a, %b : memref<4x8xf32> to memref<4x8xf32>
  memref.copy %c, %d : memref<?x16xf32> to memref<?x16xf32>
  return
}

// -----

// Whole rows at a dynamic offset are contiguous: finalize-memref-to-llvm
// copies them with one memcpy, so the copy stays.
// CHECK-LABEL: func.func @copy_whole_rows_f32
// CHECK: memref.copy
// CHECK-NOT: linalg.copy
func.func @copy_whole_rows_f32(%a: memref<8x16xf32>, %b: memref<2x16xf32>, %i: index) {
  %s = memref.subview %a[%i, 0] [2, 16] [1, 1] : memref<8x16xf32> to memref<2x16xf32, strided<[16, 1], offset: ?>>
  memref.copy %s, %b : memref<2x16xf32, strided<[16, 1], offset: ?>> to memref<2x16xf32>
  return
}
