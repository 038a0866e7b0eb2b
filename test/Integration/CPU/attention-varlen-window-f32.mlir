// Packed variable-length causal attention with window W=48 and 2 sinks per sequence, f32.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=4 --hkv=4 --sq=1024 --skv=1024 --d=64 --causal --window=48 --sinks=2 --seqlens=100,0,400,300,224 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%q: tensor<1x4x?x64xf32>, %k: tensor<1x4x?x64xf32>, %v: tensor<1x4x?x64xf32>, %cu: tensor<6xi32>) -> tensor<1x4x?x64xf32> {
  %o = tok.attention %q, %k, %v seq_starts(%cu : tensor<6xi32>) {causal, sinks = 2 : i64, window = 48 : i64} : (tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>) -> tensor<1x4x?x64xf32>
  return %o : tensor<1x4x?x64xf32>
}
