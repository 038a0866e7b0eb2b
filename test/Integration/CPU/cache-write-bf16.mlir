// Scatter 2x20 new rows into a paged cache (block size 4), bf16.
// RUN: rm -rf %t && %python %S/../ref.py cache_write --nb=20 --bs=4 --hkv=1 --d=16 --b=2 --len=20 --dtype=bf16 --seed=5 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=0

func.func @main(%cache: tensor<20x4x1x16xbf16>, %new: tensor<2x1x20x16xbf16>, %slots: tensor<2x20xi32>) -> tensor<20x4x1x16xbf16> {
  %c = tok.cache_write %cache, %new, %slots : (tensor<20x4x1x16xbf16>, tensor<2x1x20x16xbf16>, tensor<2x20xi32>) -> tensor<20x4x1x16xbf16>
  return %c : tensor<20x4x1x16xbf16>
}
