// Selective scan with D, z, dt_bias, init and softplus, L=1024, f32, against
// the sequential float64 recurrence in ref/scans.py.
// RUN: rm -rf %t && %python %S/../ref.py selective_scan --b=2 --l=1024 --dm=64 --n=16 --g=1 --d --z --dt-bias --init --softplus --dtype=f32 --state-dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --input=@%t/in6.npy --input=@%t/in7.npy --input=@%t/in8.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%x: tensor<2x1024x64xf32>, %dt: tensor<2x1024x64xf32>, %a: tensor<64x16xf32>, %b: tensor<2x1024x1x16xf32>, %c: tensor<2x1024x1x16xf32>, %d: tensor<64xf32>, %z: tensor<2x1024x64xf32>, %db: tensor<64xf32>, %h0: tensor<2x64x16xf32>) -> (tensor<2x1024x64xf32>, tensor<2x64x16xf32>) {
  %y, %h = tok.selective_scan %x, %dt, %a, %b, %c D(%d : tensor<64xf32>) z(%z : tensor<2x1024x64xf32>) dt_bias(%db : tensor<64xf32>) init(%h0 : tensor<2x64x16xf32>) {dt_softplus} : (tensor<2x1024x64xf32>, tensor<2x1024x64xf32>, tensor<64x16xf32>, tensor<2x1024x1x16xf32>, tensor<2x1024x1x16xf32>) -> (tensor<2x1024x64xf32>, tensor<2x64x16xf32>)
  return %y, %h : tensor<2x1024x64xf32>, tensor<2x64x16xf32>
}
