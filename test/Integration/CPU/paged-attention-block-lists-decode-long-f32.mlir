// Paged decode over up to 4000 tokens (table capacity 4032): split-KV
// decode cuts the keys into several chunks, each walking the whole list
// and visiting only its listed blocks of 64 rows (newest block first).
// RUN: rm -rf %t && %python %S/../ref.py paged_attention --lens=4000,1500 --hq=4 --hkv=2 --sq=1 --d=64 --bs=32 --max_blocks=126 --block_k=64 --max_sel=12 --counts --diag --seed=12 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --input=@%t/in6.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%q: tensor<2x4x1x64xf32>, %kc: tensor<175x32x2x64xf32>, %vc: tensor<175x32x2x64xf32>, %table: tensor<2x126xi32>, %lens: tensor<2xi32>, %idx: tensor<2x2x12xi32>, %cnt: tensor<2x2xi32>) -> tensor<2x4x1x64xf32> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens block_indices(%idx : tensor<2x2x12xi32>) block_counts(%cnt : tensor<2x2xi32>) {block_k = 64 : i64} : (tensor<2x4x1x64xf32>, tensor<175x32x2x64xf32>, tensor<175x32x2x64xf32>, tensor<2x126xi32>, tensor<2xi32>) -> tensor<2x4x1x64xf32>
  return %o : tensor<2x4x1x64xf32>
}
