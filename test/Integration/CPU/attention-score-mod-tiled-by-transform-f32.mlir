// score_mod ALiBi-like s - 0.0625 (h + 1)(i - j), causal with lse, tiled by
// a transform script before compilation: scf.for loops over head pairs and
// 24-row query tiles (the last one partial), so the region must see global
// head and query indices (the tile's offsets are added to its arguments).
// Against the dense float64 reference of ref/attention.py.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=4 --hkv=4 --sq=100 --skv=100 --d=32 --causal --score_mod=alibi --lse --seed=2 --out=%t
// RUN: split-file %s %t/src
// RUN: tokamak-opt %t/src/payload.mlir --transform-preload-library=transform-library-paths=%t/src/schedule.mlir --transform-interpreter -o %t/tiled.mlir
// RUN: FileCheck %s --input-file=%t/tiled.mlir
// RUN: tokamak-run %t/tiled.mlir --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

// CHECK-LABEL: func.func @main
// CHECK:         scf.for
// CHECK:           scf.for
// CHECK:             tok.attention {{.*}} -> (tensor<1x2x?x32xf32>, tensor<1x2x?xf32>) score_mod
// CHECK:               arith.addi
// CHECK:               arith.addi

//--- payload.mlir
func.func @main(%q: tensor<1x4x?x32xf32>, %k: tensor<1x4x?x32xf32>, %v: tensor<1x4x?x32xf32>) -> (tensor<1x4x?x32xf32>, tensor<1x4x?xf32>) {
  %o, %l = tok.attention %q, %k, %v {causal} : (tensor<1x4x?x32xf32>, tensor<1x4x?x32xf32>, tensor<1x4x?x32xf32>) -> (tensor<1x4x?x32xf32>, tensor<1x4x?xf32>) score_mod {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %c1 = arith.constant 1 : index
    %slope = arith.constant 6.250000e-02 : f32
    %dist = arith.subi %i, %j : index
    %h1 = arith.addi %h, %c1 : index
    %p = arith.muli %dist, %h1 : index
    %pi = arith.index_cast %p : index to i64
    %pf = arith.sitofp %pi : i64 to f32
    %t = arith.mulf %pf, %slope : f32
    %r = arith.subf %s, %t : f32
    tok.yield %r : f32
  }
  return %o, %l : tensor<1x4x?x32xf32>, tensor<1x4x?xf32>
}

//--- schedule.mlir
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %attn = transform.structured.match ops{["tok.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %l0, %l1 = transform.structured.tile_using_for %attn tile_sizes [0, 2, 24] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    transform.yield
  }
}
