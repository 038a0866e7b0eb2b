// RUN: tokamak-opt %s --tokamak-expand-bf16-conversions --split-input-file | FileCheck %s

// f32 -> bf16 on a vector becomes integer rounding (round to nearest even,
// NaN quieted) on i32 lanes: no arith.truncf is left for LLVM to turn into
// __truncsfbf2.
// CHECK-LABEL: func.func @truncf_vector_bf16
// CHECK-SAME: (%[[X:.*]]: vector<16xf32>)
// CHECK-NOT: arith.truncf
// CHECK: %[[NAN:.*]] = arith.cmpf une, %[[X]], %[[X]] : vector<16xf32>
// CHECK: %[[BITS:.*]] = arith.bitcast %[[X]] : vector<16xf32> to vector<16xi32>
// CHECK: %[[NARROW:.*]] = arith.trunci %{{.*}} : vector<16xi32> to vector<16xi16>
// CHECK: %[[SEL:.*]] = arith.select %[[NAN]], %{{.*}}, %[[NARROW]] : vector<16xi1>, vector<16xi16>
// CHECK: arith.bitcast %[[SEL]] : vector<16xi16> to vector<16xbf16>
func.func @truncf_vector_bf16(%x: vector<16xf32>) -> vector<16xbf16> {
  %y = arith.truncf %x : vector<16xf32> to vector<16xbf16>
  return %y : vector<16xbf16>
}

// -----

// bf16 -> f32 is a shift of the bits into the upper half.
// CHECK-LABEL: func.func @extf_scalar_bf16
// CHECK-SAME: (%[[X:.*]]: bf16)
// CHECK-NOT: arith.extf
// CHECK: %[[BITS:.*]] = arith.bitcast %[[X]] : bf16 to i16
// CHECK: %[[WIDE:.*]] = arith.extui %[[BITS]] : i16 to i32
// CHECK: %[[SHIFTED:.*]] = arith.shli %[[WIDE]], %{{.*}} : i32
// CHECK: arith.bitcast %[[SHIFTED]] : i32 to f32
func.func @extf_scalar_bf16(%x: bf16) -> f32 {
  %y = arith.extf %x : bf16 to f32
  return %y : f32
}

// -----

// f16 conversions are left alone (F16C converts them on every CPU the
// project targets).
// CHECK-LABEL: func.func @truncf_f16_untouched
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @truncf_f16_untouched(%x: f32) -> f16 {
  %y = arith.truncf %x : f32 to f16
  return %y : f16
}
