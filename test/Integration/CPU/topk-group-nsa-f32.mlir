// NSA's block selection: importance [B, Hq, Sq, blocks] summed over the 4
// query heads of each kv head (group = 4 along dim 1), 8 blocks per query,
// quantized scores (ties, exact sums). Tiled kernel and reference lowering
// against ref/selection.py.
// RUN: rm -rf %t && %python %S/../ref.py topk --shape=1x8x6x64 --k=8 --group=4 --data=quant --count --seed=10 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --output=@%t/out0.npy --output=@%t/out1.npy --output=@%t/out2.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=0
// RUN: %python %S/../compare.py %t/out2.npy %t/ref2.npy --rtol=0
// RUN: tokamak-opt %s --convert-tok-to-linalg -o %t/lowered.mlir
// RUN: tokamak-run %t/lowered.mlir --input=@%t/in0.npy --output=@%t/low0.npy --output=@%t/low1.npy --output=@%t/low2.npy
// RUN: %python %S/../compare.py %t/low0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/low1.npy %t/ref1.npy --rtol=0
// RUN: %python %S/../compare.py %t/low2.npy %t/ref2.npy --rtol=0

func.func @main(%imp: tensor<1x8x6x64xf32>) -> (tensor<1x2x6x8xf32>, tensor<1x2x6x8xi32>, tensor<1x2x6xi32>) {
  %v, %i, %n = tok.topk %imp {group = 4 : i64, k = 8 : i64} : (tensor<1x8x6x64xf32>) -> (tensor<1x2x6x8xf32>, tensor<1x2x6x8xi32>, tensor<1x2x6xi32>)
  return %v, %i, %n : tensor<1x2x6x8xf32>, tensor<1x2x6x8xi32>, tensor<1x2x6xi32>
}
