// RMS norm in bf16 (computed in f32), dynamic batch, against ref/basics.py.
// RUN: rm -rf %t && %python %S/../ref.py rms_norm --shape=3,8,128 --dtype=bf16 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2

func.func @main(%x: tensor<?x8x128xbf16>, %w: tensor<128xbf16>) -> tensor<?x8x128xbf16> {
  %y = tok.rms_norm %x, %w : (tensor<?x8x128xbf16>, tensor<128xbf16>) -> tensor<?x8x128xbf16>
  return %y : tensor<?x8x128xbf16>
}
