// Selective scan with every optional operand in f16 (f32 state), G=2, against
// the sequential float64 recurrence in ref/scans.py.
// RUN: rm -rf %t && %python %S/../ref.py selective_scan --b=2 --l=64 --dm=32 --n=8 --g=2 --d --z --dt-bias --init --softplus --dtype=f16 --state-dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --input=@%t/in6.npy --input=@%t/in7.npy --input=@%t/in8.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-3
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%x: tensor<2x64x32xf16>, %dt: tensor<2x64x32xf16>, %a: tensor<32x8xf16>, %b: tensor<2x64x2x8xf16>, %c: tensor<2x64x2x8xf16>, %d: tensor<32xf16>, %z: tensor<2x64x32xf16>, %db: tensor<32xf16>, %h0: tensor<2x32x8xf32>) -> (tensor<2x64x32xf16>, tensor<2x32x8xf32>) {
  %y, %h = tok.selective_scan %x, %dt, %a, %b, %c D(%d : tensor<32xf16>) z(%z : tensor<2x64x32xf16>) dt_bias(%db : tensor<32xf16>) init(%h0 : tensor<2x32x8xf32>) {dt_softplus} : (tensor<2x64x32xf16>, tensor<2x64x32xf16>, tensor<32x8xf16>, tensor<2x64x2x8xf16>, tensor<2x64x2x8xf16>) -> (tensor<2x64x32xf16>, tensor<2x32x8xf32>)
  return %y, %h : tensor<2x64x32xf16>, tensor<2x32x8xf32>
}
