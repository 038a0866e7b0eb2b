// The 12 smallest along the last dim with NaN, ±inf and ±0 entries (NaN
// still last, fill +inf); against ref/selection.py.
// RUN: rm -rf %t && %python %S/../ref.py topk --shape=4x37 --k=12 --smallest --data=special --seed=16 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=0

func.func @main(%x: tensor<4x37xf32>) -> (tensor<4x12xf32>, tensor<4x12xi32>) {
  %v, %i = tok.topk %x {k = 12 : i64, smallest} : (tensor<4x37xf32>) -> (tensor<4x12xf32>, tensor<4x12xi32>)
  return %v, %i : tensor<4x12xf32>, tensor<4x12xi32>
}
