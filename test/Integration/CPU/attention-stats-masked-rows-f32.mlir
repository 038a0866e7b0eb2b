// Stats over rows with no visible key: causal Sq = 40 > Skv = 24, so the first 16 queries see nothing; the window of 30 rows covers 6 of them (they add 0), per query head; tiled kernel and reference lowering.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=2 --hkv=2 --sq=40 --skv=24 --d=16 --causal --stats --stats_window=30 --stats_per_query_head --seed=34 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4
// RUN: tokamak-opt %s --convert-tok-to-linalg -o %t/lowered.mlir
// RUN: tokamak-run %t/lowered.mlir --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/low0.npy --output=@%t/low1.npy
// RUN: %python %S/../compare.py %t/low1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<1x2x40x16xf32>, %k: tensor<1x2x24x16xf32>, %v: tensor<1x2x24x16xf32>) -> (tensor<1x2x40x16xf32>, tensor<1x2x24xf32>) {
  %o, %s = tok.attention %q, %k, %v {causal, stats_per_query_head, stats_window = 30 : i64} : (tensor<1x2x40x16xf32>, tensor<1x2x24x16xf32>, tensor<1x2x24x16xf32>) -> (tensor<1x2x40x16xf32>, stats tensor<1x2x24xf32>)
  return %o, %s : tensor<1x2x40x16xf32>, tensor<1x2x24xf32>
}
