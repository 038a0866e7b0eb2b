// RUN: tokamak-opt %s --split-input-file --tokamak-decompose-aggregates | FileCheck %s

// linalg.softmax becomes its parts: a max reduction, exp(x - max), a sum
// reduction and the division, all linalg.generic on tensors.
// CHECK-LABEL: func.func @softmax_rows_f32
// CHECK-SAME: (%[[X:.*]]: tensor<4x16xf32>)
// CHECK-NOT: linalg.softmax
// CHECK: %[[MAX:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}} ins(%[[X]] : tensor<4x16xf32>)
// CHECK: arith.maxnumf
// CHECK: %[[EXP:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[MAX]] : tensor<4x16xf32>, tensor<4xf32>)
// CHECK: math.exp
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[EXP]] : tensor<4x16xf32>)
// CHECK: arith.addf
// CHECK: linalg.generic {{.*}} ins(%[[EXP]], %[[SUM]] : tensor<4x16xf32>, tensor<4xf32>)
// CHECK: arith.divf
func.func @softmax_rows_f32(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %init = tensor.empty() : tensor<4x16xf32>
  %y = linalg.softmax dimension(1) ins(%x : tensor<4x16xf32>) outs(%init : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// Other linalg ops are left alone.
// CHECK-LABEL: func.func @fill_f32
// CHECK: linalg.fill
func.func @fill_f32(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = arith.constant 1.0 : f32
  %y = linalg.fill ins(%c : f32) outs(%x : tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
