// tok-tile-linear GEMV (one row) with bias on edge sizes (N = 523 is not a
// multiple of the 8-row groups nor of the 64-row tasks, K = 1000 leaves a
// masked tail), f32, against x @ W.T + b in float64 torch (ref/linear_perf.py).
// RUN: rm -rf %t && %python %S/../ref.py linear_tiled --shape=1,1000 --n=523 --bias --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-5

func.func @main(%x: tensor<1x1000xf32>, %w: tensor<523x1000xf32>, %b: tensor<523xf32>) -> tensor<1x523xf32> {
  %y = tok.linear %x, %w bias(%b : tensor<523xf32>) : (tensor<1x1000xf32>, tensor<523x1000xf32>) -> tensor<1x523xf32>
  return %y : tensor<1x523xf32>
}
