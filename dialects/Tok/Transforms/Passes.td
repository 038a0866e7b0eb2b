//===- Passes.td - Target-neutral transforms of the tok dialect --*- tablegen -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOK_TRANSFORMS_PASSES_TD
#define TOK_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def DecomposePackedScans : Pass<"tok-decompose-packed-scans"> {
  let summary = "run packed (seq_starts) scans and conv1d once per sequence";
  let description = [{
    A `tok.selective_scan`, `tok.linear_scan` or `tok.conv1d` with
    `seq_starts(cu)` holds N variable-length sequences packed along its time
    dim (batch 1). This rewrites it as an `scf.for` over the sequences:
    sequence `n` is the slice `[cu[n], cu[n+1])` of the time dim (offsets
    clamped to `[0, L]`, so the slices stay in bounds whatever `cu` holds),
    which the same op without `seq_starts` scans with `init[n]` as its
    initial state; its output is inserted at the sequence's offset and its
    final state as row `n` of the `[N, ...]` final state. Time positions
    outside every sequence stay 0.

    The per-sequence ops are ordinary unpacked ops, so every backend's
    kernels (the CPU tile passes, the reference lowering, the GPU path) run
    them; each still parallelizes over its channels and heads. Run it after
    tokamak-insert-runtime-checks, which checks the packed op's sizes.

    ```mlir
    %y, %h = tok.selective_scan %x, %dt, %A, %B, %C seq_starts(%cu : tensor<4xi32>) : (tensor<1x?x64xf32>, tensor<1x?x64xf32>, tensor<64x16xf32>, tensor<1x?x1x16xf32>, tensor<1x?x1x16xf32>) -> (tensor<1x?x64xf32>, tensor<3x64x16xf32>)
    ```
    becomes a loop of three `tok.selective_scan` ops on `tensor<1x?x64xf32>`
    slices, each giving one `tensor<1x64x16xf32>` row of `%h`.
  }];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // TOK_TRANSFORMS_PASSES_TD
