// Causal depthwise conv1d, K=4, no init, bias or activation, one result, f32,
// against torch.nn.functional.conv1d (groups = C) in ref/mixers.py.
// RUN: rm -rf %t && %python %S/../ref.py conv1d --b=2 --l=32 --c=8 --k=4 --no-final --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%x: tensor<2x32x8xf32>, %w: tensor<8x4xf32>) -> tensor<2x32x8xf32> {
  %y = tok.conv1d %x, %w : (tensor<2x32x8xf32>, tensor<8x4xf32>) -> tensor<2x32x8xf32>
  return %y : tensor<2x32x8xf32>
}
