// Paged decode with window W=64 and 4 sinks, bf16.
// RUN: rm -rf %t && %python %S/../ref.py paged_attention --lens=300,64,65,1000 --hq=4 --hkv=1 --sq=1 --d=64 --bs=16 --max_blocks=64 --nb=94 --dtype=bf16 --window=64 --sinks=4 --seed=3 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2

func.func @main(%q: tensor<4x4x1x64xbf16>, %kc: tensor<94x16x1x64xbf16>, %vc: tensor<94x16x1x64xbf16>, %table: tensor<4x64xi32>, %lens: tensor<4xi32>) -> tensor<4x4x1x64xbf16> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens {sinks = 4 : i64, window = 64 : i64} : (tensor<4x4x1x64xbf16>, tensor<94x16x1x64xbf16>, tensor<94x16x1x64xbf16>, tensor<4x64xi32>, tensor<4xi32>) -> tensor<4x4x1x64xbf16>
  return %o : tensor<4x4x1x64xbf16>
}
