// Paged chunked prefill (Sq=8) over 3 sequences of different lengths, GQA
// (8 query heads over 2 kv heads), window + sinks, tiled by a transform
// script before compilation: an scf.forall over sequences and whole groups
// of 4 query heads, each reading its kv head of both caches (sliced along
// the cache's head dim) and its row of the block table and lens. Against
// the dense float64 reference of ref/attention.py.
// RUN: rm -rf %t && %python %S/../ref.py paged_attention --lens=8,29,130 --hq=8 --hkv=2 --sq=8 --d=32 --bs=8 --max_blocks=18 --nb=25 --window=40 --sinks=2 --seed=6 --out=%t
// RUN: split-file %s %t/src
// RUN: tokamak-opt %t/src/payload.mlir --transform-preload-library=transform-library-paths=%t/src/schedule.mlir --transform-interpreter -o %t/tiled.mlir
// RUN: FileCheck %s --input-file=%t/tiled.mlir
// RUN: tokamak-run %t/tiled.mlir --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

// CHECK-LABEL: func.func @main
// CHECK:         scf.forall
// CHECK:           tok.paged_attention {{.*}} : (tensor<1x4x8x32xf32>, tensor<25x8x1x32xf32>, tensor<25x8x1x32xf32>, tensor<1x18xi32>, tensor<1xi32>) -> tensor<1x4x8x32xf32>

//--- payload.mlir
func.func @main(%q: tensor<3x8x8x32xf32>, %kc: tensor<25x8x2x32xf32>, %vc: tensor<25x8x2x32xf32>, %table: tensor<3x18xi32>, %lens: tensor<3xi32>) -> tensor<3x8x8x32xf32> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens {sinks = 2 : i64, window = 40 : i64} : (tensor<3x8x8x32xf32>, tensor<25x8x2x32xf32>, tensor<25x8x2x32xf32>, tensor<3x18xi32>, tensor<3xi32>) -> tensor<3x8x8x32xf32>
  return %o : tensor<3x8x8x32xf32>
}

//--- schedule.mlir
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %attn = transform.structured.match ops{["tok.paged_attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %attn tile_sizes [1, 4] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
