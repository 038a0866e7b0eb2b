// Causal sliding window W=64 with 4 attention sinks, S=1024, GQA, with lse, f32.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=4 --hkv=2 --sq=1024 --skv=1024 --d=64 --causal --window=64 --sinks=4 --lse --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<1x4x?x64xf32>, %k: tensor<1x2x?x64xf32>, %v: tensor<1x2x?x64xf32>) -> (tensor<1x4x?x64xf32>, tensor<1x4x?xf32>) {
  %o, %lse = tok.attention %q, %k, %v {causal, sinks = 4 : i64, window = 64 : i64} : (tensor<1x4x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> (tensor<1x4x?x64xf32>, tensor<1x4x?xf32>)
  return %o, %lse : tensor<1x4x?x64xf32>, tensor<1x4x?xf32>
}
