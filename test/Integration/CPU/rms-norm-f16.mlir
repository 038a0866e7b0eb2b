// RMS norm in f16 (computed in f32), against ref/basics.py.
// RUN: rm -rf %t && %python %S/../ref.py rms_norm --shape=2,8,128 --dtype=f16 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-3

func.func @main(%x: tensor<2x8x128xf16>, %w: tensor<128xf16>) -> tensor<2x8x128xf16> {
  %y = tok.rms_norm %x, %w : (tensor<2x8x128xf16>, tensor<128xf16>) -> tensor<2x8x128xf16>
  return %y : tensor<2x8x128xf16>
}
