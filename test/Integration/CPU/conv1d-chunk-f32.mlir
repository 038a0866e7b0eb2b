// Chunk consistency: the causal conv1d (bias, silu, K=4) over L=32 run as two
// chunks (13 + 19), the second starting from the first's final state, equals
// the one-shot torch.nn.functional.conv1d of ref/mixers.py.
// RUN: rm -rf %t && %python %S/../ref.py conv1d --b=2 --l=32 --c=8 --k=4 --bias --silu --seed=6 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%x: tensor<2x32x8xf32>, %w: tensor<8x4xf32>, %bias: tensor<8xf32>) -> (tensor<2x32x8xf32>, tensor<2x8x3xf32>) {
  %x1 = tensor.extract_slice %x[0, 0, 0] [2, 13, 8] [1, 1, 1] : tensor<2x32x8xf32> to tensor<2x13x8xf32>
  %x2 = tensor.extract_slice %x[0, 13, 0] [2, 19, 8] [1, 1, 1] : tensor<2x32x8xf32> to tensor<2x19x8xf32>
  %y1, %st1 = tok.conv1d %x1, %w bias(%bias : tensor<8xf32>) {activation = "silu"} : (tensor<2x13x8xf32>, tensor<8x4xf32>) -> (tensor<2x13x8xf32>, tensor<2x8x3xf32>)
  %y2, %st2 = tok.conv1d %x2, %w bias(%bias : tensor<8xf32>) init(%st1 : tensor<2x8x3xf32>) {activation = "silu"} : (tensor<2x19x8xf32>, tensor<8x4xf32>) -> (tensor<2x19x8xf32>, tensor<2x8x3xf32>)
  %e = tensor.empty() : tensor<2x32x8xf32>
  %ya = tensor.insert_slice %y1 into %e[0, 0, 0] [2, 13, 8] [1, 1, 1] : tensor<2x13x8xf32> into tensor<2x32x8xf32>
  %y = tensor.insert_slice %y2 into %ya[0, 13, 0] [2, 19, 8] [1, 1, 1] : tensor<2x19x8xf32> into tensor<2x32x8xf32>
  return %y, %st2 : tensor<2x32x8xf32>, tensor<2x8x3xf32>
}
