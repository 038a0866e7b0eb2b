// Linear with bias on a 3-D input in f16 (f32 accumulation), against x @ W.T + b in float64 torch (ref/basics.py).
// RUN: rm -rf %t && %python %S/../ref.py linear --shape=2,16,128 --n=64 --bias --dtype=f16 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-3

func.func @main(%x: tensor<2x16x128xf16>, %w: tensor<64x128xf16>, %b: tensor<64xf16>) -> tensor<2x16x64xf16> {
  %y = tok.linear %x, %w bias(%b : tensor<64xf16>) : (tensor<2x16x128xf16>, tensor<64x128xf16>) -> tensor<2x16x64xf16>
  return %y : tensor<2x16x64xf16>
}
