// score_mod capturing an outer tensor (s * t[h, j] via tensor.extract), after softcap and before a key bias, f32.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=4 --hkv=4 --sq=128 --skv=128 --d=64 --softcap=3.0 --bias=key --score_mod=table --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%q: tensor<1x4x128x64xf32>, %k: tensor<1x4x128x64xf32>, %v: tensor<1x4x128x64xf32>, %bias: tensor<128xf32>, %table: tensor<4x128xf32>) -> tensor<1x4x128x64xf32> {
  %o = tok.attention %q, %k, %v bias(%bias : tensor<128xf32>) {softcap = 3.000000e+00 : f32} : (tensor<1x4x128x64xf32>, tensor<1x4x128x64xf32>, tensor<1x4x128x64xf32>) -> tensor<1x4x128x64xf32> score_mod {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %x = tensor.extract %table[%h, %j] : tensor<4x128xf32>
    %r = arith.mulf %s, %x : f32
    tok.yield %r : f32
  }
  return %o : tensor<1x4x128x64xf32>
}
