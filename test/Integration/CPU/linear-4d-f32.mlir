// Linear with bias on a 4-D input, f32, against x @ W.T + b in float64 torch (ref/basics.py).
// RUN: rm -rf %t && %python %S/../ref.py linear --shape=2,3,5,32 --n=16 --bias --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%x: tensor<2x3x5x32xf32>, %w: tensor<16x32xf32>, %b: tensor<16xf32>) -> tensor<2x3x5x16xf32> {
  %y = tok.linear %x, %w bias(%b : tensor<16xf32>) : (tensor<2x3x5x32xf32>, tensor<16x32xf32>) -> tensor<2x3x5x16xf32>
  return %y : tensor<2x3x5x16xf32>
}
