// RUN: tokamak-opt %s --split-input-file --tokamak-generate-entry-points -verify-diagnostics | FileCheck %s

// A public function gets `_tok_entry_<name>(!llvm.ptr)`: args[i] points to
// the descriptor of input i (rank 0: no sizes or strides), the result's
// descriptor is stored through args[numInputs + j], and a recorded error
// through args[numInputs + numResults]. The function itself becomes
// internal (the entry is its only way in). Without runtime checks the call
// is not guarded.
// CHECK-LABEL: func.func @scale_f32
// CHECK-SAME:    (%{{.*}}: memref<4x?xf32>, %{{.*}}: memref<f32>) -> memref<4x?xf32> attributes {llvm.linkage = #llvm.linkage<internal>}
// CHECK-LABEL: func.func @_tok_entry_scale_f32
// CHECK-SAME:    (%[[ARGS:.*]]: !llvm.ptr) {
// CHECK:         %[[CLAIMED:.*]] = llvm.mlir.addressof @_tok_error_claimed : !llvm.ptr
// CHECK:         llvm.store %{{.*}}, %[[CLAIMED]] atomic release
// CHECK:         %[[X_SLOT:.*]] = llvm.getelementptr %[[ARGS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK:         %[[X_PTR:.*]] = llvm.load %[[X_SLOT]] : !llvm.ptr -> !llvm.ptr
// CHECK:         %[[X_DESC:.*]] = llvm.load %[[X_PTR]] : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK:         %[[X:.*]] = builtin.unrealized_conversion_cast %[[X_DESC]] : !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)> to memref<4x?xf32>
// CHECK:         %[[S_SLOT:.*]] = llvm.getelementptr %[[ARGS]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK:         %[[S_PTR:.*]] = llvm.load %[[S_SLOT]] : !llvm.ptr -> !llvm.ptr
// CHECK:         %[[S_DESC:.*]] = llvm.load %[[S_PTR]] : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64)>
// CHECK:         %[[S:.*]] = builtin.unrealized_conversion_cast %[[S_DESC]] : !llvm.struct<(ptr, ptr, i64)> to memref<f32>
// CHECK-NOT:     scf.if
// CHECK:         %[[Y:.*]] = call @scale_f32(%[[X]], %[[S]]) : (memref<4x?xf32>, memref<f32>) -> memref<4x?xf32>
// CHECK:         %[[Y_DESC:.*]] = builtin.unrealized_conversion_cast %[[Y]] : memref<4x?xf32> to !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK:         %[[Y_SLOT:.*]] = llvm.getelementptr %[[ARGS]][2] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK:         %[[Y_PTR:.*]] = llvm.load %[[Y_SLOT]] : !llvm.ptr -> !llvm.ptr
// CHECK:         llvm.store %[[Y_DESC]], %[[Y_PTR]] : !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>, !llvm.ptr
// CHECK:         %[[MESSAGE:.*]] = llvm.select %{{.*}}, %{{.*}}, %{{.*}} : i1, !llvm.ptr
// CHECK:         %[[FAILED:.*]] = llvm.icmp "ne" %[[MESSAGE]], %{{.*}} : !llvm.ptr
// CHECK:         scf.if %[[FAILED]] {
// CHECK:           %[[ERROR_SLOT:.*]] = llvm.getelementptr %[[ARGS]][3] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK:           %[[ERROR_PTR:.*]] = llvm.load %[[ERROR_SLOT]] : !llvm.ptr -> !llvm.ptr
// CHECK:           llvm.store %[[MESSAGE]], %[[ERROR_PTR]] : !llvm.ptr, !llvm.ptr
// CHECK:         }
// CHECK:         return
func.func @scale_f32(%x: memref<4x?xf32>, %s: memref<f32>) -> memref<4x?xf32> {
  return %x : memref<4x?xf32>
}

// -----

// Private functions and declarations get no entry and keep their linkage:
// the module is unchanged.
// CHECK-LABEL: func.func private @helper_f32(
// CHECK-NOT:     llvm.linkage
// CHECK:         return
// CHECK-NEXT:  }
// CHECK-NEXT:  func.func private @declaration_f32(memref<4xf32>) -> memref<4xf32>{{$}}
// CHECK-NEXT: }
func.func private @helper_f32(%x: memref<4xf32>) -> memref<4xf32> {
  return %x : memref<4xf32>
}
func.func private @declaration_f32(memref<4xf32>) -> memref<4xf32>

