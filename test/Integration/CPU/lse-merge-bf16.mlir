// Merge two partial results by lse (rows with -inf lse), bf16 outputs, f32 lse.
// RUN: rm -rf %t && %python %S/../ref.py lse_merge --b=2 --heads=2 --len=16 --dv=32 --dtype=bf16 --seed=7 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%o1: tensor<2x2x16x32xbf16>, %l1: tensor<2x2x16xf32>, %o2: tensor<2x2x16x32xbf16>, %l2: tensor<2x2x16xf32>) -> (tensor<2x2x16x32xbf16>, tensor<2x2x16xf32>) {
  %o, %l = tok.lse_merge %o1, %l1, %o2, %l2 : (tensor<2x2x16x32xbf16>, tensor<2x2x16xf32>, tensor<2x2x16x32xbf16>, tensor<2x2x16xf32>) -> (tensor<2x2x16x32xbf16>, tensor<2x2x16xf32>)
  return %o, %l : tensor<2x2x16x32xbf16>, tensor<2x2x16xf32>
}
