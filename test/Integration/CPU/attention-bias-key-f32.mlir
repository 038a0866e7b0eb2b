// Rank-1 key bias [Skv] broadcast to every query, causal GQA, S=1024, f32.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=4 --hkv=2 --sq=1024 --skv=1024 --d=64 --causal --bias=key --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%q: tensor<1x4x?x64xf32>, %k: tensor<1x2x?x64xf32>, %v: tensor<1x2x?x64xf32>, %bias: tensor<?xf32>) -> tensor<1x4x?x64xf32> {
  %o = tok.attention %q, %k, %v bias(%bias : tensor<?xf32>) {causal} : (tensor<1x4x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> tensor<1x4x?x64xf32>
  return %o : tensor<1x4x?x64xf32>
}
