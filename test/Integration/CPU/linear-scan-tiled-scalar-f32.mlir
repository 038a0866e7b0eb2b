// Chunked linear scan (tok-tile-linear-scan, 32-step chunks): scalar decay,
// init, scale, Dk = Dv = 64, L = 1029 (not a multiple of the chunk), against the
// sequential float64 recurrence of ref/scans.py.
// RUN: rm -rf %t && %python %S/../ref.py linear_scan --b=1 --heads=2 --l=1029 --dk=64 --dv=64 --decay=scalar --init --scale=0.125 --dtype=f32 --state-dtype=f32 --seed=7 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<1x2x1029x64xf32>, %k: tensor<1x2x1029x64xf32>, %v: tensor<1x2x1029x64xf32>, %g: tensor<1x2x1029xf32>, %s0: tensor<1x2x64x64xf32>) -> (tensor<1x2x1029x64xf32>, tensor<1x2x64x64xf32>) {
  %o, %s = tok.linear_scan %q, %k, %v decay(%g : tensor<1x2x1029xf32>) init(%s0 : tensor<1x2x64x64xf32>) {scale = 0.125 : f32} : (tensor<1x2x1029x64xf32>, tensor<1x2x1029x64xf32>, tensor<1x2x1029x64xf32>) -> (tensor<1x2x1029x64xf32>, tensor<1x2x64x64xf32>)
  return %o, %s : tensor<1x2x1029x64xf32>, tensor<1x2x64x64xf32>
}
