// RUN: tokamak-opt %s --split-input-file --tokamak-mark-inputs-read-only | FileCheck %s
// RUN: tokamak-opt %s --split-input-file --tokamak-mark-inputs-read-only --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" | FileCheck %s --check-prefix=BUFFERIZED

// Every tensor argument of a public function is marked read-only; other
// argument attributes are kept, non-tensor arguments get nothing.
// CHECK-LABEL: func.func @linear_inputs_f32
// CHECK-SAME:    (%{{.*}}: tensor<2x8xf32> {bufferization.writable = false},
// CHECK-SAME:     %{{.*}}: tensor<?x8xf32> {bufferization.writable = false, tok.name = "weight"},
// CHECK-SAME:     %{{.*}}: tensor<*xf32> {bufferization.writable = false},
// CHECK-SAME:     %{{.*}}: memref<4xf32>,
// CHECK-SAME:     %{{.*}}: f32)
// CHECK-SAME:    -> tensor<2x8xf32> {
func.func @linear_inputs_f32(%x: tensor<2x8xf32>, %w: tensor<?x8xf32> {tok.name = "weight"}, %u: tensor<*xf32>, %m: memref<4xf32>, %s: f32) -> tensor<2x8xf32> {
  return %x : tensor<2x8xf32>
}

// -----

// An explicit attribute wins: a donated argument stays writable, and an
// explicit false stays false.
// CHECK-LABEL: func.func @donated_cache_f32
// CHECK-SAME:    (%{{.*}}: tensor<4xf32> {bufferization.writable = true},
// CHECK-SAME:     %{{.*}}: tensor<4xf32> {bufferization.writable = false},
// CHECK-SAME:     %{{.*}}: tensor<4xf32> {bufferization.writable = false})
func.func @donated_cache_f32(%cache: tensor<4xf32> {bufferization.writable = true}, %x: tensor<4xf32> {bufferization.writable = false}, %y: tensor<4xf32>) -> tensor<4xf32> {
  return %cache : tensor<4xf32>
}

// -----

// Private functions (callers inside the module own their buffers) and
// declarations are untouched.
// CHECK-LABEL: func.func private @layer_f32
// CHECK-SAME:    (%{{.*}}: tensor<4xf32>) -> tensor<4xf32> {
// CHECK-LABEL: func.func private @external_f32
// CHECK-SAME:    (tensor<4xf32>) -> tensor<4xf32>{{$}}
func.func private @layer_f32(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
func.func private @external_f32(tensor<4xf32>) -> tensor<4xf32>

// -----

// What the attribute is for: one-shot bufferization copies a read-only input
// before writing into it, and writes a donated one in place.
// BUFFERIZED-LABEL: func.func @insert_into_input_f32
// BUFFERIZED-SAME:    (%[[X:.*]]: memref<4xf32>, %[[V:.*]]: f32)
// BUFFERIZED:         %[[COPY:.*]] = memref.alloc()
// BUFFERIZED:         memref.copy %[[X]], %[[COPY]]
// BUFFERIZED:         memref.store %[[V]], %[[COPY]]
// BUFFERIZED:         return %[[COPY]]
// BUFFERIZED-LABEL: func.func @insert_into_donated_f32
// BUFFERIZED-SAME:    (%[[X:.*]]: memref<4xf32>, %[[V:.*]]: f32)
// BUFFERIZED-NOT:     memref.alloc
// BUFFERIZED:         memref.store %[[V]], %[[X]]
// BUFFERIZED:         return %[[X]]
// CHECK-LABEL: func.func @insert_into_input_f32
// CHECK-SAME:    {bufferization.writable = false}
func.func @insert_into_input_f32(%x: tensor<4xf32>, %v: f32) -> tensor<4xf32> {
  %c0 = arith.constant 0 : index
  %y = tensor.insert %v into %x[%c0] : tensor<4xf32>
  return %y : tensor<4xf32>
}
func.func @insert_into_donated_f32(%x: tensor<4xf32> {bufferization.writable = true}, %v: f32) -> tensor<4xf32> {
  %c0 = arith.constant 0 : index
  %y = tensor.insert %v into %x[%c0] : tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// Nested functions are not public either: their arguments stay unmarked.
// CHECK-LABEL: func.func nested @nested_f32
// CHECK-SAME: (%{{.*}}: tensor<4xf32>)
// CHECK-NOT: bufferization.writable
// BUFFERIZED-LABEL: func.func nested @nested_f32
func.func nested @nested_f32(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
