// Selective scan with every optional operand in bf16 (bf16 state), dynamic L,
// against the sequential float64 recurrence in ref/scans.py.
// RUN: rm -rf %t && %python %S/../ref.py selective_scan --b=2 --l=48 --dm=16 --n=8 --g=1 --d --z --dt-bias --init --softplus --dtype=bf16 --state-dtype=bf16 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --input=@%t/in6.npy --input=@%t/in7.npy --input=@%t/in8.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=2e-2

func.func @main(%x: tensor<2x?x16xbf16>, %dt: tensor<2x?x16xbf16>, %a: tensor<16x8xbf16>, %b: tensor<2x?x1x8xbf16>, %c: tensor<2x?x1x8xbf16>, %d: tensor<16xbf16>, %z: tensor<2x?x16xbf16>, %db: tensor<16xbf16>, %h0: tensor<2x16x8xbf16>) -> (tensor<2x?x16xbf16>, tensor<2x16x8xbf16>) {
  %y, %h = tok.selective_scan %x, %dt, %a, %b, %c D(%d : tensor<16xbf16>) z(%z : tensor<2x?x16xbf16>) dt_bias(%db : tensor<16xbf16>) init(%h0 : tensor<2x16x8xbf16>) {dt_softplus} : (tensor<2x?x16xbf16>, tensor<2x?x16xbf16>, tensor<16x8xbf16>, tensor<2x?x1x8xbf16>, tensor<2x?x1x8xbf16>) -> (tensor<2x?x16xbf16>, tensor<2x16x8xbf16>)
  return %y, %h : tensor<2x?x16xbf16>, tensor<2x16x8xbf16>
}
