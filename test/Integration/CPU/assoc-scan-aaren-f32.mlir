// Aaren's prefix softmax (m, u, w) with max/exp in the combine region, three
// inputs along dim 1, f32, against a sequential float64 scan in ref/scans.py.
// RUN: rm -rf %t && %python %S/../ref.py assoc_scan --kind=aaren --shape=2,64,8 --dim=1 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy --output=@%t/out1.npy --output=@%t/out2.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out2.npy %t/ref2.npy --rtol=1e-4

func.func @main(%a: tensor<2x64x8xf32>, %b: tensor<2x64x8xf32>, %c: tensor<2x64x8xf32>) -> (tensor<2x64x8xf32>, tensor<2x64x8xf32>, tensor<2x64x8xf32>) {
  %r0, %r1, %r2 = tok.assoc_scan %a, %b, %c {dim = 1 : i64} : (tensor<2x64x8xf32>, tensor<2x64x8xf32>, tensor<2x64x8xf32>) -> (tensor<2x64x8xf32>, tensor<2x64x8xf32>, tensor<2x64x8xf32>) combine {
  ^bb0(%e0: f32, %e1: f32, %e2: f32, %l0: f32, %l1: f32, %l2: f32):
    %m = arith.maximumf %e0, %l0 : f32
    %de = arith.subf %e0, %m : f32
    %dl = arith.subf %l0, %m : f32
    %fe = math.exp %de : f32
    %fl = math.exp %dl : f32
    %ue = arith.mulf %e1, %fe : f32
    %ul = arith.mulf %l1, %fl : f32
    %u = arith.addf %ue, %ul : f32
    %we = arith.mulf %e2, %fe : f32
    %wl = arith.mulf %l2, %fl : f32
    %w = arith.addf %we, %wl : f32
    tok.yield %m, %u, %w : f32, f32, f32
  }
  return %r0, %r1, %r2 : tensor<2x64x8xf32>, tensor<2x64x8xf32>, tensor<2x64x8xf32>
}
