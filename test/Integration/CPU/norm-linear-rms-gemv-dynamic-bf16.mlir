// tok-tile-linear with a tok.rms_norm fused into a linear on dynamic rows
// that are 3 at run time: statistics in one pass, then the GEMV copy for
// three rows reads them normalized (widened from bf16, scaled once), with a
// fused SiLU, against float64 torch rounded to bf16 after each op
// (ref/linear_perf.py).
// RUN: rm -rf %t && %python %S/../ref.py norm_linear --norm=rms --shape=3,1,200 --n=90 --act=silu --dtype=bf16 --seed=6 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2

func.func @main(%x: tensor<?x1x200xbf16>, %g: tensor<200xbf16>, %w: tensor<90x200xbf16>) -> tensor<?x1x90xbf16> {
  %n = tok.rms_norm %x, %g : (tensor<?x1x200xbf16>, tensor<200xbf16>) -> tensor<?x1x200xbf16>
  %y = tok.linear %n, %w : (tensor<?x1x200xbf16>, tensor<90x200xbf16>) -> tensor<?x1x90xbf16>
  %a = tok.activation %y {kind = "silu"} : (tensor<?x1x90xbf16>) -> tensor<?x1x90xbf16>
  return %a : tensor<?x1x90xbf16>
}
