// arith and math ops on tensors whose innermost dim has a run-time length
// (issue 14, item 7): the last partial vector of each row is masked, not
// scalar; lengths 1, 7, 17 and 33 against PyTorch in ref/basics.py.
// RUN: rm -rf %t.1 && %python %S/../ref.py upstream_elementwise --shape=2,3,1 --seed=21 --out=%t.1
// RUN: tokamak-run %s --input=@%t.1/in0.npy --input=@%t.1/in1.npy --output=@%t.1/out0.npy
// RUN: %python %S/../compare.py %t.1/out0.npy %t.1/ref0.npy --rtol=1e-4
// RUN: rm -rf %t.7 && %python %S/../ref.py upstream_elementwise --shape=2,3,7 --seed=22 --out=%t.7
// RUN: tokamak-run %s --input=@%t.7/in0.npy --input=@%t.7/in1.npy --output=@%t.7/out0.npy
// RUN: %python %S/../compare.py %t.7/out0.npy %t.7/ref0.npy --rtol=1e-4
// RUN: rm -rf %t.17 && %python %S/../ref.py upstream_elementwise --shape=2,5,17 --seed=23 --out=%t.17
// RUN: tokamak-run %s --input=@%t.17/in0.npy --input=@%t.17/in1.npy --output=@%t.17/out0.npy
// RUN: %python %S/../compare.py %t.17/out0.npy %t.17/ref0.npy --rtol=1e-4
// RUN: rm -rf %t.33 && %python %S/../ref.py upstream_elementwise --shape=2,2,33 --seed=24 --out=%t.33
// RUN: tokamak-run %s --input=@%t.33/in0.npy --input=@%t.33/in1.npy --output=@%t.33/out0.npy
// RUN: %python %S/../compare.py %t.33/out0.npy %t.33/ref0.npy --rtol=1e-4

func.func @main(%a: tensor<2x?x?xf32>, %b: tensor<2x?x?xf32>) -> tensor<2x?x?xf32> {
  %s = arith.addf %a, %b : tensor<2x?x?xf32>
  %e = math.exp %s : tensor<2x?x?xf32>
  %t = tok.activation %a {kind = "tanh"} : (tensor<2x?x?xf32>) -> tensor<2x?x?xf32>
  %p = arith.mulf %e, %t : tensor<2x?x?xf32>
  %y = arith.subf %p, %b : tensor<2x?x?xf32>
  return %y : tensor<2x?x?xf32>
}
