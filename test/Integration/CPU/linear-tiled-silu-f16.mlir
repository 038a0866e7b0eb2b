// tok-tile-linear with a fused SiLU epilogue in f16 (two K blocks, f32
// accumulation), against silu(x @ W.T + b) in float64 torch
// (ref/linear_perf.py).
// RUN: rm -rf %t && %python %S/../ref.py linear_tiled --shape=24,600 --n=48 --bias --act=silu --dtype=f16 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-3

func.func @main(%x: tensor<24x600xf16>, %w: tensor<48x600xf16>, %b: tensor<48xf16>) -> tensor<24x48xf16> {
  %y = tok.linear %x, %w bias(%b : tensor<48xf16>) : (tensor<24x600xf16>, tensor<48x600xf16>) -> tensor<24x48xf16>
  %a = tok.activation %y {kind = "silu"} : (tensor<24x48xf16>) -> tensor<24x48xf16>
  return %a : tensor<24x48xf16>
}
