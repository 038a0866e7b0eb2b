// Full 4-D bias [B, Hq, Sq, Skv] (batch 2), with lse, f32.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=2 --hq=4 --hkv=4 --sq=128 --skv=96 --d=64 --bias=full --lse --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<2x4x?x64xf32>, %k: tensor<2x4x?x64xf32>, %v: tensor<2x4x?x64xf32>, %bias: tensor<2x4x?x?xf32>) -> (tensor<2x4x?x64xf32>, tensor<2x4x?xf32>) {
  %o, %lse = tok.attention %q, %k, %v bias(%bias : tensor<2x4x?x?xf32>) : (tensor<2x4x?x64xf32>, tensor<2x4x?x64xf32>, tensor<2x4x?x64xf32>) -> (tensor<2x4x?x64xf32>, tensor<2x4x?xf32>)
  return %o, %lse : tensor<2x4x?x64xf32>, tensor<2x4x?xf32>
}
