// Paged decode (Sq=1, GQA 8/2) with block lists of logical key blocks of 32
// rows: random ids (-1 padding, ids past the capacity, duplicates) and
// counts in [-1, MaxSel + 1]; the length-1 sequence's list mostly misses
// its only block, whose rows then see nothing (zeros).
// RUN: rm -rf %t && %python %S/../ref.py paged_attention --lens=1,40,97,200 --hq=8 --hkv=2 --sq=1 --d=64 --bs=16 --max_blocks=14 --block_k=32 --max_sel=6 --counts --seed=5 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --input=@%t/in6.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%q: tensor<4x8x1x64xf32>, %kc: tensor<27x16x2x64xf32>, %vc: tensor<27x16x2x64xf32>, %table: tensor<4x14xi32>, %lens: tensor<4xi32>, %idx: tensor<4x2x6xi32>, %cnt: tensor<4x2xi32>) -> tensor<4x8x1x64xf32> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens block_indices(%idx : tensor<4x2x6xi32>) block_counts(%cnt : tensor<4x2xi32>) {block_k = 32 : i64} : (tensor<4x8x1x64xf32>, tensor<27x16x2x64xf32>, tensor<27x16x2x64xf32>, tensor<4x14xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf32>
  return %o : tensor<4x8x1x64xf32>
}
