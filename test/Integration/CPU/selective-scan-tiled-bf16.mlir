// Vectorized selective scan in bf16 with an f32 state, L = 1040, against
// ref/scans.py (bf16 tolerance).
// RUN: rm -rf %t && %python %S/../ref.py selective_scan --b=1 --l=1040 --dm=128 --n=16 --g=1 --d --z --dt-bias --init --softplus --dtype=bf16 --state-dtype=f32 --seed=11 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --input=@%t/in6.npy --input=@%t/in7.npy --input=@%t/in8.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=2e-2

func.func @main(%x: tensor<1x1040x128xbf16>, %dt: tensor<1x1040x128xbf16>, %a: tensor<128x16xbf16>, %b: tensor<1x1040x1x16xbf16>, %c: tensor<1x1040x1x16xbf16>, %d: tensor<128xbf16>, %z: tensor<1x1040x128xbf16>, %db: tensor<128xbf16>, %h0: tensor<1x128x16xf32>) -> (tensor<1x1040x128xbf16>, tensor<1x128x16xf32>) {
  %y, %h = tok.selective_scan %x, %dt, %a, %b, %c D(%d : tensor<128xbf16>) z(%z : tensor<1x1040x128xbf16>) dt_bias(%db : tensor<128xbf16>) init(%h0 : tensor<1x128x16xf32>) {dt_softplus} : (tensor<1x1040x128xbf16>, tensor<1x1040x128xbf16>, tensor<128x16xbf16>, tensor<1x1040x1x16xbf16>, tensor<1x1040x1x16xbf16>) -> (tensor<1x1040x128xbf16>, tensor<1x128x16xf32>)
  return %y, %h : tensor<1x1040x128xbf16>, tensor<1x128x16xf32>
}
