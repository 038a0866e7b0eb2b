// Paged attention (Sq=3) with block lists of 16 rows (the newest block
// listed first), window 40 and 4 sinks on top, f16.
// RUN: rm -rf %t && %python %S/../ref.py paged_attention --lens=3,50,97,200 --hq=4 --hkv=4 --sq=3 --d=64 --bs=16 --max_blocks=14 --block_k=16 --max_sel=5 --counts --diag --window=40 --sinks=4 --dtype=f16 --seed=8 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --input=@%t/in6.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-3

func.func @main(%q: tensor<4x4x3x64xf16>, %kc: tensor<28x16x4x64xf16>, %vc: tensor<28x16x4x64xf16>, %table: tensor<4x14xi32>, %lens: tensor<4xi32>, %idx: tensor<4x4x5xi32>, %cnt: tensor<4x4xi32>) -> tensor<4x4x3x64xf16> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens block_indices(%idx : tensor<4x4x5xi32>) block_counts(%cnt : tensor<4x4xi32>) {block_k = 16 : i64, sinks = 4 : i64, window = 40 : i64} : (tensor<4x4x3x64xf16>, tensor<28x16x4x64xf16>, tensor<28x16x4x64xf16>, tensor<4x14xi32>, tensor<4xi32>) -> tensor<4x4x3x64xf16>
  return %o : tensor<4x4x3x64xf16>
}
