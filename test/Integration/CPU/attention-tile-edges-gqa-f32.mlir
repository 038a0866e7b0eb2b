// Tile edges: Sq=200 and Skv=333 (neither a multiple of the 64-key block nor of the 16-query tile), causal GQA with 4 kv groups of 4 query heads, D=128, batch 2, with lse, f32.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=2 --hq=16 --hkv=4 --sq=200 --skv=333 --d=128 --causal --lse --seed=11 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<2x16x?x128xf32>, %k: tensor<2x4x?x128xf32>, %v: tensor<2x4x?x128xf32>) -> (tensor<2x16x?x128xf32>, tensor<2x16x?xf32>) {
  %o, %lse = tok.attention %q, %k, %v {causal} : (tensor<2x16x?x128xf32>, tensor<2x4x?x128xf32>, tensor<2x4x?x128xf32>) -> (tensor<2x16x?x128xf32>, tensor<2x16x?xf32>)
  return %o, %lse : tensor<2x16x?x128xf32>, tensor<2x16x?xf32>
}
