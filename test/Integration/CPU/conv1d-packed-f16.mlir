// Packed conv1d in f16 without init (zeros before every sequence) and a
// run-time number of sequences.
// RUN: rm -rf %t && %python %S/../ref.py conv1d_packed --lens=17,5,40 --c=64 --k=4 --dtype=f16 --seed=46 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-3
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=2e-3

func.func @main(%x: tensor<1x?x64xf16>, %w: tensor<64x4xf16>, %cu: tensor<?xi32>) -> (tensor<1x?x64xf16>, tensor<?x64x3xf16>) {
  %y, %s = tok.conv1d %x, %w seq_starts(%cu : tensor<?xi32>) : (tensor<1x?x64xf16>, tensor<64x4xf16>) -> (tensor<1x?x64xf16>, tensor<?x64x3xf16>)
  return %y, %s : tensor<1x?x64xf16>, tensor<?x64x3xf16>
}
