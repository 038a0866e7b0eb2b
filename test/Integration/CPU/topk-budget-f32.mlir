// A run-time budget per row (0, negative, above k and in between): each row
// keeps its first clamp(b, 0, k) entries, the rest is fill. Tiled kernel and
// reference lowering against ref/selection.py.
// RUN: rm -rf %t && %python %S/../ref.py topk --shape=3x5x64 --k=10 --budget --count --seed=9 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --output=@%t/out0.npy --output=@%t/out1.npy --output=@%t/out2.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=0
// RUN: %python %S/../compare.py %t/out2.npy %t/ref2.npy --rtol=0
// RUN: tokamak-opt %s --convert-tok-to-linalg -o %t/lowered.mlir
// RUN: tokamak-run %t/lowered.mlir --input=@%t/in0.npy --input=@%t/in1.npy --output=@%t/low0.npy --output=@%t/low1.npy --output=@%t/low2.npy
// RUN: %python %S/../compare.py %t/low0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/low1.npy %t/ref1.npy --rtol=0
// RUN: %python %S/../compare.py %t/low2.npy %t/ref2.npy --rtol=0

func.func @main(%x: tensor<3x5x64xf32>, %b: tensor<3x5xi32>) -> (tensor<3x5x10xf32>, tensor<3x5x10xi32>, tensor<3x5xi32>) {
  %v, %i, %n = tok.topk %x budget(%b : tensor<3x5xi32>) {k = 10 : i64} : (tensor<3x5x64xf32>) -> (tensor<3x5x10xf32>, tensor<3x5x10xi32>, tensor<3x5xi32>)
  return %v, %i, %n : tensor<3x5x10xf32>, tensor<3x5x10xi32>, tensor<3x5xi32>
}
