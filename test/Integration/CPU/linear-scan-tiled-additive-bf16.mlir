// Chunked linear attention (no decay) in bf16 with an f32 state, L = 1050,
// against ref/scans.py (bf16 tolerance).
// RUN: rm -rf %t && %python %S/../ref.py linear_scan --b=1 --heads=2 --l=1050 --dk=64 --dv=64 --init --dtype=bf16 --state-dtype=f32 --seed=7 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=2e-2

func.func @main(%q: tensor<1x2x1050x64xbf16>, %k: tensor<1x2x1050x64xbf16>, %v: tensor<1x2x1050x64xbf16>, %s0: tensor<1x2x64x64xf32>) -> (tensor<1x2x1050x64xbf16>, tensor<1x2x64x64xf32>) {
  %o, %s = tok.linear_scan %q, %k, %v init(%s0 : tensor<1x2x64x64xf32>) : (tensor<1x2x1050x64xbf16>, tensor<1x2x1050x64xbf16>, tensor<1x2x1050x64xbf16>) -> (tensor<1x2x1050x64xbf16>, tensor<1x2x64x64xf32>)
  return %o, %s : tensor<1x2x1050x64xbf16>, tensor<1x2x64x64xf32>
}
