// An embedding-style gather of whole rows from a 2-D table through
// tensor.extract in a linalg.generic (issue 14, item 7): the row index is
// the same across a vector of columns, so each vector is one contiguous
// load (masked for the last partial vector of a row of run-time width).
// Against table[ids] in ref/basics.py.
// RUN: rm -rf %t.37 && %python %S/../ref.py gather_rows --rows=9 --vocab=50 --e=37 --seed=31 --out=%t.37
// RUN: tokamak-run %s --input=@%t.37/in0.npy --input=@%t.37/in1.npy --output=@%t.37/out0.npy
// RUN: %python %S/../compare.py %t.37/out0.npy %t.37/ref0.npy --rtol=0
// RUN: rm -rf %t.7 && %python %S/../ref.py gather_rows --rows=4 --vocab=20 --e=7 --seed=32 --out=%t.7
// RUN: tokamak-run %s --input=@%t.7/in0.npy --input=@%t.7/in1.npy --output=@%t.7/out0.npy
// RUN: %python %S/../compare.py %t.7/out0.npy %t.7/ref0.npy --rtol=0
// RUN: rm -rf %t.64 && %python %S/../ref.py gather_rows --rows=1 --vocab=3 --e=64 --seed=33 --out=%t.64
// RUN: tokamak-run %s --input=@%t.64/in0.npy --input=@%t.64/in1.npy --output=@%t.64/out0.npy
// RUN: %python %S/../compare.py %t.64/out0.npy %t.64/ref0.npy --rtol=0

func.func @main(%ids: tensor<?xi32>, %table: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %ids, %c0 : tensor<?xi32>
  %e = tensor.dim %table, %c1 : tensor<?x?xf32>
  %init = tensor.empty(%n, %e) : tensor<?x?xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%ids : tensor<?xi32>) outs(%init : tensor<?x?xf32>) {
  ^bb0(%id: i32, %o: f32):
    %row = arith.index_cast %id : i32 to index
    %col = linalg.index 1 : index
    %v = tensor.extract %table[%row, %col] : tensor<?x?xf32>
    linalg.yield %v : f32
  } -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
