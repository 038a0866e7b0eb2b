// rope on the query feeding causal GQA attention (8 query heads over 2 kv
// heads, Sq = 80 < Skv = 112), attention tiled by a transform script into an
// scf.forall over (batch, groups of 4 query heads, 32 query rows) with rope
// fused in as a producer: each tile rotates only its heads and rows, with
// the matching slice of positions. Against ref/attention.py (float64 rope,
// then dense attention).
// RUN: rm -rf %t && %python %S/../ref.py attention --causal --rope --max_pos=512 --b=2 --hq=8 --hkv=2 --sq=80 --skv=112 --d=32 --seed=8 --out=%t
// RUN: split-file %s %t/src
// RUN: tokamak-opt %t/src/payload.mlir --transform-preload-library=transform-library-paths=%t/src/schedule.mlir --transform-interpreter --canonicalize -o %t/tiled.mlir
// RUN: FileCheck %s --input-file=%t/tiled.mlir
// RUN: tokamak-run %t/tiled.mlir --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

// CHECK-LABEL: func.func @main
// CHECK-NOT:     tok.rope
// CHECK:         scf.forall
// CHECK:           %[[ROT:.*]] = tok.rope {{.*}} : (tensor<1x4x?x32xf32>, tensor<1x?xi32>) -> tensor<1x4x?x32xf32>
// CHECK:           tok.attention %[[ROT]]

//--- payload.mlir
func.func @main(%q: tensor<2x8x?x32xf32>, %k: tensor<2x2x?x32xf32>, %v: tensor<2x2x?x32xf32>, %pos: tensor<2x?xi32>) -> tensor<2x8x?x32xf32> {
  %qr = tok.rope %q, %pos : (tensor<2x8x?x32xf32>, tensor<2x?xi32>) -> tensor<2x8x?x32xf32>
  %o = tok.attention %qr, %k, %v {causal} : (tensor<2x8x?x32xf32>, tensor<2x2x?x32xf32>, tensor<2x2x?x32xf32>) -> tensor<2x8x?x32xf32>
  return %o : tensor<2x8x?x32xf32>
}

//--- schedule.mlir
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %attn = transform.structured.match ops{["tok.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %rope = transform.structured.match ops{["tok.rope"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %attn tile_sizes [1, 4, 32] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %fused, %loop2 = transform.structured.fuse_into_containing_op %rope into %loop : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
