// Gated delta rule linear scan (per-key-channel decay, beta, init, final
// state), tiled by a transform script before compilation: scf.for loops over
// batch, heads and 16-wide value-channel blocks (every state column evolves
// on its own), then the default CPU pipeline (chunked scans). Against the
// sequential float64 recurrence of ref/scans.py.
// RUN: rm -rf %t && %python %S/../ref.py linear_scan --b=2 --heads=4 --l=64 --dk=16 --dv=32 --decay=vector --delta --beta --init --scale=0.25 --seed=5 --out=%t
// RUN: split-file %s %t/src
// RUN: tokamak-opt %t/src/payload.mlir --transform-preload-library=transform-library-paths=%t/src/schedule.mlir --transform-interpreter -o %t/tiled.mlir
// RUN: FileCheck %s --input-file=%t/tiled.mlir
// RUN: tokamak-run %t/tiled.mlir --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

// CHECK-LABEL: func.func @main
// CHECK:         scf.for
// CHECK:           scf.for
// CHECK:             scf.for
// CHECK:               tok.linear_scan {{.*}} -> (tensor<1x1x?x16xf32>, tensor<1x1x16x16xf32>)

//--- payload.mlir
func.func @main(%q: tensor<2x4x?x16xf32>, %k: tensor<2x4x?x16xf32>, %v: tensor<2x4x?x32xf32>, %g: tensor<2x4x?x16xf32>, %beta: tensor<2x4x?xf32>, %s0: tensor<2x4x16x32xf32>) -> (tensor<2x4x?x32xf32>, tensor<2x4x16x32xf32>) {
  %o, %st = tok.linear_scan %q, %k, %v decay(%g : tensor<2x4x?x16xf32>) beta(%beta : tensor<2x4x?xf32>) init(%s0 : tensor<2x4x16x32xf32>) {update = "delta", scale = 0.25 : f32} : (tensor<2x4x?x16xf32>, tensor<2x4x?x16xf32>, tensor<2x4x?x32xf32>) -> (tensor<2x4x?x32xf32>, tensor<2x4x16x32xf32>)
  return %o, %st : tensor<2x4x?x32xf32>, tensor<2x4x16x32xf32>
}

//--- schedule.mlir
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %scan = transform.structured.match ops{["tok.linear_scan"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %l0, %l1, %l2 = transform.structured.tile_using_for %scan tile_sizes [1, 1, 16] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    transform.yield
  }
}
