// The delta rule with per-channel decays alternating mild and overwhelming
// every 40 steps (both paths of tok-tile-linear-scan, state handed between
// them), L = 1100, against ref/scans.py.
// RUN: rm -rf %t && %python %S/../ref.py linear_scan --b=1 --heads=2 --l=1100 --dk=32 --dv=32 --decay=vector --delta --beta --dtype=f32 --state-dtype=f32 --strong-every=40 --seed=7 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<1x2x1100x32xf32>, %k: tensor<1x2x1100x32xf32>, %v: tensor<1x2x1100x32xf32>, %g: tensor<1x2x1100x32xf32>, %beta: tensor<1x2x1100xf32>) -> (tensor<1x2x1100x32xf32>, tensor<1x2x32x32xf32>) {
  %o, %s = tok.linear_scan %q, %k, %v decay(%g : tensor<1x2x1100x32xf32>) beta(%beta : tensor<1x2x1100xf32>) {update = "delta"} : (tensor<1x2x1100x32xf32>, tensor<1x2x1100x32xf32>, tensor<1x2x1100x32xf32>) -> (tensor<1x2x1100x32xf32>, tensor<1x2x32x32xf32>)
  return %o, %s : tensor<1x2x1100x32xf32>, tensor<1x2x32x32xf32>
}
