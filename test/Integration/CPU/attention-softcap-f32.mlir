// Soft-capped scores (softcap 2.0, causal), S=512, f32.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=4 --hkv=4 --sq=512 --skv=512 --d=64 --causal --softcap=2.0 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%q: tensor<1x4x?x64xf32>, %k: tensor<1x4x?x64xf32>, %v: tensor<1x4x?x64xf32>) -> tensor<1x4x?x64xf32> {
  %o = tok.attention %q, %k, %v {causal, softcap = 2.000000e+00 : f32} : (tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>) -> tensor<1x4x?x64xf32>
  return %o : tensor<1x4x?x64xf32>
}
