// Chunked linear scan: per-key-channel decay (the factored form), reverse, Dk = 32,
// Dv = 40 (masked column vectors), dynamic L = 1100, against ref/scans.py.
// RUN: rm -rf %t && %python %S/../ref.py linear_scan --b=2 --heads=2 --l=1100 --dk=32 --dv=40 --decay=vector --reverse --dtype=f32 --state-dtype=f32 --seed=7 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<2x2x?x32xf32>, %k: tensor<2x2x?x32xf32>, %v: tensor<2x2x?x40xf32>, %g: tensor<2x2x?x32xf32>) -> (tensor<2x2x?x40xf32>, tensor<2x2x32x40xf32>) {
  %o, %s = tok.linear_scan %q, %k, %v decay(%g : tensor<2x2x?x32xf32>) {reverse} : (tensor<2x2x?x32xf32>, tensor<2x2x?x32xf32>, tensor<2x2x?x40xf32>) -> (tensor<2x2x?x40xf32>, tensor<2x2x32x40xf32>)
  return %o, %s : tensor<2x2x?x40xf32>, tensor<2x2x32x40xf32>
}
