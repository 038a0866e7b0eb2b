// Chunked delta rule with per-key-channel decay and beta, Dk = Dv = 32,
// L = 1025, against ref/scans.py.
// RUN: rm -rf %t && %python %S/../ref.py linear_scan --b=1 --heads=3 --l=1025 --dk=32 --dv=32 --decay=vector --delta --beta --scale=0.5 --dtype=f32 --state-dtype=f32 --seed=7 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<1x3x1025x32xf32>, %k: tensor<1x3x1025x32xf32>, %v: tensor<1x3x1025x32xf32>, %g: tensor<1x3x1025x32xf32>, %beta: tensor<1x3x1025xf32>) -> (tensor<1x3x1025x32xf32>, tensor<1x3x32x32xf32>) {
  %o, %s = tok.linear_scan %q, %k, %v decay(%g : tensor<1x3x1025x32xf32>) beta(%beta : tensor<1x3x1025xf32>) {update = "delta", scale = 0.5 : f32} : (tensor<1x3x1025x32xf32>, tensor<1x3x1025x32xf32>, tensor<1x3x1025x32xf32>) -> (tensor<1x3x1025x32xf32>, tensor<1x3x32x32xf32>)
  return %o, %s : tensor<1x3x1025x32xf32>, tensor<1x3x32x32xf32>
}
