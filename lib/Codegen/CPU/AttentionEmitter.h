//===- AttentionEmitter.h - The emitter of attention tiles ------*- C++ -*-===//
//
// Part of the Tokamak project. Private to the Attention*.cpp files of
// lib/Codegen/CPU: the Emitter that builds the tiled attention of one
// AttentionProblem, and the state its pieces pass around. Its methods are
// defined by concept:
//
//   AttentionKernels.cpp    geometry, scratch tensors, the entry points
//   AttentionBounds.cpp     visible key ranges, the key-block loops, masks
//   AttentionScoreMods.cpp  softcap, score_mod, bias
//   AttentionPacking.cpp    query packing + rope, K transposes, V and paged
//                           gathers
//   AttentionPrefill.cpp    one key block (S = Q.Kᵀ, online softmax, P.V),
//                           the tile, the prefill driver
//   AttentionDecode.cpp     row-dot scores, the split-KV driver, lse merge
//   AttentionStats.cpp      the stats result (probability column sums)
//   AttentionBlockLists.cpp the key-block loop over block lists (sparsity)
//
// All vectors are f32 of the target's width (`lanes`, from
// AttentionTiling::tiles); transposes are lanes x lanes.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_CODEGEN_CPU_ATTENTIONEMITTER_H
#define TOKAMAK_CODEGEN_CPU_ATTENTIONEMITTER_H

#include "AttentionKernels.h"
#include "KernelBuilder.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>
#include <tuple>

namespace tokamak::cpu {
namespace attention {

/// "No bound" for index arithmetic on key positions.
constexpr int64_t kBig = int64_t(1) << 40;
/// How far ahead (in keys) decode prefetches K rows.
constexpr int64_t kPrefetchKeys = 64;
/// Paged decode prefetches K and V rows further ahead, into L2 (locality 2):
/// a page's rows of one kv head sit Hkv * D elements apart, one 4 KB page
/// each at Hkv 8 / D 128 f32, which the hardware prefetchers do not follow.
constexpr int64_t kPagedPrefetchKeys = 128;
constexpr int64_t kPagedPrefetchLocality = 2;
constexpr double kNegInf = -std::numeric_limits<double>::infinity();

/// exp(x) for f32 x <= 0 (scalar or vector) as 2^(x log2(e)), with `x`
/// given as `a * log2(e) + c` to fuse the subtraction of a row max or lse
/// (AttentionPrefill.cpp).
Value expNonPositive(OpBuilder &b, Location loc, Value a, Value c);

/// The loop-carried scratch of a tile.
struct TileState {
  Value ks;    ///< [Bk, D] f32: the key block, row by row.
  Value kt;    ///< [Dp, Bk] f32: the key block, transposed.
  Value vs;    ///< [Bk, Dv] f32: the value block (paged or not f32), else null.
  Value ps;    ///< [Rpad, Bk] f32: scores, then probabilities of the block.
  Value alpha; ///< [Rpad] f32: accumulator rescale of the current block.
  Value acc;   ///< [Rpad, Dv] f32: unnormalized output.
  Value m;     ///< [Rpad] f32: running max.
  Value l;     ///< [Rpad] f32: running sum.

  SmallVector<Value> values() const {
    SmallVector<Value> v{ks, kt, ps, alpha, acc, m, l};
    if (vs)
      v.push_back(vs);
    return v;
  }
  static TileState from(ValueRange v, bool withVs) {
    TileState s{v[0], v[1], Value(), v[2], v[3], v[4], v[5], v[6]};
    if (withVs)
      s.vs = v[7];
    return s;
  }
};

/// Where one tile sits.
struct TileCoords {
  Value batch, kvHead;
  /// First query position and the number of valid ones (<= Tq).
  Value firstQuery, numQueries;
  /// One past the last key of this batch entry (Skv or lens[b]).
  Value keyEnd;
  /// The key blocks this tile may visit: [blockLo, blockHi).
  Value blockLo, blockHi;
};

/// Row bounds of every query position (four i32 tensors [Tq], only with
/// packed sequences) and the union, intersection and sink hull of the tile
/// (index scalars).
struct TileBounds {
  Value lo, hi, sinkLo, sinkHi;
  Value unionLo, unionHi, interLo, interHi, sinkMin, sinkMax;
};

/// Builds the tiled attention of one problem. The index and vector helpers
/// are KernelBuilder's; `lanes` is the target's f32 width.
class Emitter : public KernelBuilder {
public:
  Emitter(OpBuilder &b, Location loc, const AttentionProblem &p,
          const AttentionTiling &t)
      : KernelBuilder(b, loc, t.tiles.lanes), p(p), t(t) {}

