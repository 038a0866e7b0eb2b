// Causal MQA attention (8 query heads over 1 kv head), S=512, with lse, f32.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=8 --hkv=1 --sq=512 --skv=512 --d=64 --causal --lse --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<1x8x?x64xf32>, %k: tensor<1x1x?x64xf32>, %v: tensor<1x1x?x64xf32>) -> (tensor<1x8x?x64xf32>, tensor<1x8x?xf32>) {
  %o, %lse = tok.attention %q, %k, %v {causal} : (tensor<1x8x?x64xf32>, tensor<1x1x?x64xf32>, tensor<1x1x?x64xf32>) -> (tensor<1x8x?x64xf32>, tensor<1x8x?xf32>)
  return %o, %lse : tensor<1x8x?x64xf32>, tensor<1x8x?xf32>
}
