// A head dim smaller than one vector (D=8), causal MQA (2 query heads, 1 kv head), Sq=Skv=37, with lse, f32.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=2 --hkv=1 --sq=37 --skv=37 --d=8 --causal --lse --seed=18 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<1x2x?x8xf32>, %k: tensor<1x1x?x8xf32>, %v: tensor<1x1x?x8xf32>) -> (tensor<1x2x?x8xf32>, tensor<1x2x?xf32>) {
  %o, %lse = tok.attention %q, %k, %v {causal} : (tensor<1x2x?x8xf32>, tensor<1x1x?x8xf32>, tensor<1x1x?x8xf32>) -> (tensor<1x2x?x8xf32>, tensor<1x2x?xf32>)
  return %o, %lse : tensor<1x2x?x8xf32>, tensor<1x2x?xf32>
}
