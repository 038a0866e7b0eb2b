// Stats of packed sequences (seq_starts: an empty sequence, a one-token one, a sequence shorter than the window, padding rows past the last sequence): each key counts the last 16 rows of its own sequence, causal GQA 4q/2kv summed per kv head, with lse; tiled kernel and reference lowering.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=4 --hkv=2 --sq=300 --skv=300 --d=64 --causal --seqlens=120,0,1,9,150 --lse --stats --stats_window=16 --seed=37 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy --output=@%t/out1.npy --output=@%t/out2.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out2.npy %t/ref2.npy --rtol=1e-4
// RUN: tokamak-opt %s --convert-tok-to-linalg -o %t/lowered.mlir
// RUN: tokamak-run %t/lowered.mlir --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/low0.npy --output=@%t/low1.npy --output=@%t/low2.npy
// RUN: %python %S/../compare.py %t/low2.npy %t/ref2.npy --rtol=1e-4

func.func @main(%q: tensor<1x4x?x64xf32>, %k: tensor<1x2x?x64xf32>, %v: tensor<1x2x?x64xf32>, %cu: tensor<6xi32>) -> (tensor<1x4x?x64xf32>, tensor<1x4x?xf32>, tensor<1x2x?xf32>) {
  %o, %lse, %s = tok.attention %q, %k, %v seq_starts(%cu : tensor<6xi32>) {causal, stats_window = 16 : i64} : (tensor<1x4x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> (tensor<1x4x?x64xf32>, tensor<1x4x?xf32>, stats tensor<1x2x?xf32>)
  return %o, %lse, %s : tensor<1x4x?x64xf32>, tensor<1x4x?xf32>, tensor<1x2x?xf32>
}
