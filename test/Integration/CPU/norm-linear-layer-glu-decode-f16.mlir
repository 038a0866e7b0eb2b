// Decode step with a tok.layer_norm fused into a linear with a GELU GLU
// epilogue and a residual add: the normalized row is computed once (K = 300,
// masked tail), then the gate and up rows of W are streamed together, f16,
// against float64 torch rounded to f16 after each op (ref/linear_perf.py).
// RUN: rm -rf %t && %python %S/../ref.py norm_linear --norm=layer --shape=1,300 --n=132 --bias --glu=gelu --residual --dtype=f16 --seed=8 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-3

func.func @main(%x: tensor<1x300xf16>, %g: tensor<300xf16>, %b: tensor<300xf16>, %w: tensor<132x300xf16>, %bias: tensor<132xf16>, %r: tensor<1x66xf16>) -> tensor<1x66xf16> {
  %n = tok.layer_norm %x, %g, %b : (tensor<1x300xf16>, tensor<300xf16>, tensor<300xf16>) -> tensor<1x300xf16>
  %y = tok.linear %n, %w bias(%bias : tensor<132xf16>) : (tensor<1x300xf16>, tensor<132x300xf16>) -> tensor<1x132xf16>
  %u = tok.glu %y {activation = "gelu"} : (tensor<1x132xf16>) -> tensor<1x66xf16>
  %s = arith.addf %u, %r : tensor<1x66xf16>
  return %s : tensor<1x66xf16>
}
