// Fused conv1d in f16 with 24 channels (a masked channel vector), K = 3,
// batch 2, dynamic L = 1100, against ref/mixers.py (f16 tolerance).
// RUN: rm -rf %t && %python %S/../ref.py conv1d --b=2 --l=1100 --c=24 --k=3 --bias --init --silu --dtype=f16 --seed=13 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=2e-2

func.func @main(%x: tensor<2x?x24xf16>, %w: tensor<24x3xf16>, %bias: tensor<24xf16>, %s0: tensor<2x24x2xf16>) -> (tensor<2x?x24xf16>, tensor<2x24x2xf16>) {
  %y, %s = tok.conv1d %x, %w bias(%bias : tensor<24xf16>) init(%s0 : tensor<2x24x2xf16>) {activation = "silu"} : (tensor<2x?x24xf16>, tensor<24x3xf16>) -> (tensor<2x?x24xf16>, tensor<2x24x2xf16>)
  return %y, %s : tensor<2x?x24xf16>, tensor<2x24x2xf16>
}
