// Stats per query head of f16 inputs (f32 stats), non-causal, window 1000 > Sq = 40 (every row), Skv = 70 (a partial key block), GQA 4q/2kv, no lse; tiled kernel and reference lowering.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=4 --hkv=2 --sq=40 --skv=70 --d=32 --dtype=f16 --stats --stats_window=1000 --stats_per_query_head --seed=32 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-3
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4
// RUN: tokamak-opt %s --convert-tok-to-linalg -o %t/lowered.mlir
// RUN: tokamak-run %t/lowered.mlir --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/low0.npy --output=@%t/low1.npy
// RUN: %python %S/../compare.py %t/low1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<1x4x40x32xf16>, %k: tensor<1x2x70x32xf16>, %v: tensor<1x2x70x32xf16>) -> (tensor<1x4x40x32xf16>, tensor<1x4x70xf32>) {
  %o, %s = tok.attention %q, %k, %v {stats_per_query_head, stats_window = 1000 : i64} : (tensor<1x4x40x32xf16>, tensor<1x2x70x32xf16>, tensor<1x2x70x32xf16>) -> (tensor<1x4x40x32xf16>, stats tensor<1x4x70xf32>)
  return %o, %s : tensor<1x4x40x32xf16>, tensor<1x4x70xf32>
}
