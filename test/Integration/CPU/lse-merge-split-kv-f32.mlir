// Split-KV: attention over keys[:300] and keys[300:] with lse, merged by tok.lse_merge, equals full attention over 1024 keys, f32.
// RUN: rm -rf %t && %python %S/../ref.py attention_split --hq=4 --hkv=2 --sq=64 --skv=1024 --n=300 --d=64 --seed=9 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<1x4x?x64xf32>, %k1: tensor<1x2x?x64xf32>, %v1: tensor<1x2x?x64xf32>, %k2: tensor<1x2x?x64xf32>, %v2: tensor<1x2x?x64xf32>) -> (tensor<1x4x?x64xf32>, tensor<1x4x?xf32>) {
  %o1, %l1 = tok.attention %q, %k1, %v1 : (tensor<1x4x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> (tensor<1x4x?x64xf32>, tensor<1x4x?xf32>)
  %o2, %l2 = tok.attention %q, %k2, %v2 : (tensor<1x4x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> (tensor<1x4x?x64xf32>, tensor<1x4x?xf32>)
  %o, %l = tok.lse_merge %o1, %l1, %o2, %l2 : (tensor<1x4x?x64xf32>, tensor<1x4x?xf32>, tensor<1x4x?x64xf32>, tensor<1x4x?xf32>) -> (tensor<1x4x?x64xf32>, tensor<1x4x?xf32>)
  return %o, %l : tensor<1x4x?x64xf32>, tensor<1x4x?xf32>
}
