// tok-tile-linear decode step (M = 1) with a tok.rms_norm fused into the
// GEMV's prologue (x scaled once, K = 300 with a masked tail, then W
// streamed), f32, against x·rsqrt(mean(x²) + eps)·γ @ W.T in float64 torch
// (ref/linear_perf.py).
// RUN: rm -rf %t && %python %S/../ref.py norm_linear --norm=rms --shape=1,1,300 --n=132 --dtype=f32 --seed=2 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-5

func.func @main(%x: tensor<1x1x300xf32>, %g: tensor<300xf32>, %w: tensor<132x300xf32>) -> tensor<1x1x132xf32> {
  %n = tok.rms_norm %x, %g : (tensor<1x1x300xf32>, tensor<300xf32>) -> tensor<1x1x300xf32>
  %y = tok.linear %n, %w : (tensor<1x1x300xf32>, tensor<132x300xf32>) -> tensor<1x1x132xf32>
  return %y : tensor<1x1x132xf32>
}
