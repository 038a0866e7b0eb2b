// tok-tile-linear with a tok.rms_norm fused into the GEMM's prologue (rows
// normalized while packed) and a bias, f32: 45 rows (8-row tiles, then 4 and
// 1), K = 600 (two K blocks, a masked tail vector), 200 columns (a partial
// panel), against x·rsqrt(mean(x²) + eps)·γ @ W.T + b in float64 torch
// (ref/linear_perf.py).
// RUN: rm -rf %t && %python %S/../ref.py norm_linear --norm=rms --eps=1e-5 --shape=45,600 --n=200 --bias --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-5

func.func @main(%x: tensor<45x600xf32>, %g: tensor<600xf32>, %w: tensor<200x600xf32>, %b: tensor<200xf32>) -> tensor<45x200xf32> {
  %n = tok.rms_norm %x, %g {eps = 1.0e-5 : f32} : (tensor<45x600xf32>, tensor<600xf32>) -> tensor<45x600xf32>
  %y = tok.linear %n, %w bias(%b : tensor<200xf32>) : (tensor<45x600xf32>, tensor<200x600xf32>) -> tensor<45x200xf32>
  return %y : tensor<45x200xf32>
}
