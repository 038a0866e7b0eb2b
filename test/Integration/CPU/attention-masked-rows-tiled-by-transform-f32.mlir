// Causal GQA attention with more queries than keys (Sq = 64 > Skv = 24:
// the first 40 rows see no key, give zeros and lse = -inf), tiled by a
// transform script before compilation: scf.for loops over kv groups of 2
// query heads (the step proves the group alignment) and 16 query rows. The
// key prefix of a row tile, Skv − Sq + o + 16, is clamped at 0, so early
// tiles run on no keys at all. Against ref/attention.py.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=4 --hkv=2 --sq=64 --skv=24 --d=32 --causal --lse --seed=4 --out=%t
// RUN: split-file %s %t/src
// RUN: tokamak-opt %t/src/payload.mlir --transform-preload-library=transform-library-paths=%t/src/schedule.mlir --transform-interpreter -o %t/tiled.mlir
// RUN: FileCheck %s --input-file=%t/tiled.mlir
// RUN: tokamak-run %t/tiled.mlir --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

// CHECK-LABEL: func.func @main
// CHECK:         scf.for
// CHECK:           scf.for
// CHECK:             affine.max
// CHECK:             tok.attention {{.*}} : (tensor<1x2x16x32xf32>, tensor<1x1x?x32xf32>, tensor<1x1x?x32xf32>) -> (tensor<1x2x16x32xf32>, tensor<1x2x16xf32>)

//--- payload.mlir
func.func @main(%q: tensor<1x4x64x32xf32>, %k: tensor<1x2x?x32xf32>, %v: tensor<1x2x?x32xf32>) -> (tensor<1x4x64x32xf32>, tensor<1x4x64xf32>) {
  %o, %l = tok.attention %q, %k, %v {causal} : (tensor<1x4x64x32xf32>, tensor<1x2x?x32xf32>, tensor<1x2x?x32xf32>) -> (tensor<1x4x64x32xf32>, tensor<1x4x64xf32>)
  return %o, %l : tensor<1x4x64x32xf32>, tensor<1x4x64xf32>
}

//--- schedule.mlir
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %attn = transform.structured.match ops{["tok.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %l0, %l1 = transform.structured.tile_using_for %attn tile_sizes [0, 2, 16] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    transform.yield
  }
}
