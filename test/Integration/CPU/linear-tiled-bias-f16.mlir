// tok-tile-linear GEMM in f16 with bias and two K blocks (W widened while
// packing, partial sums in an f32 scratch tile), against x @ W.T + b in
// float64 torch (ref/linear_perf.py).
// RUN: rm -rf %t && %python %S/../ref.py linear_tiled --shape=2,20,1100 --n=72 --bias --dtype=f16 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-3

func.func @main(%x: tensor<2x20x1100xf16>, %w: tensor<72x1100xf16>, %b: tensor<72xf16>) -> tensor<2x20x72xf16> {
  %y = tok.linear %x, %w bias(%b : tensor<72xf16>) : (tensor<2x20x1100xf16>, tensor<72x1100xf16>) -> tensor<2x20x72xf16>
  return %y : tensor<2x20x72xf16>
}
