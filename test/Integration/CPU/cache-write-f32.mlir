// Scatter 3x5 new rows into a paged cache by slot (some slots negative, skipped), f32.
// RUN: rm -rf %t && %python %S/../ref.py cache_write --nb=8 --bs=16 --hkv=2 --d=64 --b=3 --len=5 --seed=5 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=0

func.func @main(%cache: tensor<8x16x2x64xf32>, %new: tensor<3x2x5x64xf32>, %slots: tensor<3x5xi32>) -> tensor<8x16x2x64xf32> {
  %c = tok.cache_write %cache, %new, %slots : (tensor<8x16x2x64xf32>, tensor<3x2x5x64xf32>, tensor<3x5xi32>) -> tensor<8x16x2x64xf32>
  return %c : tensor<8x16x2x64xf32>
}
