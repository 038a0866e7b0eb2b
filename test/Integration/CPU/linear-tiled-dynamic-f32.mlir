// tok-tile-linear GEMM with dynamic rows (203 at run time: row chunks for the
// threads, then 4-, 2- and 1-row remainder tiles) and bias, f32, against
// x @ W.T + b in float64 torch (ref/linear_perf.py).
// RUN: rm -rf %t && %python %S/../ref.py linear_tiled --shape=203,96 --n=200 --bias --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-5

func.func @main(%x: tensor<?x96xf32>, %w: tensor<200x96xf32>, %b: tensor<200xf32>) -> tensor<?x200xf32> {
  %y = tok.linear %x, %w bias(%b : tensor<200xf32>) : (tensor<?x96xf32>, tensor<200x96xf32>) -> tensor<?x200xf32>
  return %y : tensor<?x200xf32>
}
