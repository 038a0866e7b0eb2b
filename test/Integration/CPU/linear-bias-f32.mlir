// Linear with bias on a 2-D input, f32, against x @ W.T + b in float64 torch (ref/basics.py).
// RUN: rm -rf %t && %python %S/../ref.py linear --shape=16,64 --n=48 --bias --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%x: tensor<16x64xf32>, %w: tensor<48x64xf32>, %b: tensor<48xf32>) -> tensor<16x48xf32> {
  %y = tok.linear %x, %w bias(%b : tensor<48xf32>) : (tensor<16x64xf32>, tensor<48x64xf32>) -> tensor<16x48xf32>
  return %y : tensor<16x48xf32>
}
