// tok-tile-linear decode batch with a fused SiLU GLU and a residual add: 7
// dynamic rows (one chunk of 4, then the copy for 3) stream the gate and up
// rows of W together, in bf16 (f32 accumulation), against
// silu(y[..., :N]) * y[..., N:] + r with y = x @ W.T in float64 torch
// rounded to bf16 after each op (ref/linear_perf.py).
// RUN: rm -rf %t && %python %S/../ref.py linear_tiled --shape=7,1,200 --n=180 --glu=silu --residual --dtype=bf16 --seed=8 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2

func.func @main(%x: tensor<?x1x200xbf16>, %w: tensor<180x200xbf16>, %r: tensor<?x1x90xbf16>) -> tensor<?x1x90xbf16> {
  %y = tok.linear %x, %w : (tensor<?x1x200xbf16>, tensor<180x200xbf16>) -> tensor<?x1x180xbf16>
  %g = tok.glu %y {activation = "silu"} : (tensor<?x1x180xbf16>) -> tensor<?x1x90xbf16>
  %s = arith.addf %g, %r : tensor<?x1x90xbf16>
  return %s : tensor<?x1x90xbf16>
}
