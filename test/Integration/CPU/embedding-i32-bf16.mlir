// Embedding lookup with i32 ids, bf16 table, against table[ids] in
// ref/basics.py.
// RUN: rm -rf %t && %python %S/../ref.py embedding --shape=2,7 --vocab=64 --e=32 --ids=i32 --dtype=bf16 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2

func.func @main(%ids: tensor<2x7xi32>, %table: tensor<64x32xbf16>) -> tensor<2x7x32xbf16> {
  %y = tok.embedding %ids, %table : (tensor<2x7xi32>, tensor<64x32xbf16>) -> tensor<2x7x32xbf16>
  return %y : tensor<2x7x32xbf16>
}
