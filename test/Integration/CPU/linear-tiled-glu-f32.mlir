// tok-tile-linear with a fused GLU epilogue (gate and up rows of W packed
// side by side) and bias on dynamic rows (45 at run time, K = 600 in two
// blocks), f32, against silu(y[:, :N]) * y[:, N:] with y = x @ W.T + b in
// float64 torch (ref/linear_perf.py).
// RUN: rm -rf %t && %python %S/../ref.py linear_tiled --shape=45,600 --n=208 --bias --glu=silu --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-5

func.func @main(%x: tensor<?x600xf32>, %w: tensor<208x600xf32>, %b: tensor<208xf32>) -> tensor<?x104xf32> {
  %y = tok.linear %x, %w bias(%b : tensor<208xf32>) : (tensor<?x600xf32>, tensor<208x600xf32>) -> tensor<?x208xf32>
  %g = tok.glu %y {activation = "silu"} : (tensor<?x208xf32>) -> tensor<?x104xf32>
  return %g : tensor<?x104xf32>
}
