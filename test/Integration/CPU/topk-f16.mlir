// Top-16 of f16 unit normals (ties from the rounding go to the lower index)
// with i64 indices, against ref/selection.py.
// RUN: rm -rf %t && %python %S/../ref.py topk --shape=2x4x300 --k=16 --dtype=f16 --index=i64 --seed=2 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-3
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=0

func.func @main(%x: tensor<2x4x300xf16>) -> (tensor<2x4x16xf16>, tensor<2x4x16xi64>) {
  %v, %i = tok.topk %x {k = 16 : i64} : (tensor<2x4x300xf16>) -> (tensor<2x4x16xf16>, tensor<2x4x16xi64>)
  return %v, %i : tensor<2x4x16xf16>, tensor<2x4x16xi64>
}
