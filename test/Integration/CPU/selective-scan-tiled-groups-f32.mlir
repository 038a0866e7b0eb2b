// Vectorized selective scan with 8 groups of 8 channels (8-lane vectors),
// N = 8, no softplus and no dt_bias (so Δ > 0), dynamic L = 1030, against
// ref/scans.py.
// RUN: rm -rf %t && %python %S/../ref.py selective_scan --b=1 --l=1030 --dm=64 --n=8 --g=8 --d --z --init --dtype=f32 --state-dtype=f32 --seed=11 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --input=@%t/in6.npy --input=@%t/in7.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%x: tensor<1x?x64xf32>, %dt: tensor<1x?x64xf32>, %a: tensor<64x8xf32>, %b: tensor<1x?x8x8xf32>, %c: tensor<1x?x8x8xf32>, %d: tensor<64xf32>, %z: tensor<1x?x64xf32>, %h0: tensor<1x64x8xf32>) -> (tensor<1x?x64xf32>, tensor<1x64x8xf32>) {
  %y, %h = tok.selective_scan %x, %dt, %a, %b, %c D(%d : tensor<64xf32>) z(%z : tensor<1x?x64xf32>) init(%h0 : tensor<1x64x8xf32>) : (tensor<1x?x64xf32>, tensor<1x?x64xf32>, tensor<64x8xf32>, tensor<1x?x8x8xf32>, tensor<1x?x8x8xf32>) -> (tensor<1x?x64xf32>, tensor<1x64x8xf32>)
  return %y, %h : tensor<1x?x64xf32>, tensor<1x64x8xf32>
}