// -----

// No results and no inputs: the error slot is args[0].
// CHECK-LABEL: func.func @_tok_entry_nothing
// CHECK-SAME:    (%[[ARGS:.*]]: !llvm.ptr) {
// CHECK:         call @nothing() : () -> ()
// CHECK:         scf.if
// CHECK:           llvm.getelementptr %[[ARGS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
func.func @nothing() {
  return
}

// -----

// The rule of `tok.runtime_checks` (as tokamak-insert-runtime-checks lists
// it for a tok.attention with dynamic key and value lengths) is checked on
// the descriptors' sizes before the call: a failure records the message with
// the two sizes, and the call runs only when the check holds.
// CHECK:       llvm.mlir.global internal constant @[[$FORMAT:_tok_error_format_[0-9]+]]("model.py:12:3: 'tok.attention' op expected key and value sequence lengths to match, got %lld and %lld\00")
// CHECK-LABEL: func.func @_tok_entry_attention_dynamic_kv_f32
// CHECK-SAME:    (%[[ARGS:.*]]: !llvm.ptr) {
// CHECK:         %[[Q:.*]] = builtin.unrealized_conversion_cast %{{.*}} to memref<1x8x16x64xf32>
// CHECK:         %[[K_DESC:.*]] = llvm.load %{{.*}} : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64, array<4 x i64>, array<4 x i64>)>
// CHECK:         %[[K:.*]] = builtin.unrealized_conversion_cast %[[K_DESC]]
// CHECK:         %[[V_DESC:.*]] = llvm.load %{{.*}} : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64, array<4 x i64>, array<4 x i64>)>
// CHECK:         %[[V:.*]] = builtin.unrealized_conversion_cast %[[V_DESC]]
// CHECK:         %[[K_LEN:.*]] = llvm.extractvalue %[[K_DESC]][3, 2]
// CHECK:         %[[V_LEN:.*]] = llvm.extractvalue %[[V_DESC]][3, 2]
// CHECK:         %[[OK:.*]] = arith.cmpi eq, %[[K_LEN]], %[[V_LEN]] : i64
// CHECK:         %[[K_LEN_VALUE:.*]] = llvm.extractvalue %[[K_DESC]][3, 2]
// CHECK:         %[[V_LEN_VALUE:.*]] = llvm.extractvalue %[[V_DESC]][3, 2]
// CHECK:         %[[BAD:.*]] = arith.xori %[[OK]], %{{.*}} : i1
// CHECK:         scf.if %[[BAD]] {
// CHECK:           %[[FORMAT_PTR:.*]] = llvm.mlir.addressof @[[$FORMAT]] : !llvm.ptr
// CHECK:           llvm.call @_tok_record_error(%[[FORMAT_PTR]], %[[K_LEN_VALUE]], %[[V_LEN_VALUE]], {{.*}})
// CHECK:         }
// CHECK:         scf.if %[[OK]] {
// CHECK:           func.call @attention_dynamic_kv_f32(%[[Q]], %[[K]], %[[V]])
// CHECK:         }
// CHECK:         llvm.getelementptr %[[ARGS]][3] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK:       llvm.func internal @_tok_record_error(
func.func @attention_dynamic_kv_f32(%query: memref<1x8x16x64xf32>, %key: memref<1x2x?x64xf32>, %value: memref<1x2x?x64xf32>) attributes {tok.runtime_checks = [{format = "model.py:12:3: 'tok.attention' op expected key and value sequence lengths to match, got %lld and %lld", kind = 0 : i64, lhs = array<i64: 1, 2>, rhs = array<i64: 2, 2>, values = array<i64: 1, 2, 2, 2>}]} {
  return
}

// -----

