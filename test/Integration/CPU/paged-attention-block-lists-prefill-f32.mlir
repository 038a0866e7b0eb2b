// A paged prefill chunk (Sq=24, GQA 8/2: too many rows for split-KV decode,
// the tiled prefill kernel) with block lists of 16 rows shared by all 24
// queries, window 64 and 3 sinks on top.
// RUN: rm -rf %t && %python %S/../ref.py paged_attention --lens=40,97,200 --hq=8 --hkv=2 --sq=24 --d=64 --bs=16 --max_blocks=14 --block_k=16 --max_sel=6 --counts --diag --window=64 --sinks=3 --seed=9 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --input=@%t/in6.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%q: tensor<3x8x24x64xf32>, %kc: tensor<26x16x2x64xf32>, %vc: tensor<26x16x2x64xf32>, %table: tensor<3x14xi32>, %lens: tensor<3xi32>, %idx: tensor<3x2x6xi32>, %cnt: tensor<3x2xi32>) -> tensor<3x8x24x64xf32> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens block_indices(%idx : tensor<3x2x6xi32>) block_counts(%cnt : tensor<3x2xi32>) {block_k = 16 : i64, sinks = 3 : i64, window = 64 : i64} : (tensor<3x8x24x64xf32>, tensor<26x16x2x64xf32>, tensor<26x16x2x64xf32>, tensor<3x14xi32>, tensor<3xi32>) -> tensor<3x8x24x64xf32>
  return %o : tensor<3x8x24x64xf32>
}
