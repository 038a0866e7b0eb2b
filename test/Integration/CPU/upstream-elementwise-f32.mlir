// arith and math ops on whole tensors beside a tok op (issue 14, item 7):
// convert-elementwise-to-linalg turns them into linalg.generic ops, which
// fuse, bufferize and vectorize; against PyTorch in ref/basics.py.
// RUN: rm -rf %t && %python %S/../ref.py upstream_elementwise --shape=3,5,40 --seed=4 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%a: tensor<3x?x40xf32>, %b: tensor<3x?x40xf32>) -> tensor<3x?x40xf32> {
  %s = arith.addf %a, %b : tensor<3x?x40xf32>
  %e = math.exp %s : tensor<3x?x40xf32>
  %t = tok.activation %a {kind = "tanh"} : (tensor<3x?x40xf32>) -> tensor<3x?x40xf32>
  %p = arith.mulf %e, %t : tensor<3x?x40xf32>
  %y = arith.subf %p, %b : tensor<3x?x40xf32>
  return %y : tensor<3x?x40xf32>
}
