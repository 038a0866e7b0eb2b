// Paged chunked prefill (Sq=8) over 3 sequences, block size 8, f32.
// RUN: rm -rf %t && %python %S/../ref.py paged_attention --lens=8,29,130 --hq=4 --hkv=4 --sq=8 --d=64 --bs=8 --max_blocks=18 --nb=25 --seed=3 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%q: tensor<3x4x8x64xf32>, %kc: tensor<25x8x4x64xf32>, %vc: tensor<25x8x4x64xf32>, %table: tensor<3x18xi32>, %lens: tensor<3xi32>) -> tensor<3x4x8x64xf32> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens : (tensor<3x4x8x64xf32>, tensor<25x8x4x64xf32>, tensor<25x8x4x64xf32>, tensor<3x18xi32>, tensor<3xi32>) -> tensor<3x4x8x64xf32>
  return %o : tensor<3x4x8x64xf32>
}
