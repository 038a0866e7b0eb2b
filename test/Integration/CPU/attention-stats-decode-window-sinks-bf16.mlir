// One decode step's probability column sums (the H2O accumulation step: no stats_window, so W = Sq = 2) on the split-KV decode path: 2 queries over 3000 keys, window 100 + 4 sinks, GQA 8q/2kv, bf16 inputs with f32 stats; tiled kernel and reference lowering.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=8 --hkv=2 --sq=2 --skv=3000 --d=64 --dtype=bf16 --causal --window=100 --sinks=4 --stats --seed=33 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4
// RUN: tokamak-opt %s --convert-tok-to-linalg -o %t/lowered.mlir
// RUN: tokamak-run %t/lowered.mlir --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/low0.npy --output=@%t/low1.npy
// RUN: %python %S/../compare.py %t/low1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<1x8x2x64xbf16>, %k: tensor<1x2x?x64xbf16>, %v: tensor<1x2x?x64xbf16>) -> (tensor<1x8x2x64xbf16>, tensor<1x2x?xf32>) {
  %o, %s = tok.attention %q, %k, %v {causal, sinks = 4 : i64, window = 100 : i64} : (tensor<1x8x2x64xbf16>, tensor<1x2x?x64xbf16>, tensor<1x2x?x64xbf16>) -> (tensor<1x8x2x64xbf16>, stats tensor<1x2x?xf32>)
  return %o, %s : tensor<1x8x2x64xbf16>, tensor<1x2x?xf32>
}
