// Paged attention (Sq=3) with window W=20, 2 sinks, softcap and scale, f32.
// RUN: rm -rf %t && %python %S/../ref.py paged_attention --lens=3,50,97,200 --hq=4 --hkv=4 --sq=3 --d=64 --bs=16 --max_blocks=14 --nb=28 --window=20 --sinks=2 --scale=0.2 --softcap=15.0 --seed=3 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%q: tensor<4x4x3x64xf32>, %kc: tensor<28x16x4x64xf32>, %vc: tensor<28x16x4x64xf32>, %table: tensor<4x14xi32>, %lens: tensor<4xi32>) -> tensor<4x4x3x64xf32> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens {scale = 2.000000e-01 : f32, sinks = 2 : i64, softcap = 1.500000e+01 : f32, window = 20 : i64} : (tensor<4x4x3x64xf32>, tensor<28x16x4x64xf32>, tensor<28x16x4x64xf32>, tensor<4x14xi32>, tensor<4xi32>) -> tensor<4x4x3x64xf32>
  return %o : tensor<4x4x3x64xf32>
}
