// Selective scan with G=4 groups of B/C (channel d uses group d / (Dm/G)),
// D and z, f32, against the sequential float64 recurrence in ref/scans.py.
// RUN: rm -rf %t && %python %S/../ref.py selective_scan --b=2 --l=64 --dm=32 --n=8 --g=4 --d --z --dtype=f32 --state-dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --input=@%t/in6.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%x: tensor<2x64x32xf32>, %dt: tensor<2x64x32xf32>, %a: tensor<32x8xf32>, %b: tensor<2x64x4x8xf32>, %c: tensor<2x64x4x8xf32>, %d: tensor<32xf32>, %z: tensor<2x64x32xf32>) -> (tensor<2x64x32xf32>, tensor<2x32x8xf32>) {
  %y, %h = tok.selective_scan %x, %dt, %a, %b, %c D(%d : tensor<32xf32>) z(%z : tensor<2x64x32xf32>) : (tensor<2x64x32xf32>, tensor<2x64x32xf32>, tensor<32x8xf32>, tensor<2x64x4x8xf32>, tensor<2x64x4x8xf32>) -> (tensor<2x64x32xf32>, tensor<2x32x8xf32>)
  return %y, %h : tensor<2x64x32xf32>, tensor<2x32x8xf32>
}
