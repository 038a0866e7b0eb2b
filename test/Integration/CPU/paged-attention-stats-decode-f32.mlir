// Paged decode (Sq=1) with the stats result [B, Hkv, MaxRows] (H2O's per-step column sums): sequences of 700, 97, 1 and 0 tokens (the empty one sees nothing: zero output, zero stats) in permuted blocks of 16, a table of 48 blocks (columns past each length are 0, and the 700-token sequence spans several split-KV chunks), GQA 8q/2kv, f32; tiled kernel and reference lowering.
// Reference: ref/attention.py case_paged_attention (float64 per-sequence dense attention; the stats are the softmax probabilities summed over the query heads of each kv head, placed at each row's cache column).
// RUN: rm -rf %t && %python %S/../ref.py paged_attention --lens=700,97,1,0 --hq=8 --hkv=2 --sq=1 --d=64 --bs=16 --max_blocks=48 --stats --seed=41 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4
// RUN: tokamak-opt %s --convert-tok-to-linalg -o %t/lowered.mlir
// RUN: tokamak-run %t/lowered.mlir --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/low0.npy --output=@%t/low1.npy
// RUN: %python %S/../compare.py %t/low0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/low1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<4x8x1x64xf32>, %kc: tensor<55x16x2x64xf32>, %vc: tensor<55x16x2x64xf32>, %table: tensor<4x48xi32>, %lens: tensor<4xi32>) -> (tensor<4x8x1x64xf32>, tensor<4x2x768xf32>) {
  %o, %s = tok.paged_attention %q, %kc, %vc, %table, %lens : (tensor<4x8x1x64xf32>, tensor<55x16x2x64xf32>, tensor<55x16x2x64xf32>, tensor<4x48xi32>, tensor<4xi32>) -> (tensor<4x8x1x64xf32>, stats tensor<4x2x768xf32>)
  return %o, %s : tensor<4x8x1x64xf32>, tensor<4x2x768xf32>
}
