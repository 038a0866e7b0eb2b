// Paged decode whose block counts are all 0: every row sees no key and
// yields zeros.
// RUN: rm -rf %t && %python %S/../ref.py paged_attention --lens=5,70 --hq=4 --hkv=2 --sq=1 --d=64 --bs=16 --max_blocks=6 --block_k=32 --max_sel=3 --counts --empty --seed=2 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --input=@%t/in6.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%q: tensor<2x4x1x64xf32>, %kc: tensor<9x16x2x64xf32>, %vc: tensor<9x16x2x64xf32>, %table: tensor<2x6xi32>, %lens: tensor<2xi32>, %idx: tensor<2x2x3xi32>, %cnt: tensor<2x2xi32>) -> tensor<2x4x1x64xf32> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens block_indices(%idx : tensor<2x2x3xi32>) block_counts(%cnt : tensor<2x2xi32>) {block_k = 32 : i64} : (tensor<2x4x1x64xf32>, tensor<9x16x2x64xf32>, tensor<9x16x2x64xf32>, tensor<2x6xi32>, tensor<2xi32>) -> tensor<2x4x1x64xf32>
  return %o : tensor<2x4x1x64xf32>
}
