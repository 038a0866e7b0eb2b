// tok-tile-linear with a tok.layer_norm (mean and rstd per row, γ and β)
// fused into the GEMM's prologue, f16: 300 dynamic rows (row chunks of at
// most 256 keep the f32 scratch tile of the three K blocks, K = 1100, on the
// stack), 144 columns, against F.layer_norm then x @ W.T + b in float64
// torch, rounded to f16 after each op (ref/linear_perf.py).
// RUN: rm -rf %t && %python %S/../ref.py norm_linear --norm=layer --shape=300,1100 --n=144 --bias --dtype=f16 --seed=5 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-3

func.func @main(%x: tensor<?x1100xf16>, %g: tensor<1100xf16>, %b: tensor<1100xf16>, %w: tensor<144x1100xf16>, %bias: tensor<144xf16>) -> tensor<?x144xf16> {
  %n = tok.layer_norm %x, %g, %b : (tensor<?x1100xf16>, tensor<1100xf16>, tensor<1100xf16>) -> tensor<?x1100xf16>
  %y = tok.linear %n, %w bias(%bias : tensor<144xf16>) : (tensor<?x1100xf16>, tensor<144x1100xf16>) -> tensor<?x144xf16>
  return %y : tensor<?x144xf16>
}
