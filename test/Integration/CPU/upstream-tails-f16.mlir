// Elementwise math and a row sum in f16 on rows of run-time length (issue
// 14, item 7): the last partial vector of each row is masked (the sum's
// lanes past the row set to 0); lengths 1, 7, 17, 33 against float64
// NumPy in ref/basics.py.
// RUN: rm -rf %t.1 && %python %S/../ref.py upstream_tails --shape=5,1 --dtype=f16 --seed=81 --out=%t.1
// RUN: tokamak-run %s --input=@%t.1/in0.npy --input=@%t.1/in1.npy --output=@%t.1/out0.npy --output=@%t.1/out1.npy
// RUN: %python %S/../compare.py %t.1/out0.npy %t.1/ref0.npy --rtol=2e-3
// RUN: %python %S/../compare.py %t.1/out1.npy %t.1/ref1.npy --rtol=2e-3
// RUN: rm -rf %t.7 && %python %S/../ref.py upstream_tails --shape=5,7 --dtype=f16 --seed=82 --out=%t.7
// RUN: tokamak-run %s --input=@%t.7/in0.npy --input=@%t.7/in1.npy --output=@%t.7/out0.npy --output=@%t.7/out1.npy
// RUN: %python %S/../compare.py %t.7/out0.npy %t.7/ref0.npy --rtol=2e-3
// RUN: %python %S/../compare.py %t.7/out1.npy %t.7/ref1.npy --rtol=2e-3
// RUN: rm -rf %t.17 && %python %S/../ref.py upstream_tails --shape=5,17 --dtype=f16 --seed=83 --out=%t.17
// RUN: tokamak-run %s --input=@%t.17/in0.npy --input=@%t.17/in1.npy --output=@%t.17/out0.npy --output=@%t.17/out1.npy
// RUN: %python %S/../compare.py %t.17/out0.npy %t.17/ref0.npy --rtol=2e-3
// RUN: %python %S/../compare.py %t.17/out1.npy %t.17/ref1.npy --rtol=2e-3
// RUN: rm -rf %t.33 && %python %S/../ref.py upstream_tails --shape=5,33 --dtype=f16 --seed=84 --out=%t.33
// RUN: tokamak-run %s --input=@%t.33/in0.npy --input=@%t.33/in1.npy --output=@%t.33/out0.npy --output=@%t.33/out1.npy
// RUN: %python %S/../compare.py %t.33/out0.npy %t.33/ref0.npy --rtol=2e-3
// RUN: %python %S/../compare.py %t.33/out1.npy %t.33/ref1.npy --rtol=2e-3

func.func @main(%a: tensor<?x?xf16>, %b: tensor<?x?xf16>) -> (tensor<?x?xf16>, tensor<?xf16>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f16
  %s = arith.addf %a, %b : tensor<?x?xf16>
  %e = math.exp %s : tensor<?x?xf16>
  %n = tensor.dim %a, %c0 : tensor<?x?xf16>
  %i = tensor.empty(%n) : tensor<?xf16>
  %init = linalg.fill ins(%zero : f16) outs(%i : tensor<?xf16>) -> tensor<?xf16>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%a : tensor<?x?xf16>) outs(%init : tensor<?xf16>) {
  ^bb0(%in: f16, %out: f16):
    %x = arith.addf %in, %out : f16
    linalg.yield %x : f16
  } -> tensor<?xf16>
  return %e, %r : tensor<?x?xf16>, tensor<?xf16>
}
