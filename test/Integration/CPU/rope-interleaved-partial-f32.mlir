// GPT-J rope on rotary_dim=8 of D=24 with theta=500000, f32, against
// the explicit float64 rotation in ref/basics.py.
// RUN: rm -rf %t && %python %S/../ref.py rope --b=1 --heads=2 --seq=16 --d=24 --max-pos=256 --rotary-dim=8 --theta=5.0e+05 --interleaved --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%x: tensor<1x2x16x24xf32>, %pos: tensor<1x16xi32>) -> tensor<1x2x16x24xf32> {
  %y = tok.rope %x, %pos {interleaved, rotary_dim = 8 : i64, theta = 5.0e+05 : f32} : (tensor<1x2x16x24xf32>, tensor<1x16xi32>) -> tensor<1x2x16x24xf32>
  return %y : tensor<1x2x16x24xf32>
}
