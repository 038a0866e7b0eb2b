// tok-tile-linear GEMM in bf16 with bias and dynamic rows (70 at run time),
// against x @ W.T + b in float64 torch (ref/linear_perf.py).
// RUN: rm -rf %t && %python %S/../ref.py linear_tiled --shape=70,200 --n=64 --bias --dtype=bf16 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2

func.func @main(%x: tensor<?x200xbf16>, %w: tensor<64x200xbf16>, %b: tensor<64xbf16>) -> tensor<?x64xbf16> {
  %y = tok.linear %x, %w bias(%b : tensor<64xbf16>) : (tensor<?x200xbf16>, tensor<64x200xbf16>) -> tensor<?x64xbf16>
  return %y : tensor<?x64xbf16>
}
