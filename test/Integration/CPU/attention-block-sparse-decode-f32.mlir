// Block lists for a decode-like problem (Sq = 5 < Skv = 900, bottom-right
// causal, one query block) with key blocks of 24 keys, which the AVX-512
// kernel leaves to the reference lowering (no multiple of 16 lanes divides
// 24) and the AVX2 kernel tiles by 8; with lse.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=2 --hq=4 --hkv=4 --sq=5 --skv=900 --d=64 --causal --block_q=64 --block_k=24 --max_sel=10 --counts --diag --lse --seed=7 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<2x4x5x64xf32>, %k: tensor<2x4x900x64xf32>, %v: tensor<2x4x900x64xf32>, %idx: tensor<2x4x1x10xi32>, %cnt: tensor<2x4x1xi32>) -> (tensor<2x4x5x64xf32>, tensor<2x4x5xf32>) {
  %o, %lse = tok.attention %q, %k, %v block_indices(%idx : tensor<2x4x1x10xi32>) block_counts(%cnt : tensor<2x4x1xi32>) {block_k = 24 : i64, block_q = 64 : i64, causal} : (tensor<2x4x5x64xf32>, tensor<2x4x900x64xf32>, tensor<2x4x900x64xf32>) -> (tensor<2x4x5x64xf32>, tensor<2x4x5xf32>)
  return %o, %lse : tensor<2x4x5x64xf32>, tensor<2x4x5xf32>
}
