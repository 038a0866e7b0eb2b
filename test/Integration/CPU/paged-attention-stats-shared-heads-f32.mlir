// Paged prefill-chunk stats (Sq=2) with per-head lens over a shared table (one block holds every kv head; column r = row r of each head), per query head, window 16 with 2 sinks, GQA 4q/2kv, f32; tiled kernel and reference lowering.
// Reference: ref/attention.py case_paged_attention_heads --layout=shared --stats --stats_per_query_head (float64).
// RUN: rm -rf %t && %python %S/../ref.py paged_attention_heads --head_lens=40/21,2/70 --hq=4 --sq=2 --d=32 --bs=16 --layout=shared --window=16 --sinks=2 --stats --stats_per_query_head --seed=45 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4
// RUN: tokamak-opt %s --convert-tok-to-linalg -o %t/lowered.mlir
// RUN: tokamak-run %t/lowered.mlir --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/low0.npy --output=@%t/low1.npy
// RUN: %python %S/../compare.py %t/low1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<2x4x2x32xf32>, %kc: tensor<11x16x2x32xf32>, %vc: tensor<11x16x2x32xf32>, %table: tensor<2x6xi32>, %lens: tensor<2x2xi32>) -> (tensor<2x4x2x32xf32>, tensor<2x4x96xf32>) {
  %o, %s = tok.paged_attention %q, %kc, %vc, %table, %lens {sinks = 2 : i64, stats_per_query_head, window = 16 : i64} : (tensor<2x4x2x32xf32>, tensor<11x16x2x32xf32>, tensor<11x16x2x32xf32>, tensor<2x6xi32>, tensor<2x2xi32>) -> (tensor<2x4x2x32xf32>, stats tensor<2x4x96xf32>)
  return %o, %s : tensor<2x4x2x32xf32>, tensor<2x4x96xf32>
}
