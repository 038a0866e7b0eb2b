// tok-tile-linear GEMM with bias on edge sizes (M = 150, N = 300, K = 700 are
// not multiples of the 8x32 or 6x16 register tile or of the 16 or 8 lanes;
// two K blocks), f32, against x @ W.T + b in float64 torch (ref/linear_perf.py).
// RUN: rm -rf %t && %python %S/../ref.py linear_tiled --shape=150,700 --n=300 --bias --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-5

func.func @main(%x: tensor<150x700xf32>, %w: tensor<300x700xf32>, %b: tensor<300xf32>) -> tensor<150x300xf32> {
  %y = tok.linear %x, %w bias(%b : tensor<300xf32>) : (tensor<150x700xf32>, tensor<300x700xf32>) -> tensor<150x300xf32>
  return %y : tensor<150x300xf32>
}
