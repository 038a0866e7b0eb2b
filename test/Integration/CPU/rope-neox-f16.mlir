// NeoX rope in f16, partial rotary_dim, against the explicit float64 rotation in ref/basics.py.
// RUN: rm -rf %t && %python %S/../ref.py rope --b=1 --heads=2 --seq=16 --d=64 --max-pos=256 --rotary-dim=32 --dtype=f16 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-3

func.func @main(%x: tensor<1x2x16x64xf16>, %pos: tensor<1x16xi32>) -> tensor<1x2x16x64xf16> {
  %y = tok.rope %x, %pos {rotary_dim = 32 : i64} : (tensor<1x2x16x64xf16>, tensor<1x16xi32>) -> tensor<1x2x16x64xf16>
  return %y : tensor<1x2x16x64xf16>
}
