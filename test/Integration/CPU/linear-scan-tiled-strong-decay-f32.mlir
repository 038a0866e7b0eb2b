// Per-channel decays that alternate mild and overwhelming (e^-3..e^-6 per step)
// every 40 steps: chunks whose decay exceeds the factored form's range run the
// exact step-by-step recurrence, the others the chunked form (init, the
// state handed between the two paths), L = 1100, against ref/scans.py.
// RUN: rm -rf %t && %python %S/../ref.py linear_scan --b=1 --heads=2 --l=1100 --dk=32 --dv=32 --decay=vector --init --dtype=f32 --state-dtype=f32 --strong-every=40 --seed=7 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<1x2x1100x32xf32>, %k: tensor<1x2x1100x32xf32>, %v: tensor<1x2x1100x32xf32>, %g: tensor<1x2x1100x32xf32>, %s0: tensor<1x2x32x32xf32>) -> (tensor<1x2x1100x32xf32>, tensor<1x2x32x32xf32>) {
  %o, %s = tok.linear_scan %q, %k, %v decay(%g : tensor<1x2x1100x32xf32>) init(%s0 : tensor<1x2x32x32xf32>) : (tensor<1x2x1100x32xf32>, tensor<1x2x1100x32xf32>, tensor<1x2x1100x32xf32>) -> (tensor<1x2x1100x32xf32>, tensor<1x2x32x32xf32>)
  return %o, %s : tensor<1x2x1100x32xf32>, tensor<1x2x32x32xf32>
}
