// Decode split-KV: one query (Hq=32, Hkv=8, D=128) over Skv=5000 keys, split into 5 chunks of 1024 keys (the last partial) and merged by lse, with lse, f32.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=32 --hkv=8 --sq=1 --skv=5000 --d=128 --causal --lse --seed=14 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<1x32x1x128xf32>, %k: tensor<1x8x?x128xf32>, %v: tensor<1x8x?x128xf32>) -> (tensor<1x32x1x128xf32>, tensor<1x32x1xf32>) {
  %o, %lse = tok.attention %q, %k, %v {causal} : (tensor<1x32x1x128xf32>, tensor<1x8x?x128xf32>, tensor<1x8x?x128xf32>) -> (tensor<1x32x1x128xf32>, tensor<1x32x1xf32>)
  return %o, %lse : tensor<1x32x1x128xf32>, tensor<1x32x1xf32>
}
