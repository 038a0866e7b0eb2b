// Paged stats per query head [B, Hq, MaxRows] of f16 caches (f32 stats) for a 3-query chunk (Sq=3: every query's probabilities summed, each causal at its own position), softcap 30, sequences of 3, 50 and 130 tokens in blocks of 8, GQA 6q/2kv; tiled kernel and reference lowering.
// Reference: ref/attention.py case_paged_attention --stats --stats_per_query_head (float64 scores of the f16-rounded inputs).
// RUN: rm -rf %t && %python %S/../ref.py paged_attention --lens=3,50,130 --hq=6 --hkv=2 --sq=3 --d=32 --bs=8 --softcap=30 --dtype=f16 --stats --stats_per_query_head --seed=43 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-3
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4
// RUN: tokamak-opt %s --convert-tok-to-linalg -o %t/lowered.mlir
// RUN: tokamak-run %t/lowered.mlir --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/low0.npy --output=@%t/low1.npy
// RUN: %python %S/../compare.py %t/low1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<3x6x3x32xf16>, %kc: tensor<28x8x2x32xf16>, %vc: tensor<28x8x2x32xf16>, %table: tensor<3x18xi32>, %lens: tensor<3xi32>) -> (tensor<3x6x3x32xf16>, tensor<3x6x144xf32>) {
  %o, %s = tok.paged_attention %q, %kc, %vc, %table, %lens {softcap = 3.000000e+01 : f32, stats_per_query_head} : (tensor<3x6x3x32xf16>, tensor<28x8x2x32xf16>, tensor<28x8x2x32xf16>, tensor<3x18xi32>, tensor<3xi32>) -> (tensor<3x6x3x32xf16>, stats tensor<3x6x144xf32>)
  return %o, %s : tensor<3x6x3x32xf16>, tensor<3x6x144xf32>
}
