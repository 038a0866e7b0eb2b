// Causal depthwise conv1d with bias, silu, init state and final state,
// tiled by a transform script before compilation: an scf.forall over batch
// and 32-channel blocks (time stays whole; init and the final state follow
// the channel tile), then the default CPU pipeline. Against
// torch.nn.functional.conv1d in ref/mixers.py.
// RUN: rm -rf %t && %python %S/../ref.py conv1d --b=2 --l=40 --c=96 --k=4 --bias --init --silu --seed=9 --out=%t
// RUN: split-file %s %t/src
// RUN: tokamak-opt %t/src/payload.mlir --transform-preload-library=transform-library-paths=%t/src/schedule.mlir --transform-interpreter -o %t/tiled.mlir
// RUN: FileCheck %s --input-file=%t/tiled.mlir
// RUN: tokamak-run %t/tiled.mlir --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

// CHECK-LABEL: func.func @main
// CHECK:         scf.forall
// CHECK:           tok.conv1d {{.*}} : (tensor<1x?x32xf32>, tensor<32x4xf32>) -> (tensor<1x?x32xf32>, tensor<1x32x3xf32>)

//--- payload.mlir
func.func @main(%x: tensor<2x?x96xf32>, %w: tensor<96x4xf32>, %b: tensor<96xf32>, %s0: tensor<2x96x3xf32>) -> (tensor<2x?x96xf32>, tensor<2x96x3xf32>) {
  %y, %st = tok.conv1d %x, %w bias(%b : tensor<96xf32>) init(%s0 : tensor<2x96x3xf32>) {activation = "silu"} : (tensor<2x?x96xf32>, tensor<96x4xf32>) -> (tensor<2x?x96xf32>, tensor<2x96x3xf32>)
  return %y, %st : tensor<2x?x96xf32>, tensor<2x96x3xf32>
}

//--- schedule.mlir
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %conv = transform.structured.match ops{["tok.conv1d"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %conv tile_sizes [1, 32] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
