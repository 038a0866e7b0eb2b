// Chunked gated delta rule (16-step chunks, pseudo-values by forward
// substitution): scalar decay, beta, init, Dk = Dv = 64, L = 1030, against
// ref/scans.py.
// RUN: rm -rf %t && %python %S/../ref.py linear_scan --b=1 --heads=2 --l=1030 --dk=64 --dv=64 --decay=scalar --delta --beta --init --dtype=f32 --state-dtype=f32 --seed=7 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<1x2x1030x64xf32>, %k: tensor<1x2x1030x64xf32>, %v: tensor<1x2x1030x64xf32>, %g: tensor<1x2x1030xf32>, %beta: tensor<1x2x1030xf32>, %s0: tensor<1x2x64x64xf32>) -> (tensor<1x2x1030x64xf32>, tensor<1x2x64x64xf32>) {
  %o, %s = tok.linear_scan %q, %k, %v decay(%g : tensor<1x2x1030xf32>) beta(%beta : tensor<1x2x1030xf32>) init(%s0 : tensor<1x2x64x64xf32>) {update = "delta"} : (tensor<1x2x1030x64xf32>, tensor<1x2x1030x64xf32>, tensor<1x2x1030x64xf32>) -> (tensor<1x2x1030x64xf32>, tensor<1x2x64x64xf32>)
  return %o, %s : tensor<1x2x1030x64xf32>, tensor<1x2x64x64xf32>
}
