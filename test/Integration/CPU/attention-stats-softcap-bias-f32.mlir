// Stats after softcap and a per-key bias (the probabilities of the modified scores), window 8, causal MQA 4q/1kv summed per kv head, Skv = 200 > Sq = 24 (continuation); tiled kernel and reference lowering.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=4 --hkv=1 --sq=24 --skv=200 --d=64 --causal --softcap=5.0 --bias=key --stats --stats_window=8 --seed=35 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4
// RUN: tokamak-opt %s --convert-tok-to-linalg -o %t/lowered.mlir
// RUN: tokamak-run %t/lowered.mlir --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/low0.npy --output=@%t/low1.npy
// RUN: %python %S/../compare.py %t/low1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<1x4x24x64xf32>, %k: tensor<1x1x200x64xf32>, %v: tensor<1x1x200x64xf32>, %b: tensor<200xf32>) -> (tensor<1x4x24x64xf32>, tensor<1x1x200xf32>) {
  %o, %s = tok.attention %q, %k, %v bias(%b : tensor<200xf32>) {causal, softcap = 5.000000e+00 : f32, stats_window = 8 : i64} : (tensor<1x4x24x64xf32>, tensor<1x1x200x64xf32>, tensor<1x1x200x64xf32>) -> (tensor<1x4x24x64xf32>, stats tensor<1x1x200xf32>)
  return %o, %s : tensor<1x4x24x64xf32>, tensor<1x1x200xf32>
}
