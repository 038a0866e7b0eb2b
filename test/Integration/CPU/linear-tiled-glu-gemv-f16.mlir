// tok-tile-linear decode step with a fused GELU GLU and a residual add: one
// row streams the gate and up rows of W together, in f16 (f32 accumulation),
// against gelu(y[..., :N]) * y[..., N:] + r with y = x @ W.T + b in float64
// torch (ref/linear_perf.py).
// RUN: rm -rf %t && %python %S/../ref.py linear_tiled --shape=1,1,300 --n=132 --bias --glu=gelu --residual --dtype=f16 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-3

func.func @main(%x: tensor<1x1x300xf16>, %w: tensor<132x300xf16>, %b: tensor<132xf16>, %r: tensor<1x1x66xf16>) -> tensor<1x1x66xf16> {
  %y = tok.linear %x, %w bias(%b : tensor<132xf16>) : (tensor<1x1x300xf16>, tensor<132x300xf16>) -> tensor<1x1x132xf16>
  %g = tok.glu %y {activation = "gelu"} : (tensor<1x1x132xf16>) -> tensor<1x1x66xf16>
  %s = arith.addf %g, %r : tensor<1x1x66xf16>
  return %s : tensor<1x1x66xf16>
}
