// NeoX rope with an explicit inverse-frequency table (the form frontends use
// for RoPE scaling, e.g. Llama 3's) on rotary_dim=8 of D=16, f32, against the
// explicit float64 rotation in ref/basics.py with the same table.
// RUN: rm -rf %t && %python %S/../ref.py rope --b=2 --heads=3 --seq=16 --d=16 --max-pos=256 --rotary-dim=8 --inv-freq=1.0:0.0625:0.001953125:3.0517578e-05 --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%x: tensor<2x3x?x16xf32>, %pos: tensor<2x?xi32>) -> tensor<2x3x?x16xf32> {
  %y = tok.rope %x, %pos {rotary_dim = 8 : i64, inv_freq = array<f32: 1.0, 0.0625, 0.001953125, 3.0517578e-05>} : (tensor<2x3x?x16xf32>, tensor<2x?xi32>) -> tensor<2x3x?x16xf32>
  return %y : tensor<2x3x?x16xf32>
}
