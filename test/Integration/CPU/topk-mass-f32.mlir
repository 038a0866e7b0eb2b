// Mass threshold p = 0.5 over probability-like scores (multiples of 1/16):
// the smallest prefix whose mass reaches half the row's, at most 64. Tiled
// kernel and reference lowering against ref/selection.py.
// RUN: rm -rf %t && %python %S/../ref.py topk --shape=4x130 --k=64 --mass=0.5 --data=probs --count --seed=12 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --output=@%t/out0.npy --output=@%t/out1.npy --output=@%t/out2.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=0
// RUN: %python %S/../compare.py %t/out2.npy %t/ref2.npy --rtol=0
// RUN: tokamak-opt %s --convert-tok-to-linalg -o %t/lowered.mlir
// RUN: tokamak-run %t/lowered.mlir --input=@%t/in0.npy --output=@%t/low0.npy --output=@%t/low1.npy --output=@%t/low2.npy
// RUN: %python %S/../compare.py %t/low0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/low1.npy %t/ref1.npy --rtol=0
// RUN: %python %S/../compare.py %t/low2.npy %t/ref2.npy --rtol=0

func.func @main(%x: tensor<4x130xf32>) -> (tensor<4x64xf32>, tensor<4x64xi32>, tensor<4xi32>) {
  %v, %i, %n = tok.topk %x {k = 64 : i64, mass = 0.5 : f32} : (tensor<4x130xf32>) -> (tensor<4x64xf32>, tensor<4x64xi32>, tensor<4xi32>)
  return %v, %i, %n : tensor<4x64xf32>, tensor<4x64xi32>, tensor<4xi32>
}