  FailureOr<SmallVector<Value>> emit();

private:
  //===--------------------------------------------------------------------===//
  // Scratch tensors (AttentionKernels.cpp)
  //===--------------------------------------------------------------------===//

  /// The tensor whose sizes are the query's: the rope input when fused, so
  /// that nothing reads the rotated query.
  Value queryShape() const {
    return p.queryRope ? p.queryRope->input : p.query;
  }
  /// A [rows, cols] f32 tensor filled with `value` by vector writes.
  Value filled2d(int64_t rows, int64_t cols, double value);
  /// A [n] f32 tensor filled with `value`.
  Value filled1d(int64_t n, double value);
  /// Rows [off, off + n) of the 2-D (or 1-D) f32 tensor `t`, and back.
  Value rowSlice(Value t, Value off, int64_t n);
  Value insertRows(Value src, Value dst, Value off);

  //===--------------------------------------------------------------------===//
  // Bounds and masks (AttentionBounds.cpp)
  //===--------------------------------------------------------------------===//

  TileBounds computeBounds(const TileCoords &c);
  /// (inTile, lo, hi, sinkLo, sinkHi) of query position `t` of the tile;
  /// `knownInTile` when `t` is known to be one of the tile's queries.
  std::tuple<Value, Value, Value, Value, Value>
  rowBounds(const TileCoords &c, Value t, bool knownInTile = false);
  /// Emits the four key-block loops and returns the final state.
  TileState keyLoops(const TileCoords &c, const TileBounds &bounds, Value qs,
                     TileState st);
  Value maskScores(const TileCoords &c, const TileBounds &bounds, Value s,
                   Value t, Value j0);
  /// The key-block loop of block-sparse attention (AttentionBlockLists.cpp):
  /// the listed blocks of the tile's query block, split into kernel blocks,
  /// masked or not as keyLoops would visit them.
  TileState blockListLoop(const TileCoords &c, const TileBounds &bounds,
                          Value qs, TileState st);

  //===--------------------------------------------------------------------===//
  // Score modifications (AttentionScoreMods.cpp)
  //===--------------------------------------------------------------------===//

  /// Softcap, score_mod and bias of one row of scores.
  Value modifyScores(const TileCoords &c, Value s, Value head, Value query,
                     Value j0);
  Value applyScoreMod(const TileCoords &c, Value s, Value head, Value query,
                      Value j0);

  //===--------------------------------------------------------------------===//
  // Packing and gathers (AttentionPacking.cpp)
  //===--------------------------------------------------------------------===//

  Value packQuery(const TileCoords &c);
  /// Applies the fused query rope to the f32 `row` of position `pos`.
  Value rotate(Value row, Value batch, Value pos);
  /// Packs the key block at `j0` into `kt` through the row buffer `stage`.
  std::pair<Value, Value> packKeys(const TileCoords &c, Value stage, Value kt,
                                   Value j0);
  Value packValues(const TileCoords &c, Value vs, Value j0, Value count,
                   bool masked);
  /// Prefetches one K or V row (all of its 64-byte lines) of `buffer`.
  void prefetchRow(Value buffer, SmallVector<Value> at, int64_t locality = 3);
  /// The source location of key/value row `j` (clamped into range).
  SmallVector<Value> kvRow(const TileCoords &c, Value j, Value d);
  /// One past the last key of (batch, kvHead): lens[b] or lens[b, h] for
  /// paged caches, Skv for dense keys.
  Value pagedKeyEnd(Value batch, Value kvHead);
  /// Whether the pages are static multiples of `lanes` rows, so that a
  /// group of `lanes` keys of an unmasked block lies in one page.
  bool groupedPages() const {
    return staticPageSize > 0 && staticPageSize % lanes == 0;
  }

