// Paged chunked prefill with a dynamic query length (Sq=37, tiled like prefill) and block size 8, GQA with 2 kv groups, window W=20, f32.
// RUN: rm -rf %t && %python %S/../ref.py paged_attention --lens=37,100,250 --hq=4 --hkv=2 --sq=37 --d=64 --bs=8 --max_blocks=33 --nb=60 --window=20 --seed=17 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%q: tensor<3x4x?x64xf32>, %kc: tensor<60x8x2x64xf32>, %vc: tensor<60x8x2x64xf32>, %table: tensor<3x33xi32>, %lens: tensor<3xi32>) -> tensor<3x4x?x64xf32> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens {window = 20 : i64} : (tensor<3x4x?x64xf32>, tensor<60x8x2x64xf32>, tensor<60x8x2x64xf32>, tensor<3x33xi32>, tensor<3xi32>) -> tensor<3x4x?x64xf32>
  return %o : tensor<3x4x?x64xf32>
}
