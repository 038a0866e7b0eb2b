// Block lists combined with causal + window 100 + 4 sinks + softcap, GQA
// 8q/2kv (tiles of 16 query rows), query blocks of 16, key blocks of 32
// (smaller than the kernel's key block), S = 777, each list led by its
// diagonal block, with lse. Tiled kernel and reference lowering.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=8 --hkv=2 --sq=777 --skv=777 --d=64 --causal --window=100 --sinks=4 --softcap=30 --block_q=16 --block_k=32 --max_sel=8 --counts --diag --lse --seed=5 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4
// RUN: tokamak-opt %s --convert-tok-to-linalg -o %t/lowered.mlir
// RUN: tokamak-run %t/lowered.mlir --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/low0.npy --output=@%t/low1.npy
// RUN: %python %S/../compare.py %t/low0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/low1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<1x8x?x64xf32>, %k: tensor<1x2x?x64xf32>, %v: tensor<1x2x?x64xf32>, %idx: tensor<1x2x49x8xi32>, %cnt: tensor<1x2x49xi32>) -> (tensor<1x8x?x64xf32>, tensor<1x8x?xf32>) {
  %o, %lse = tok.attention %q, %k, %v block_indices(%idx : tensor<1x2x49x8xi32>) block_counts(%cnt : tensor<1x2x49xi32>) {block_k = 32 : i64, block_q = 16 : i64, causal, sinks = 4 : i64, softcap = 3.000000e+01 : f32, window = 100 : i64} : (tensor<1x8x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> (tensor<1x8x?x64xf32>, tensor<1x8x?xf32>)
  return %o, %lse : tensor<1x8x?x64xf32>, tensor<1x8x?xf32>
}
