// Paged decode stats with per-head lens [B, Hkv]: per-head tables over blocks of one kv head (column r = row r of that head's own cache), heads of different lengths and one of length 0 (zero stats), GQA 8q/4kv, summed per kv head, f32; tiled kernel and reference lowering.
// Reference: ref/attention.py case_paged_attention_heads --stats (float64, per (sequence, kv head) dense attention over the head's rows).
// RUN: rm -rf %t && %python %S/../ref.py paged_attention_heads --head_lens=37/0/5/16,90/64/1/33 --hq=8 --sq=1 --d=64 --bs=16 --layout=heads --stats --seed=44 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4
// RUN: tokamak-opt %s --convert-tok-to-linalg -o %t/lowered.mlir
// RUN: tokamak-run %t/lowered.mlir --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/low0.npy --output=@%t/low1.npy
// RUN: %python %S/../compare.py %t/low1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<2x8x1x64xf32>, %kc: tensor<22x16x1x64xf32>, %vc: tensor<22x16x1x64xf32>, %table: tensor<2x4x7xi32>, %lens: tensor<2x4xi32>) -> (tensor<2x8x1x64xf32>, tensor<2x4x112xf32>) {
  %o, %s = tok.paged_attention %q, %kc, %vc, %table, %lens : (tensor<2x8x1x64xf32>, tensor<22x16x1x64xf32>, tensor<22x16x1x64xf32>, tensor<2x4x7xi32>, tensor<2x4xi32>) -> (tensor<2x8x1x64xf32>, stats tensor<2x4x112xf32>)
  return %o, %s : tensor<2x8x1x64xf32>, tensor<2x4x112xf32>
}
