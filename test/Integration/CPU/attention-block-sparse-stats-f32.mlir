// Block-sparse causal GQA attention with the stats result (SnapKV's votes of
// NSA-style selected blocks): the column sums of the last 24 query rows count
// only the keys of listed blocks. The tiled kernel leaves this combination to
// the reference lowering (remark below); both runs against ref/attention.py.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=4 --hkv=2 --sq=200 --skv=200 --d=32 --causal --block_q=32 --block_k=32 --max_sel=3 --counts --lse --stats --stats_window=24 --seed=5 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy --output=@%t/out1.npy --output=@%t/out2.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out2.npy %t/ref2.npy --rtol=1e-4
// RUN: tokamak-opt %s --tok-tile-attention="remarks=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK

// REMARK: the stats result with block lists is left for the reference lowering

func.func @main(%q: tensor<1x4x200x32xf32>, %k: tensor<1x2x200x32xf32>, %v: tensor<1x2x200x32xf32>, %idx: tensor<1x2x7x3xi32>, %cnt: tensor<1x2x7xi32>) -> (tensor<1x4x200x32xf32>, tensor<1x4x200xf32>, tensor<1x2x200xf32>) {
  %o, %lse, %s = tok.attention %q, %k, %v block_indices(%idx : tensor<1x2x7x3xi32>) block_counts(%cnt : tensor<1x2x7xi32>) {block_k = 32 : i64, block_q = 32 : i64, causal, stats_window = 24 : i64} : (tensor<1x4x200x32xf32>, tensor<1x2x200x32xf32>, tensor<1x2x200x32xf32>) -> (tensor<1x4x200x32xf32>, tensor<1x4x200xf32>, stats tensor<1x2x200xf32>)
  return %o, %lse, %s : tensor<1x4x200x32xf32>, tensor<1x4x200xf32>, tensor<1x2x200xf32>
}
