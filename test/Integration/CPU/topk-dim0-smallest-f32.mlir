// The 4 smallest along dim 0 (the reference lowering's path: the tiled
// kernel selects along the last dim only), quantized scores with ties;
// against ref/selection.py.
// RUN: rm -rf %t && %python %S/../ref.py topk --shape=50x3 --k=4 --dim=0 --smallest --data=quant --seed=15 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=0

func.func @main(%x: tensor<50x3xf32>) -> (tensor<4x3xf32>, tensor<4x3xi32>) {
  %v, %i = tok.topk %x {dim = 0 : i64, k = 4 : i64, smallest} : (tensor<50x3xf32>) -> (tensor<4x3xf32>, tensor<4x3xi32>)
  return %v, %i : tensor<4x3xf32>, tensor<4x3xi32>
}
