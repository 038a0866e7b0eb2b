// One tok.rms_norm feeding two linears (as Q and KV projections do) and the
// function's results: the statistics are computed once for both fused GEMMs
// (dynamic rows, 70 at run time), and the norm stays materialized for its
// non-linear user (the return), f32, against float64 torch
// (ref/linear_perf.py).
// RUN: rm -rf %t && %python %S/../ref.py norm_linear --norm=rms --shape=70,256 --n=96,64 --bias --return-norm --dtype=f32 --seed=3 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --output=@%t/out0.npy --output=@%t/out1.npy --output=@%t/out2.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-5
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-5
// RUN: %python %S/../compare.py %t/out2.npy %t/ref2.npy --rtol=1e-5

func.func @main(%x: tensor<?x256xf32>, %g: tensor<256xf32>, %wq: tensor<96x256xf32>, %bq: tensor<96xf32>, %wkv: tensor<64x256xf32>, %bkv: tensor<64xf32>) -> (tensor<?x96xf32>, tensor<?x64xf32>, tensor<?x256xf32>) {
  %n = tok.rms_norm %x, %g : (tensor<?x256xf32>, tensor<256xf32>) -> tensor<?x256xf32>
  %q = tok.linear %n, %wq bias(%bq : tensor<96xf32>) : (tensor<?x256xf32>, tensor<96x256xf32>) -> tensor<?x96xf32>
  %kv = tok.linear %n, %wkv bias(%bkv : tensor<64xf32>) : (tensor<?x256xf32>, tensor<64x256xf32>) -> tensor<?x64xf32>
  return %q, %kv, %n : tensor<?x96xf32>, tensor<?x64xf32>, tensor<?x256xf32>
}
