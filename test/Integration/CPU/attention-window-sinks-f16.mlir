// Causal window W=100 with 4 sinks, softcap 20 and lse, S=512, f16.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=4 --hkv=4 --sq=512 --skv=512 --d=64 --dtype=f16 --causal --window=100 --sinks=4 --softcap=20.0 --lse --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-3
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<1x4x?x64xf16>, %k: tensor<1x4x?x64xf16>, %v: tensor<1x4x?x64xf16>) -> (tensor<1x4x?x64xf16>, tensor<1x4x?xf32>) {
  %o, %lse = tok.attention %q, %k, %v {causal, sinks = 4 : i64, softcap = 2.000000e+01 : f32, window = 100 : i64} : (tensor<1x4x?x64xf16>, tensor<1x4x?x64xf16>, tensor<1x4x?x64xf16>) -> (tensor<1x4x?x64xf16>, tensor<1x4x?xf32>)
  return %o, %lse : tensor<1x4x?x64xf16>, tensor<1x4x?xf32>
}
