// Paged decode (Sq=1) over 4 sequences of different lengths, permuted blocks of 16, GQA, f32.
// RUN: rm -rf %t && %python %S/../ref.py paged_attention --lens=37,16,1,300 --hq=8 --hkv=2 --sq=1 --d=64 --bs=16 --max_blocks=20 --nb=27 --seed=3 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%q: tensor<4x8x1x64xf32>, %kc: tensor<27x16x2x64xf32>, %vc: tensor<27x16x2x64xf32>, %table: tensor<4x20xi32>, %lens: tensor<4xi32>) -> tensor<4x8x1x64xf32> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens : (tensor<4x8x1x64xf32>, tensor<27x16x2x64xf32>, tensor<27x16x2x64xf32>, tensor<4x20xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf32>
  return %o : tensor<4x8x1x64xf32>
}
