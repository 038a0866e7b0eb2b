// take_along_axis on the last axis through tensor.extract in a
// linalg.generic (issue 14, item 7): the column index varies across a
// vector, so each vector is one vector.gather (masked for the last partial
// vector of a row). Against np.take_along_axis in ref/basics.py.
// RUN: rm -rf %t.17 && %python %S/../ref.py take_along_axis --shape=5,33 --k=17 --seed=41 --out=%t.17
// RUN: tokamak-run %s --input=@%t.17/in0.npy --input=@%t.17/in1.npy --output=@%t.17/out0.npy
// RUN: %python %S/../compare.py %t.17/out0.npy %t.17/ref0.npy --rtol=0
// RUN: rm -rf %t.1 && %python %S/../ref.py take_along_axis --shape=3,7 --k=1 --seed=42 --out=%t.1
// RUN: tokamak-run %s --input=@%t.1/in0.npy --input=@%t.1/in1.npy --output=@%t.1/out0.npy
// RUN: %python %S/../compare.py %t.1/out0.npy %t.1/ref0.npy --rtol=0
// RUN: rm -rf %t.48 && %python %S/../ref.py take_along_axis --shape=2,100 --k=48 --seed=43 --out=%t.48
// RUN: tokamak-run %s --input=@%t.48/in0.npy --input=@%t.48/in1.npy --output=@%t.48/out0.npy
// RUN: %python %S/../compare.py %t.48/out0.npy %t.48/ref0.npy --rtol=0

func.func @main(%x: tensor<?x?xf32>, %idx: tensor<?x?xi64>) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %idx, %c0 : tensor<?x?xi64>
  %k = tensor.dim %idx, %c1 : tensor<?x?xi64>
  %init = tensor.empty(%n, %k) : tensor<?x?xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%idx : tensor<?x?xi64>) outs(%init : tensor<?x?xf32>) {
  ^bb0(%i: i64, %o: f32):
    %row = linalg.index 0 : index
    %col = arith.index_cast %i : i64 to index
    %v = tensor.extract %x[%row, %col] : tensor<?x?xf32>
    linalg.yield %v : f32
  } -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
