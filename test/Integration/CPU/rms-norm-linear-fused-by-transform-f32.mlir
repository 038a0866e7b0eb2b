// rms_norm feeding tok.linear (bias), the linear tiled by a transform script
// into an scf.forall over (batch, 16-row, 64-column) tiles with the norm
// fused in as a producer (each tile normalizes only its rows), then the
// default CPU pipeline. Against ref/basics.py (float64 norm, then x·Wᵀ + b).
// RUN: rm -rf %t && %python %S/../ref.py rms_norm_linear --shape=2,48,96 --n=128 --bias --seed=11 --out=%t
// RUN: split-file %s %t/src
// RUN: tokamak-opt %t/src/payload.mlir --transform-preload-library=transform-library-paths=%t/src/schedule.mlir --transform-interpreter --canonicalize -o %t/tiled.mlir
// RUN: FileCheck %s --input-file=%t/tiled.mlir
// RUN: tokamak-run %t/tiled.mlir --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

// CHECK-LABEL: func.func @main
// CHECK-NOT:     tok.rms_norm
// CHECK:         scf.forall
// CHECK:           %[[NORM:.*]] = tok.rms_norm {{.*}} -> tensor<1x?x96xf32>
// CHECK:           tok.linear %[[NORM]]

//--- payload.mlir
func.func @main(%x: tensor<2x?x96xf32>, %nw: tensor<96xf32>, %w: tensor<128x96xf32>, %b: tensor<128xf32>) -> tensor<2x?x128xf32> {
  %h = tok.rms_norm %x, %nw : (tensor<2x?x96xf32>, tensor<96xf32>) -> tensor<2x?x96xf32>
  %y = tok.linear %h, %w bias(%b : tensor<128xf32>) : (tensor<2x?x96xf32>, tensor<128x96xf32>) -> tensor<2x?x128xf32>
  return %y : tensor<2x?x128xf32>
}

//--- schedule.mlir
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %linear = transform.structured.match ops{["tok.linear"]} in %root : (!transform.any_op) -> !transform.any_op
    %norm = transform.structured.match ops{["tok.rms_norm"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %linear tile_sizes [1, 16, 64] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %fused, %loop2 = transform.structured.fuse_into_containing_op %norm into %loop : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
