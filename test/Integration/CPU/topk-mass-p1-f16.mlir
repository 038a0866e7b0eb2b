// Mass threshold p = 1 with k = N: every entry of positive mass is kept
// (the zeros after them are not needed), f16 scores; against
// ref/selection.py.
// RUN: rm -rf %t && %python %S/../ref.py topk --shape=3x48 --k=48 --mass=1.0 --data=probs --dtype=f16 --count --seed=13 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --output=@%t/out0.npy --output=@%t/out1.npy --output=@%t/out2.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-3
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=0
// RUN: %python %S/../compare.py %t/out2.npy %t/ref2.npy --rtol=0

func.func @main(%x: tensor<3x48xf16>) -> (tensor<3x48xf16>, tensor<3x48xi32>, tensor<3xi32>) {
  %v, %i, %n = tok.topk %x {k = 48 : i64, mass = 1.0 : f32} : (tensor<3x48xf16>) -> (tensor<3x48xf16>, tensor<3x48xi32>, tensor<3xi32>)
  return %v, %i, %n : tensor<3x48xf16>, tensor<3x48xi32>, tensor<3xi32>
}
