// Packed linear_scan, gated delta rule run in reverse: per-key-channel
// decay, beta and init; each sequence's state starts at its own end.
// RUN: rm -rf %t && %python %S/../ref.py linear_scan_packed --lens=6,0,13,2 --tail=1 --heads=2 --dk=8 --dv=16 --decay=vector --delta --beta --init --reverse --seed=44 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --input=@%t/in6.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<1x2x?x8xf32>, %k: tensor<1x2x?x8xf32>, %v: tensor<1x2x?x16xf32>, %g: tensor<1x2x?x8xf32>, %beta: tensor<1x2x?xf32>, %s0: tensor<4x2x8x16xf32>, %cu: tensor<5xi32>) -> (tensor<1x2x?x16xf32>, tensor<4x2x8x16xf32>) {
  %o, %s = tok.linear_scan %q, %k, %v decay(%g : tensor<1x2x?x8xf32>) beta(%beta : tensor<1x2x?xf32>) init(%s0 : tensor<4x2x8x16xf32>) seq_starts(%cu : tensor<5xi32>) {update = "delta", reverse} : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x16xf32>) -> (tensor<1x2x?x16xf32>, tensor<4x2x8x16xf32>)
  return %o, %s : tensor<1x2x?x16xf32>, tensor<4x2x8x16xf32>
}
