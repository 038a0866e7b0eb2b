// Logical blocks of 24 rows over cache blocks of 16 (Sq=2): AVX-512 leaves
// the op to the reference lowering (no multiple of 16 lanes divides 24),
// AVX2 tiles it by 8 keys (lit -Djit_cpu=znver3).
// RUN: rm -rf %t && %python %S/../ref.py paged_attention --lens=2,50,97,200 --hq=4 --hkv=2 --sq=2 --d=64 --bs=16 --max_blocks=14 --block_k=24 --max_sel=6 --counts --diag --window=60 --seed=13 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --input=@%t/in6.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%q: tensor<4x4x2x64xf32>, %kc: tensor<28x16x2x64xf32>, %vc: tensor<28x16x2x64xf32>, %table: tensor<4x14xi32>, %lens: tensor<4xi32>, %idx: tensor<4x2x6xi32>, %cnt: tensor<4x2xi32>) -> tensor<4x4x2x64xf32> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens block_indices(%idx : tensor<4x2x6xi32>) block_counts(%cnt : tensor<4x2xi32>) {block_k = 24 : i64, window = 60 : i64} : (tensor<4x4x2x64xf32>, tensor<28x16x2x64xf32>, tensor<28x16x2x64xf32>, tensor<4x14xi32>, tensor<4xi32>) -> tensor<4x4x2x64xf32>
  return %o : tensor<4x4x2x64xf32>
}
