// A small mass threshold p = 0.05 with a run-time budget on top (both cut
// the count); against ref/selection.py.
// RUN: rm -rf %t && %python %S/../ref.py topk --shape=5x300 --k=32 --mass=0.05 --data=probs --budget --count --seed=14 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --output=@%t/out0.npy --output=@%t/out1.npy --output=@%t/out2.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=0
// RUN: %python %S/../compare.py %t/out2.npy %t/ref2.npy --rtol=0

func.func @main(%x: tensor<5x300xf32>, %b: tensor<5xi32>) -> (tensor<5x32xf32>, tensor<5x32xi32>, tensor<5xi32>) {
  %v, %i, %n = tok.topk %x budget(%b : tensor<5xi32>) {k = 32 : i64, mass = 5.000000e-02 : f32} : (tensor<5x300xf32>) -> (tensor<5x32xf32>, tensor<5x32xi32>, tensor<5xi32>)
  return %v, %i, %n : tensor<5x32xf32>, tensor<5x32xi32>, tensor<5xi32>
}
