// Decode step (M = 1, static) of one tok.rms_norm feeding two linears: the
// normalized row (K = 512) is computed once and both fused GEMVs stream their
// W against it, f32, against float64 torch (ref/linear_perf.py).
// RUN: rm -rf %t && %python %S/../ref.py norm_linear --norm=rms --shape=1,512 --n=256,130 --dtype=f32 --seed=4 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-5
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-5

func.func @main(%x: tensor<1x512xf32>, %g: tensor<512xf32>, %w1: tensor<256x512xf32>, %w2: tensor<130x512xf32>) -> (tensor<1x256xf32>, tensor<1x130xf32>) {
  %n = tok.rms_norm %x, %g : (tensor<1x512xf32>, tensor<512xf32>) -> tensor<1x512xf32>
  %y1 = tok.linear %n, %w1 : (tensor<1x512xf32>, tensor<256x512xf32>) -> tensor<1x256xf32>
  %y2 = tok.linear %n, %w2 : (tensor<1x512xf32>, tensor<130x512xf32>) -> tensor<1x130xf32>
  return %y1, %y2 : tensor<1x256xf32>, tensor<1x130xf32>
}
