// tok-tile-linear with dynamic rows that are 3 at run time: the GEMV copy
// specialized for three rows (each W load feeds three FMAs), with bias and a
// fused ReLU, f32, against relu(x @ W.T + b) in float64 torch
// (ref/linear_perf.py).
// RUN: rm -rf %t && %python %S/../ref.py linear_tiled --shape=3,1,200 --n=90 --bias --act=relu --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-5

func.func @main(%x: tensor<?x1x200xf32>, %w: tensor<90x200xf32>, %b: tensor<90xf32>) -> tensor<?x1x90xf32> {
  %y = tok.linear %x, %w bias(%b : tensor<90xf32>) : (tensor<?x1x200xf32>, tensor<90x200xf32>) -> tensor<?x1x90xf32>
  %a = tok.activation %y {kind = "relu"} : (tensor<?x1x90xf32>) -> tensor<?x1x90xf32>
  return %a : tensor<?x1x90xf32>
}
