// Embedding lookup with i32 ids, f32 table, against table[ids] in
// ref/basics.py.
// RUN: rm -rf %t && %python %S/../ref.py embedding --shape=2,9 --vocab=100 --e=16 --ids=i32 --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%ids: tensor<2x9xi32>, %table: tensor<100x16xf32>) -> tensor<2x9x16xf32> {
  %y = tok.embedding %ids, %table : (tensor<2x9xi32>, tensor<100x16xf32>) -> tensor<2x9x16xf32>
  return %y : tensor<2x9x16xf32>
}
