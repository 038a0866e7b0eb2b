// All entries equal: the ties go to the lower indices, 0..k-1 in order;
// against ref/selection.py.
// RUN: rm -rf %t && %python %S/../ref.py topk --shape=2x70 --k=20 --data=equal --seed=7 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=0

func.func @main(%x: tensor<2x70xf32>) -> (tensor<2x20xf32>, tensor<2x20xi32>) {
  %v, %i = tok.topk %x {k = 20 : i64} : (tensor<2x70xf32>) -> (tensor<2x20xf32>, tensor<2x20xi32>)
  return %v, %i : tensor<2x20xf32>, tensor<2x20xi32>
}
