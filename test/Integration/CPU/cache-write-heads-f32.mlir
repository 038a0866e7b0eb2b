// tok.cache_write with per-head slots [B, Hkv, S] into a cache whose blocks
// hold one kv head (head h of the update goes to head 0 of its own slot's
// block), some slots negative (skipped), f32. Reference: ref/attention.py
// case_cache_write_heads; the copy is exact.
// RUN: rm -rf %t && %python %S/../ref.py cache_write_heads --nb=12 --bs=4 --hkv=3 --d=16 --b=2 --len=6 --seed=4 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=0
// Per-head slots into a cache that holds every kv head (head h to head h).
// RUN: rm -rf %t.all && %python %S/../ref.py cache_write_heads --nb=12 --bs=4 --hkv=3 --cache_heads=3 --d=16 --b=2 --len=6 --seed=6 --out=%t.all
// RUN: tokamak-run %s --function=all_heads --input=@%t.all/in0.npy --input=@%t.all/in1.npy --input=@%t.all/in2.npy --output=@%t.all/out0.npy
// RUN: %python %S/../compare.py %t.all/out0.npy %t.all/ref0.npy --rtol=0

func.func @main(%cache: tensor<12x4x1x16xf32>, %update: tensor<2x3x?x16xf32>, %slots: tensor<2x3x?xi32>) -> tensor<12x4x1x16xf32> {
  %r = tok.cache_write %cache, %update, %slots : (tensor<12x4x1x16xf32>, tensor<2x3x?x16xf32>, tensor<2x3x?xi32>) -> tensor<12x4x1x16xf32>
  return %r : tensor<12x4x1x16xf32>
}

func.func @all_heads(%cache: tensor<12x4x3x16xf32>, %update: tensor<?x3x6x16xf32>, %slots: tensor<?x3x6xi32>) -> tensor<12x4x3x16xf32> {
  %r = tok.cache_write %cache, %update, %slots : (tensor<12x4x3x16xf32>, tensor<?x3x6x16xf32>, tensor<?x3x6xi32>) -> tensor<12x4x3x16xf32>
  return %r : tensor<12x4x3x16xf32>
}
