// Block lists with key blocks of 2^20 keys (far beyond Skv = 300: one key
// block holds every key, ids 0 and -1 only), query blocks of 32, causal,
// with lse: the kernel visits only the kernel blocks some row can see.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=2 --hkv=1 --sq=200 --skv=300 --d=64 --causal --block_q=32 --block_k=1048576 --max_sel=2 --counts --lse --seed=11 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<1x2x200x64xf32>, %k: tensor<1x1x300x64xf32>, %v: tensor<1x1x300x64xf32>, %idx: tensor<1x1x7x2xi32>, %cnt: tensor<1x1x7xi32>) -> (tensor<1x2x200x64xf32>, tensor<1x2x200xf32>) {
  %o, %lse = tok.attention %q, %k, %v block_indices(%idx : tensor<1x1x7x2xi32>) block_counts(%cnt : tensor<1x1x7xi32>) {block_k = 1048576 : i64, block_q = 32 : i64, causal} : (tensor<1x2x200x64xf32>, tensor<1x1x300x64xf32>, tensor<1x1x300x64xf32>) -> (tensor<1x2x200x64xf32>, tensor<1x2x200xf32>)
  return %o, %lse : tensor<1x2x200x64xf32>, tensor<1x2x200xf32>
}
