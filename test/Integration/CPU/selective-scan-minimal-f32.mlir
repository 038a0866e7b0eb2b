// Selective scan without optional operands and without the final state, f32,
// against the sequential float64 recurrence in ref/scans.py.
// RUN: rm -rf %t && %python %S/../ref.py selective_scan --b=2 --l=64 --dm=16 --n=8 --g=1 --no-final --dtype=f32 --state-dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%x: tensor<2x64x16xf32>, %dt: tensor<2x64x16xf32>, %a: tensor<16x8xf32>, %b: tensor<2x64x1x8xf32>, %c: tensor<2x64x1x8xf32>) -> tensor<2x64x16xf32> {
  %y = tok.selective_scan %x, %dt, %a, %b, %c : (tensor<2x64x16xf32>, tensor<2x64x16xf32>, tensor<16x8xf32>, tensor<2x64x1x8xf32>, tensor<2x64x1x8xf32>) -> tensor<2x64x16xf32>
  return %y : tensor<2x64x16xf32>
}
