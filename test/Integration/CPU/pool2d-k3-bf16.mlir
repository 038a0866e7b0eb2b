// Average pooling, kernel 3, bf16, against torch avg_pool2d(count_include_pad=False) in ref/mixers.py.
// RUN: rm -rf %t && %python %S/../ref.py pool2d --b=1 --height=10 --width=10 --c=8 --kernel=3 --dtype=bf16 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2

func.func @main(%x: tensor<1x10x10x8xbf16>) -> tensor<1x10x10x8xbf16> {
  %y = tok.pool2d %x {kernel = 3 : i64} : (tensor<1x10x10x8xbf16>) -> tensor<1x10x10x8xbf16>
  return %y : tensor<1x10x10x8xbf16>
}
