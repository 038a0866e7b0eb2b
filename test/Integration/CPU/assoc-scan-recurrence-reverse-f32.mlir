// Reversed (a, b) recurrence along dim 2, f32, against a sequential float64 scan in ref/scans.py.
// RUN: rm -rf %t && %python %S/../ref.py assoc_scan --kind=recurrence --shape=2,4,48 --dim=2 --reverse --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%a: tensor<2x4x48xf32>, %b: tensor<2x4x48xf32>) -> (tensor<2x4x48xf32>, tensor<2x4x48xf32>) {
  %r0, %r1 = tok.assoc_scan %a, %b {dim = 2 : i64, reverse} : (tensor<2x4x48xf32>, tensor<2x4x48xf32>) -> (tensor<2x4x48xf32>, tensor<2x4x48xf32>) combine {
  ^bb0(%e0: f32, %e1: f32, %l0: f32, %l1: f32):
    %a2 = arith.mulf %e0, %l0 : f32
    %t = arith.mulf %l0, %e1 : f32
    %b2 = arith.addf %t, %l1 : f32
    tok.yield %a2, %b2 : f32, f32
  }
  return %r0, %r1 : tensor<2x4x48xf32>, tensor<2x4x48xf32>
}
