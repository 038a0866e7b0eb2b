// Stats of packed non-causal sequences per query head without a window (every row of each key's sequence), bf16 inputs with f32 stats, MHA; tiled kernel and reference lowering.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=2 --hkv=2 --sq=100 --skv=100 --d=32 --dtype=bf16 --seqlens=40,60 --stats --stats_per_query_head --seed=38 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4
// RUN: tokamak-opt %s --convert-tok-to-linalg -o %t/lowered.mlir
// RUN: tokamak-run %t/lowered.mlir --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/low0.npy --output=@%t/low1.npy
// RUN: %python %S/../compare.py %t/low1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<1x2x?x32xbf16>, %k: tensor<1x2x?x32xbf16>, %v: tensor<1x2x?x32xbf16>, %cu: tensor<3xi32>) -> (tensor<1x2x?x32xbf16>, tensor<1x2x?xf32>) {
  %o, %s = tok.attention %q, %k, %v seq_starts(%cu : tensor<3xi32>) {stats_per_query_head} : (tensor<1x2x?x32xbf16>, tensor<1x2x?x32xbf16>, tensor<1x2x?x32xbf16>) -> (tensor<1x2x?x32xbf16>, stats tensor<1x2x?xf32>)
  return %o, %s : tensor<1x2x?x32xbf16>, tensor<1x2x?xf32>
}
