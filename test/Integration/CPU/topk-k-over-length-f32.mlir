// k = 40 over rows of 33: every entry sorted, then 7 fill slots (index -1,
// value -inf), count 33; against ref/selection.py.
// RUN: rm -rf %t && %python %S/../ref.py topk --shape=3x33 --k=40 --count --seed=6 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --output=@%t/out0.npy --output=@%t/out1.npy --output=@%t/out2.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=0
// RUN: %python %S/../compare.py %t/out2.npy %t/ref2.npy --rtol=0

func.func @main(%x: tensor<3x?xf32>) -> (tensor<3x40xf32>, tensor<3x40xi32>, tensor<3xi32>) {
  %v, %i, %n = tok.topk %x {k = 40 : i64} : (tensor<3x?xf32>) -> (tensor<3x40xf32>, tensor<3x40xi32>, tensor<3xi32>)
  return %v, %i, %n : tensor<3x40xf32>, tensor<3x40xi32>, tensor<3xi32>
}
