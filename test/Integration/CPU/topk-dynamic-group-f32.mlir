// Dynamic row counts and row length with a group along the dynamic head
// dim: [?, ?, ?] with group = 3, a budget, i64 indices; against
// ref/selection.py.
// RUN: rm -rf %t && %python %S/../ref.py topk --shape=2x9x77 --k=6 --group=3 --data=quant --budget --index=i64 --seed=17 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=0

func.func @main(%x: tensor<?x?x?xf32>, %b: tensor<?x?xi32>) -> (tensor<?x?x6xf32>, tensor<?x?x6xi64>) {
  %v, %i = tok.topk %x budget(%b : tensor<?x?xi32>) {group = 3 : i64, k = 6 : i64} : (tensor<?x?x?xf32>) -> (tensor<?x?x6xf32>, tensor<?x?x6xi64>)
  return %v, %i : tensor<?x?x6xf32>, tensor<?x?x6xi64>
}
