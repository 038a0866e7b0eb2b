// Causal conv1d with L=1 < K-1 and no init: the final state keeps zeros, f32,
// against torch.nn.functional.conv1d (groups = C) in ref/mixers.py.
// RUN: rm -rf %t && %python %S/../ref.py conv1d --b=2 --l=1 --c=8 --k=4 --silu --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%x: tensor<2x1x8xf32>, %w: tensor<8x4xf32>) -> (tensor<2x1x8xf32>, tensor<2x8x3xf32>) {
  %y, %st = tok.conv1d %x, %w {activation = "silu"} : (tensor<2x1x8xf32>, tensor<8x4xf32>) -> (tensor<2x1x8xf32>, tensor<2x8x3xf32>)
  return %y, %st : tensor<2x1x8xf32>, tensor<2x8x3xf32>
}
