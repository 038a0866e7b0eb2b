// Block-sparse causal GQA attention (block lists per batch, kv head and query
// block of 64 rows, key blocks of 64): random ids with -1 padding, ids past
// the last key block, duplicates, counts below 0 (empty lists) and above
// MaxSel; S = 1000 (partial last blocks), dynamic S and Nqb, with lse. Tiled
// kernel and reference lowering against ref/attention.py.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=2 --hq=4 --hkv=2 --sq=1000 --skv=1000 --d=64 --causal --block_q=64 --block_k=64 --max_sel=6 --counts --lse --seed=3 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4
// RUN: tokamak-opt %s --convert-tok-to-linalg -o %t/lowered.mlir
// RUN: tokamak-run %t/lowered.mlir --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/low0.npy --output=@%t/low1.npy
// RUN: %python %S/../compare.py %t/low0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/low1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<2x4x?x64xf32>, %k: tensor<2x2x?x64xf32>, %v: tensor<2x2x?x64xf32>, %idx: tensor<2x2x?x6xi32>, %cnt: tensor<2x2x?xi32>) -> (tensor<2x4x?x64xf32>, tensor<2x4x?xf32>) {
  %o, %lse = tok.attention %q, %k, %v block_indices(%idx : tensor<2x2x?x6xi32>) block_counts(%cnt : tensor<2x2x?xi32>) {block_k = 64 : i64, block_q = 64 : i64, causal} : (tensor<2x4x?x64xf32>, tensor<2x2x?x64xf32>, tensor<2x2x?x64xf32>) -> (tensor<2x4x?x64xf32>, tensor<2x4x?xf32>)
  return %o, %lse : tensor<2x4x?x64xf32>, tensor<2x4x?xf32>
}
