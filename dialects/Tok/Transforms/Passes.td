//===- Passes.td - tok dialect passes ----------------------*- tablegen -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_DIALECT_TOK_TRANSFORMS_PASSES_TD
#define TOKAMAK_DIALECT_TOK_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// tok-tile-linear (issue 4, linear part)
//===----------------------------------------------------------------------===//

def TileLinear : Pass<"tok-tile-linear", "::mlir::func::FuncOp"> {
  let summary = "tile, pack and vectorize tok.linear for the CPU, with fused "
                "epilogues";
  let description = [{
    Replaces `tok.linear` (`y = x·Wᵀ + b`, W `[N, K]`) with explicit vector
    kernels on tensors, accumulating in f32 (f16/bf16 operands are widened
    on the fly):

    - GEMM: `scf.forall` over (row chunks, blocks of `cache-tile-n` columns);
      per task and block of `cache-tile-k`, W is packed into f32 panels
      `[cache-tile-n/32, cache-tile-k, 32]` (a stack buffer of the task),
      and 8×32 register tiles (16 vector accumulators; 8 broadcasts, 2
      loads and 16 FMAs per k) sweep the rows. Remaining rows use 4-, 2-
      and 1-row tiles; columns and depths that do not fill a tile are
      zero-padded in the panels and masked in the output.
    - GEMV (at most `gemv-max-rows` static rows, or one dynamic row at run
      time): `scf.forall` over blocks of `gemv-tile-n` rows of W, streamed
      once with K-contiguous loads and FMA accumulators, one horizontal sum
      per output.

    With `fuse-epilogues`, a `tok.activation` or `tok.glu` that is the
    linear's only user and then a residual add (`linalg.add` or tensor
    `arith.addf`) that is the only user of that are applied to the
    accumulators before the store. For a GLU, each packed panel holds gate
    rows of W and the matching up rows, so one register tile yields
    `act(gate) · up` for half its columns.
    Inputs with more than one dynamic leading dimension stay for
    `convert-tok-to-linalg`.

    ```mlir
    %y = tok.linear %x, %w bias(%b : tensor<512xf32>) : (tensor<?x256xf32>, tensor<512x256xf32>) -> tensor<?x512xf32>
    ```
  }];
  let options = [
    Option<"tileRows", "register-tile-rows", "int64_t", /*default=*/"8",
           "Rows of the GEMM register tile (x broadcasts per k)">,
    Option<"tileCols", "register-tile-cols", "int64_t", /*default=*/"32",
           "Columns of the GEMM register tile and packed panels (multiple "
           "of 16)">,
    Option<"cacheTileN", "cache-tile-n", "int64_t", /*default=*/"256",
           "Columns of W per parallel task and packed block (multiple of "
           "register-tile-cols)">,
    Option<"cacheTileK", "cache-tile-k", "int64_t", /*default=*/"512",
           "Depth of one packed block (multiple of 16)">,
    Option<"numThreads", "num-threads", "int64_t", /*default=*/"2",
           "Threads the parallel loops are balanced for">,
    Option<"gemvMaxRows", "gemv-max-rows", "int64_t", /*default=*/"4",
           "Largest static row count that takes the GEMV">,
    Option<"gemvTileN", "gemv-tile-n", "int64_t", /*default=*/"64",
           "Rows of W per parallel task of the GEMV">,
    Option<"fuseEpilogues", "fuse-epilogues", "bool", /*default=*/"true",
           "Fold a following activation or GLU and residual add into the "
           "kernel">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
}

#endif // TOKAMAK_DIALECT_TOK_TRANSFORMS_PASSES_TD