// Several checks (a multiple of a positive head count, at least 1 against
// the constant {-1, 1}): each records its own message, and the call and the
// result store run only when all hold.
// CHECK-LABEL: func.func @_tok_entry_attention_dynamic_heads_f32
// CHECK-SAME:    (%[[ARGS:.*]]: !llvm.ptr) {
// CHECK:         %[[Q_DESC:.*]] = llvm.load %{{.*}} : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64, array<4 x i64>, array<4 x i64>)>
// CHECK:         %[[K_DESC:.*]] = llvm.load %{{.*}} : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64, array<4 x i64>, array<4 x i64>)>
// CHECK:         %[[QH:.*]] = llvm.extractvalue %[[Q_DESC]][3, 1]
// CHECK:         %[[KH:.*]] = llvm.extractvalue %[[K_DESC]][3, 1]
// CHECK:         %[[POSITIVE:.*]] = arith.cmpi sgt, %[[KH]], %{{.*}} : i64
// CHECK:         %[[DIVISOR:.*]] = arith.select %[[POSITIVE]], %[[KH]], %{{.*}} : i64
// CHECK:         %[[REM:.*]] = arith.remsi %[[QH]], %[[DIVISOR]] : i64
// CHECK:         %[[DIVIDES:.*]] = arith.cmpi eq, %[[REM]], %{{.*}} : i64
// CHECK:         %[[MULTIPLE_OK:.*]] = arith.andi %[[POSITIVE]], %[[DIVIDES]] : i1
// CHECK:         scf.if
// CHECK:           llvm.call @_tok_record_error(
// CHECK:         %[[QH2:.*]] = llvm.extractvalue %[[Q_DESC]][3, 1]
// CHECK:         %[[ONE:.*]] = arith.constant 1 : i64
// CHECK:         %[[AT_LEAST_OK:.*]] = arith.cmpi sge, %[[QH2]], %[[ONE]] : i64
// CHECK:         scf.if
// CHECK:           llvm.call @_tok_record_error(
// CHECK:         %[[ALL_OK:.*]] = arith.andi %[[MULTIPLE_OK]], %[[AT_LEAST_OK]] : i1
// CHECK:         scf.if %[[ALL_OK]] {
// CHECK:           %[[OUT:.*]] = func.call @attention_dynamic_heads_f32(
// CHECK:           %[[OUT_DESC:.*]] = builtin.unrealized_conversion_cast %[[OUT]]
// CHECK:           %[[OUT_SLOT:.*]] = llvm.getelementptr %[[ARGS]][2]
// CHECK:           %[[OUT_PTR:.*]] = llvm.load %[[OUT_SLOT]]
// CHECK:           llvm.store %[[OUT_DESC]], %[[OUT_PTR]]
// CHECK:         }
func.func @attention_dynamic_heads_f32(%query: memref<1x?x16x64xf32>, %key: memref<1x?x16x64xf32>) -> memref<1x?x16x64xf32> attributes {tok.runtime_checks = [{format = "model.py:20:5: 'tok.attention' op expected query head count to be a multiple of key head count, got %lld and %lld", kind = 1 : i64, lhs = array<i64: 0, 1>, rhs = array<i64: 1, 1>, values = array<i64: 0, 1, 1, 1>}, {format = "model.py:20:5: 'tok.attention' op expected query head count to be positive, got %lld", kind = 2 : i64, lhs = array<i64: 0, 1>, rhs = array<i64: -1, 1>, values = array<i64: 0, 1>}]} {
  return %query : memref<1x?x16x64xf32>
}

// -----

// A non-identity layout cannot be passed as a packed descriptor.
// expected-error @below {{'func.func' op cannot export argument 0 of type 'memref<4xf32, strided<[2]>>': public functions take and return ranked tensors}}
func.func @strided_argument_f32(%x: memref<4xf32, strided<[2]>>) {
  return
}

// -----

// Neither can an unranked result.
// expected-error @below {{'func.func' op cannot export result 0 of type 'memref<*xf32>': public functions take and return ranked tensors}}
func.func @unranked_result_f32(%x: memref<4xf32>) -> memref<*xf32> {
  %y = memref.cast %x : memref<4xf32> to memref<*xf32>
  return %y : memref<*xf32>
}

// -----

// A check that names a dim the argument does not have.
// expected-error @below {{'func.func' op malformed tok.runtime_checks attribute}}
func.func @malformed_checks_f32(%x: memref<?xf32>) attributes {tok.runtime_checks = [{format = "x", kind = 0 : i64, lhs = array<i64: 0, 3>, rhs = array<i64: -1, 2>, values = array<i64>}]} {
  return
}

// -----

// A check of a kind the pass does not know is malformed too (it used to
// guard the call with `true`, dropping the check).
// expected-error @below {{'func.func' op malformed tok.runtime_checks attribute}}
func.func @unknown_check_kind_f32(%x: memref<?xf32>) attributes {tok.runtime_checks = [{format = "x", kind = 7 : i64, lhs = array<i64: 0, 0>, rhs = array<i64: -1, 2>, values = array<i64>}]} {
  return
}
