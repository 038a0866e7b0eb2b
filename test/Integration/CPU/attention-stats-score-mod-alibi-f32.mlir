// Stats of the probabilities after a score_mod (ALiBi-like s - 0.0625 (h + 1)(i - j) from the index arguments: the stats sweep must see the global query and head indices), window 5 of Sq = 300, per query head, causal MHA, dynamic S; tiled kernel and reference lowering.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=4 --hkv=4 --sq=300 --skv=300 --d=64 --causal --score_mod=alibi --stats --stats_window=5 --stats_per_query_head --seed=36 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4
// RUN: tokamak-opt %s --convert-tok-to-linalg -o %t/lowered.mlir
// RUN: tokamak-run %t/lowered.mlir --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/low0.npy --output=@%t/low1.npy
// RUN: %python %S/../compare.py %t/low1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<1x4x?x64xf32>, %k: tensor<1x4x?x64xf32>, %v: tensor<1x4x?x64xf32>) -> (tensor<1x4x?x64xf32>, tensor<1x4x?xf32>) {
  %o, %st = tok.attention %q, %k, %v {causal, stats_per_query_head, stats_window = 5 : i64} : (tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>) -> (tensor<1x4x?x64xf32>, stats tensor<1x4x?xf32>) score_mod {
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
  return %o, %st : tensor<1x4x?x64xf32>, tensor<1x4x?xf32>
}
