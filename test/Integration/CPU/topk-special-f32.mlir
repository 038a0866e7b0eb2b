// NaN, +inf, -inf, -0 and +0 entries (one row all NaN, one all -inf): NaN
// ranks below -inf, -0 ties with +0; k = 36 of 40 so NaNs are selected in
// rows with few numbers. Tiled kernel and reference lowering against
// ref/selection.py.
// RUN: rm -rf %t && %python %S/../ref.py topk --shape=6x40 --k=36 --data=special --count --seed=8 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --output=@%t/out0.npy --output=@%t/out1.npy --output=@%t/out2.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=0
// RUN: %python %S/../compare.py %t/out2.npy %t/ref2.npy --rtol=0
// RUN: tokamak-opt %s --convert-tok-to-linalg -o %t/lowered.mlir
// RUN: tokamak-run %t/lowered.mlir --input=@%t/in0.npy --output=@%t/low0.npy --output=@%t/low1.npy --output=@%t/low2.npy
// RUN: %python %S/../compare.py %t/low0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/low1.npy %t/ref1.npy --rtol=0
// RUN: %python %S/../compare.py %t/low2.npy %t/ref2.npy --rtol=0

func.func @main(%x: tensor<6x40xf32>) -> (tensor<6x36xf32>, tensor<6x36xi32>, tensor<6xi32>) {
  %v, %i, %n = tok.topk %x {k = 36 : i64} : (tensor<6x40xf32>) -> (tensor<6x36xf32>, tensor<6x36xi32>, tensor<6xi32>)
  return %v, %i, %n : tensor<6x36xf32>, tensor<6x36xi32>, tensor<6xi32>
}
