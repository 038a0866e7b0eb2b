// Rope fused into causal GQA attention, bf16 (f32 accumulation): GPT-J
// interleaved pairs over the first 32 of 64 channels, theta 500000, random
// positions, 4 query heads per kv head, S=160. Reference: ref/attention.py
// (float64 rope on the bf16 query, then attention).
// RUN: rm -rf %t && %python %S/../ref.py attention --b=2 --hq=8 --hkv=2 --sq=160 --skv=160 --d=64 --dtype=bf16 --causal --rope --interleaved --rotary_dim=32 --theta=500000.0 --seed=12 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2

func.func @main(%x: tensor<2x8x?x64xbf16>, %k: tensor<2x2x?x64xbf16>, %v: tensor<2x2x?x64xbf16>, %pos: tensor<2x?xi32>) -> tensor<2x8x?x64xbf16> {
  %q = tok.rope %x, %pos {theta = 500000.0 : f32, rotary_dim = 32 : i64, interleaved} : (tensor<2x8x?x64xbf16>, tensor<2x?xi32>) -> tensor<2x8x?x64xbf16>
  %o = tok.attention %q, %k, %v {causal} : (tensor<2x8x?x64xbf16>, tensor<2x2x?x64xbf16>, tensor<2x2x?x64xbf16>) -> tensor<2x8x?x64xbf16>
  return %o : tensor<2x8x?x64xbf16>
}
