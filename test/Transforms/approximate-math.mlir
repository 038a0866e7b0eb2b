// RUN: tokamak-opt %s --split-input-file --tokamak-approximate-math | FileCheck %s

// Vector exp (softmax, silu): clamped range reduction, a polynomial of fmas,
// and 2^k built from the exponent bits; no math.exp (a libm call per lane)
// is left.
// CHECK-LABEL: func.func @exp_vector_f32
// CHECK-SAME:    (%[[X:.*]]: vector<16xf32>)
// CHECK-NOT:     math.exp
// CHECK:         arith.cmpf uge, %[[X]], %{{.*}} : vector<16xf32>
// CHECK:         math.floor %{{.*}} : vector<16xf32>
// CHECK-COUNT-5: math.fma %{{.*}} : vector<16xf32>
// CHECK:         %[[K:.*]] = arith.fptosi %{{.*}} : vector<16xf32> to vector<16xi32>
// CHECK:         %[[BIASED:.*]] = arith.addi %[[K]], %{{.*}} : vector<16xi32>
// CHECK:         %[[BITS:.*]] = arith.shli %[[BIASED]], %{{.*}} : vector<16xi32>
// CHECK:         %[[POW2:.*]] = arith.bitcast %[[BITS]] : vector<16xi32> to vector<16xf32>
// CHECK:         %[[Y:.*]] = arith.mulf %{{.*}}, %[[POW2]] : vector<16xf32>
// CHECK-NOT:     math.exp
// CHECK:         return %[[Y]]
func.func @exp_vector_f32(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.exp %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// Vector tanh (gelu_tanh, softcap): a rational approximation on the clamped
// input (odd polynomial over an even one), small inputs passed through.
// CHECK-LABEL: func.func @tanh_vector_f32
// CHECK-SAME:    (%[[X:.*]]: vector<8xf32>)
// CHECK-NOT:     math.tanh
// CHECK:         %[[ABS:.*]] = math.absf %[[X]] : vector<8xf32>
// CHECK:         %[[TINY:.*]] = arith.cmpf olt, %[[ABS]], %{{.*}} : vector<8xf32>
// CHECK:         math.fma
// CHECK:         %[[NUM:.*]] = arith.mulf %{{.*}} : vector<8xf32>
// CHECK:         math.fma
// CHECK:         %[[RATIO:.*]] = arith.divf %[[NUM]], %{{.*}} : vector<8xf32>
// CHECK:         %[[Y:.*]] = arith.select %[[TINY]], %{{.*}}, %[[RATIO]] : vector<8xi1>, vector<8xf32>
// CHECK-NOT:     math.tanh
// CHECK:         return %[[Y]]
func.func @tanh_vector_f32(%x: vector<8xf32>) -> vector<8xf32> {
  %y = math.tanh %x : vector<8xf32>
  return %y : vector<8xf32>
}

// -----

// Vector erf (exact gelu): a piecewise rational approximation on |x|, the
// sign restored at the end.
// CHECK-LABEL: func.func @erf_vector_f32
// CHECK-SAME:    (%[[X:.*]]: vector<16xf32>)
// CHECK-NOT:     math.erf
// CHECK:         %[[NEGATIVE:.*]] = arith.cmpf olt, %[[X]], %{{.*}} : vector<16xf32>
// CHECK-COUNT-8: math.fma %{{.*}} : vector<16xf32>
// CHECK:         arith.divf %{{.*}} : vector<16xf32>
// CHECK:         %[[ABS_ERF:.*]] = arith.select
// CHECK:         %[[NEG_ERF:.*]] = arith.negf %[[ABS_ERF]] : vector<16xf32>
// CHECK:         %[[Y:.*]] = arith.select %[[NEGATIVE]], %[[NEG_ERF]], %[[ABS_ERF]] : vector<16xi1>, vector<16xf32>
// CHECK-NOT:     math.erf
// CHECK:         return %[[Y]]
func.func @erf_vector_f32(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.erf %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// Scalar log (the f32 scalar form is rewritten too): mantissa and exponent
// split through the bits, a polynomial of fmas, then the special cases.
// CHECK-LABEL: func.func @log_scalar_f32
// CHECK-SAME:    (%[[X:.*]]: f32)
// CHECK-NOT:     math.log
// CHECK:         arith.bitcast %{{.*}} : f32 to i32
// CHECK:         arith.shrui %{{.*}} : i32
// CHECK:         math.fma %{{.*}} : f32
// CHECK:         arith.cmpf ult, %[[X]], %{{.*}} : f32
// CHECK-NOT:     math.log
// CHECK:         return
func.func @log_scalar_f32(%x: f32) -> f32 {
  %y = math.log %x : f32
  return %y : f32
}

// -----

// f16 is computed in f32 (extended, approximated, truncated back).
// CHECK-LABEL: func.func @exp_vector_f16
// CHECK-SAME:    (%[[X:.*]]: vector<8xf16>)
// CHECK-NOT:     math.exp
// CHECK:         %[[WIDE:.*]] = arith.extf %[[X]] : vector<8xf16> to vector<8xf32>
// CHECK:         math.fma %{{.*}} : vector<8xf32>
// CHECK:         %[[Y:.*]] = arith.truncf %{{.*}} : vector<8xf32> to vector<8xf16>
// CHECK-NOT:     math.exp
// CHECK:         return %[[Y]]
func.func @exp_vector_f16(%x: vector<8xf16>) -> vector<8xf16> {
  %y = math.exp %x : vector<8xf16>
  return %y : vector<8xf16>
}

// -----

// f64 is left alone (the f32 polynomials are not accurate enough for it).
// CHECK-LABEL: func.func @exp_tanh_untouched_f64
// CHECK-SAME:    (%[[X:.*]]: vector<4xf64>, %[[S:.*]]: f64)
// CHECK-NEXT:    %[[EXP:.*]] = math.exp %[[X]] : vector<4xf64>
// CHECK-NEXT:    %[[TANH:.*]] = math.tanh %[[S]] : f64
// CHECK-NEXT:    return %[[EXP]], %[[TANH]]
func.func @exp_tanh_untouched_f64(%x: vector<4xf64>, %s: f64) -> (vector<4xf64>, f64) {
  %y = math.exp %x : vector<4xf64>
  %z = math.tanh %s : f64
  return %y, %z : vector<4xf64>, f64
}
