//===- AttentionKernels.h - Tiled attention on tensors ----------*- C++ -*-===//
//
// Part of the Tokamak project. Private to lib/Codegen/CPU: the
// tiled attention emitted by tok-tile-attention (TileAttention.cpp). One
// tile holds the query rows of a whole GQA group (G heads x Tq positions)
// against one kv head; its key loop walks Bk-key blocks with an online
// softmax. The micro-kernels are written directly in the vector dialect on
// static shapes, with the target's vector width and register blocks
// (AttentionTiling::tiles), by the Emitter of AttentionEmitter.h.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_CODEGEN_CPU_ATTENTIONKERNELS_H
#define TOKAMAK_CODEGEN_CPU_ATTENTIONKERNELS_H

#include "tokamak/Codegen/CPU/CpuTarget.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Region.h"
#include "mlir/IR/Value.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <optional>

namespace tokamak::cpu {

// Private to lib/Codegen/CPU: the emitters speak MLIR's types unqualified.
using namespace mlir;

/// A rotary embedding (tok.rope) applied to the query rows as they are
/// packed: `input` `[B, H, S, D]`, `positions` `[B, S]` i32.
struct QueryRope {
  Value input, positions;
  double theta = 10000.0;
  int64_t rotaryDim = 0;
  bool interleaved = false;
};

/// One attention problem. The query is `[B, Hq, Sq, D]`. Keys and values are
/// either dense (`key` `[B, Hkv, Skv, D]`, `value` `[B, Hkv, Skv, Dv]`) or
/// paged (`key`/`value` are caches `[NumBlocks, BlockSize, Hkv, D]`,
/// `blockTable` `[B, MaxBlocks]` and `lens` `[B]`, both i32). Per-head lens
/// `[B, Hkv]` come with a shared table or a per-head one
/// `[B, Hkv, MaxBlocks]`, and caches `[NumBlocks, BlockSize, Hkv or 1, D]`
/// (1: every block holds one kv head).
struct AttentionProblem {
  Value query, key, value;
  Value blockTable, lens;
  /// Optional bias broadcastable to `[B, Hq, Sq, Skv]` (dense only).
  Value bias;
  /// Optional packed-sequence offsets (dense, B = 1).
  Value seqStarts;
  /// Optional block sparsity: per (batch, kv head, query block of `blockQ`
  /// rows) the key blocks of `blockK` keys to visit, `blockIndices`
  /// `[B, Hkv, Nqb, MaxSel]` and the optional `blockCounts` `[B, Hkv, Nqb]`,
  /// both i32 (tok.attention); paged attention has one list per (batch, kv
  /// head), `[B, Hkv, MaxSel]` and `[B, Hkv]`, of blocks of `blockK` rows
  /// (blockQ unused); paged decode with lists keeps the split-KV driver.
  Value blockIndices, blockCounts;
  int64_t blockQ = 0, blockK = 0;
  /// Optional score_mod region `(s, b, h, i, j) -> s`.
  Region *scoreMod = nullptr;
  std::optional<double> scale, softcap;
  bool causal = false;
  std::optional<int64_t> window, sinks;
  /// Set when the query is `rope(input, positions)`: the kernel reads
  /// `input` and rotates each query row while packing it.
  std::optional<QueryRope> queryRope;
  Type outputElementType;
  bool withLse = false;
  /// The stats result: probability column sums of the last `statsWindow`
  /// query rows (all when unset; always all for paged caches, whose columns
  /// are the cache rows), per kv head or per query head. It needs the lse,
  /// so `withLse` is set with it.
  bool withStats = false;
  std::optional<int64_t> statsWindow;
  bool statsPerQueryHead = false;

  bool isPaged() const { return static_cast<bool>(blockTable); }
  /// Per-head lens `[B, Hkv]`.
  bool perHeadLens() const;
  /// Per-head block table `[B, Hkv, MaxBlocks]`.
  bool headTables() const;
  /// Blocks hold one kv head (cache dim 2 is 1 with per-head lens).
  bool oneHeadBlocks() const;
  /// The kv head count Hkv.
  int64_t numKvHeads() const;
};

/// Tile sizes and the decode (split-KV) policy.
struct AttentionTiling {
  /// Query rows (heads of a group x positions) per tile.
  int64_t blockRows = 64;
  /// Keys per block (a multiple of the target's f32 lanes).
  int64_t blockKeys = 64;
  /// Tiles with at most this many rows (static Sq) use split-KV.
  int64_t decodeRows = 16;
  /// Target number of key chunks of a split-KV decode.
  int64_t kvSplits = 8;
  /// Fewest keys per split-KV chunk.
  int64_t minSplitKeys = 1024;
  /// Vector width and register blocks (chooseAttentionTiles).
  AttentionTiles tiles;
};

/// Whether `problem` can be tiled: static head counts (Hq a multiple of
/// Hkv) and head dims, and a score_mod whose arguments are all used as
/// scalars or elementwise.
LogicalResult canTileAttention(const AttentionProblem &problem,
                               std::string &reason);

/// Whether the block lists of `problem` (if any) can be tiled with `tiling`:
/// the kernel's key blocks split each listed block, so block_k must be a
/// multiple of block-keys or have a divisor of it that is a multiple of the
/// f32 lanes.
LogicalResult canTileBlockLists(const AttentionProblem &problem,
                                const AttentionTiling &tiling,
                                std::string &reason);

/// The keys per kernel block for `problem`: `tiling.blockKeys`, or with
/// block lists the largest divisor of block_k that divides it.
int64_t kernelBlockKeys(const AttentionProblem &problem,
                        const AttentionTiling &tiling);

/// Emits the tiled attention of `problem` at the builder's insertion point:
/// an scf.forall over (batch, kv head, query tile) — or (batch, kv head, key
/// chunk) followed by an lse merge for decode — whose body is the online
/// softmax over key blocks. Returns the output and, if `withLse`, the lse,
/// then, if `withStats`, the stats.
FailureOr<SmallVector<Value>> emitTiledAttention(OpBuilder &b, Location loc,
                                                 const AttentionProblem &p,
                                                 const AttentionTiling &t);

} // namespace tokamak::cpu

#endif // TOKAMAK_CODEGEN_CPU_ATTENTIONKERNELS_H
