//===- TokOps.td - tok dialect operations ------------------*- tablegen -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_DIALECT_TOK_IR_TOKOPS_TD
#define TOKAMAK_DIALECT_TOK_IR_TOKOPS_TD

include "dialects/Tok/IR/TokDialect.td"
include "dialects/Tok/IR/TokEnums.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/IR/OpAsmInterface.td"

// Shape/type rules are checked by the C++ verifiers so that every diagnostic
// names the operand and the values; ODS only states "ranked tensor".
defvar Tok_Tensor = AnyRankedTensor;

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

def Tok_AttentionOp : Tok_ComputeOp<"attention",
    [Pure, AttrSizedOperandSegments, AttrSizedResultSegments]> {
  let summary = "scaled dot-product attention";
  let description = [{
    Computes `softmax(mask(bias + mod(cap(scale * Q Kᵀ)))) V` per batch and
    query head. Shapes: query `[B, Hq, Sq, D]`, key `[B, Hkv, Skv, D]`, value
    `[B, Hkv, Skv, Dv]`, result `[B, Hq, Sq, Dv]`, with `Hq % Hkv == 0`
    (query head `h` reads kv head `h / (Hq / Hkv)`: MHA, GQA and MQA).

    * `s_ij = scale · q_i·k_j` (default scale `1/sqrt(D)`);
    * `softcap = c`: `s = c · tanh(s / c)`;
    * `score_mod` region (if present) maps `(s, b, h, i, j)` to a new score;
    * `bias` (broadcastable to `[B, Hq, Sq, Skv]`) is added;
    * masks compose by AND: `causal` keeps `j ≤ i + (Skv − Sq)` (bottom-right
      aligned), `window = W` (requires causal) also keeps
      `j > i + (Skv − Sq) − W`, `sinks = N` keeps keys `j < N` whenever
      causal allows them; `seq_starts(cu)` (B = 1) packs variable-length
      sequences: a query sees only keys of its own sequence, and positions
      count from each sequence start;
    * softmax over `j`, then `P · V`. A row with no visible key yields zeros
      (and `lse = -inf`).

    The optional second result is the natural log of the softmax denominator
    `[B, Hq, Sq]` in f32, for split-KV and merging with `tok.lse_merge`.

    The optional `stats` result (written `stats T` last in the result list)
    holds attention probability statistics in f32, the column sums of the
    softmax probabilities `p_ij` (after every mask; a masked key and a row
    with no visible key contribute 0) over the last `W` query rows:

    ```
    stats[b, h, j] = Σ_{i ≥ Sq − W} p[b, h, i, j]                  (stats_per_query_head)
    stats[b, k, j] = Σ_{h / G = k} Σ_{i ≥ Sq − W} p[b, h, i, j]    (default, G = Hq / Hkv)
    ```

    `stats_window = W` (≥ 1) picks the rows (SnapKV's observation window);
    without it every row counts (`W = Sq`); `W > Sq` also means every row.
    The result is `[B, Hkv, Skv]` (summed over each kv head's query heads)
    or, with `stats_per_query_head`, `[B, Hq, Skv]`. Each row's
    probabilities sum to 1, so `Σ_j stats[b, h, j]` is the number of
    counted rows (of the `G` query heads, when summed per kv head) that see
    a key. With a decode
    step (`Sq` = 1..few) and no window, the result is that step's
    probability column sums; adding them up over steps is the H2O
    heavy-hitter accumulation. With `seq_starts`, a key is visible only to
    the rows of its own sequence and the window is the last `W` rows of
    that sequence (`i ≥ end − W` for the sequence `[start, end)`), so one
    packed prefill yields every sequence's observation-window statistics.

    ```mlir
    %o = tok.attention %q, %k, %v {causal, scale = 1.250000e-01 : f32, sinks = 4 : i64, softcap = 5.000000e+01 : f32, window = 256 : i64} : (tensor<1x8x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>) -> tensor<1x8x?x64xf16>
    %o2, %s = tok.attention %q, %k, %v {causal, stats_window = 32 : i64} : (tensor<1x8x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>) -> (tensor<1x8x?x64xf16>, stats tensor<1x2x?xf32>)
    ```

    Block sparsity (NSA's selected branch, Quest, MoBA):
    `block_indices(idx)` (i32 `[B, Hkv, Nqb, MaxSel]`) with `block_q = Q`
    and `block_k = K` lists, per batch, kv head and query block, the key
    blocks to visit. Query row `i` is in query block `i / Q`
    (`Nqb = ceil(Sq / Q)`), key `j` in key block `j / K`; with
    `block_counts(cnt)` (i32 `[B, Hkv, Nqb]`) only the first
    `clamp(cnt[b, g, i / Q], 0, MaxSel)` entries of a list count, without it
    all `MaxSel` do. The keys a row may see are then also restricted to

    `j / K ∈ { idx[b, g, i / Q, s] : s < count }` (`g = h / (Hq / Hkv)`),

    a set: a block listed twice is visited once, and ids outside
    `[0, ceil(Skv / K))` (such as `-1` padding) select nothing. All query
    heads of a kv group share the list, and every other mask (causal,
    window, sinks, seq_starts, bias, score_mod, softcap) still applies on
    top; block positions are absolute row and key indices (of the packed
    tensors with seq_starts). Unlisted blocks are never loaded by the tiled
    kernels.

    ```mlir
    %o = tok.attention %q, %k, %v block_indices(%idx : tensor<1x2x4x2xi32>) block_counts(%cnt : tensor<1x2x4xi32>) {block_k = 64 : i64, block_q = 64 : i64, causal} : (tensor<1x8x256x64xf32>, tensor<1x2x256x64xf32>, tensor<1x2x256x64xf32>) -> tensor<1x8x256x64xf32>
    ```
  }];
  let arguments = (ins Tok_Tensor:$query, Tok_Tensor:$key, Tok_Tensor:$value,
                       Optional<Tok_Tensor>:$bias,
                       Optional<Tok_Tensor>:$seq_starts,
                       Optional<Tok_Tensor>:$block_indices,
                       Optional<Tok_Tensor>:$block_counts,
                       UnitAttr:$causal,
                       OptionalAttr<I64Attr>:$window,
                       OptionalAttr<I64Attr>:$sinks,
                       OptionalAttr<F32Attr>:$scale,
                       OptionalAttr<F32Attr>:$softcap,
                       OptionalAttr<I64Attr>:$stats_window,
                       UnitAttr:$stats_per_query_head,
                       OptionalAttr<I64Attr>:$block_q,
                       OptionalAttr<I64Attr>:$block_k);
  let results = (outs Tok_Tensor:$output, Optional<Tok_Tensor>:$lse,
                      Optional<Tok_Tensor>:$stats);
  let regions = (region AnyRegion:$score_mod);
  // custom<AttentionResultTypes>: `T`, `(T, L)`, `(T, stats S)` or
  // `(T, L, stats S)`; the `stats` keyword keeps lse and stats (both rank 3
  // f32) apart.
  let assemblyFormat = [{
    $query `,` $key `,` $value
    (`bias` `(` $bias^ `:` type($bias) `)`)?
    (`seq_starts` `(` $seq_starts^ `:` type($seq_starts) `)`)?
    (`block_indices` `(` $block_indices^ `:` type($block_indices) `)`)?
    (`block_counts` `(` $block_counts^ `:` type($block_counts) `)`)?
    attr-dict `:` `(` type($query) `,` type($key) `,` type($value) `)`
    `->` custom<AttentionResultTypes>(type($output), type($lse), type($stats))
    (`score_mod` $score_mod^)?
  }];
  let builders = [
    // Plain (optionally causal) attention: no lse, bias, seq_starts,
    // attributes or score_mod.
    OpBuilder<(ins "::mlir::Type":$output, "::mlir::Value":$query,
                   "::mlir::Value":$key, "::mlir::Value":$value,
                   CArg<"bool", "false">:$causal), [{
      build($_builder, $_state, output, /*lse=*/::mlir::Type(),
            /*stats=*/::mlir::Type(), query, key,
            value, /*bias=*/::mlir::Value(), /*seq_starts=*/::mlir::Value(),
            /*block_indices=*/::mlir::Value(),
            /*block_counts=*/::mlir::Value(),
            causal, /*window=*/::mlir::IntegerAttr(),
            /*sinks=*/::mlir::IntegerAttr(), /*scale=*/::mlir::FloatAttr(),
            /*softcap=*/::mlir::FloatAttr(),
            /*stats_window=*/::mlir::IntegerAttr(),
            /*stats_per_query_head=*/false, /*block_q=*/::mlir::IntegerAttr(),
            /*block_k=*/::mlir::IntegerAttr());
    }]>,
    // Every operand and attribute but the stats and block-list ones: no
    // stats result, no block lists.
    OpBuilder<(ins "::mlir::Type":$output, "::mlir::Type":$lse,
                   "::mlir::Value":$query, "::mlir::Value":$key,
                   "::mlir::Value":$value, "::mlir::Value":$bias,
                   "::mlir::Value":$seq_starts, "bool":$causal,
                   "::mlir::IntegerAttr":$window, "::mlir::IntegerAttr":$sinks,
                   "::mlir::FloatAttr":$scale, "::mlir::FloatAttr":$softcap), [{
      build($_builder, $_state, output, lse, /*stats=*/::mlir::Type(), query,
            key, value, bias, seq_starts, /*block_indices=*/::mlir::Value(),
            /*block_counts=*/::mlir::Value(), causal, window, sinks, scale,
            softcap, /*stats_window=*/::mlir::IntegerAttr(),
            /*stats_per_query_head=*/false, /*block_q=*/::mlir::IntegerAttr(),
            /*block_k=*/::mlir::IntegerAttr());
    }]>
  ];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
}

def Tok_PagedAttentionOp : Tok_ComputeOp<"paged_attention",
    [Pure, AttrSizedOperandSegments]> {
  let summary = "attention over a paged KV cache";
  let description = [{
    Attention of new queries against keys and values stored in a paged
    cache. Caches are `[NumBlocks, BlockSize, Hc, D]`, the block table
    `[B, MaxBlocks]` (i32) maps sequence `b`'s logical block to a physical
    block, and `lens[b]` (i32) counts the valid tokens of sequence `b`
    including the `Sq` new ones. Query `i` of sequence `b` sits at position
    `lens[b] − Sq + i`; token position `p` lives in block
    `table[b, p / BlockSize]`, row `p % BlockSize`. Masking is always causal,
    plus `window`, `sinks`, `scale` and `softcap` as in `tok.attention`.
    Without per-head lens `Hc` is the kv head count `Hkv` (`Hq % Hkv == 0`).

    Per-head lens. With `lens` `[B, Hkv]` every kv head keeps its own rows
    (eviction or compaction per head: RazorAttention's retrieval heads keep
    everything, the others sinks + window). KV head `h` of sequence `b`
    holds rows `r < lens[b, h]`; its row `r` lives in block
    `table[b, r / BlockSize]` (shared table `[B, MaxBlocks]`) or
    `table[b, h, r / BlockSize]` (per-head table `[B, Hkv, MaxBlocks]`), at
    row `r % BlockSize`, head `h` of the block when `Hc = Hkv` or head 0
    when `Hc = 1` (blocks that hold one kv head, so that heads free blocks
    independently). The `Sq` new tokens are the last `Sq` rows of every
    head: query `i` sits at row `lens[b, h] − Sq + i` of each kv head `h`,
    and for query head `g` (kv head `h = g / (Hq / Hkv)`) row `r` is visible
    iff `r ≤ lens[b, h] − Sq + i`, `r > lens[b, h] − Sq + i − window` (or
    `r < sinks`). Masks count rows, not token positions: the positions
    (RoPE) were applied before the keys were cached, and rows keep the
    order in which tokens were stored. A query row that sees no key (a head
    with `lens[b, h] < Sq − i`, e.g. length 0) yields zeros.

    ```mlir
    %o = tok.paged_attention %q, %kc, %vc, %table, %lens {sinks = 4 : i64, window = 4096 : i64} : (tensor<4x32x1x128xf16>, tensor<1024x16x8x128xf16>, tensor<1024x16x8x128xf16>, tensor<4x64xi32>, tensor<4xi32>) -> tensor<4x32x1x128xf16>
    %o2 = tok.paged_attention %q, %kc1, %vc1, %tables, %head_lens : (tensor<4x32x1x128xf16>, tensor<4096x16x1x128xf16>, tensor<4096x16x1x128xf16>, tensor<4x8x64xi32>, tensor<4x8xi32>) -> tensor<4x32x1x128xf16>
    ```

    Block lists (Quest-style sparse decode): `block_indices(idx)` (i32
    `[B, Hkv, MaxSel]`) with `block_k = K` lists, per sequence and kv head,
    the logical key blocks to attend. Logical key block `t` holds the rows
    (token positions, without per-head lens) `[t·K, (t + 1)·K)` of that
    sequence and head; `K` is any size ≥ 1, independent of the cache's
    `BlockSize`. With `block_counts(cnt)` (i32 `[B, Hkv]`) only the first
    `clamp(cnt[b, h], 0, MaxSel)` entries count, without it all `MaxSel`
    do. All `Sq` new queries of a sequence share one list per kv head (a
    single query block of `tok.attention`), and key row `r` is then also
    restricted to

    `r / K ∈ { idx[b, h, s] : s < count }` (`h = g / (Hq / Hkv)`),

    a set: a block listed twice is visited once, and ids outside
    `[0, ceil(MaxBlocks · BlockSize / K))` (such as `-1` padding) select
    nothing; listed rows at or past the length stay invisible. Causal,
    `window` and `sinks` still apply on top: a sink or window row that is
    not listed is not seen, and the block holding the newest token is no
    exception (a query whose own row is unlisted does not see its own key).
    Unlisted blocks are never loaded by the tiled kernels.

    ```mlir
    %o3 = tok.paged_attention %q, %kc, %vc, %table, %lens block_indices(%idx : tensor<4x8x16xi32>) block_counts(%cnt : tensor<4x8xi32>) {block_k = 64 : i64} : (tensor<4x32x1x128xf16>, tensor<1024x16x8x128xf16>, tensor<1024x16x8x128xf16>, tensor<4x64xi32>, tensor<4xi32>) -> tensor<4x32x1x128xf16>
    ```

    The optional `stats` result (written `-> (T, stats S)`) holds the
    column sums of the softmax probabilities over all `Sq` queries, in f32,
    indexed by cache row: with `MaxRows = MaxBlocks · BlockSize`,

    ```
    stats[b, h, r] = Σ_i p[b, h, i, r]                  (stats_per_query_head)
    stats[b, k, r] = Σ_{h / G = k} Σ_i p[b, h, i, r]    (default, G = Hq / Hkv)
    ```

    `[B, Hkv, MaxRows]` by default, `[B, Hq, MaxRows]` with
    `stats_per_query_head`. Column `r` is row `r` of the sequence's cache in
    table order (token position `r` without per-head lens; row `r` of kv
    head `k`'s own rows with them). The probabilities are taken after every
    mask the op applies (causal, window, sinks, block lists), so a masked
    row, a row at or past the length and a row of a block no list visits
    get 0, and a query that sees no key adds nothing; each query that sees
    a key adds 1 in total (the sinks are cache rows like any other and get
    their own probability, nothing more). One decode step's stats are the
    H2O heavy-hitter increments of that step.

    ```mlir
    %o4, %s = tok.paged_attention %q, %kc, %vc, %table, %lens : (tensor<4x32x1x128xf16>, tensor<1024x16x8x128xf16>, tensor<1024x16x8x128xf16>, tensor<4x64xi32>, tensor<4xi32>) -> (tensor<4x32x1x128xf16>, stats tensor<4x8x1024xf32>)
    ```
  }];
  let arguments = (ins Tok_Tensor:$query, Tok_Tensor:$key_cache,
                       Tok_Tensor:$value_cache, Tok_Tensor:$block_table,
                       Tok_Tensor:$lens,
                       Optional<Tok_Tensor>:$block_indices,
                       Optional<Tok_Tensor>:$block_counts,
                       OptionalAttr<I64Attr>:$window,
                       OptionalAttr<I64Attr>:$sinks,
                       OptionalAttr<F32Attr>:$scale,
                       OptionalAttr<F32Attr>:$softcap,
                       OptionalAttr<I64Attr>:$block_k,
                       UnitAttr:$stats_per_query_head);
  let results = (outs Tok_Tensor:$output, Optional<Tok_Tensor>:$stats);
  // The types print as `(query, key_cache, value_cache, block_table, lens)
  // -> output` or `-> (output, stats S)`; block list types sit beside their
  // operands.
  let assemblyFormat = [{
    $query `,` $key_cache `,` $value_cache `,` $block_table `,` $lens
    (`block_indices` `(` $block_indices^ `:` type($block_indices) `)`)?
    (`block_counts` `(` $block_counts^ `:` type($block_counts) `)`)?
    attr-dict `:` `(` type($query) `,` type($key_cache) `,`
    type($value_cache) `,` type($block_table) `,` type($lens) `)` `->`
    custom<StatsResultTypes>(type($output), type($stats))
  }];
  let builders = [
    // Dense paged attention: no block lists.
    OpBuilder<(ins "::mlir::Type":$output, "::mlir::Value":$query,
                   "::mlir::Value":$key_cache, "::mlir::Value":$value_cache,
                   "::mlir::Value":$block_table, "::mlir::Value":$lens,
                   "::mlir::IntegerAttr":$window, "::mlir::IntegerAttr":$sinks,
                   "::mlir::FloatAttr":$scale, "::mlir::FloatAttr":$softcap), [{
      build($_builder, $_state, output, /*stats=*/::mlir::Type(), query,
            key_cache, value_cache, block_table, lens,
            /*block_indices=*/::mlir::Value(),
            /*block_counts=*/::mlir::Value(), window, sinks, scale, softcap,
            /*block_k=*/::mlir::IntegerAttr(),
            /*stats_per_query_head=*/false);
    }]>,
    // Block lists, no stats result.
    OpBuilder<(ins "::mlir::Type":$output, "::mlir::Value":$query,
                   "::mlir::Value":$key_cache, "::mlir::Value":$value_cache,
                   "::mlir::Value":$block_table, "::mlir::Value":$lens,
                   "::mlir::Value":$block_indices,
                   "::mlir::Value":$block_counts,
                   "::mlir::IntegerAttr":$window, "::mlir::IntegerAttr":$sinks,
                   "::mlir::FloatAttr":$scale, "::mlir::FloatAttr":$softcap,
                   "::mlir::IntegerAttr":$block_k), [{
      build($_builder, $_state, output, /*stats=*/::mlir::Type(), query,
            key_cache, value_cache, block_table, lens, block_indices,
            block_counts, window, sinks, scale, softcap, block_k,
            /*stats_per_query_head=*/false);
    }]>
  ];
  let hasVerifier = 1;
}

def Tok_CacheWriteOp : Tok_Op<"cache_write", [Pure]> {
  let summary = "scatter new keys or values into a paged cache";
  let description = [{
    Writes `update[b, h, s, :]` (`[B, Hkv, S, D]`) into the cache
    (`[NumBlocks, BlockSize, Hkv, D]`) at block `slots[b, s] / BlockSize`,
    row `slots[b, s] % BlockSize`. A negative slot is skipped. The result is
    the updated cache; bufferization performs the write in place.

    Per-head slots `[B, Hkv, S]` place every kv head on its own: head `h`
    goes to slot `slots[b, h, s]`, into head `h` of the block when the cache
    is `[NumBlocks, BlockSize, Hkv, D]` or head 0 when it is
    `[NumBlocks, BlockSize, 1, D]` (blocks that hold one kv head, the pool
    of `tok.paged_attention` with per-head tables).

    ```mlir
    %kc2 = tok.cache_write %kc, %knew, %slots : (tensor<1024x16x8x128xf16>, tensor<4x8x1x128xf16>, tensor<4x1xi32>) -> tensor<1024x16x8x128xf16>
    %kc3 = tok.cache_write %kc1, %knew, %head_slots : (tensor<4096x16x1x128xf16>, tensor<4x8x1x128xf16>, tensor<4x8x1xi32>) -> tensor<4096x16x1x128xf16>
    ```
  }];
  let arguments = (ins Tok_Tensor:$cache, Tok_Tensor:$update,
                       Tok_Tensor:$slots);
  let results = (outs Tok_Tensor:$result);
  let assemblyFormat = [{
    $cache `,` $update `,` $slots attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tok_LseMergeOp : Tok_ComputeOp<"lse_merge", [Pure]> {
  let summary = "merge two partial attention results over disjoint keys";
  let description = [{
    Given partial results `o1, o2` (`[..., Dv]`) and their log-sum-exps
    `l1, l2` (`[...]`, f32) over disjoint key sets, returns
    `l = log(exp(l1) + exp(l2))` and
    `o = exp(l1 − l)·o1 + exp(l2 − l)·o2`. Rows where both are `-inf` give
    zeros and `-inf`.

    ```mlir
    %o, %l = tok.lse_merge %o1, %l1, %o2, %l2 : (tensor<1x8x128x64xf32>, tensor<1x8x128xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128xf32>) -> (tensor<1x8x128x64xf32>, tensor<1x8x128xf32>)
    ```
  }];
  let arguments = (ins Tok_Tensor:$output1, Tok_Tensor:$lse1,
                       Tok_Tensor:$output2, Tok_Tensor:$lse2);
  let results = (outs Tok_Tensor:$output, Tok_Tensor:$lse);
  let assemblyFormat = [{
    $output1 `,` $lse1 `,` $output2 `,` $lse2 attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Scans
//===----------------------------------------------------------------------===//

def Tok_SelectiveScanOp : Tok_ComputeOp<"selective_scan",
    [Pure, AttrSizedOperandSegments]> {
  let summary = "Mamba-1 (S6) selective scan";
  let description = [{
    x, dt `[B, L, Dm]`; A `[Dm, N]`; B, C `[B, L, G, N]` (channel `d` uses
    group `d / (Dm / G)`); D, dt_bias `[Dm]`; z `[B, L, Dm]`; init
    `[B, Dm, N]`.

    ```
    Δ_t = dt_t + dt_bias                (softplus if dt_softplus)
    h_t[d,n] = exp(Δ_t[d]·A[d,n])·h_{t−1}[d,n] + Δ_t[d]·B_t[g,n]·x_t[d]
    y_t[d] = Σ_n C_t[g,n]·h_t[d,n] + D[d]·x_t[d]
    y_t[d] *= silu(z_t[d])              (if z)
    ```
    The optional second result is `h_L` (`h_0` = init or zeros).

    `seq_starts(cu)` (B = 1, `cu` i32 `[N + 1]`) packs N variable-length
    sequences along L: sequence `n` covers `[cu[n], cu[n+1])` (offsets are
    clamped to `[0, L]`). The recurrence restarts at each sequence start from
    `init[n]` or zeros, `init` and the final state are `[N, Dm, N_state]`
    (one state per sequence), and `y` is 0 at positions outside every
    sequence.

    ```mlir
    %y, %hT = tok.selective_scan %x, %dt, %A, %B, %C D(%d : tensor<1536xf32>) z(%z : tensor<2x?x1536xf32>) dt_bias(%db : tensor<1536xf32>) init(%h0 : tensor<2x1536x16xf32>) {dt_softplus} : (tensor<2x?x1536xf32>, tensor<2x?x1536xf32>, tensor<1536x16xf32>, tensor<2x?x1x16xf32>, tensor<2x?x1x16xf32>) -> (tensor<2x?x1536xf32>, tensor<2x1536x16xf32>)
    ```
  }];
  let arguments = (ins Tok_Tensor:$x, Tok_Tensor:$dt, Tok_Tensor:$A,
                       Tok_Tensor:$B, Tok_Tensor:$C,
                       Optional<Tok_Tensor>:$D, Optional<Tok_Tensor>:$z,
                       Optional<Tok_Tensor>:$dt_bias,
                       Optional<Tok_Tensor>:$init,
                       Optional<Tok_Tensor>:$seq_starts,
                       UnitAttr:$dt_softplus);
  let results = (outs Tok_Tensor:$y, Optional<Tok_Tensor>:$final_state);
  let assemblyFormat = [{
    $x `,` $dt `,` $A `,` $B `,` $C
    (`D` `(` $D^ `:` type($D) `)`)?
    (`z` `(` $z^ `:` type($z) `)`)?
    (`dt_bias` `(` $dt_bias^ `:` type($dt_bias) `)`)?
    (`init` `(` $init^ `:` type($init) `)`)?
    (`seq_starts` `(` $seq_starts^ `:` type($seq_starts) `)`)?
    attr-dict `:` `(` type($x) `,` type($dt) `,` type($A) `,` type($B) `,`
    type($C) `)` `->` custom<ResultTypes>(type($y), type($final_state))
  }];
  let hasVerifier = 1;
}

def Tok_LinearScanOp : Tok_ComputeOp<"linear_scan",
    [Pure, AttrSizedOperandSegments]> {
  let summary = "matrix-state linear recurrence";
  let description = [{
    q, k `[B, H, L, Dk]`, v `[B, H, L, Dv]`; decay `g` (log space)
    `[B, H, L]` (a scalar per step) or `[B, H, L, Dk]` (per key channel);
    beta `[B, H, L]`; init `[B, H, Dk, Dv]`.

    * `update = "additive"` (default): `S_t = diag(exp(g_t))·S_{t−1} + k_t v_tᵀ`;
    * `update = "delta"`: `S' = diag(exp(g_t))·S_{t−1}`,
      `S_t = S' + β_t·k_t (v_t − S'ᵀk_t)ᵀ`.

    Output `o_t = scale·S_tᵀq_t` (default scale 1). `reverse` runs `t` from
    `L−1` down to `0`. The optional second result is the final state. This
    one op is linear attention, RetNet, GLA, Mamba-2/SSD, DeltaNet and Gated
    DeltaNet.

    `seq_starts(cu)` (B = 1, `cu` i32 `[N + 1]`) packs N variable-length
    sequences along L: sequence `n` covers `[cu[n], cu[n+1])` (offsets are
    clamped to `[0, L]`). The state restarts at each sequence start
    (`reverse`: at its end) from `init[n]` or zeros, `init` and the final
    state are `[N, H, Dk, Dv]`, and the output is 0 outside every sequence.

    ```mlir
    %o, %ST = tok.linear_scan %q, %k, %v decay(%g : tensor<1x4x?xf32>) beta(%beta : tensor<1x4x?xf32>) init(%S0 : tensor<1x4x64x64xf32>) {scale = 1.250000e-01 : f32, update = "delta"} : (tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>) -> (tensor<1x4x?x64xf32>, tensor<1x4x64x64xf32>)
    ```
  }];
  let arguments = (ins Tok_Tensor:$query, Tok_Tensor:$key, Tok_Tensor:$value,
                       Optional<Tok_Tensor>:$decay,
                       Optional<Tok_Tensor>:$beta,
                       Optional<Tok_Tensor>:$init,
                       Optional<Tok_Tensor>:$seq_starts,
                       OptionalAttr<StrAttr>:$update,
                       OptionalAttr<F32Attr>:$scale,
                       UnitAttr:$reverse);
  let results = (outs Tok_Tensor:$output, Optional<Tok_Tensor>:$final_state);
  let assemblyFormat = [{
    $query `,` $key `,` $value
    (`decay` `(` $decay^ `:` type($decay) `)`)?
    (`beta` `(` $beta^ `:` type($beta) `)`)?
    (`init` `(` $init^ `:` type($init) `)`)?
    (`seq_starts` `(` $seq_starts^ `:` type($seq_starts) `)`)?
    attr-dict `:` `(` type($query) `,` type($key) `,` type($value) `)`
    `->` custom<ResultTypes>(type($output), type($final_state))
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// True for the delta rule, false for the additive update.
    bool isDelta() { return getUpdateKind() == ScanUpdate::Delta; }
    /// The `update` attribute as an enum (additive when absent).
    ScanUpdate getUpdateKind() {
      return getUpdate() ? symbolizeScanUpdate(*getUpdate())
                               .value_or(ScanUpdate::Additive)
                         : ScanUpdate::Additive;
    }
  }];
}

def Tok_AssocScanOp : Tok_ComputeOp<"assoc_scan", [Pure]> {
  let summary = "generic inclusive associative scan";
  let description = [{
    Inclusive scan along `dim` of N same-shaped tensors with an associative
    `combine` region. The region takes 2N scalars, the earlier accumulated
    element first, and yields N scalars. `reverse` scans from the end.

    ```mlir
    %m, %u = tok.assoc_scan %a, %b {dim = 1 : i64} : (tensor<2x?x8xf32>, tensor<2x?x8xf32>) -> (tensor<2x?x8xf32>, tensor<2x?x8xf32>) combine {
    ^bb0(%a0: f32, %b0: f32, %a1: f32, %b1: f32):
      %a2 = arith.mulf %a0, %a1 : f32
      %t = arith.mulf %a1, %b0 : f32
      %b2 = arith.addf %t, %b1 : f32
      tok.yield %a2, %b2 : f32, f32
    }
    ```
  }];
  let arguments = (ins Variadic<Tok_Tensor>:$inputs, I64Attr:$dim,
                       UnitAttr:$reverse);
  let results = (outs Variadic<Tok_Tensor>:$results);
  let regions = (region SizedRegion<1>:$combine);
  let assemblyFormat = [{
    $inputs attr-dict `:` functional-type($inputs, results) `combine` $combine
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Token mixers
//===----------------------------------------------------------------------===//

def Tok_Conv1dOp : Tok_ComputeOp<"conv1d", [Pure, AttrSizedOperandSegments]> {
  let summary = "causal depthwise 1-d convolution";
  let description = [{
    x `[B, L, C]`, weight `[C, K]`:
    `y_t[c] = act(b[c] + Σ_k w[c,k]·x_{t−K+1+k}[c])`. Inputs before `t = 0`
    come from `init` `[B, C, K−1]` (oldest first) or zeros. The optional
    second result holds the last `K−1` inputs (the decode state).
    `activation` is `"none"` (default) or `"silu"`.

    `seq_starts(cu)` (B = 1, `cu` i32 `[N + 1]`) packs N variable-length
    sequences along L: sequence `n` covers `[cu[n], cu[n+1])` (offsets are
    clamped to `[0, L]`) and sees inputs before its start from `init[n]` or
    zeros, never from the previous sequence; `init` and the final state are
    `[N, C, K−1]`, and the output is 0 outside every sequence.

    ```mlir
    %y, %st = tok.conv1d %x, %w bias(%b : tensor<1536xf32>) init(%s0 : tensor<2x1536x3xf32>) {activation = "silu"} : (tensor<2x?x1536xf32>, tensor<1536x4xf32>) -> (tensor<2x?x1536xf32>, tensor<2x1536x3xf32>)
    ```
  }];
  let arguments = (ins Tok_Tensor:$input, Tok_Tensor:$weight,
                       Optional<Tok_Tensor>:$bias,
                       Optional<Tok_Tensor>:$init,
                       Optional<Tok_Tensor>:$seq_starts,
                       OptionalAttr<StrAttr>:$activation);
  let results = (outs Tok_Tensor:$output, Optional<Tok_Tensor>:$final_state);
  let assemblyFormat = [{
    $input `,` $weight
    (`bias` `(` $bias^ `:` type($bias) `)`)?
    (`init` `(` $init^ `:` type($init) `)`)?
    (`seq_starts` `(` $seq_starts^ `:` type($seq_starts) `)`)?
    attr-dict `:` `(` type($input) `,` type($weight) `)`
    `->` custom<ResultTypes>(type($output), type($final_state))
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The `activation` attribute as an enum (none when absent).
    Activation getActivationKind() {
      return getActivation() ? symbolizeActivation(*getActivation())
                                   .value_or(Activation::None)
                             : Activation::None;
    }
  }];
}

def Tok_Pool2dOp : Tok_ComputeOp<"pool2d", [Pure]> {
  let summary = "PoolFormer average-pooling token mixer";
  let description = [{
    Stride-1 average pooling over `[B, H, W, C]` with a `kernel × kernel`
    window and same padding that is not counted in the average.
    `subtract_input` returns `pool(x) − x`.

    ```mlir
    %p = tok.pool2d %x {kernel = 3 : i64, subtract_input} : (tensor<1x56x56x64xf32>) -> tensor<1x56x56x64xf32>
    ```
  }];
  let arguments = (ins Tok_Tensor:$input, I64Attr:$kernel,
                       UnitAttr:$subtract_input);
  let results = (outs Tok_Tensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Selection
//===----------------------------------------------------------------------===//

def Tok_TopKOp : Tok_ComputeOp<"topk", [Pure]> {
  let summary = "the k largest (or smallest) entries along a dimension";
  let description = [{
    Selects, in every row along `dim` (default: the last dim), the `k`
    largest entries and returns their values and their indices along `dim`,
    in a deterministic order: descending value, ties by lower index; NaN
    ranks below every number (−inf included), NaNs among themselves by
    index; −0 and +0 are equal (a selected −0 may come back as +0).
    `smallest` selects the k smallest instead (ascending value, ties by
    lower index, NaN still last).

    Shapes: input `[..., N, ...]` (f32, f16 or bf16); values and indices have
    the input's shape with `dim` replaced by `k`; values have the input's
    element type, indices i32 or i64 (the result type chooses). Entries of a
    row that are not selected (`k > N`, a budget or a mass threshold below
    k) are filled with index −1 and value −inf (+inf with `smallest`), so
    every row is a prefix of valid entries followed by fill.

    * `group = G` (with `group_dim`, default 1, the head dim of the tok
      layouts `[B, H, ...]`): one selection shared by each group of G
      consecutive entries along `group_dim`, over the sum of their scores
      `s[.., g, .., j] = Σ_{h < G} x[.., g·G + h, .., j]` (in f32). The
      results have `size(group_dim) / G` there (NSA's block selection shared
      by the heads of a GQA group; SnapKV's per-KV-group aggregation); values
      are the sums.
    * `budget(%b)` (i32, the results' shape without `dim`): a run-time budget
      per row; row r keeps its first `clamp(b[r], 0, k)` entries.
    * `mass = p` (f32 in (0, 1]): the smallest prefix of the sorted row whose
      mass reaches the fraction p of the row's total mass, at most k
      entries. The mass of an entry is `max(x, 0)` (NaN counts 0; the scores
      are meant to be probabilities or sums of them), the total is over the
      whole row, both summed in f32: row r keeps
      `c = min{c : Σ_{t<c} max(v_t, 0) ≥ p·Σ_j max(x_j, 0)}` entries (a row
      of total mass 0 keeps none). Not with `smallest`.

    The optional third result `count` (i32, the results' shape without
    `dim`) holds the number of valid entries of each row:
    `min(k, N, budget, c)`.

    ```mlir
    %v, %i = tok.topk %scores {k = 8 : i64} : (tensor<2x8x?xf32>) -> (tensor<2x8x8xf32>, tensor<2x8x8xi32>)
    %bv, %bi, %n = tok.topk %imp budget(%b : tensor<1x4x?xi32>) {group = 4 : i64, k = 16 : i64} : (tensor<1x16x?x128xf16>) -> (tensor<1x4x?x16xf16>, tensor<1x4x?x16xi64>, tensor<1x4x?xi32>)
    %pv, %pi, %pn = tok.topk %probs {k = 64 : i64, mass = 0.899999976 : f32} : (tensor<4x1024xf32>) -> (tensor<4x64xf32>, tensor<4x64xi32>, tensor<4xi32>)
    ```
  }];
  let arguments = (ins Tok_Tensor:$input, Optional<Tok_Tensor>:$budget,
                       I64Attr:$k,
                       OptionalAttr<I64Attr>:$dim,
                       OptionalAttr<I64Attr>:$group,
                       OptionalAttr<I64Attr>:$group_dim,
                       OptionalAttr<F32Attr>:$mass,
                       UnitAttr:$smallest);
  let results = (outs Tok_Tensor:$values, Tok_Tensor:$indices,
                      Optional<Tok_Tensor>:$count);
  let assemblyFormat = [{
    $input (`budget` `(` $budget^ `:` type($budget) `)`)?
    attr-dict `:` `(` type($input) `)` `->`
    `(` type($values) `,` type($indices) (`,` type($count)^)? `)`
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The selected dim (`dim`, default the last).
    int64_t getSelectedDim() {
      return getDim().value_or(getInput().getType().getRank() - 1);
    }
    /// The group size (1 without `group`).
    int64_t getGroupSize() { return getGroup().value_or(1); }
    /// The grouped dim (`group_dim`, default 1).
    int64_t getGroupedDim() { return getGroupDim().value_or(1); }
  }];
}

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

def Tok_LinearOp : Tok_ComputeOp<"linear", [Pure]> {
  let summary = "fully connected layer in PyTorch layout";
  let description = [{
    `y = x · Wᵀ + b` with x `[..., K]`, W `[N, K]`, b `[N]`.

    ```mlir
    %y = tok.linear %x, %w bias(%b : tensor<4096xf32>) : (tensor<2x?x1024xf32>, tensor<4096x1024xf32>) -> tensor<2x?x4096xf32>
    ```
  }];
  let arguments = (ins Tok_Tensor:$input, Tok_Tensor:$weight,
                       Optional<Tok_Tensor>:$bias);
  let results = (outs Tok_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`bias` `(` $bias^ `:` type($bias) `)`)?
    attr-dict `:` `(` type($input) `,` type($weight) `)` `->` type($output)
  }];
  let hasVerifier = 1;
}

def Tok_RmsNormOp : Tok_ComputeOp<"rms_norm", [Pure]> {
  let summary = "RMS normalization over the last dimension";
  let description = [{
    `y = x / sqrt(mean(x²) + eps) · w` over the last dimension (default eps
    1e-6), computed in f32.

    ```mlir
    %y = tok.rms_norm %x, %w {eps = 9.99999997E-7 : f32} : (tensor<2x?x1024xf32>, tensor<1024xf32>) -> tensor<2x?x1024xf32>
    ```
  }];
  let arguments = (ins Tok_Tensor:$input, Tok_Tensor:$weight,
                       OptionalAttr<F32Attr>:$eps);
  let results = (outs Tok_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tok_LayerNormOp : Tok_ComputeOp<"layer_norm", [Pure]> {
  let summary = "layer normalization over the last dimension";
  let description = [{
    `y = (x − mean(x)) / sqrt(var(x) + eps) · w + b` over the last dimension
    (biased variance, default eps 1e-5), computed in f32.

    ```mlir
    %y = tok.layer_norm %x, %w, %b {eps = 9.99999974E-6 : f32} : (tensor<2x?x1024xf32>, tensor<1024xf32>, tensor<1024xf32>) -> tensor<2x?x1024xf32>
    ```
  }];
  let arguments = (ins Tok_Tensor:$input, Tok_Tensor:$weight,
                       Tok_Tensor:$bias, OptionalAttr<F32Attr>:$eps);
  let results = (outs Tok_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight `,` $bias attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tok_RopeOp : Tok_ComputeOp<"rope", [Pure]> {
  let summary = "rotary position embedding";
  let description = [{
    x `[B, H, S, D]`, positions `[B, S]` (i32). Rotates the first
    `rotary_dim` dims (default D) by angle `pos · θ_i` with
    `θ_i = theta^(−2i / rotary_dim)` (default theta 10000): the NeoX /
    HF-Llama "rotate half" layout pairs `i` and `i + rotary_dim/2`;
    `interleaved` selects GPT-J pairs `(2i, 2i+1)`.

    `inv_freq`, when given, lists the `rotary_dim / 2` inverse frequencies
    `θ_i` themselves instead of deriving them from `theta`: this is how
    frontends express RoPE scaling (linear position interpolation divides
    every `θ_i` by the factor; Llama 3 scales the low frequencies and
    interpolates the middle band; YaRN and NTK variants likewise only change
    the table).

    ```mlir
    %y = tok.rope %x, %pos {rotary_dim = 64 : i64, theta = 1.000000e+04 : f32} : (tensor<1x8x?x128xf32>, tensor<1x?xi32>) -> tensor<1x8x?x128xf32>
    %z = tok.rope %x2, %pos2 {inv_freq = array<f32: 1.0, 0.1, 0.01, 0.001>} : (tensor<1x2x?x8xf32>, tensor<1x?xi32>) -> tensor<1x2x?x8xf32>
    ```
  }];
  let arguments = (ins Tok_Tensor:$input, Tok_Tensor:$positions,
                       OptionalAttr<F32Attr>:$theta,
                       OptionalAttr<I64Attr>:$rotary_dim,
                       UnitAttr:$interleaved,
                       OptionalAttr<DenseF32ArrayAttr>:$inv_freq);
  let results = (outs Tok_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $positions attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tok_GluOp : Tok_ComputeOp<"glu", [Pure]> {
  let summary = "gated linear unit";
  let description = [{
    `act(x[..., :N]) · x[..., N:]` for x `[..., 2N]`; `activation` is one of
    silu (default), gelu, gelu_tanh, relu, sigmoid.

    ```mlir
    %y = tok.glu %x {activation = "silu"} : (tensor<2x?x8192xf32>) -> tensor<2x?x4096xf32>
    ```
  }];
  let arguments = (ins Tok_Tensor:$input, OptionalAttr<StrAttr>:$activation);
  let results = (outs Tok_Tensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The `activation` attribute as an enum (silu when absent).
    Activation getActivationKind() {
      return getActivation() ? symbolizeActivation(*getActivation())
                                   .value_or(Activation::Silu)
                             : Activation::Silu;
    }
  }];
}

def Tok_ActivationOp : Tok_ComputeOp<"activation", [Pure]> {
  let summary = "elementwise activation function";
  let description = [{
    `kind` is one of silu, gelu (erf), gelu_tanh, relu, sigmoid, softplus,
    elu (alpha 1), tanh.

    ```mlir
    %y = tok.activation %x {kind = "gelu_tanh"} : (tensor<2x?x4096xf32>) -> tensor<2x?x4096xf32>
    ```
  }];
  let arguments = (ins Tok_Tensor:$input, StrAttr:$kind);
  let results = (outs Tok_Tensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The `kind` attribute as an enum.
    Activation getActivationKind() {
      return symbolizeActivation(getKind()).value_or(Activation::None);
    }
  }];
}

def Tok_EmbeddingOp : Tok_ComputeOp<"embedding", [Pure]> {
  let summary = "table lookup of token embeddings";
  let description = [{
    `y[..., :] = table[ids[...], :]` with integer ids and table `[V, E]`.

    ```mlir
    %e = tok.embedding %ids, %table : (tensor<2x?xi32>, tensor<32000x1024xf32>) -> tensor<2x?x1024xf32>
    ```
  }];
  let arguments = (ins Tok_Tensor:$ids, Tok_Tensor:$table);
  let results = (outs Tok_Tensor:$output);
  let assemblyFormat = [{
    $ids `,` $table attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tok_YieldOp : Tok_Op<"yield",
    [Pure, ReturnLike, Terminator,
     ParentOneOf<["AttentionOp", "AssocScanOp"]>]> {
  let summary = "terminator of tok regions";
  let description = [{
    Returns scalars from a `score_mod` or `combine` region.

    ```mlir
    tok.yield %r : f32
    ```
  }];
  let arguments = (ins Variadic<AnyType>:$values);
  let builders = [OpBuilder<(ins), [{ /* nothing to yield */ }]>];
  let assemblyFormat = [{ attr-dict ($values^ `:` type($values))? }];
}

#endif // TOKAMAK_DIALECT_TOK_IR_TOKOPS_TD
