// Packed variable-length non-causal attention (seq_starts only), f32.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=2 --hkv=2 --sq=200 --skv=200 --d=64 --seqlens=50,70,80 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%q: tensor<1x2x?x64xf32>, %k: tensor<1x2x?x64xf32>, %v: tensor<1x2x?x64xf32>, %cu: tensor<4xi32>) -> tensor<1x2x?x64xf32> {
  %o = tok.attention %q, %k, %v seq_starts(%cu : tensor<4xi32>) : (tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> tensor<1x2x?x64xf32>
  return %o : tensor<1x2x?x64xf32>
}
