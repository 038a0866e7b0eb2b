// tok-tile-linear with a fused GLU on bf16 with three K blocks (K = 1100):
// partial sums live in an f32 scratch tile of the task, whose rows are capped
// at 256 (300 dynamic rows at run time: two row chunks) so that it is a stack
// buffer, against silu(y[:, :N]) * y[:, N:] with y = x @ W.T + b in float64
// torch rounded to bf16 after each op (ref/linear_perf.py).
// RUN: rm -rf %t && %python %S/../ref.py linear_tiled --shape=300,1100 --n=208 --bias --glu=silu --dtype=bf16 --seed=9 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2

func.func @main(%x: tensor<?x1100xbf16>, %w: tensor<208x1100xbf16>, %b: tensor<208xbf16>) -> tensor<?x104xbf16> {
  %y = tok.linear %x, %w bias(%b : tensor<208xbf16>) : (tensor<?x1100xbf16>, tensor<208x1100xbf16>) -> tensor<?x208xbf16>
  %g = tok.glu %y {activation = "silu"} : (tensor<?x208xbf16>) -> tensor<?x104xbf16>
  return %g : tensor<?x104xbf16>
}
