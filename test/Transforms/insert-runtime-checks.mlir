// RUN: tokamak-opt %s --split-input-file --tokamak-insert-runtime-checks -verify-diagnostics | FileCheck %s

// Dynamic key and value sequence lengths: the verifier's "sequence lengths
// match" rule is listed on the function, as {argument, dim} pairs, with the
// verifier's message behind the op's location; the op itself is untouched.
// CHECK-LABEL: func.func @attention_dynamic_kv_f32
// CHECK-SAME:    attributes {tok.runtime_checks = [{format = "model.py:12:3: 'tok.attention' op expected key and value sequence lengths to match, got %lld and %lld", kind = 0 : i64, lhs = array<i64: 1, 2>, rhs = array<i64: 2, 2>, values = array<i64: 1, 2, 2, 2>}]}
// CHECK-NOT:     scf.if
// CHECK:         tok.attention
func.func @attention_dynamic_kv_f32(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x?x64xf32>, %value: tensor<1x2x?x64xf32>) -> tensor<1x8x16x64xf32> {
  %o = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> tensor<1x8x16x64xf32> loc("model.py":12:3)
  return %o : tensor<1x8x16x64xf32>
}

// -----

// Dynamic head counts: key/value head counts equal (kind 0), query heads a
// multiple of key heads (kind 1), query heads positive (kind 2, against the
// constant {-1, 1}), in the verifier's order.
// CHECK-LABEL: func.func @attention_dynamic_heads_f32
// CHECK-SAME:    tok.runtime_checks = [
// CHECK-SAME:      {format = "model.py:20:5: 'tok.attention' op expected key and value head counts to match, got %lld and %lld", kind = 0 : i64, lhs = array<i64: 1, 1>, rhs = array<i64: 2, 1>, values = array<i64: 1, 1, 2, 1>},
// CHECK-SAME:      {format = "model.py:20:5: 'tok.attention' op expected query head count to be a multiple of key head count, got %lld and %lld", kind = 1 : i64, lhs = array<i64: 0, 1>, rhs = array<i64: 1, 1>, values = array<i64: 0, 1, 1, 1>},
// CHECK-SAME:      {format = "model.py:20:5: 'tok.attention' op expected query head count to be positive, got %lld", kind = 2 : i64, lhs = array<i64: 0, 1>, rhs = array<i64: -1, 1>, values = array<i64: 0, 1>}]
func.func @attention_dynamic_heads_f32(%query: tensor<1x?x16x64xf32>, %key: tensor<1x?x16x64xf32>, %value: tensor<1x?x16x64xf32>) -> tensor<1x?x16x64xf32> {
  %o = tok.attention %query, %key, %value : (tensor<1x?x16x64xf32>, tensor<1x?x16x64xf32>, tensor<1x?x16x64xf32>) -> tensor<1x?x16x64xf32> loc("model.py":20:5)
  return %o : tensor<1x?x16x64xf32>
}

// -----

