// NeoX rope on rotary_dim=16 of D=32 (the rest passes through), f32, against
// the explicit float64 rotation in ref/basics.py.
// RUN: rm -rf %t && %python %S/../ref.py rope --b=1 --heads=2 --seq=16 --d=32 --max-pos=256 --rotary-dim=16 --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%x: tensor<1x2x16x32xf32>, %pos: tensor<1x16xi32>) -> tensor<1x2x16x32xf32> {
  %y = tok.rope %x, %pos {rotary_dim = 16 : i64} : (tensor<1x2x16x32xf32>, tensor<1x16xi32>) -> tensor<1x2x16x32xf32>
  return %y : tensor<1x2x16x32xf32>
}
