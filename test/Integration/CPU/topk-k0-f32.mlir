// k = 0: empty values and indices, a count of 0 per row; against
// ref/selection.py.
// RUN: rm -rf %t && %python %S/../ref.py topk --shape=2x3x8 --k=0 --count --seed=5 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --output=@%t/out0.npy --output=@%t/out1.npy --output=@%t/out2.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=0
// RUN: %python %S/../compare.py %t/out2.npy %t/ref2.npy --rtol=0

func.func @main(%x: tensor<2x3x8xf32>) -> (tensor<2x3x0xf32>, tensor<2x3x0xi32>, tensor<2x3xi32>) {
  %v, %i, %n = tok.topk %x {k = 0 : i64} : (tensor<2x3x8xf32>) -> (tensor<2x3x0xf32>, tensor<2x3x0xi32>, tensor<2x3xi32>)
  return %v, %i, %n : tensor<2x3x0xf32>, tensor<2x3x0xi32>, tensor<2x3xi32>
}
