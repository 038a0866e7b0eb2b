// Paged decode (Sq=1) over 4 sequences, GQA, block size 32, f16.
// RUN: rm -rf %t && %python %S/../ref.py paged_attention --lens=500,33,64,1 --hq=8 --hkv=2 --sq=1 --d=64 --bs=32 --max_blocks=17 --nb=24 --dtype=f16 --seed=3 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-3

func.func @main(%q: tensor<4x8x1x64xf16>, %kc: tensor<24x32x2x64xf16>, %vc: tensor<24x32x2x64xf16>, %table: tensor<4x17xi32>, %lens: tensor<4xi32>) -> tensor<4x8x1x64xf16> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens : (tensor<4x8x1x64xf16>, tensor<24x32x2x64xf16>, tensor<24x32x2x64xf16>, tensor<4x17xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf16>
  return %o : tensor<4x8x1x64xf16>
}
