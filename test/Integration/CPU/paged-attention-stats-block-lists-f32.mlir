// Paged decode stats with block lists of logical blocks of 32 rows (the newest block listed first, then random ids with -1 padding, ids past the capacity, duplicates; counts in [-1, MaxSel + 1], so some lists are empty): the rows of unvisited blocks get 0, a query whose lists miss every block adds nothing; window 64 with 4 sinks on top (an unlisted sink is not seen), GQA 8q/2kv, f32; tiled kernel and reference lowering.
// Reference: ref/attention.py case_paged_attention --stats (float64, block_sparse_mask AND the causal/window/sinks mask, probabilities summed per kv head).
// RUN: rm -rf %t && %python %S/../ref.py paged_attention --lens=200,97,33 --hq=8 --hkv=2 --sq=1 --d=64 --bs=16 --max_blocks=14 --window=64 --sinks=4 --block_k=32 --max_sel=4 --counts --diag --stats --seed=47 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --input=@%t/in6.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4
// RUN: tokamak-opt %s --convert-tok-to-linalg -o %t/lowered.mlir
// RUN: tokamak-run %t/lowered.mlir --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --input=@%t/in6.npy --output=@%t/low0.npy --output=@%t/low1.npy
// RUN: %python %S/../compare.py %t/low1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<3x8x1x64xf32>, %kc: tensor<26x16x2x64xf32>, %vc: tensor<26x16x2x64xf32>, %table: tensor<3x14xi32>, %lens: tensor<3xi32>, %idx: tensor<3x2x4xi32>, %cnt: tensor<3x2xi32>) -> (tensor<3x8x1x64xf32>, tensor<3x2x224xf32>) {
  %o, %s = tok.paged_attention %q, %kc, %vc, %table, %lens block_indices(%idx : tensor<3x2x4xi32>) block_counts(%cnt : tensor<3x2xi32>) {block_k = 32 : i64, sinks = 4 : i64, window = 64 : i64} : (tensor<3x8x1x64xf32>, tensor<26x16x2x64xf32>, tensor<26x16x2x64xf32>, tensor<3x14xi32>, tensor<3xi32>) -> (tensor<3x8x1x64xf32>, stats tensor<3x2x224xf32>)
  return %o, %s : tensor<3x8x1x64xf32>, tensor<3x2x224xf32>
}
