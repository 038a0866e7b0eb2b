// Top-5 of bf16 unit normals over rows of 257 (many ties after rounding),
// against ref/selection.py.
// RUN: rm -rf %t && %python %S/../ref.py topk --shape=3x257 --k=5 --dtype=bf16 --count --seed=3 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --output=@%t/out0.npy --output=@%t/out1.npy --output=@%t/out2.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=0
// RUN: %python %S/../compare.py %t/out2.npy %t/ref2.npy --rtol=0

func.func @main(%x: tensor<3x257xbf16>) -> (tensor<3x5xbf16>, tensor<3x5xi32>, tensor<3xi32>) {
  %v, %i, %n = tok.topk %x {k = 5 : i64} : (tensor<3x257xbf16>) -> (tensor<3x5xbf16>, tensor<3x5xi32>, tensor<3xi32>)
  return %v, %i, %n : tensor<3x5xbf16>, tensor<3x5xi32>, tensor<3xi32>
}
