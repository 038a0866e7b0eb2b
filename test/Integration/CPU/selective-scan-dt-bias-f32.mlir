// Selective scan with dt_bias (no softplus), f32, against the sequential float64 recurrence in ref/scans.py.
// RUN: rm -rf %t && %python %S/../ref.py selective_scan --b=2 --l=64 --dm=16 --n=8 --g=1 --dt-bias --dtype=f32 --state-dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%x: tensor<2x64x16xf32>, %dt: tensor<2x64x16xf32>, %a: tensor<16x8xf32>, %b: tensor<2x64x1x8xf32>, %c: tensor<2x64x1x8xf32>, %db: tensor<16xf32>) -> (tensor<2x64x16xf32>, tensor<2x16x8xf32>) {
  %y, %h = tok.selective_scan %x, %dt, %a, %b, %c dt_bias(%db : tensor<16xf32>) : (tensor<2x64x16xf32>, tensor<2x64x16xf32>, tensor<16x8xf32>, tensor<2x64x1x8xf32>, tensor<2x64x1x8xf32>) -> (tensor<2x64x16xf32>, tensor<2x16x8xf32>)
  return %y, %h : tensor<2x64x16xf32>, tensor<2x16x8xf32>
}
