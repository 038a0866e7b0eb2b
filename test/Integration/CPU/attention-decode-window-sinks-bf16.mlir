// Decode split-KV with a window: 2 queries over 3000 keys, window W=100 and 4 sinks, so most key chunks see nothing (lse -inf partials in the merge), GQA, bf16.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=8 --hkv=2 --sq=2 --skv=3000 --d=64 --dtype=bf16 --causal --window=100 --sinks=4 --lse --seed=15 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<1x8x2x64xbf16>, %k: tensor<1x2x?x64xbf16>, %v: tensor<1x2x?x64xbf16>) -> (tensor<1x8x2x64xbf16>, tensor<1x8x2xf32>) {
  %o, %lse = tok.attention %q, %k, %v {causal, sinks = 4 : i64, window = 100 : i64} : (tensor<1x8x2x64xbf16>, tensor<1x2x?x64xbf16>, tensor<1x2x?x64xbf16>) -> (tensor<1x8x2x64xbf16>, tensor<1x8x2xf32>)
  return %o, %lse : tensor<1x8x2x64xbf16>, tensor<1x8x2xf32>
}
