// RUN: tokamak-opt %s --tokamak-generate-entry-points --tokamak-generate-entry-points | FileCheck %s

// A second run leaves functions that already have their entry alone (it
// used to fail redefining `_tok_entry_add_f32`).
// CHECK-LABEL: func.func @add_f32
// CHECK: func.func @_tok_entry_add_f32
// CHECK-NOT: func.func @_tok_entry_
func.func @add_f32(%x: memref<4xf32>) -> memref<4xf32> {
  return %x : memref<4xf32>
}
