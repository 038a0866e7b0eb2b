// Paged decode split-KV: 3 sequences of 3000, 1500 and 17 tokens in permuted blocks of 16 (table width 190: several key chunks, some past a sequence's end), GQA, D=128, f32.
// RUN: rm -rf %t && %python %S/../ref.py paged_attention --lens=3000,1500,17 --hq=8 --hkv=2 --sq=1 --d=128 --bs=16 --max_blocks=190 --nb=290 --seed=16 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%q: tensor<3x8x1x128xf32>, %kc: tensor<290x16x2x128xf32>, %vc: tensor<290x16x2x128xf32>, %table: tensor<3x190xi32>, %lens: tensor<3xi32>) -> tensor<3x8x1x128xf32> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens : (tensor<3x8x1x128xf32>, tensor<290x16x2x128xf32>, tensor<290x16x2x128xf32>, tensor<3x190xi32>, tensor<3xi32>) -> tensor<3x8x1x128xf32>
  return %o : tensor<3x8x1x128xf32>
}
