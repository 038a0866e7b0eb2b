// Block lists with per-head lens and tables (blocks of one kv head): each
// kv head's list names logical blocks of 32 of its own rows (a head of
// length 0 sees nothing whatever it lists).
// RUN: rm -rf %t && %python %S/../ref.py paged_attention_heads --head_lens=37/0/5/300,16/16/1/64,1/2/3/130 --hq=8 --sq=1 --d=64 --bs=16 --max_blocks=20 --block_k=32 --max_sel=5 --counts --diag --seed=4 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --input=@%t/in6.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%q: tensor<3x8x1x64xf32>, %kc: tensor<45x16x1x64xf32>, %vc: tensor<45x16x1x64xf32>, %table: tensor<3x4x20xi32>, %lens: tensor<3x4xi32>, %idx: tensor<3x4x5xi32>, %cnt: tensor<3x4xi32>) -> tensor<3x8x1x64xf32> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens block_indices(%idx : tensor<3x4x5xi32>) block_counts(%cnt : tensor<3x4xi32>) {block_k = 32 : i64} : (tensor<3x8x1x64xf32>, tensor<45x16x1x64xf32>, tensor<45x16x1x64xf32>, tensor<3x4x20xi32>, tensor<3x4xi32>) -> tensor<3x8x1x64xf32>
  return %o : tensor<3x8x1x64xf32>
}
