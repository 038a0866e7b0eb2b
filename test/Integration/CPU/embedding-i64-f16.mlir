// Embedding lookup with i64 ids and 1-D ids, f16 table, against table[ids]
// in ref/basics.py.
// RUN: rm -rf %t && %python %S/../ref.py embedding --shape=13 --vocab=40 --e=8 --ids=i64 --dtype=f16 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-3

func.func @main(%ids: tensor<13xi64>, %table: tensor<40x8xf16>) -> tensor<13x8xf16> {
  %y = tok.embedding %ids, %table : (tensor<13xi64>, tensor<40x8xf16>) -> tensor<13x8xf16>
  return %y : tensor<13x8xf16>
}
