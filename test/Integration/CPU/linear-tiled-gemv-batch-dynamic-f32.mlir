// tok-tile-linear on dynamic rows at every row-count path: 11 rows (a decode
// batch: two chunks of 4 rows, then the copy for 3), 4 and 2 rows (one
// chunk; the copy for 2), 1 row (the one-row GEMV) and 17 rows (the GEMM),
// with a bias and 101 output columns (a group tail per task), against
// x @ W.T + b in float64 torch (ref/linear_perf.py).
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/../ref.py linear_tiled --shape=11,300 --n=101 --bias --seed=3 --out=%t/m11
// RUN: tokamak-compile %s -o %t/linear.so
// RUN: tokamak-run %t/linear.so --input=@%t/m11/in0.npy --input=@%t/m11/in1.npy --input=@%t/m11/in2.npy --output=@%t/m11/out0.npy
// RUN: %python %S/../compare.py %t/m11/out0.npy %t/m11/ref0.npy --rtol=1e-4
// RUN: %python %S/../ref.py linear_tiled --shape=4,300 --n=101 --bias --seed=4 --out=%t/m4
// RUN: tokamak-run %t/linear.so --input=@%t/m4/in0.npy --input=@%t/m4/in1.npy --input=@%t/m4/in2.npy --output=@%t/m4/out0.npy
// RUN: %python %S/../compare.py %t/m4/out0.npy %t/m4/ref0.npy --rtol=1e-4
// RUN: %python %S/../ref.py linear_tiled --shape=2,300 --n=101 --bias --seed=5 --out=%t/m2
// RUN: tokamak-run %t/linear.so --input=@%t/m2/in0.npy --input=@%t/m2/in1.npy --input=@%t/m2/in2.npy --output=@%t/m2/out0.npy
// RUN: %python %S/../compare.py %t/m2/out0.npy %t/m2/ref0.npy --rtol=1e-4
// RUN: %python %S/../ref.py linear_tiled --shape=1,300 --n=101 --bias --seed=6 --out=%t/m1
// RUN: tokamak-run %t/linear.so --input=@%t/m1/in0.npy --input=@%t/m1/in1.npy --input=@%t/m1/in2.npy --output=@%t/m1/out0.npy
// RUN: %python %S/../compare.py %t/m1/out0.npy %t/m1/ref0.npy --rtol=1e-4
// RUN: %python %S/../ref.py linear_tiled --shape=17,300 --n=101 --bias --seed=7 --out=%t/m17
// RUN: tokamak-run %t/linear.so --input=@%t/m17/in0.npy --input=@%t/m17/in1.npy --input=@%t/m17/in2.npy --output=@%t/m17/out0.npy
// RUN: %python %S/../compare.py %t/m17/out0.npy %t/m17/ref0.npy --rtol=1e-4

func.func @main(%x: tensor<?x300xf32>, %w: tensor<101x300xf32>, %b: tensor<101xf32>) -> tensor<?x101xf32> {
  %y = tok.linear %x, %w bias(%b : tensor<101xf32>) : (tensor<?x300xf32>, tensor<101x300xf32>) -> tensor<?x101xf32>
  return %y : tensor<?x101xf32>
}
