// PoolFormer mixer pool(x) - x, kernel 3, f32, against torch avg_pool2d(count_include_pad=False) in ref/mixers.py.
// RUN: rm -rf %t && %python %S/../ref.py pool2d --b=2 --height=14 --width=14 --c=8 --kernel=3 --subtract --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%x: tensor<2x14x14x8xf32>) -> tensor<2x14x14x8xf32> {
  %y = tok.pool2d %x {kernel = 3 : i64, subtract_input} : (tensor<2x14x14x8xf32>) -> tensor<2x14x14x8xf32>
  return %y : tensor<2x14x14x8xf32>
}
