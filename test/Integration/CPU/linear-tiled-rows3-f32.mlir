// tok-tile-linear GEMV on three static rows (each W load feeds three FMAs),
// f32, against x @ W.T in float64 torch (ref/linear_perf.py).
// RUN: rm -rf %t && %python %S/../ref.py linear_tiled --shape=3,256 --n=77 --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-5

func.func @main(%x: tensor<3x256xf32>, %w: tensor<77x256xf32>) -> tensor<3x77xf32> {
  %y = tok.linear %x, %w : (tensor<3x256xf32>, tensor<77x256xf32>) -> tensor<3x77xf32>
  return %y : tensor<3x77xf32>
}
