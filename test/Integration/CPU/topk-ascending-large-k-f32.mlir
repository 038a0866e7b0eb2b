// k = 100 over rows of 3000 increasing entries: every vector passes the
// tiled kernel's filter, so its candidate buffer fills and is sorted and
// cut back to k many times; against ref/selection.py. The same function
// through the reference lowering (convert-tok-to-linalg first) as well.
// RUN: rm -rf %t && %python %S/../ref.py topk --shape=2x3000 --k=100 --data=ascending --seed=4 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=0
// RUN: tokamak-opt %s --convert-tok-to-linalg -o %t/lowered.mlir
// RUN: tokamak-run %t/lowered.mlir --input=@%t/in0.npy --output=@%t/low0.npy --output=@%t/low1.npy
// RUN: %python %S/../compare.py %t/low0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/low1.npy %t/ref1.npy --rtol=0

func.func @main(%x: tensor<2x3000xf32>) -> (tensor<2x100xf32>, tensor<2x100xi32>) {
  %v, %i = tok.topk %x {k = 100 : i64} : (tensor<2x3000xf32>) -> (tensor<2x100xf32>, tensor<2x100xi32>)
  return %v, %i : tensor<2x100xf32>, tensor<2x100xi32>
}
