// Merge two partial results by lse (rows with one or both lse = -inf, large lse), f32.
// RUN: rm -rf %t && %python %S/../ref.py lse_merge --b=1 --heads=4 --len=32 --dv=64 --seed=7 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%o1: tensor<1x4x32x64xf32>, %l1: tensor<1x4x32xf32>, %o2: tensor<1x4x32x64xf32>, %l2: tensor<1x4x32xf32>) -> (tensor<1x4x32x64xf32>, tensor<1x4x32xf32>) {
  %o, %l = tok.lse_merge %o1, %l1, %o2, %l2 : (tensor<1x4x32x64xf32>, tensor<1x4x32xf32>, tensor<1x4x32x64xf32>, tensor<1x4x32xf32>) -> (tensor<1x4x32x64xf32>, tensor<1x4x32xf32>)
  return %o, %l : tensor<1x4x32x64xf32>, tensor<1x4x32xf32>
}
