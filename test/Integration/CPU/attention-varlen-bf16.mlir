// Packed variable-length causal attention with window and bias, bf16.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=4 --hkv=4 --sq=256 --skv=256 --d=64 --dtype=bf16 --causal --window=32 --bias=full --seqlens=64,128,64 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2

func.func @main(%q: tensor<1x4x?x64xbf16>, %k: tensor<1x4x?x64xbf16>, %v: tensor<1x4x?x64xbf16>, %bias: tensor<1x4x?x?xf32>, %cu: tensor<4xi32>) -> tensor<1x4x?x64xbf16> {
  %o = tok.attention %q, %k, %v bias(%bias : tensor<1x4x?x?xf32>) seq_starts(%cu : tensor<4xi32>) {causal, window = 32 : i64} : (tensor<1x4x?x64xbf16>, tensor<1x4x?x64xbf16>, tensor<1x4x?x64xbf16>) -> tensor<1x4x?x64xbf16>
  return %o : tensor<1x4x?x64xbf16>
}
