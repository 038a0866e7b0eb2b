// Packed linear_scan (seq_starts, issue 14): scalar decay, additive update,
// one init state per sequence; sequences of 9, 1, 0 and 22 steps with
// positions outside any sequence before and after them.
// RUN: rm -rf %t && %python %S/../ref.py linear_scan_packed --lens=9,1,0,22 --head=3 --tail=2 --heads=2 --dk=16 --dv=32 --decay=scalar --init --scale=0.25 --seed=43 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<1x2x?x16xf32>, %k: tensor<1x2x?x16xf32>, %v: tensor<1x2x?x32xf32>, %g: tensor<1x2x?xf32>, %s0: tensor<4x2x16x32xf32>, %cu: tensor<5xi32>) -> (tensor<1x2x?x32xf32>, tensor<4x2x16x32xf32>) {
  %o, %s = tok.linear_scan %q, %k, %v decay(%g : tensor<1x2x?xf32>) init(%s0 : tensor<4x2x16x32xf32>) seq_starts(%cu : tensor<5xi32>) {scale = 0.25 : f32} : (tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x32xf32>) -> (tensor<1x2x?x32xf32>, tensor<4x2x16x32xf32>)
  return %o, %s : tensor<1x2x?x32xf32>, tensor<4x2x16x32xf32>
}
