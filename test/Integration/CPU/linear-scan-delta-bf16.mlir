// Delta-rule linear scan with beta, scalar decay and init in bf16, against
// the explicit float64 recurrence in ref/scans.py.
// RUN: rm -rf %t && %python %S/../ref.py linear_scan --b=1 --heads=2 --l=64 --dk=8 --dv=8 --decay=scalar --delta --beta --init --dtype=bf16 --state-dtype=bf16 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=2e-2

func.func @main(%q: tensor<1x2x64x8xbf16>, %k: tensor<1x2x64x8xbf16>, %v: tensor<1x2x64x8xbf16>, %g: tensor<1x2x64xbf16>, %beta: tensor<1x2x64xbf16>, %s0: tensor<1x2x8x8xbf16>) -> (tensor<1x2x64x8xbf16>, tensor<1x2x8x8xbf16>) {
  %o, %s = tok.linear_scan %q, %k, %v decay(%g : tensor<1x2x64xbf16>) beta(%beta : tensor<1x2x64xbf16>) init(%s0 : tensor<1x2x8x8xbf16>) {update = "delta"} : (tensor<1x2x64x8xbf16>, tensor<1x2x64x8xbf16>, tensor<1x2x64x8xbf16>) -> (tensor<1x2x64x8xbf16>, tensor<1x2x8x8xbf16>)
  return %o, %s : tensor<1x2x64x8xbf16>, tensor<1x2x8x8xbf16>
}
