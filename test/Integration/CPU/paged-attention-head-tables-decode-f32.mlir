// Paged decode (Sq=1) with per-head lens [B, Hkv] and per-head block tables
// [B, Hkv, MaxBlocks] over blocks that hold one kv head (RazorAttention-style
// per-head eviction): heads of different lengths, a head of length 0 (its
// query heads give zeros), GQA (8 query heads over 4 kv heads), permuted
// blocks of 16, f32. Reference: ref/attention.py case_paged_attention_heads
// (float64, per (sequence, kv head) dense attention over that head's rows).
// RUN: rm -rf %t && %python %S/../ref.py paged_attention_heads --head_lens=37/0/5/300,16/16/1/64,1/2/3/4 --hq=8 --sq=1 --d=64 --bs=16 --max_blocks=20 --seed=3 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// The reference lowering (convert-tok-to-linalg) on the same inputs.
// RUN: tokamak-opt %s --convert-tok-to-linalg -o %t.ref.mlir
// RUN: tokamak-run %t.ref.mlir --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/ref-out0.npy
// RUN: %python %S/../compare.py %t/ref-out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%q: tensor<3x8x1x64xf32>, %kc: tensor<?x16x1x64xf32>, %vc: tensor<?x16x1x64xf32>, %table: tensor<3x4x20xi32>, %lens: tensor<3x4xi32>) -> tensor<3x8x1x64xf32> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens : (tensor<3x8x1x64xf32>, tensor<?x16x1x64xf32>, tensor<?x16x1x64xf32>, tensor<3x4x20xi32>, tensor<3x4xi32>) -> tensor<3x8x1x64xf32>
  return %o : tensor<3x8x1x64xf32>
}
