// SnapKV's per-KV-group selection: scores [B, Hq, Skv] summed over the 2
// query heads of each kv head, 16 tokens per kv head, bf16 quantized scores
// (the sums are exact in f32 and rounded to bf16 on the way out); against
// ref/selection.py.
// RUN: rm -rf %t && %python %S/../ref.py topk --shape=2x8x200 --k=16 --group=2 --data=quant --dtype=bf16 --seed=11 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=0

func.func @main(%s: tensor<2x8x200xbf16>) -> (tensor<2x4x16xbf16>, tensor<2x4x16xi32>) {
  %v, %i = tok.topk %s {group = 2 : i64, k = 16 : i64} : (tensor<2x8x200xbf16>) -> (tensor<2x4x16xbf16>, tensor<2x4x16xi32>)
  return %v, %i : tensor<2x4x16xbf16>, tensor<2x4x16xi32>
}
