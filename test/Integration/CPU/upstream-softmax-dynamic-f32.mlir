// linalg.softmax on rows of a run-time length (issue 14, item 7): the max,
// exp and sum over each row run in vectors of the target's f32 lanes, the
// last partial vector of a row masked; lengths below, between and above one
// vector (AVX2: 8 lanes, AVX-512: 16). Against torch.softmax in
// ref/basics.py.
// RUN: rm -rf %t.1 && %python %S/../ref.py softmax --shape=3,1 --dim=1 --seed=11 --out=%t.1
// RUN: tokamak-run %s --input=@%t.1/in0.npy --output=@%t.1/out0.npy
// RUN: %python %S/../compare.py %t.1/out0.npy %t.1/ref0.npy --rtol=1e-4
// RUN: rm -rf %t.7 && %python %S/../ref.py softmax --shape=4,7 --dim=1 --seed=12 --out=%t.7
// RUN: tokamak-run %s --input=@%t.7/in0.npy --output=@%t.7/out0.npy
// RUN: %python %S/../compare.py %t.7/out0.npy %t.7/ref0.npy --rtol=1e-4
// RUN: rm -rf %t.17 && %python %S/../ref.py softmax --shape=5,17 --dim=1 --seed=13 --out=%t.17
// RUN: tokamak-run %s --input=@%t.17/in0.npy --output=@%t.17/out0.npy
// RUN: %python %S/../compare.py %t.17/out0.npy %t.17/ref0.npy --rtol=1e-4
// RUN: rm -rf %t.33 && %python %S/../ref.py softmax --shape=2,33 --dim=1 --seed=14 --out=%t.33
// RUN: tokamak-run %s --input=@%t.33/in0.npy --output=@%t.33/out0.npy
// RUN: %python %S/../compare.py %t.33/out0.npy %t.33/ref0.npy --rtol=1e-4

func.func @main(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %x, %c0 : tensor<?x?xf32>
  %d = tensor.dim %x, %c1 : tensor<?x?xf32>
  %init = tensor.empty(%n, %d) : tensor<?x?xf32>
  %y = linalg.softmax dimension(1) ins(%x : tensor<?x?xf32>) outs(%init : tensor<?x?xf32>) -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
