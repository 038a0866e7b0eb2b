// Tile edges with masks: causal window W=70 with 3 sinks, Sq=150 < Skv=301 (continuation), GQA with 2 kv groups, D=128, with lse, f16.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=8 --hkv=2 --sq=150 --skv=301 --d=128 --dtype=f16 --causal --window=70 --sinks=3 --lse --seed=13 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-3
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<1x8x?x128xf16>, %k: tensor<1x2x?x128xf16>, %v: tensor<1x2x?x128xf16>) -> (tensor<1x8x?x128xf16>, tensor<1x8x?xf32>) {
  %o, %lse = tok.attention %q, %k, %v {causal, sinks = 3 : i64, window = 70 : i64} : (tensor<1x8x?x128xf16>, tensor<1x2x?x128xf16>, tensor<1x2x?x128xf16>) -> (tensor<1x8x?x128xf16>, tensor<1x8x?xf32>)
  return %o, %lse : tensor<1x8x?x128xf16>, tensor<1x8x?xf32>
}
