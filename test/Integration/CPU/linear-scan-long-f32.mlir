// Linear scan over L=1024 with a dynamic sequence, scalar decay and scale,
// f32, against the explicit float64 recurrence in ref/scans.py.
// RUN: rm -rf %t && %python %S/../ref.py linear_scan --b=1 --heads=4 --l=1024 --dk=16 --dv=16 --decay=scalar --scale=0.25 --dtype=f32 --state-dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<1x4x?x16xf32>, %k: tensor<1x4x?x16xf32>, %v: tensor<1x4x?x16xf32>, %g: tensor<1x4x?xf32>) -> (tensor<1x4x?x16xf32>, tensor<1x4x16x16xf32>) {
  %o, %s = tok.linear_scan %q, %k, %v decay(%g : tensor<1x4x?xf32>) {scale = 0.25 : f32} : (tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32>) -> (tensor<1x4x?x16xf32>, tensor<1x4x16x16xf32>)
  return %o, %s : tensor<1x4x?x16xf32>, tensor<1x4x16x16xf32>
}
