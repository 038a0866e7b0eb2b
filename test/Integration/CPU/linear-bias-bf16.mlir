// Linear with bias on a 3-D dynamic input in bf16 (f32 accumulation), against
// x @ W.T + b in float64 torch (ref/basics.py).
// RUN: rm -rf %t && %python %S/../ref.py linear --shape=2,16,128 --n=64 --bias --dtype=bf16 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2

func.func @main(%x: tensor<2x?x128xbf16>, %w: tensor<64x128xbf16>, %b: tensor<64xbf16>) -> tensor<2x?x64xbf16> {
  %y = tok.linear %x, %w bias(%b : tensor<64xbf16>) : (tensor<2x?x128xbf16>, tensor<64x128xbf16>) -> tensor<2x?x64xbf16>
  return %y : tensor<2x?x64xbf16>
}
