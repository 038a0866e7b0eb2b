// NeoX rope on a dynamic sequence with B=2, f32, against the explicit float64 rotation in ref/basics.py.
// RUN: rm -rf %t && %python %S/../ref.py rope --b=2 --heads=2 --seq=21 --d=64 --max-pos=256 --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%x: tensor<2x2x?x64xf32>, %pos: tensor<2x?xi32>) -> tensor<2x2x?x64xf32> {
  %y = tok.rope %x, %pos : (tensor<2x2x?x64xf32>, tensor<2x?xi32>) -> tensor<2x2x?x64xf32>
  return %y : tensor<2x2x?x64xf32>
}
