// Average pooling, kernel 5, f32, against torch avg_pool2d(count_include_pad=False) in ref/mixers.py.
// RUN: rm -rf %t && %python %S/../ref.py pool2d --b=1 --height=8 --width=11 --c=3 --kernel=3 --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%x: tensor<1x8x11x3xf32>) -> tensor<1x8x11x3xf32> {
  %y = tok.pool2d %x {kernel = 3 : i64} : (tensor<1x8x11x3xf32>) -> tensor<1x8x11x3xf32>
  return %y : tensor<1x8x11x3xf32>
}
