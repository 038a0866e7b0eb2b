// A tok.rms_norm fused into the prologue of a linear whose GLU epilogue is
// fused too (the MLP's gate/up projection): 45 rows, K = 600 in two blocks
// (partial sums in the task's scratch tile), 208 columns of W (104 outputs),
// bias, f32, against silu(y[:, :N]) * y[:, N:] with y = rms_norm(x) @ W.T + b
// in float64 torch (ref/linear_perf.py).
// RUN: rm -rf %t && %python %S/../ref.py norm_linear --norm=rms --shape=45,600 --n=208 --bias --glu=silu --dtype=f32 --seed=7 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-5

func.func @main(%x: tensor<45x600xf32>, %g: tensor<600xf32>, %w: tensor<208x600xf32>, %b: tensor<208xf32>) -> tensor<45x104xf32> {
  %n = tok.rms_norm %x, %g : (tensor<45x600xf32>, tensor<600xf32>) -> tensor<45x600xf32>
  %y = tok.linear %n, %w bias(%b : tensor<208xf32>) : (tensor<45x600xf32>, tensor<208x600xf32>) -> tensor<45x208xf32>
  %u = tok.glu %y {activation = "silu"} : (tensor<45x208xf32>) -> tensor<45x104xf32>
  return %u : tensor<45x104xf32>
}
