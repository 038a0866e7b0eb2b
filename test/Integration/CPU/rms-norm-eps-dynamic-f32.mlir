// RMS norm with eps=1e-5 on a dynamic sequence, f32, against ref/basics.py.
// RUN: rm -rf %t && %python %S/../ref.py rms_norm --shape=2,13,96 --eps=1.0e-05 --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%x: tensor<2x?x96xf32>, %w: tensor<96xf32>) -> tensor<2x?x96xf32> {
  %y = tok.rms_norm %x, %w {eps = 1.0e-05 : f32} : (tensor<2x?x96xf32>, tensor<96xf32>) -> tensor<2x?x96xf32>
  return %y : tensor<2x?x96xf32>
}
