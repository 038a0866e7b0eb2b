// Linear with bias on a 3-D input with dynamic batch and sequence, f32,
// against x @ W.T + b in float64 torch (ref/basics.py).
// RUN: rm -rf %t && %python %S/../ref.py linear --shape=3,17,40 --n=24 --bias --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%x: tensor<?x?x40xf32>, %w: tensor<24x40xf32>, %b: tensor<24xf32>) -> tensor<?x?x24xf32> {
  %y = tok.linear %x, %w bias(%b : tensor<24xf32>) : (tensor<?x?x40xf32>, tensor<24x40xf32>) -> tensor<?x?x24xf32>
  return %y : tensor<?x?x24xf32>
}
