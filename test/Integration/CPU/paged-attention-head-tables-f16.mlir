// Paged decode of two tokens (Sq=2) with per-head lens and per-head block
// tables over one-head blocks, softcap, MQA-style grouping (4 query heads
// over 2 kv heads), f16 (f32 accumulation). Reference: ref/attention.py
// case_paged_attention_heads (float64 on the f16-rounded inputs).
// RUN: rm -rf %t && %python %S/../ref.py paged_attention_heads --head_lens=70/2,33/129 --hq=4 --sq=2 --d=64 --bs=16 --softcap=30.0 --dtype=f16 --seed=9 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-3

func.func @main(%q: tensor<2x4x2x64xf16>, %kc: tensor<?x16x1x64xf16>, %vc: tensor<?x16x1x64xf16>, %table: tensor<2x2x?xi32>, %lens: tensor<2x2xi32>) -> tensor<2x4x2x64xf16> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens {softcap = 30.0 : f32} : (tensor<2x4x2x64xf16>, tensor<?x16x1x64xf16>, tensor<?x16x1x64xf16>, tensor<2x2x?xi32>, tensor<2x2xi32>) -> tensor<2x4x2x64xf16>
  return %o : tensor<2x4x2x64xf16>
}
