// Packed conv1d (seq_starts, issue 14): each sequence sees its own init row
// as history, never the previous sequence's inputs; sequences of 3, 1, 0
// and 6 steps (shorter than the K-1 = 3 state, too) between positions
// outside any sequence; bias and silu.
// RUN: rm -rf %t && %python %S/../ref.py conv1d_packed --lens=3,1,0,6 --head=1 --tail=2 --c=24 --k=4 --bias --init --silu --seed=45 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%x: tensor<1x?x24xf32>, %w: tensor<24x4xf32>, %b: tensor<24xf32>, %s0: tensor<4x24x3xf32>, %cu: tensor<5xi32>) -> (tensor<1x?x24xf32>, tensor<4x24x3xf32>) {
  %y, %s = tok.conv1d %x, %w bias(%b : tensor<24xf32>) init(%s0 : tensor<4x24x3xf32>) seq_starts(%cu : tensor<5xi32>) {activation = "silu"} : (tensor<1x?x24xf32>, tensor<24x4xf32>) -> (tensor<1x?x24xf32>, tensor<4x24x3xf32>)
  return %y, %s : tensor<1x?x24xf32>, tensor<4x24x3xf32>
}
