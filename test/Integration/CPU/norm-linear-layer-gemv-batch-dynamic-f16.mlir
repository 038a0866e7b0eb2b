// tok-tile-linear with a tok.layer_norm fused into two linears on dynamic
// rows that are 9 at run time (a decode batch): statistics once, then each
// batched GEMV reads the 9 rows normalized (two chunks of 4 rows, then the
// copy for 1), with a bias, in f16 (f32 accumulation), against float64
// torch rounded to f16 after each op (ref/linear_perf.py).
// RUN: rm -rf %t && %python %S/../ref.py norm_linear --norm=layer --shape=9,1,160 --n=70,45 --bias --dtype=f16 --seed=10 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --input=@%t/in6.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=5e-3
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=5e-3

func.func @main(%x: tensor<?x1x160xf16>, %g: tensor<160xf16>, %beta: tensor<160xf16>, %w1: tensor<70x160xf16>, %b1: tensor<70xf16>, %w2: tensor<45x160xf16>, %b2: tensor<45xf16>) -> (tensor<?x1x70xf16>, tensor<?x1x45xf16>) {
  %n = tok.layer_norm %x, %g, %beta : (tensor<?x1x160xf16>, tensor<160xf16>, tensor<160xf16>) -> tensor<?x1x160xf16>
  %y1 = tok.linear %n, %w1 bias(%b1 : tensor<70xf16>) : (tensor<?x1x160xf16>, tensor<70x160xf16>) -> tensor<?x1x70xf16>
  %y2 = tok.linear %n, %w2 bias(%b2 : tensor<45xf16>) : (tensor<?x1x160xf16>, tensor<45x160xf16>) -> tensor<?x1x45xf16>
  return %y1, %y2 : tensor<?x1x70xf16>, tensor<?x1x45xf16>
}
