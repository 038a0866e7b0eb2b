// Top-8 of unit normals along a dynamic last dim of 100 (a masked tail
// vector), f32, against the float64 NumPy reference of ref/selection.py.
// RUN: rm -rf %t && %python %S/../ref.py topk --shape=2x8x100 --k=8 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=0

func.func @main(%x: tensor<2x8x?xf32>) -> (tensor<2x8x8xf32>, tensor<2x8x8xi32>) {
  %v, %i = tok.topk %x {k = 8 : i64} : (tensor<2x8x?xf32>) -> (tensor<2x8x8xf32>, tensor<2x8x8xi32>)
  return %v, %i : tensor<2x8x8xf32>, tensor<2x8x8xi32>
}
