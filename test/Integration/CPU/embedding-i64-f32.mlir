// Embedding lookup with i64 ids and a dynamic sequence, f32 table, against
// table[ids] in ref/basics.py.
// RUN: rm -rf %t && %python %S/../ref.py embedding --shape=3,11 --vocab=50 --e=24 --ids=i64 --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%ids: tensor<3x?xi64>, %table: tensor<50x24xf32>) -> tensor<3x?x24xf32> {
  %y = tok.embedding %ids, %table : (tensor<3x?xi64>, tensor<50x24xf32>) -> tensor<3x?x24xf32>
  return %y : tensor<3x?x24xf32>
}
