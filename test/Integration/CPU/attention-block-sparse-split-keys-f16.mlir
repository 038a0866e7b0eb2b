// Block-sparse attention without causal mask or counts (every entry counts;
// -1 and out-of-range ids select nothing), key blocks of 128 that the kernel
// splits into its own smaller blocks, query blocks of 32, Sq = 300 against
// Skv = 700, f16.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=2 --hkv=2 --sq=300 --skv=700 --d=64 --dtype=f16 --block_q=32 --block_k=128 --max_sel=3 --seed=4 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-3

func.func @main(%q: tensor<1x2x300x64xf16>, %k: tensor<1x2x700x64xf16>, %v: tensor<1x2x700x64xf16>, %idx: tensor<1x2x10x3xi32>) -> tensor<1x2x300x64xf16> {
  %o = tok.attention %q, %k, %v block_indices(%idx : tensor<1x2x10x3xi32>) {block_k = 128 : i64, block_q = 32 : i64} : (tensor<1x2x300x64xf16>, tensor<1x2x700x64xf16>, tensor<1x2x700x64xf16>) -> tensor<1x2x300x64xf16>
  return %o : tensor<1x2x300x64xf16>
}
