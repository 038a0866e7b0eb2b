// Scatter a decode step (S=1) of 4 sequences into a paged cache, one slot negative, f16.
// RUN: rm -rf %t && %python %S/../ref.py cache_write --nb=16 --bs=8 --hkv=4 --d=32 --b=4 --len=1 --dtype=f16 --seed=5 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=0

func.func @main(%cache: tensor<16x8x4x32xf16>, %new: tensor<4x4x1x32xf16>, %slots: tensor<4x1xi32>) -> tensor<16x8x4x32xf16> {
  %c = tok.cache_write %cache, %new, %slots : (tensor<16x8x4x32xf16>, tensor<4x4x1x32xf16>, tensor<4x1xi32>) -> tensor<16x8x4x32xf16>
  return %c : tensor<16x8x4x32xf16>
}