  //===--------------------------------------------------------------------===//
  // One key block and the tile (AttentionPrefill.cpp)
  //===--------------------------------------------------------------------===//

  TileState processBlock(const TileCoords &c, const TileBounds &bounds,
                         Value qs, Value kb, bool masked, TileState st);
  /// S = Qs . Kt for the `rowBlock` rows at `r0` (prefill): returns the
  /// score rows when the block of them fits the register tile, else writes
  /// them into `ps` in key slices and returns none.
  SmallVector<Value> panelScores(Value qs, Value kt, Value &ps, Value r0);
  /// Acc[r] = alpha[r] Acc[r] + P[r] . V over the rows of the tile.
  Value accumulateValues(const TileCoords &c, const TileState &st, Value j0,
                         Value count, bool inPlaceValues);
  /// The tile as a whole: returns (acc, m, l).
  TileState emitTile(const TileCoords &c);
  /// The lse of row `r` of the final state and, in `inv`, 1 / l.
  Value rowLse(const TileState &st, Value r, Value &inv);
  FailureOr<SmallVector<Value>> emitPrefill();

  //===--------------------------------------------------------------------===//
  // Decode (AttentionDecode.cpp)
  //===--------------------------------------------------------------------===//

  /// Decode scores: S[r, :] = Qs[r, :] . K rows of the block at `j0`, read
  /// in place (no transposed panel), written into `ps`.
  Value rowDotScores(const TileCoords &c, Value qs, Value ps, Value j0,
                     bool masked);
  FailureOr<SmallVector<Value>> emitSplitKv();
  /// Merges the split-KV partials `parts` [B, Hkv, S, rows, Dv] and
  /// `partLse` [B, Hkv, S, rows] over `numSplits` chunks (tok.lse_merge).
  std::pair<Value, Value> mergeSplits(Value parts, Value partLse,
                                      Value numSplits);

  //===--------------------------------------------------------------------===//
  // Stats (AttentionStats.cpp)
  //===--------------------------------------------------------------------===//

  /// The stats result `[B, Hkv or Hq, Skv]` from the main sweep's `lse`
  /// `[B, Hq, Sq]`: a second sweep over the keys for the counted rows.
  Value emitStats(Value lse);
  /// Whether the key block holding key row `j0` is listed for (batch, kv
  /// head) of `c` (tok.paged_attention's block lists).
  Value listed(const TileCoords &c, Value j0);

  const AttentionProblem &p;
  const AttentionTiling &t;

  // Static geometry.
  int64_t numHeads = 0, numKvHeads = 0, groups = 0, headDim = 0, valueDim = 0,
          paddedHeadDim = 0, tileQueries = 0, rows = 0, rowBlock = 0,
          paddedRows = 0, blockKeys = 0;
  bool directValues = false;
  /// Scores by row dot products (few rows: decode) instead of a K panel.
  bool rowDot = false;
  /// One tile covers every kv head (paged decode): the state holds
  /// numKvHeads blocks of paddedRows rows, and each key block is visited
  /// for all kv heads in turn, so the pages of a block are read together.
  bool allHeads = false;
  /// Value columns per vector of the final normalization and the lse merge,
  /// whose split loop accumulates one: as many as the P.V accumulators hold
  /// (256 f32 in 16 zmm, 64 in 8 ymm).
  int64_t valueChunk() const { return t.tiles.pvRows * t.tiles.pvCols; }
  /// Rows of the tile state: paddedRows, times numKvHeads with allHeads.
  int64_t stateRows() const {
    return allHeads ? numKvHeads * paddedRows : paddedRows;
  }
  /// The keys and values as buffers, for prefetches (decode, passed in).
  Value keyBuffer, valueBuffer;
  /// The page size of a paged cache when static, else 0.
  int64_t staticPageSize = 0;
  Type queryType, keyType, valueType;
  // Loop-invariant values defined before the forall.
  Value batchSize, querySize, keySize, pageSize, numPages, numSeqs, scale;
  Value keyIota; // vector<Bk x i32> [0, Bk)
};

} // namespace attention
} // namespace tokamak::cpu

#endif // TOKAMAK_CODEGEN_CPU_ATTENTIONEMITTER_H
