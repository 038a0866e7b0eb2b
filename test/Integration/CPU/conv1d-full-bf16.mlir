// Causal conv1d with init, bias and silu in bf16, against torch.nn.functional.conv1d (groups = C) in ref/mixers.py.
// RUN: rm -rf %t && %python %S/../ref.py conv1d --b=2 --l=32 --c=8 --k=4 --bias --init --silu --dtype=bf16 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=2e-2

func.func @main(%x: tensor<2x32x8xbf16>, %w: tensor<8x4xbf16>, %bias: tensor<8xbf16>, %s0: tensor<2x8x3xbf16>) -> (tensor<2x32x8xbf16>, tensor<2x8x3xbf16>) {
  %y, %st = tok.conv1d %x, %w bias(%bias : tensor<8xbf16>) init(%s0 : tensor<2x8x3xbf16>) {activation = "silu"} : (tensor<2x32x8xbf16>, tensor<8x4xbf16>) -> (tensor<2x32x8xbf16>, tensor<2x8x3xbf16>)
  return %y, %st : tensor<2x32x8xbf16>, tensor<2x8x3xbf16>
}
