// Rope fused into paged decode (Sq=1, GQA 8 over 2 kv heads, blocks of 16,
// 4 sequences of different lengths): the query is tok.rope(x, pos) and the
// split-KV tiles rotate it while packing it. Reference: ref/attention.py
// (float64 rope, then attention over the gathered cache).
// RUN: rm -rf %t && %python %S/../ref.py paged_attention --lens=37,16,1,300 --hq=8 --hkv=2 --sq=1 --d=128 --bs=16 --max_blocks=20 --nb=27 --rope --seed=13 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%x: tensor<4x8x1x128xf32>, %kc: tensor<27x16x2x128xf32>, %vc: tensor<27x16x2x128xf32>, %table: tensor<4x20xi32>, %lens: tensor<4xi32>, %pos: tensor<4x1xi32>) -> tensor<4x8x1x128xf32> {
  %q = tok.rope %x, %pos : (tensor<4x8x1x128xf32>, tensor<4x1xi32>) -> tensor<4x8x1x128xf32>
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens : (tensor<4x8x1x128xf32>, tensor<27x16x2x128xf32>, tensor<27x16x2x128xf32>, tensor<4x20xi32>, tensor<4xi32>) -> tensor<4x8x1x128xf32>
  return %o : tensor<4x8x1x128xf32>
}
