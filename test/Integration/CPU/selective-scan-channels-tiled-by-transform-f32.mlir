// Selective scan with G=4 groups of B/C (16 channels each), D, z, dt_bias,
// init and softplus, tiled by a transform script before compilation: an
// scf.forall over batch and 8-channel blocks, each inside one group (B and C
// sliced to that group), then the default CPU pipeline. Against the
// sequential float64 recurrence of ref/scans.py.
// RUN: rm -rf %t && %python %S/../ref.py selective_scan --b=2 --l=48 --dm=64 --n=8 --g=4 --d --z --dt-bias --init --softplus --seed=7 --out=%t
// RUN: split-file %s %t/src
// RUN: tokamak-opt %t/src/payload.mlir --transform-preload-library=transform-library-paths=%t/src/schedule.mlir --transform-interpreter -o %t/tiled.mlir
// RUN: FileCheck %s --input-file=%t/tiled.mlir
// RUN: tokamak-run %t/tiled.mlir --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --input=@%t/in6.npy --input=@%t/in7.npy --input=@%t/in8.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

// CHECK-LABEL: func.func @main
// CHECK:         scf.forall
// CHECK:           tok.selective_scan {{.*}} : (tensor<1x?x8xf32>, tensor<1x?x8xf32>, tensor<8x8xf32>, tensor<1x?x1x8xf32>, tensor<1x?x1x8xf32>) -> (tensor<1x?x8xf32>, tensor<1x8x8xf32>)

//--- payload.mlir
func.func @main(%x: tensor<2x?x64xf32>, %dt: tensor<2x?x64xf32>, %a: tensor<64x8xf32>, %b: tensor<2x?x4x8xf32>, %c: tensor<2x?x4x8xf32>, %d: tensor<64xf32>, %z: tensor<2x?x64xf32>, %db: tensor<64xf32>, %h0: tensor<2x64x8xf32>) -> (tensor<2x?x64xf32>, tensor<2x64x8xf32>) {
  %y, %h = tok.selective_scan %x, %dt, %a, %b, %c D(%d : tensor<64xf32>) z(%z : tensor<2x?x64xf32>) dt_bias(%db : tensor<64xf32>) init(%h0 : tensor<2x64x8xf32>) {dt_softplus} : (tensor<2x?x64xf32>, tensor<2x?x64xf32>, tensor<64x8xf32>, tensor<2x?x4x8xf32>, tensor<2x?x4x8xf32>) -> (tensor<2x?x64xf32>, tensor<2x64x8xf32>)
  return %y, %h : tensor<2x?x64xf32>, tensor<2x64x8xf32>
}

//--- schedule.mlir
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %scan = transform.structured.match ops{["tok.selective_scan"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %scan tile_sizes [1, 8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
