// Linear without bias on a 3-D input, f32, against x @ W.T + b in float64 torch (ref/basics.py).
// RUN: rm -rf %t && %python %S/../ref.py linear --shape=2,12,64 --n=32 --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%x: tensor<2x12x64xf32>, %w: tensor<32x64xf32>) -> tensor<2x12x32xf32> {
  %y = tok.linear %x, %w : (tensor<2x12x64xf32>, tensor<32x64xf32>) -> tensor<2x12x32xf32>
  return %y : tensor<2x12x32xf32>
}