// A private function with one call site: its rule is traced through the call
// to the public caller's arguments (key and value swapped at the call, so
// lhs is argument 2) and listed there; the private function gets nothing.
// CHECK-LABEL: func.func private @layer_f32
// CHECK-NOT:     tok.runtime_checks
// CHECK-LABEL: func.func @attention_through_call_f32
// CHECK-SAME:    attributes {tok.runtime_checks = [{format = "model.py:30:7: 'tok.attention' op expected key and value sequence lengths to match, got %lld and %lld", kind = 0 : i64, lhs = array<i64: 2, 2>, rhs = array<i64: 1, 2>, values = array<i64: 2, 2, 1, 2>}]}
func.func private @layer_f32(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x?x64xf32>, %value: tensor<1x2x?x64xf32>) -> tensor<1x8x16x64xf32> {
  %o = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> tensor<1x8x16x64xf32> loc("model.py":30:7)
  return %o : tensor<1x8x16x64xf32>
}
func.func @attention_through_call_f32(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x?x64xf32>, %value: tensor<1x2x?x64xf32>) -> tensor<1x8x16x64xf32> {
  %o = func.call @layer_f32(%query, %value, %key) : (tensor<1x8x16x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> tensor<1x8x16x64xf32>
  return %o : tensor<1x8x16x64xf32>
}

// -----

// A rule whose dynamic dims trace to static ones through a call fails at
// compile time, with the verifier's message and the traced sizes.
func.func private @layer_f32(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x?x64xf32>, %value: tensor<1x2x?x64xf32>) -> tensor<1x8x16x64xf32> {
  // expected-error @below {{'tok.attention' op expected key and value sequence lengths to match, got 3 and 4}}
  %o = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> tensor<1x8x16x64xf32>
  return %o : tensor<1x8x16x64xf32>
}
func.func @attention_traced_mismatch_f32(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x3x64xf32>, %value: tensor<1x2x4x64xf32>) -> tensor<1x8x16x64xf32> {
  %k = tensor.cast %key : tensor<1x2x3x64xf32> to tensor<1x2x?x64xf32>
  %v = tensor.cast %value : tensor<1x2x4x64xf32> to tensor<1x2x?x64xf32>
  %o = func.call @layer_f32(%query, %k, %v) : (tensor<1x8x16x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> tensor<1x8x16x64xf32>
  return %o : tensor<1x8x16x64xf32>
}

// -----

// Static shapes: the verifier checked every dim rule, nothing is listed and
// nothing is guarded.
// CHECK-LABEL: func.func @attention_static_f32
// CHECK-NOT:     tok.runtime_checks
// CHECK-NOT:     scf.if
// CHECK:         tok.attention
// CHECK-NEXT:    return
func.func @attention_static_f32(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32> {
  %o = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return %o : tensor<1x8x16x64xf32>
}

// -----

// cache_write: before the op, every slot is compared with NumBlocks x
// BlockSize (negative slots pass: the op skips them); a bad one records the
// error and the op is skipped, yielding the cache unchanged.
// CHECK:       llvm.mlir.global internal constant @[[$FORMAT:_tok_error_format_[0-9]+]]("model.py:40:9: 'tok.cache_write' op expected slots[%lld, %lld] to be negative (skipped) or less than %lld (%lld blocks of %lld rows), got %lld\00")
// CHECK-LABEL: func.func @cache_write_f32
// CHECK-SAME:    (%[[CACHE:.*]]: tensor<64x16x2x64xf32>, %[[UPDATE:.*]]: tensor<2x2x1x64xf32>, %[[SLOTS:.*]]: tensor<2x1xi32>)
// CHECK-NOT:     tok.runtime_checks
// CHECK:         %[[NUM_BLOCKS:.*]] = tensor.dim %[[CACHE]], %{{.*}} : tensor<64x16x2x64xf32>
// CHECK:         %[[BLOCK_SIZE:.*]] = tensor.dim %[[CACHE]], %{{.*}} : tensor<64x16x2x64xf32>
// CHECK:         %[[CAPACITY:.*]] = arith.muli %[[NUM_BLOCKS]], %[[BLOCK_SIZE]] : index
// CHECK:         %[[OK:.*]] = scf.for %[[B:[^ ]*]] = {{.*}} -> (i1) {
// CHECK:           scf.for %[[S:[^ ]*]] = {{.*}} -> (i1) {
// CHECK:             %[[RAW:.*]] = tensor.extract %[[SLOTS]][%[[B]], %[[S]]] : tensor<2x1xi32>
// CHECK:             %[[SLOT:.*]] = arith.index_cast %[[RAW]] : i32 to index
// CHECK:             %[[BAD:.*]] = arith.cmpi sge, %[[SLOT]], %[[CAPACITY]] : index
// CHECK:             scf.if %[[BAD]] {
// CHECK:               llvm.mlir.addressof @[[$FORMAT]]
// CHECK:               llvm.call @_tok_record_error(
// CHECK:         %[[RESULT:.*]] = scf.if %[[OK]] -> (tensor<64x16x2x64xf32>) {
// CHECK:           %[[WRITTEN:.*]] = tok.cache_write %[[CACHE]], %[[UPDATE]], %[[SLOTS]]
// CHECK:           scf.yield %[[WRITTEN]]
// CHECK:         } else {
// CHECK:           scf.yield %[[CACHE]]
// CHECK:         return %[[RESULT]]
// CHECK:       llvm.func internal @_tok_record_error(
func.func @cache_write_f32(%cache: tensor<64x16x2x64xf32>, %update: tensor<2x2x1x64xf32>, %slots: tensor<2x1xi32>) -> tensor<64x16x2x64xf32> {
  %r = tok.cache_write %cache, %update, %slots : (tensor<64x16x2x64xf32>, tensor<2x2x1x64xf32>, tensor<2x1xi32>) -> tensor<64x16x2x64xf32> loc("model.py":40:9)
  return %r : tensor<64x16x2x64xf32>
}

// -----

// paged_attention: each lens[b] must be in [0, MaxBlocks x BlockSize], and
// the block ids of its first ceil(lens[b] / BlockSize) table entries in
// [0, NumBlocks); otherwise the error is recorded and the op skipped (an
// empty output).
// CHECK-DAG:   llvm.mlir.global internal constant @[[$LENS_FORMAT:_tok_error_format_[0-9]+]]("model.py:50:11: 'tok.paged_attention' op expected lens[%lld] to be in [0, %lld] (%lld block table entries of %lld rows), got %lld\00")
// CHECK-DAG:   llvm.mlir.global internal constant @[[$TABLE_FORMAT:_tok_error_format_[0-9]+]]("model.py:50:11: 'tok.paged_attention' op expected block_table[%lld, %lld] to be in [0, %lld) (the key_cache block count), got %lld\00")
// CHECK-LABEL: func.func @paged_attention_f32
// CHECK-SAME:    (%[[QUERY:.*]]: tensor<2x8x1x64xf32>, %[[KEY_CACHE:.*]]: tensor<256x16x2x64xf32>, %[[VALUE_CACHE:.*]]: tensor<256x16x2x64xf32>, %[[BLOCK_TABLE:.*]]: tensor<2x16xi32>, %[[LENS:.*]]: tensor<2xi32>)
// CHECK-NOT:     tok.runtime_checks
// CHECK:         %[[NUM_BLOCKS:.*]] = tensor.dim %[[KEY_CACHE]], %{{.*}} : tensor<256x16x2x64xf32>
// CHECK:         %[[BLOCK_SIZE:.*]] = tensor.dim %[[KEY_CACHE]], %{{.*}} : tensor<256x16x2x64xf32>
// CHECK:         %[[MAX_BLOCKS:.*]] = tensor.dim %[[BLOCK_TABLE]], %{{.*}} : tensor<2x16xi32>
// CHECK:         %[[CAPACITY:.*]] = arith.muli %[[MAX_BLOCKS]], %[[BLOCK_SIZE]] : index
// CHECK:         %[[OK:.*]] = scf.for %[[B:[^ ]*]] = {{.*}} -> (i1) {
// CHECK:           %[[RAW_LEN:.*]] = tensor.extract %[[LENS]][%[[B]]] : tensor<2xi32>
// CHECK:           %[[LEN:.*]] = arith.index_cast %[[RAW_LEN]] : i32 to index
// CHECK:           %[[NEGATIVE:.*]] = arith.cmpi slt, %[[LEN]], %{{.*}} : index
// CHECK:           %[[TOO_LONG:.*]] = arith.cmpi sgt, %[[LEN]], %[[CAPACITY]] : index
// CHECK:           %[[BAD_LEN:.*]] = arith.ori %[[NEGATIVE]], %[[TOO_LONG]] : i1
// CHECK:           scf.if %[[BAD_LEN]] {
// CHECK:             llvm.mlir.addressof @[[$LENS_FORMAT]]
// CHECK:             llvm.call @_tok_record_error(
// CHECK:           %[[USED:.*]] = arith.select %[[BAD_LEN]], %{{.*}}, %{{.*}} : index
// CHECK:           scf.for %[[J:[^ ]*]] = %{{.*}} to %[[USED]] {{.*}} -> (i1) {
// CHECK:             %[[RAW_ID:.*]] = tensor.extract %[[BLOCK_TABLE]][%[[B]], %[[J]]] : tensor<2x16xi32>
// CHECK:             %[[ID:.*]] = arith.index_cast %[[RAW_ID]] : i32 to index
// CHECK:             %[[ID_NEGATIVE:.*]] = arith.cmpi slt, %[[ID]], %{{.*}} : index
// CHECK:             %[[ID_TOO_BIG:.*]] = arith.cmpi sge, %[[ID]], %[[NUM_BLOCKS]] : index
// CHECK:             %[[BAD_ID:.*]] = arith.ori %[[ID_NEGATIVE]], %[[ID_TOO_BIG]] : i1
// CHECK:             scf.if %[[BAD_ID]] {
// CHECK:               llvm.mlir.addressof @[[$TABLE_FORMAT]]
// CHECK:               llvm.call @_tok_record_error(
// CHECK:         %[[RESULT:.*]] = scf.if %[[OK]] -> (tensor<2x8x1x64xf32>) {
// CHECK:           %[[OUT:.*]] = tok.paged_attention %[[QUERY]], %[[KEY_CACHE]], %[[VALUE_CACHE]], %[[BLOCK_TABLE]], %[[LENS]]
// CHECK:           scf.yield %[[OUT]]
// CHECK:         } else {
// CHECK:           %[[EMPTY:.*]] = tensor.empty() : tensor<2x8x1x64xf32>
// CHECK:           scf.yield %[[EMPTY]]
// CHECK:         return %[[RESULT]]
func.func @paged_attention_f32(%query: tensor<2x8x1x64xf32>, %key_cache: tensor<256x16x2x64xf32>, %value_cache: tensor<256x16x2x64xf32>, %block_table: tensor<2x16xi32>, %lens: tensor<2xi32>) -> tensor<2x8x1x64xf32> {
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<2x8x1x64xf32>, tensor<256x16x2x64xf32>, tensor<256x16x2x64xf32>, tensor<2x16xi32>, tensor<2xi32>) -> tensor<2x8x1x64xf32> loc("model.py":50:11)
  return %out : tensor<2x8x1x64xf32>
}
