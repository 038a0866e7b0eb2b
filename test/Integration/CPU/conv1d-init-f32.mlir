// Causal conv1d with an initial state and the final state, f32, against
// torch.nn.functional.conv1d (groups = C) in ref/mixers.py.
// RUN: rm -rf %t && %python %S/../ref.py conv1d --b=2 --l=32 --c=8 --k=4 --init --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%x: tensor<2x32x8xf32>, %w: tensor<8x4xf32>, %s0: tensor<2x8x3xf32>) -> (tensor<2x32x8xf32>, tensor<2x8x3xf32>) {
  %y, %st = tok.conv1d %x, %w init(%s0 : tensor<2x8x3xf32>) : (tensor<2x32x8xf32>, tensor<8x4xf32>) -> (tensor<2x32x8xf32>, tensor<2x8x3xf32>)
  return %y, %st : tensor<2x32x8xf32>, tensor<2x8x3xf32>
}
