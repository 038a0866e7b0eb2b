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
    - GEMV (at most `gemv-max-rows` rows, static or at run time, the row
      count then selecting a specialized copy): `scf.forall` over blocks of
      `gemv-tile-n` rows of W, streamed once with K-contiguous loads and FMA
      accumulators, one horizontal sum per output.

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
           "Largest row count (static or at run time) that takes the GEMV">,
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

//===----------------------------------------------------------------------===//
// tok-tile-attention (issue 4, attention part)
//===----------------------------------------------------------------------===//

def TileAttention : Pass<"tok-tile-attention"> {
  let summary = "tile tok.attention and tok.paged_attention FlashAttention-style";
  let description = [{
    Replaces `tok.attention` and `tok.paged_attention` with tiled code on
    tensors that never materializes the score matrix:

    - `scf.forall` over (batch, kv head, query tile). A tile holds the query
      rows of a whole GQA group (`G` heads x `block-rows / G` positions), so
      the heads of a group share every K/V block load.
    - Per tile, the visible key range of each query position is computed
      from `causal`, `window`, `sinks`, `seq_starts` (or the paged lengths);
      their union, intersection and sink hull become the bounds of four
      `scf.for` loops over key blocks (tagged `tok.key_blocks`): `sink`,
      `leading` and `trailing` blocks evaluate the mask, `interior` blocks
      are fully visible and have no mask ops. Blocks outside the union are
      never visited.
    - Per key block: K is transposed into a `[D, block-keys]` f32 panel
      (16x16 transposes; paged caches are gathered through the block table
      one block at a time), then for each group of 4 rows
      `S = Q.Kᵀ` (broadcast + FMA), softcap, `score_mod` (vectorized when its
      body is elementwise, lane by lane otherwise), bias, mask, the online
      softmax (running max and sum per row, rescaling of the accumulator)
      and `P.V` (broadcast + FMA into 4 x 64-column accumulators). All in
      f32, whatever the input element types.
    - Decode (static `Sq` with at most `decode-rows` rows per kv group):
      split-KV, `scf.forall` over (batch, kv head, key chunk) producing
      partial outputs and lse, merged with `tok.lse_merge` semantics.
    - Rows that see no key give zeros and lse `-inf`.

    Ops with dynamic head counts or head dims are left for
    `convert-tok-to-linalg`.
  }];
  let options = [
    Option<"blockRows", "block-rows", "int64_t", /*default=*/"64",
           "Query rows (heads of a group x positions) per tile">,
    Option<"blockKeys", "block-keys", "int64_t", /*default=*/"64",
           "Keys per block (a positive multiple of 16)">,
    Option<"decodeRows", "decode-rows", "int64_t", /*default=*/"16",
           "Largest static rows per kv group that take the split-KV path">,
    Option<"kvSplits", "kv-splits", "int64_t", /*default=*/"8",
           "Target number of key chunks of a split-KV decode">,
    Option<"minSplitKeys", "min-split-keys", "int64_t", /*default=*/"1024",
           "Fewest keys per split-KV chunk">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::ub::UBDialect",
                           "::mlir::vector::VectorDialect"];
}

#endif // TOKAMAK_DIALECT_TOK_TRANSFORMS_PASSES_TD
