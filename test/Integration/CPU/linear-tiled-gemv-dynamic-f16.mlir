// tok-tile-linear decode step: dynamic rows that are 1 at run time take the
// GEMV, in f16 (f32 accumulation) on a 3-D input, against x @ W.T + b in
// float64 torch (ref/linear_perf.py).
// RUN: rm -rf %t && %python %S/../ref.py linear_tiled --shape=1,1,300 --n=100 --bias --dtype=f16 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-3

func.func @main(%x: tensor<1x?x300xf16>, %w: tensor<100x300xf16>, %b: tensor<100xf16>) -> tensor<1x?x100xf16> {
  %y = tok.linear %x, %w bias(%b : tensor<100xf16>) : (tensor<1x?x300xf16>, tensor<100x300xf16>) -> tensor<1x?x100xf16>
  return %y : tensor<1x?x100xf16>
}
