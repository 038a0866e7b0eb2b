// Stats of the last 16 of 100 query rows (SnapKV's window), causal GQA 8q/2kv summed per kv head, with lse, dynamic S, B=2; tiled kernel and reference lowering.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=2 --hq=8 --hkv=2 --sq=100 --skv=100 --d=64 --causal --lse --stats --stats_window=16 --seed=31 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy --output=@%t/out1.npy --output=@%t/out2.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out2.npy %t/ref2.npy --rtol=1e-4
// RUN: tokamak-opt %s --convert-tok-to-linalg -o %t/lowered.mlir
// RUN: tokamak-run %t/lowered.mlir --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/low0.npy --output=@%t/low1.npy --output=@%t/low2.npy
// RUN: %python %S/../compare.py %t/low2.npy %t/ref2.npy --rtol=1e-4

func.func @main(%q: tensor<2x8x?x64xf32>, %k: tensor<2x2x?x64xf32>, %v: tensor<2x2x?x64xf32>) -> (tensor<2x8x?x64xf32>, tensor<2x8x?xf32>, tensor<2x2x?xf32>) {
  %o, %lse, %s = tok.attention %q, %k, %v {causal, stats_window = 16 : i64} : (tensor<2x8x?x64xf32>, tensor<2x2x?x64xf32>, tensor<2x2x?x64xf32>) -> (tensor<2x8x?x64xf32>, tensor<2x8x?xf32>, stats tensor<2x2x?xf32>)
  return %o, %lse, %s : tensor<2x8x?x64xf32>, tensor<2x8x?xf32>, tensor<2x2x?xf32>
}
