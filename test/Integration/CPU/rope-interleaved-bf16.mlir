// GPT-J rope in bf16, against the explicit float64 rotation in ref/basics.py.
// RUN: rm -rf %t && %python %S/../ref.py rope --b=1 --heads=2 --seq=16 --d=32 --max-pos=256 --interleaved --dtype=bf16 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2

func.func @main(%x: tensor<1x2x16x32xbf16>, %pos: tensor<1x16xi32>) -> tensor<1x2x16x32xbf16> {
  %y = tok.rope %x, %pos {interleaved} : (tensor<1x2x16x32xbf16>, tensor<1x16xi32>) -> tensor<1x2x16x32xbf16>
  return %y : tensor<1x2x16x32xbf16>
}
