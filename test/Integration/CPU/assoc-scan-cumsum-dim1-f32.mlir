// Cumulative sum along dim 1, f32, against a sequential float64 scan in ref/scans.py.
// RUN: rm -rf %t && %python %S/../ref.py assoc_scan --kind=cumsum --shape=3,40,5 --dim=1 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%a: tensor<3x40x5xf32>) -> tensor<3x40x5xf32> {
  %r0 = tok.assoc_scan %a {dim = 1 : i64} : (tensor<3x40x5xf32>) -> tensor<3x40x5xf32> combine {
  ^bb0(%e0: f32, %l0: f32):
    %s = arith.addf %e0, %l0 : f32
    tok.yield %s : f32
  }
  return %r0 : tensor<3x40x5xf32>
}
