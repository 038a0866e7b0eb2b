// score_mod ALiBi-like s - 0.0625 (h + 1)(i - j) from the index arguments, causal, S=1024, f32.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=4 --hkv=4 --sq=1024 --skv=1024 --d=64 --causal --score_mod=alibi --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%q: tensor<1x4x?x64xf32>, %k: tensor<1x4x?x64xf32>, %v: tensor<1x4x?x64xf32>) -> tensor<1x4x?x64xf32> {
  %o = tok.attention %q, %k, %v {causal} : (tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>) -> tensor<1x4x?x64xf32> score_mod {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %c1 = arith.constant 1 : index
    %slope = arith.constant 6.250000e-02 : f32
    %dist = arith.subi %i, %j : index
    %h1 = arith.addi %h, %c1 : index
    %p = arith.muli %dist, %h1 : index
    %pi = arith.index_cast %p : index to i64
    %pf = arith.sitofp %pi : i64 to f32
    %t = arith.mulf %pf, %slope : f32
    %r = arith.subf %s, %t : f32
    tok.yield %r : f32
  }
  return %o : tensor<1x4x?x64xf32>
}
