// Paged attention (Sq=2) whose lists never name the block holding the
// newest rows (blocks of 64 rows over cache blocks of 16): the new queries
// do not see their own keys, only the listed older blocks; no counts (all
// MaxSel entries count).
// RUN: rm -rf %t && %python %S/../ref.py paged_attention --lens=64,130,200,256 --hq=4 --hkv=2 --sq=2 --d=64 --bs=16 --max_blocks=17 --block_k=64 --max_sel=3 --hide_newest --seed=11 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%q: tensor<4x4x2x64xf32>, %kc: tensor<45x16x2x64xf32>, %vc: tensor<45x16x2x64xf32>, %table: tensor<4x17xi32>, %lens: tensor<4xi32>, %idx: tensor<4x2x3xi32>) -> tensor<4x4x2x64xf32> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens block_indices(%idx : tensor<4x2x3xi32>) {block_k = 64 : i64} : (tensor<4x4x2x64xf32>, tensor<45x16x2x64xf32>, tensor<45x16x2x64xf32>, tensor<4x17xi32>, tensor<4xi32>) -> tensor<4x4x2x64xf32>
  return %o : tensor<4x4x2x64xf32>
}
