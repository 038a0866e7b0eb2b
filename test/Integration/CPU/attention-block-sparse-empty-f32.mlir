// Empty block lists (MaxSel = 0): no row sees a key, so the output is zeros
// and lse is -inf. Tiled kernel and reference lowering.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=2 --hkv=2 --sq=100 --skv=100 --d=64 --block_q=64 --block_k=64 --max_sel=0 --lse --seed=8 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4
// RUN: tokamak-opt %s --convert-tok-to-linalg -o %t/lowered.mlir
// RUN: tokamak-run %t/lowered.mlir --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/low0.npy --output=@%t/low1.npy
// RUN: %python %S/../compare.py %t/low0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/low1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<1x2x100x64xf32>, %k: tensor<1x2x100x64xf32>, %v: tensor<1x2x100x64xf32>, %idx: tensor<1x2x2x0xi32>) -> (tensor<1x2x100x64xf32>, tensor<1x2x100xf32>) {
  %o, %lse = tok.attention %q, %k, %v block_indices(%idx : tensor<1x2x2x0xi32>) {block_k = 64 : i64, block_q = 64 : i64} : (tensor<1x2x100x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x64xf32>) -> (tensor<1x2x100x64xf32>, tensor<1x2x100xf32>)
  return %o, %lse : tensor<1x2x100x64xf32>, tensor<1x2x100xf32>
}
