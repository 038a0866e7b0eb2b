// tok-tile-linear GEMM on a 3-D input with a dynamic sequence (2 x 45 rows at
// run time), f32, against x @ W.T in float64 torch (ref/linear_perf.py).
// RUN: rm -rf %t && %python %S/../ref.py linear_tiled --shape=2,45,130 --n=80 --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-5

func.func @main(%x: tensor<2x?x130xf32>, %w: tensor<80x130xf32>) -> tensor<2x?x80xf32> {
  %y = tok.linear %x, %w : (tensor<2x?x130xf32>, tensor<80x130xf32>) -> tensor<2x?x80xf32>
  return %y : tensor<2x?x80xf32>
}
