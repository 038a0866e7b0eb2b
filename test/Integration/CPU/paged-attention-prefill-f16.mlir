// Paged prefill (Sq=16) over 2 sequences, f16.
// RUN: rm -rf %t && %python %S/../ref.py paged_attention --lens=16,200 --hq=4 --hkv=4 --sq=16 --d=64 --bs=16 --max_blocks=14 --nb=17 --dtype=f16 --seed=3 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-3

func.func @main(%q: tensor<2x4x16x64xf16>, %kc: tensor<17x16x4x64xf16>, %vc: tensor<17x16x4x64xf16>, %table: tensor<2x14xi32>, %lens: tensor<2xi32>) -> tensor<2x4x16x64xf16> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens : (tensor<2x4x16x64xf16>, tensor<17x16x4x64xf16>, tensor<17x16x4x64xf16>, tensor<2x14xi32>, tensor<2xi32>) -> tensor<2x4x16x64xf16>
  return %o : tensor<2x4x16x64xf16>
}
