//===- Passes.td - CPU code generation passes --------------*- tablegen -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_CODEGEN_CPU_PASSES_TD
#define TOKAMAK_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// tok-tile-linear (issue 4, linear part)
//===----------------------------------------------------------------------===//

def TileLinear : Pass<"tok-tile-linear", "::mlir::func::FuncOp"> {
  let summary = "tile, pack and vectorize tok.linear for the CPU, with fused "
                "norm prologues and epilogues";
  let description = [{
    Replaces `tok.linear` (`y = x·Wᵀ + b`, W `[N, K]`) with explicit vector
    kernels on tensors, accumulating in f32 (f16/bf16 operands are widened
    on the fly). Every vector is one register of the target: L = 16 f32
    lanes with AVX-512, 8 with AVX2 (`cpu`, `cpu-features`); tile sizes
    left at 0 are chosen from the target's registers and caches.

    - GEMM: `scf.forall` over (row chunks, blocks of `cache-tile-n` columns);
      per task and block of `cache-tile-k`, W is packed into f32 panels
      `[cache-tile-n/NR, cache-tile-k, NR]` (L×L transposes; a stack
      buffer of the task), and MR×NR register tiles (MR =
      `register-tile-rows`, NR = `register-tile-cols`: MR·NR/L vector
      accumulators, MR broadcasts, NR/L loads and MR·NR/L FMAs per k;
      8×32 with AVX-512 and 6×16 with AVX2, 16 and 12 accumulators) sweep
      the rows. Remaining rows use power-of-two row tiles; columns and
      depths that do not fill a tile are
      zero-padded in the panels and masked in the output. When partial sums
      need an f32 scratch tile (f16/bf16 results or a GLU, several K
      blocks), row chunks have at most 256 rows so that it is a stack
      buffer of the task too: no workspace comes from the heap per call.
    - GEMV (at most `gemv-max-rows` static rows, or one row at run time):
      `scf.forall` over blocks of `gemv-tile-n` rows of W, streamed once
      with K-contiguous loads and FMA accumulators, one horizontal sum per
      output.
    - Batched GEMV (dynamic row counts from 2 to `gemv-batch-max-rows` at
      run time: decode batches): the same tasks; per group of W rows, held
      in L1, the rows of x pass in chunks of `gemv-max-rows` and the rest
      by a copy specialized for its count, so W is still streamed from
      memory once per call (the GEMM would pack and widen all of it).
      Longer dynamic row counts take the GEMM.

    With `fuse-norms`, a `tok.rms_norm` or `tok.layer_norm` whose result is
    the linear's input is fused into its prologue: one pass over each row of
    the norm's input computes its statistics (rstd, and the mean for a layer
    norm: two passes over the row), once for all the linears the norm feeds
    (Q/K/V, gate/up); the GEMM normalizes rows of x and applies γ (and β)
    while widening them into the task's f32 row panel `[MR, cache-tile-k]`
    (prefetching the next row tile's rows into L2 meanwhile), so the
    normalized activation never goes to memory; the GEMV reads x
    normalized once in its prologue (K elements per row, shared by the
    linears when M is static). The norm stays for its other users, if any.
    f16/bf16 rows are normalized in f32 and not rounded in between.

    With `fuse-epilogues`, a `tok.activation` or `tok.glu` that is the
    linear's only user and then a residual add (`linalg.add` or tensor
    `arith.addf`) that is the only user of that are applied to the
    accumulators before the store. For a GLU, each packed panel holds gate
    rows of W and the matching up rows, so one register tile yields
    `act(gate) · up` for half its columns (NR must be a multiple of 2·L).
    Inputs with more than one dynamic leading dimension stay for
    `convert-tok-to-linalg`.

    ```mlir
    %y = tok.linear %x, %w bias(%b : tensor<512xf32>) : (tensor<?x256xf32>, tensor<512x256xf32>) -> tensor<?x512xf32>
    ```
  }];
  let options = [
    Option<"cpu", "cpu", "std::string", /*default=*/"\"x86-64-v4\"",
           "LLVM x86-64 CPU name the kernels are generated for (vector "
           "width, registers, caches and ISA come from it; host: this "
           "machine)">,
    Option<"cpuFeatures", "cpu-features", "std::string", /*default=*/"\"\"",
           "LLVM feature string applied on top of the CPU's (+avx512f,...)">,
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Report the target description and the tile sizes chosen from it "
           "as remarks">,
    Option<"numThreads", "num-threads", "int64_t", /*default=*/"2",
           "Threads the parallel loops are balanced for">,
    Option<"tileRows", "register-tile-rows", "int64_t", /*default=*/"0",
           "Rows of the GEMM register tile (x broadcasts per k; 0: chosen "
           "from the target)">,
    Option<"tileCols", "register-tile-cols", "int64_t", /*default=*/"0",
           "Columns of the GEMM register tile and packed panels (a multiple "
           "of the target's f32 lanes; 0: chosen from the target)">,
    Option<"cacheTileN", "cache-tile-n", "int64_t", /*default=*/"0",
           "Columns of W per parallel task and packed block (multiple of "
           "register-tile-cols; 0: chosen from the target's L2)">,
    Option<"cacheTileK", "cache-tile-k", "int64_t", /*default=*/"0",
           "Depth of one packed block (a multiple of the target's f32 lanes; "
           "0: chosen from the target's L2)">,
    Option<"gemvMaxRows", "gemv-max-rows", "int64_t", /*default=*/"4",
           "Largest static row count that takes the GEMV; the chunk of the "
           "batched GEMV">,
    Option<"gemvBatchMaxRows", "gemv-batch-max-rows", "int64_t",
           /*default=*/"16",
           "Largest run-time row count that takes the batched GEMV (the "
           "GEMM above; at most 1: never)">,
    Option<"gemvTileN", "gemv-tile-n", "int64_t", /*default=*/"64",
           "Rows of W per parallel task of the GEMV">,
    Option<"fuseEpilogues", "fuse-epilogues", "bool", /*default=*/"true",
           "Fold a following activation or GLU and residual add into the "
           "kernel">,
    Option<"fuseNorms", "fuse-norms", "bool", /*default=*/"true",
           "Fuse a tok.rms_norm or tok.layer_norm that produces the input "
           "into the kernel's prologue">,
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
// tok-tile-linear-scan, tok-tile-selective-scan, tok-tile-conv1d (issue 4,
// scans and mixers part)
//===----------------------------------------------------------------------===//

def TileLinearScan : Pass<"tok-tile-linear-scan", "::mlir::func::FuncOp"> {
  let summary = "chunked tok.linear_scan: intra-chunk matmuls with decay "
                "masks and an inter-chunk state pass";
  let description = [{
    Replaces `tok.linear_scan` with a chunked kernel: `scf.forall` over
    (B, H); per task, an `scf.for` over chunks of `chunk-size` steps carries
    the f32 state S `[Dk, Dv]` in a stack buffer. Per chunk (G the cumulative
    log decay inside the chunk, Γ = exp(G), rows past L zero-padded):

    - `A = (Q Kᵀ) ⊙ D`, `D_ij = exp(G_i − G_j)` for j ≤ i (scalar decay), or
      `A = (Q ⊙ Γ)(K ⊙ Γ⁻¹)ᵀ` on the causal blocks (per-key-channel decay);
    - delta rule: the pseudo-values `U = (I + L)⁻¹ diag(β)(V − (K ⊙ Γ) S)`
      with `L = strictly-lower(diag(β)(K Kᵀ ⊙ D))` by forward substitution;
    - `O = scale · ((Q ⊙ Γ) S + A U)`, `S ← Γ_C ⊙ S + (K ⊙ Γ_C Γ⁻¹)ᵀ U`
      (U = V for the additive update).

    All products are register-tiled outer-product micro-kernels of the
    target's f32 vectors (4 rows × up to 4 zmm vectors with AVX-512F, 4 rows
    × 2 ymm vectors with 16 vector registers). Scalar decays only ever exponentiate differences
    G_i − G_j ≤ 0. The per-channel form factors exp(G_i − G_j) into
    Γ_i · Γ_j⁻¹, exact up to rounding but overflowing when the chunk's decay
    is large: a chunk whose total log decay exceeds 40 in any channel runs
    the exact step-by-step recurrence instead. With AVX-512F in the target,
    that form's exponentials (two per element of G: Γ and Γ⁻¹) scale their polynomial
    with `vscalefps`. Scans with a dynamic head dimension stay for
    `convert-tok-to-linalg`.

    ```mlir
    %o, %s = tok.linear_scan %q, %k, %v decay(%g : tensor<1x8x?xf32>) beta(%b : tensor<1x8x?xf32>) {update = "delta"} : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>) -> (tensor<1x8x?x64xf32>, tensor<1x8x64x64xf32>)
    ```
  }];
  let options = [
    Option<"chunkSize", "chunk-size", "int64_t", /*default=*/"0",
           "Time steps per chunk (a multiple of the target's f32 lanes, at "
           "most 128; 0: chosen from the target, 16)">,
    Option<"cpu", "cpu", "std::string", /*default=*/"\"x86-64-v4\"",
           "LLVM x86-64 CPU name the kernels are generated for (vector "
           "width, registers, caches and ISA come from it; host: this "
           "machine)">,
    Option<"cpuFeatures", "cpu-features", "std::string", /*default=*/"\"\"",
           "LLVM feature string applied on top of the CPU's (+avx512f,...)">,
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Report the target description and the tile sizes chosen from it "
           "as remarks">,
    Option<"numThreads", "num-threads", "int64_t", /*default=*/"2",
           "Threads the parallel loops are balanced for">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::x86vector::X86VectorDialect"];
}

def TileSelectiveScan : Pass<"tok-tile-selective-scan",
                             "::mlir::func::FuncOp"> {
  let summary = "vectorize tok.selective_scan over channels and state";
  let description = [{
    Replaces `tok.selective_scan` with a vector kernel: `scf.forall` over
    (B, tiles of `channel-tile` channels); time runs sequentially in blocks
    of `time-block` steps. Per block, Δ = softplus(dt + dt_bias) and Δ·x
    are staged for the tile; then each channel vector (the target's f32
    lanes: 16 with AVX-512F, 8 with AVX2; fewer when a group has fewer
    channels) runs the block with `state-block` state vectors in registers
    (one pass per group of states, all N in one pass on 32 zmm registers,
    8 per pass on 16 ymm registers),
    `h[n] = exp2(Δ·A[n]·log2 e)·h[n] + (Δ·x)·B[n]`, `y = Σ_n C[n]·h[n]`,
    prefetching the next block's rows; last, `D·x` and the `silu(z)` gate
    are applied on the way out. The state lives in a stack buffer between
    blocks; nothing is allocated per step. exp2 is a degree-5 polynomial on
    an exponent split (12 vector ops); with AVX-512F in the target and
    16-lane channel vectors the recurrence's exp2 scales the polynomial
    with one AVX-512 `vscalefps` (`x86vector.avx512.mask.scalef`, 8 vector
    ops), which only a target with AVX-512F can run. Options left at 0 are
    chosen from the target (registers, L2 size). Scans with a dynamic
    channel, group or state size stay for `convert-tok-to-linalg`.

    ```mlir
    %y = tok.selective_scan %x, %dt, %A, %B, %C D(%d : tensor<1536xf32>) z(%z : tensor<1x?x1536xf32>) {dt_softplus} : (tensor<1x?x1536xf32>, tensor<1x?x1536xf32>, tensor<1536x16xf32>, tensor<1x?x1x16xf32>, tensor<1x?x1x16xf32>) -> tensor<1x?x1536xf32>
    ```
  }];
  let options = [
    Option<"channelTile", "channel-tile", "int64_t", /*default=*/"0",
           "Channels per parallel task (a multiple of the target's f32 "
           "lanes; 0: chosen from the target, 128 when L2 holds the staged "
           "rows)">,
    Option<"timeBlock", "time-block", "int64_t", /*default=*/"0",
           "Time steps run per channel vector before moving to the next "
           "(0: 64)">,
    Option<"stateBlock", "state-block", "int64_t", /*default=*/"0",
           "States kept in registers per pass over a time block (0: chosen "
           "from the target's vector registers)">,
    Option<"cpu", "cpu", "std::string", /*default=*/"\"x86-64-v4\"",
           "LLVM x86-64 CPU name the kernels are generated for (vector "
           "width, registers, caches and ISA come from it; host: this "
           "machine)">,
    Option<"cpuFeatures", "cpu-features", "std::string", /*default=*/"\"\"",
           "LLVM feature string applied on top of the CPU's (+avx512f,...)">,
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Report the target description and the tile sizes chosen from it "
           "as remarks">,
    Option<"numThreads", "num-threads", "int64_t", /*default=*/"2",
           "Threads the parallel loops are balanced for">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::x86vector::X86VectorDialect"];
}

def TileConv1d : Pass<"tok-tile-conv1d", "::mlir::func::FuncOp"> {
  let summary = "fuse tok.conv1d with its bias and activation and vectorize "
                "it over channels";
  let description = [{
    Replaces `tok.conv1d` with one streaming vector kernel: `scf.forall`
    over (B, channel tiles of up to 64 channels — 4 zmm vectors with
    AVX-512F, 8 ymm vectors with AVX2 —, time splits when the tiles alone
    leave threads idle); the taps and the bias sit in registers, the
    last K−1 inputs slide through registers (from `init` or zeros before
    t = 0), and each output vector is `act(bias + Σ_k w_k·x_{t−K+1+k})`,
    written once. The final state is gathered after the loop. Convolutions
    with a dynamic channel count or kernel size stay for
    `convert-tok-to-linalg`.

    ```mlir
    %y = tok.conv1d %x, %w bias(%b : tensor<1536xf32>) {activation = "silu"} : (tensor<1x?x1536xf32>, tensor<1536x4xf32>) -> tensor<1x?x1536xf32>
    ```
  }];
  let options = [
    Option<"cpu", "cpu", "std::string", /*default=*/"\"x86-64-v4\"",
           "LLVM x86-64 CPU name the kernels are generated for (vector "
           "width, registers, caches and ISA come from it; host: this "
           "machine)">,
    Option<"cpuFeatures", "cpu-features", "std::string", /*default=*/"\"\"",
           "LLVM feature string applied on top of the CPU's (+avx512f,...)">,
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Report the target description and the tile sizes chosen from it "
           "as remarks">,
    Option<"numThreads", "num-threads", "int64_t", /*default=*/"2",
           "Threads the parallel loops are balanced for">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
}

//===----------------------------------------------------------------------===//
// tok-tile-topk (issue 14)
//===----------------------------------------------------------------------===//

def TileTopK : Pass<"tok-tile-topk", "::mlir::func::FuncOp"> {
  let summary = "vectorized filter-and-compress top-k selection";
  let description = [{
    Replaces `tok.topk` along the last dim with a vector kernel, one row per
    task of an `scf.forall` over the rows (the result's other dims). Every
    entry becomes an order-preserving i32 key (the f32 bits with the
    magnitude of negatives flipped, −0 as +0, NaN below −inf; the sum over
    the group first with `group`, negated with `smallest`). Per vector of
    the target's f32 lanes (16 with AVX-512, 8 with AVX2) one compare with
    the row's threshold decides whether any lane can still be among the k
    best; the lanes that can are compress-stored (`vector.compressstore`,
    `vpcompressq` with AVX-512) as 64-bit `(key << 32) | ~index` into a
    candidate buffer on the task's stack. When the buffer holds more than
    `2·max(k, L) − L` entries, a branch-free merge sort keeps the k best
    and the threshold becomes the k-th key, so that on most rows only a few
    vectors after the first ones store anything. A final sort gives the
    op's order (descending value, ties by lower index, which the packed
    index encodes); budget and mass cut the count, and values and indices
    are written per vector with the fill (−1, ∓inf) past it. Selections
    along another dim, rank-1 inputs, k = 0 and k above 16384 stay for
    `convert-tok-to-linalg`.

    ```mlir
    %v, %i = tok.topk %scores {k = 8 : i64} : (tensor<2x8x?xf32>) -> (tensor<2x8x8xf32>, tensor<2x8x8xi32>)
    ```
  }];
  let options = [
    Option<"cpu", "cpu", "std::string", /*default=*/"\"x86-64-v4\"",
           "LLVM x86-64 CPU name the kernels are generated for (vector "
           "width, registers, caches and ISA come from it; host: this "
           "machine)">,
    Option<"cpuFeatures", "cpu-features", "std::string", /*default=*/"\"\"",
           "LLVM feature string applied on top of the CPU's (+avx512f,...)">,
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Report the target description and the tile sizes chosen from it "
           "as remarks">,
    Option<"numThreads", "num-threads", "int64_t", /*default=*/"2",
           "Threads the parallel loops are balanced for">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
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
    - Rope fusion (`fuse-rope`): when the query is produced by `tok.rope`,
      the tile reads the rope's input and rotates each query row as it packs
      it (sin/cos of `pos * theta_i` per row, pairs by vector shuffles), so
      the rotated query is never materialized and the `tok.rope` is erased
      when nothing else reads it. Keys are not fused: in prefill every key
      block is read by every query tile of its kv head, so rotating K in the
      key loop would redo the rotation `Sq / tile` times, whereas one
      `tok.rope` pass over K costs one read and one write of K; in decode K
      comes from the cache, rotated when it was written.
    - Vector width and register blocks come from the target
      (`chooseAttentionTiles`): L = its f32 lanes (16 on AVX-512, 8 on AVX2)
      and half its vector registers as accumulators (16 zmm, 8 ymm).
    - Per key block: K is transposed into a `[D, block-keys]` f32 panel
      (LxL transposes: 16x16 on AVX-512, 8x8 on AVX2; paged caches are
      gathered through the block table one block at a time), then for each
      group of 4 rows `S = Q.Kᵀ` (broadcast + FMA in blocks of 4 rows x 64
      keys on AVX-512; 4 x 16 keys on AVX2, whose slices go through the
      probability scratch), softcap, `score_mod` (vectorized when its body
      is elementwise, lane by lane otherwise), bias, mask, the online softmax
      (running max and sum per row, rescaling of the accumulator) and `P.V`
      (broadcast + FMA into 4 x 64-column accumulators on AVX-512, 4 x
      16-column on AVX2). All in f32, whatever the input element types.
    - Decode (static `Sq` with at most `decode-rows` rows per kv group):
      split-KV, `scf.forall` over (batch, kv head, key chunk) — (batch, key
      chunk, kv head) for paged caches, whose rows interleave the kv heads,
      so that the tiles reading the same pages run together — producing
      partial outputs and lse, merged with `tok.lse_merge` semantics. With
      so few rows a transposed K panel would cost more than the scores, so
      K rows are read in place (through the block table for paged caches):
      per group of L keys and per row, L partial vectors over D are summed
      by one transpose-reduction (`vector.shuffle` + add, log2(L) stages: 4
      on AVX-512, 3 on AVX2), and `P.V` takes whole value rows first (2
      rows x 128 columns on AVX-512, 1 x 64 on AVX2 at `Dv` 128). In
      unmasked blocks the L rows share one base address (one table lookup
      for pages of a static multiple of L rows) and, when the keys are a
      function argument, the rows 64 keys ahead are prefetched
      (`memref.prefetch` on a `read_only` `bufferization.to_buffer`). The
      merge is a second `scf.forall` over (batch, kv head) with one `exp`
      per (row, chunk).
    - Block lists (`block_indices`, `block_counts`): the tile's query rows
      divide `block_q`, so a tile reads one list; one `scf.for` over its
      entries (tagged `listed`) replaces the four key-block loops. Each id
      out of range or listed before is skipped; a listed block is split
      into kernel blocks (`block-keys`, or the largest divisor of `block_k`
      that divides it), and each kernel block is visited, with or without
      the mask as the four loops would, only if some row of the tile sees
      one of its keys. Unlisted blocks are never loaded. Such tiles never
      use split-KV.
    - Rows that see no key give zeros and lse `-inf`.

    Ops with dynamic head counts or head dims, and block lists whose
    `block_k` has no divisor that is a multiple of the f32 lanes and
    divides `block-keys`, are left for `convert-tok-to-linalg`.
  }];
  let options = [
    Option<"blockRows", "block-rows", "int64_t", /*default=*/"64",
           "Query rows (heads of a group x positions) per tile">,
    Option<"blockKeys", "block-keys", "int64_t", /*default=*/"64",
           "Keys per block (a positive multiple of the target's f32 "
           "lanes)">,
    Option<"decodeRows", "decode-rows", "int64_t", /*default=*/"16",
           "Largest static rows per kv group that take the split-KV path">,
    Option<"kvSplits", "kv-splits", "int64_t", /*default=*/"8",
           "Target number of key chunks of a split-KV decode">,
    Option<"minSplitKeys", "min-split-keys", "int64_t", /*default=*/"1024",
           "Fewest keys per split-KV chunk">,
    Option<"fuseRope", "fuse-rope", "bool", /*default=*/"true",
           "Rotate a tok.rope-produced query inside the tiles">,
    Option<"cpu", "cpu", "std::string", /*default=*/"\"x86-64-v4\"",
           "LLVM x86-64 CPU name the kernels are generated for (vector "
           "width, registers, caches and ISA come from it; host: this "
           "machine)">,
    Option<"cpuFeatures", "cpu-features", "std::string", /*default=*/"\"\"",
           "LLVM feature string applied on top of the CPU's (+avx512f,...)">,
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Report the target description and the tile sizes chosen from it "
           "as remarks">,
    Option<"numThreads", "num-threads", "int64_t", /*default=*/"2",
           "Threads the parallel loops are balanced for">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::ub::UBDialect",
                           "::mlir::vector::VectorDialect"];
}

//===----------------------------------------------------------------------===//
// Upstream linalg ops
//===----------------------------------------------------------------------===//

def VectorizeLinalg : Pass<"tok-vectorize-linalg", "::mlir::func::FuncOp"> {
  let summary = "tile and vectorize the linalg ops the tile passes leave";
  let description = [{
    Upstream linalg ops beside tok ops (DESIGN §4: elementwise arith/math
    on tensors, broadcasts, gathers through `tensor.extract`, reductions,
    `linalg.softmax` decomposed) and the reference lowering of tok ops the
    tile passes leave would otherwise become scalar loops. This tiles each
    linalg op on tensors so that its innermost dim is one vector of the
    target's f32 lanes and the other dims are 1, peels the last partial
    vector of a row, and vectorizes the tiles with upstream linalg
    vectorization: full tiles unmasked, the partial vector (of a dynamic
    or a static row) masked in the smallest power-of-two vector that holds
    it. A reduction over the innermost dim is vectorized whole when its
    static size is at most four vectors, else one vector per step of a loop
    that carries the result; a reduction over outer dims runs inside the
    loop over blocks of the innermost dim (a quarter of the target's vector
    registers each; the reduced dims in blocks of 64 when the innermost
    dim takes more than one block) and carries its accumulators in vector
    registers. In a gather from an n-D tensor, the inputs that
    are one element per tile are read before it, so that a row gathered by
    id is a contiguous load (other gathers are `vector.gather`). Ops the
    vectorizer rejects (a reduction combiner that is no vector reduction
    kind, region ops in the body) stay for the loop lowering as scalar
    tiles; with `remarks`, a remark says why.

    ```mlir
    %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x?xf32>) outs(%e : tensor<4x?xf32>) { ... }
    // → scf.for over rows and column vectors, each a masked
    //   vector.transfer_read / arith on vector<1x16xf32> / transfer_write.
    ```
  }];
  let options = [
    Option<"cpu", "cpu", "std::string", /*default=*/"\"x86-64-v4\"",
           "LLVM x86-64 CPU name the vectors are sized for (host: this "
           "machine)">,
    Option<"cpuFeatures", "cpu-features", "std::string", /*default=*/"\"\"",
           "LLVM feature string applied on top of the CPU's (+avx512f,...)">,
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Report the vector width, and why an op is not vectorized, as "
           "remarks">,
    Option<"numThreads", "num-threads", "int64_t", /*default=*/"2",
           "Threads of the target (part of its description)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
}

#endif // TOKAMAK_CODEGEN_CPU_PASSES_TD
