// Fused, vectorized conv1d (tok-tile-conv1d): bias, init, silu, K = 4,
// 96 channels (three 32-channel tiles, so time splits in two), L = 1037,
// against torch.nn.functional.conv1d in ref/mixers.py.
// RUN: rm -rf %t && %python %S/../ref.py conv1d --b=1 --l=1037 --c=96 --k=4 --bias --init --silu --dtype=f32 --seed=13 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%x: tensor<1x1037x96xf32>, %w: tensor<96x4xf32>, %bias: tensor<96xf32>, %s0: tensor<1x96x3xf32>) -> (tensor<1x1037x96xf32>, tensor<1x96x3xf32>) {
  %y, %s = tok.conv1d %x, %w bias(%bias : tensor<96xf32>) init(%s0 : tensor<1x96x3xf32>) {activation = "silu"} : (tensor<1x1037x96xf32>, tensor<96x4xf32>) -> (tensor<1x1037x96xf32>, tensor<1x96x3xf32>)
  return %y, %s : tensor<1x1037x96xf32>, tensor<1x96x3xf32>
}
