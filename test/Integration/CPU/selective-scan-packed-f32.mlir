// Packed selective_scan (seq_starts, issue 14): four sequences of 5, 0, 11
// and 1 steps after 2 positions outside any sequence and before 3 more,
// with D, z, dt_bias, softplus, two groups and one init row per sequence.
// RUN: rm -rf %t && %python %S/../ref.py selective_scan_packed --lens=5,0,11,1 --head=2 --tail=3 --dm=16 --n=4 --g=2 --d --z --dt-bias --init --softplus --seed=41 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --input=@%t/in6.npy --input=@%t/in7.npy --input=@%t/in8.npy --input=@%t/in9.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%x: tensor<1x?x16xf32>, %dt: tensor<1x?x16xf32>, %A: tensor<16x4xf32>, %B: tensor<1x?x2x4xf32>, %C: tensor<1x?x2x4xf32>, %D: tensor<16xf32>, %z: tensor<1x?x16xf32>, %db: tensor<16xf32>, %h0: tensor<4x16x4xf32>, %cu: tensor<5xi32>) -> (tensor<1x?x16xf32>, tensor<4x16x4xf32>) {
  %y, %h = tok.selective_scan %x, %dt, %A, %B, %C D(%D : tensor<16xf32>) z(%z : tensor<1x?x16xf32>) dt_bias(%db : tensor<16xf32>) init(%h0 : tensor<4x16x4xf32>) seq_starts(%cu : tensor<5xi32>) {dt_softplus} : (tensor<1x?x16xf32>, tensor<1x?x16xf32>, tensor<16x4xf32>, tensor<1x?x2x4xf32>, tensor<1x?x2x4xf32>) -> (tensor<1x?x16xf32>, tensor<4x16x4xf32>)
  return %y, %h : tensor<1x?x16xf32>, tensor<4x16x4xf32>
}
