// Causal GQA attention (8 query heads over 2 kv heads) with window, sinks
// and lse, Sq = 96 < Skv = 128 (bottom-right aligned), tiled by a transform
// script before compilation: scf.forall over (batch, groups of 4 query heads
// with their kv head, 32 query rows reading only the key prefix their causal
// mask can see). Checks TilingInterface numerics through the default CPU
// pipeline against the dense float64 reference of ref/attention.py.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=2 --hq=8 --hkv=2 --sq=96 --skv=128 --d=32 --causal --window=40 --sinks=2 --lse --seed=3 --out=%t
// RUN: split-file %s %t/src
// RUN: tokamak-opt %t/src/payload.mlir --transform-preload-library=transform-library-paths=%t/src/schedule.mlir --transform-interpreter -o %t/tiled.mlir
// RUN: FileCheck %s --input-file=%t/tiled.mlir
// RUN: tokamak-run %t/tiled.mlir --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

// CHECK-LABEL: func.func @main
// CHECK:         scf.forall
// CHECK:           affine.max
// CHECK:           tok.attention {{.*}} : (tensor<1x4x32x32xf32>, tensor<1x1x?x32xf32>, tensor<1x1x?x32xf32>) -> (tensor<1x4x32x32xf32>, tensor<1x4x32xf32>)

//--- payload.mlir
func.func @main(%q: tensor<2x8x96x32xf32>, %k: tensor<2x2x?x32xf32>, %v: tensor<2x2x?x32xf32>) -> (tensor<2x8x96x32xf32>, tensor<2x8x96xf32>) {
  %o, %l = tok.attention %q, %k, %v {causal, window = 40 : i64, sinks = 2 : i64} : (tensor<2x8x96x32xf32>, tensor<2x2x?x32xf32>, tensor<2x2x?x32xf32>) -> (tensor<2x8x96x32xf32>, tensor<2x8x96xf32>)
  return %o, %l : tensor<2x8x96x32xf32>, tensor<2x8x96xf32>
}

//--- schedule.mlir
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %attn = transform.structured.match ops{["tok.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %attn tile_sizes [1, 4, 32] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
