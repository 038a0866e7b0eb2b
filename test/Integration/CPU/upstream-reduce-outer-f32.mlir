// A sum over the rows of [N, D] (a reduction over the outer dim; issue 14,
// item 7): blocks of vectors along D accumulate in registers over blocks
// of 64 rows, the vectors left after the last block one at a time, the
// last partial one masked. Against a float64 NumPy sum in ref/basics.py.
// RUN: rm -rf %t.33 && %python %S/../ref.py reduce_outer --shape=40,33 --dim=0 --seed=51 --out=%t.33
// RUN: tokamak-run %s --input=@%t.33/in0.npy --output=@%t.33/out0.npy
// RUN: %python %S/../compare.py %t.33/out0.npy %t.33/ref0.npy --rtol=1e-5
// RUN: rm -rf %t.300 && %python %S/../ref.py reduce_outer --shape=200,300 --dim=0 --seed=54 --out=%t.300
// RUN: tokamak-run %s --input=@%t.300/in0.npy --output=@%t.300/out0.npy
// RUN: %python %S/../compare.py %t.300/out0.npy %t.300/ref0.npy --rtol=1e-5
// RUN: rm -rf %t.1 && %python %S/../ref.py reduce_outer --shape=7,1 --dim=0 --seed=52 --out=%t.1
// RUN: tokamak-run %s --input=@%t.1/in0.npy --output=@%t.1/out0.npy
// RUN: %python %S/../compare.py %t.1/out0.npy %t.1/ref0.npy --rtol=1e-5
// RUN: rm -rf %t.17 && %python %S/../ref.py reduce_outer --shape=1,17 --dim=0 --seed=53 --out=%t.17
// RUN: tokamak-run %s --input=@%t.17/in0.npy --output=@%t.17/out0.npy
// RUN: %python %S/../compare.py %t.17/out0.npy %t.17/ref0.npy --rtol=1e-5

func.func @main(%x: tensor<?x?xf32>) -> tensor<?xf32> {
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %d = tensor.dim %x, %c1 : tensor<?x?xf32>
  %e = tensor.empty(%d) : tensor<?xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>], iterator_types = ["reduction", "parallel"]} ins(%x : tensor<?x?xf32>) outs(%init : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %a = arith.addf %in, %out : f32
    linalg.yield %a : f32
  } -> tensor<?xf32>
  return %y : tensor<?xf32>
}
