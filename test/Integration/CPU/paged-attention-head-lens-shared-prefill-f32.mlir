// Paged prefill chunk (Sq=5) with per-head lens [B, Hkv] over one shared
// block table per sequence (heads compacted to different lengths keep their
// rows in the same blocks), window 7 and 2 sinks in row space, GQA (6 query
// heads over 2 kv heads), blocks of 4, f32. A head shorter than Sq puts the
// first queries at negative rows, which see nothing and give zeros.
// Reference: ref/attention.py case_paged_attention_heads --layout=shared.
// RUN: rm -rf %t && %python %S/../ref.py paged_attention_heads --layout=shared --head_lens=23/9,2/40,5/0 --hq=6 --sq=5 --d=32 --bs=4 --window=7 --sinks=2 --seed=5 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// The reference lowering (convert-tok-to-linalg) on the same inputs.
// RUN: tokamak-opt %s --convert-tok-to-linalg -o %t.ref.mlir
// RUN: tokamak-run %t.ref.mlir --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/ref-out0.npy
// RUN: %python %S/../compare.py %t/ref-out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%q: tensor<?x6x5x32xf32>, %kc: tensor<?x4x2x32xf32>, %vc: tensor<?x4x2x32xf32>, %table: tensor<?x?xi32>, %lens: tensor<?x2xi32>) -> tensor<?x6x5x32xf32> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens {window = 7 : i64, sinks = 2 : i64} : (tensor<?x6x5x32xf32>, tensor<?x4x2x32xf32>, tensor<?x4x2x32xf32>, tensor<?x?xi32>, tensor<?x2xi32>) -> tensor<?x6x5x32xf32>
  return %o : tensor<?x6x5x32xf32>
}
