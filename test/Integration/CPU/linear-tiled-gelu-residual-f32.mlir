// tok-tile-linear with a fused epilogue: bias, tanh-approximated GELU and a
// residual add (linalg.add) applied to the accumulators, on dynamic rows, f32,
// against gelu_tanh(x @ W.T + b) + r in float64 torch (ref/linear_perf.py).
// RUN: rm -rf %t && %python %S/../ref.py linear_tiled --shape=37,160 --n=96 --bias --act=gelu_tanh --residual --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-5

func.func @main(%x: tensor<?x160xf32>, %w: tensor<96x160xf32>, %b: tensor<96xf32>, %r: tensor<?x96xf32>) -> tensor<?x96xf32> {
  %c0 = arith.constant 0 : index
  %y = tok.linear %x, %w bias(%b : tensor<96xf32>) : (tensor<?x160xf32>, tensor<96x160xf32>) -> tensor<?x96xf32>
  %a = tok.activation %y {kind = "gelu_tanh"} : (tensor<?x96xf32>) -> tensor<?x96xf32>
  %m = tensor.dim %x, %c0 : tensor<?x160xf32>
  %e = tensor.empty(%m) : tensor<?x96xf32>
  %s = linalg.add ins(%a, %r : tensor<?x96xf32>, tensor<?x96xf32>) outs(%e : tensor<?x96xf32>) -> tensor<?x96xf32>
  return %s : tensor<?x96xf32>
}
