// linalg.softmax beside tok ops (issue 14, item 7): decomposed by
// tokamak-decompose-aggregates into max / exp / sum / divide, on a dynamic
// row count, against torch.softmax in ref/basics.py.
// RUN: rm -rf %t && %python %S/../ref.py softmax --shape=5,37 --dim=1 --seed=3 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%x: tensor<?x37xf32>) -> tensor<?x37xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x37xf32>
  %init = tensor.empty(%n) : tensor<?x37xf32>
  %y = linalg.softmax dimension(1) ins(%x : tensor<?x37xf32>) outs(%init : tensor<?x37xf32>) -> tensor<?x37xf32>
  return %y : tensor<?x37xf32>
}
