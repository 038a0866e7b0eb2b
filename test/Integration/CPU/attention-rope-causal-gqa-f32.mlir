// Rope fused into causal GQA attention (8 query heads over 2 kv heads), f32:
// the query is tok.rope(x, pos) (NeoX, random positions) and tok-tile-attention
// rotates the query rows inside the tiles. S=200 is not a multiple of the
// query tile. Reference: ref/attention.py (float64 rope, then attention).
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=8 --hkv=2 --sq=200 --skv=200 --d=64 --causal --rope --seed=11 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%x: tensor<1x8x?x64xf32>, %k: tensor<1x2x?x64xf32>, %v: tensor<1x2x?x64xf32>, %pos: tensor<1x?xi32>) -> tensor<1x8x?x64xf32> {
  %q = tok.rope %x, %pos {theta = 10000.0 : f32} : (tensor<1x8x?x64xf32>, tensor<1x?xi32>) -> tensor<1x8x?x64xf32>
  %o = tok.attention %q, %k, %v {causal} : (tensor<1x8x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> tensor<1x8x?x64xf32>
  return %o : tensor<1x8x?x64xf32>
}
