// RUN: tokamak-opt %s --convert-tok-to-linalg --canonicalize --split-input-file | FileCheck %s

// The reference lowering of tok.topk (lib/Conversion/TokToLinalg/TopK.cpp):
// group sums by expand_shape + a reduction in f32, the row mass, then k
// rounds of a masked argmax (a reduction over the selected dim with value
// and index outputs) and a per-row update, each round inserted at slot j;
// the budget cuts the count, and the last generics fill past it, narrow the
// values and keep the indices.

// CHECK-LABEL: func.func @topk_group_budget_mass_f16
// CHECK-SAME:    %[[X:[^:]+]]: tensor<2x4x?xf16>, %[[B:[^:]+]]: tensor<2x2xi32>
// CHECK:         %[[SPLIT:.+]] = tensor.expand_shape %[[X]] {{\[}}[0], [1, 2], [3]] {{.*}} : tensor<2x4x?xf16> into tensor<2x2x2x?xf16>
// CHECK:         %[[S:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "parallel"]} ins(%[[SPLIT]] : tensor<2x2x2x?xf16>) outs(%{{.+}} : tensor<2x2x?xf32>)
// CHECK:         %[[TOTAL:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[S]] : tensor<2x2x?xf32>) outs(%{{.+}} : tensor<2x2xf32>)
// CHECK:           arith.maxnumf
// CHECK:         %[[LOOP:.+]]:6 = scf.for %[[J:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args({{.*}}) -> (tensor<2x2x5xf32>, tensor<2x2x5xi64>, tensor<2x2xf32>, tensor<2x2xi64>, tensor<2x2xi32>, tensor<2x2xf32>)
// CHECK:           %[[BEST:.+]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[S]], {{.*}}) outs({{.*}} : tensor<2x2xf32>, tensor<2x2xi64>)
// CHECK:             arith.cmpf uno
// CHECK:             arith.cmpf ogt
// CHECK:           %[[STEP:.+]]:6 = linalg.generic {{.*}} ins(%[[BEST]]#0, %[[BEST]]#1, {{.*}})
// CHECK:             arith.cmpf olt
// CHECK:           tensor.insert_slice %[[STEP]]#0 into %{{.+}}[0, 0, %[[J]]] [2, 2, 1]
// CHECK:           tensor.insert_slice %[[STEP]]#1 into %{{.+}}[0, 0, %[[J]]] [2, 2, 1]
// CHECK:         %[[COUNT:.+]] = linalg.generic {{.*}} ins(%[[B]] : tensor<2x2xi32>) outs(%[[LOOP]]#4 : tensor<2x2xi32>)
// CHECK:           arith.maxsi
// CHECK:           arith.minsi
// CHECK:         %[[V:.+]] = linalg.generic {{.*}} ins(%[[LOOP]]#0, %[[COUNT]] : tensor<2x2x5xf32>, tensor<2x2xi32>) outs(%{{.+}} : tensor<2x2x5xf16>)
// CHECK:           arith.truncf
// CHECK:         %[[I:.+]] = linalg.generic {{.*}} ins(%[[LOOP]]#1, %[[COUNT]] : tensor<2x2x5xi64>, tensor<2x2xi32>) outs(%{{.+}} : tensor<2x2x5xi64>)
// CHECK:         return %[[V]], %[[I]], %[[COUNT]]
func.func @topk_group_budget_mass_f16(%x: tensor<2x4x?xf16>, %b: tensor<2x2xi32>) -> (tensor<2x2x5xf16>, tensor<2x2x5xi64>, tensor<2x2xi32>) {
  %v, %i, %n = tok.topk %x budget(%b : tensor<2x2xi32>) {group = 2 : i64, k = 5 : i64, mass = 0.5 : f32} : (tensor<2x4x?xf16>) -> (tensor<2x2x5xf16>, tensor<2x2x5xi64>, tensor<2x2xi32>)
  return %v, %i, %n : tensor<2x2x5xf16>, tensor<2x2x5xi64>, tensor<2x2xi32>
}

// -----

// smallest along dim 0: the scores are negated on the way in and the values
// on the way out (fill +inf); the rounds reduce over dim 0.

// CHECK-LABEL: func.func @topk_dim0_smallest_f32
// CHECK:         %[[PINF:.+]] = arith.constant 0x7F800000 : f32
// CHECK:         linalg.generic
// CHECK:           arith.negf
// CHECK:         scf.for
// CHECK:           linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]}
// CHECK:           tensor.insert_slice %{{.+}} into %{{.+}}[%{{.+}}, 0] [1, 3]
// CHECK:         linalg.generic
// CHECK:           %[[NEG:.+]] = arith.negf
// CHECK:           arith.select %{{.+}}, %[[NEG]], %[[PINF]] : f32
func.func @topk_dim0_smallest_f32(%x: tensor<50x3xf32>) -> (tensor<4x3xf32>, tensor<4x3xi32>) {
  %v, %i = tok.topk %x {dim = 0 : i64, k = 4 : i64, smallest} : (tensor<50x3xf32>) -> (tensor<4x3xf32>, tensor<4x3xi32>)
  return %v, %i : tensor<4x3xf32>, tensor<4x3xi32>
}
