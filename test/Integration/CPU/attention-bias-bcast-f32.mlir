// Bias broadcast over batch and heads ([1, 1, Sq, Skv] with B=2), causal, f32.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=2 --hq=4 --hkv=4 --sq=128 --skv=128 --d=64 --causal --bias=bcast --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%q: tensor<2x4x?x64xf32>, %k: tensor<2x4x?x64xf32>, %v: tensor<2x4x?x64xf32>, %bias: tensor<1x1x?x?xf32>) -> tensor<2x4x?x64xf32> {
  %o = tok.attention %q, %k, %v bias(%bias : tensor<1x1x?x?xf32>) {causal} : (tensor<2x4x?x64xf32>, tensor<2x4x?x64xf32>, tensor<2x4x?x64xf32>) -> tensor<2x4x?x64xf32>
  return %o : tensor<2x4x?x64xf32>
}
