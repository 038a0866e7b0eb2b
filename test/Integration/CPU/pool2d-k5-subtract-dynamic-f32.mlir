// pool(x) - x with kernel 5 on dynamic H and W, f32, against torch avg_pool2d(count_include_pad=False) in ref/mixers.py.
// RUN: rm -rf %t && %python %S/../ref.py pool2d --b=1 --height=6 --width=9 --c=4 --kernel=3 --subtract --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%x: tensor<1x?x?x4xf32>) -> tensor<1x?x?x4xf32> {
  %y = tok.pool2d %x {kernel = 3 : i64, subtract_input} : (tensor<1x?x?x4xf32>) -> tensor<1x?x?x4xf32>
  return %y : tensor<1x?x?x4xf32>
}
