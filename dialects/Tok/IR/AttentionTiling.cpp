//===- AttentionTiling.cpp - TilingInterface rules of attention -----------===//
//
// Part of the Tokamak project. TilingInterface rules of the attention ops (see
// TilingInterfaceImpl.cpp for what every op's domain holds).
//
//===----------------------------------------------------------------------===//

#include "dialects/Tok/IR/TilingInterfaceImpl.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::tok;

namespace mlir::tok::tiling {
//--- lse_merge: o [..., Dv], lse [...] --------------------------------------//
template <> struct TileRules<LseMergeOp> : NoFixup {
  static int64_t rank(LseMergeOp op) {
    return op.getLse1().getType().getRank();
  }
  static Sizes domain(LseMergeOp op, OpBuilder &b) {
    return sizesOf(b, op.getLoc(), op.getLse1());
  }
  static Sizes resultShape(LseMergeOp op, OpBuilder &b, unsigned r) {
    return sizesOf(b, op.getLoc(), r == 0 ? op.getOutput1() : op.getLse1());
  }
  static SmallVector<int64_t> resultDims(LseMergeOp op, unsigned) {
    return leadingDims(rank(op));
  }
  static FailureOr<SmallVector<Value>>
  sliceOperands(LseMergeOp op, OpBuilder &b, ArrayRef<OpFoldResult> offsets,
                ArrayRef<OpFoldResult> sizes,
                SmallVectorImpl<Operation *> &slices) {
    Location loc = op.getLoc();
    SmallVector<int64_t> outDims = leadingDims(rank(op), {-1});
    SmallVector<int64_t> lseDims = leadingDims(rank(op));
    return SmallVector<Value>{
        sliceAlong(b, loc, op.getOutput1(), outDims, offsets, sizes, slices),
        sliceAlong(b, loc, op.getLse1(), lseDims, offsets, sizes, slices),
        sliceAlong(b, loc, op.getOutput2(), outDims, offsets, sizes, slices),
        sliceAlong(b, loc, op.getLse2(), lseDims, offsets, sizes, slices)};
  }
};

//--- paged_attention: tiled over B and Hq -----------------------------------//
template <> struct TileRules<PagedAttentionOp> : NoFixup {
  static Sizes domain(PagedAttentionOp op, OpBuilder &b) {
    Location loc = op.getLoc();
    return {dimOf(b, loc, op.getQuery(), 0), dimOf(b, loc, op.getQuery(), 1)};
  }
  static Sizes resultShape(PagedAttentionOp op, OpBuilder &b, unsigned r) {
    Location loc = op.getLoc();
    if (r == 1) {
      // Stats [B, Hkv or Hq, MaxBlocks * BlockSize].
      TypedValue<RankedTensorType> table = op.getBlockTable();
      int64_t rank = table.getType().getRank();
      AffineExpr m, bs;
      bindDims(b.getContext(), m, bs);
      OpFoldResult rows = affine::makeComposedFoldedAffineApply(
          b, loc, m * bs,
          {dimOf(b, loc, table, rank - 1), dimOf(b, loc, op.getKeyCache(), 1)});
      return {dimOf(b, loc, op.getQuery(), 0),
              op.getStatsPerQueryHead()
                  ? dimOf(b, loc, op.getQuery(), 1)
                  : b.getIndexAttr(op.getStats().getType().getDimSize(1)),
              rows};
    }
    Sizes sizes = sizesOf(b, loc, op.getQuery());
    sizes.back() = dimOf(b, loc, op.getValueCache(), 3);
    return sizes;
  }
  /// Stats follow the batch tile, and the head tile per query head; summed
  /// per kv head they need every query head (sliceOperands refuses others).
  static SmallVector<int64_t> resultDims(PagedAttentionOp op, unsigned r) {
    if (r == 1 && !op.getStatsPerQueryHead())
      return {0, -1};
    return {0, 1};
  }
  static FailureOr<SmallVector<Value>>
  sliceOperands(PagedAttentionOp op, OpBuilder &b,
                ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes,
                SmallVectorImpl<Operation *> &slices) {
    Location loc = op.getLoc();
    int64_t hq = op.getQuery().getType().getDimSize(1);
    bool perHead = op.getLens().getType().getRank() == 2;
    bool headTables = op.getBlockTable().getType().getRank() == 3;
    int64_t cacheHeads = op.getKeyCache().getType().getDimSize(2);
    int64_t hkv = perHead ? op.getLens().getType().getDimSize(1) : cacheHeads;
    // Per-head lens over blocks of one kv head: the caches stay whole.
    bool sliceCaches = !perHead || cacheHeads != 1 || hkv == 1;
    if (ShapedType::isDynamic(hq) || ShapedType::isDynamic(hkv)) {
      op.emitWarning("cannot tile paged attention with dynamic head counts");
      return failure();
    }
    if (op.getStats() && !op.getStatsPerQueryHead() &&
        (!isConstantIntValue(offsets[1], 0) ||
         !isConstantIntValue(sizes[1], hq))) {
      op.emitWarning("cannot tile the heads of paged attention with stats "
                     "summed per kv head");
      return failure();
    }
    FailureOr<std::pair<OpFoldResult, OpFoldResult>> kvHeads =
        groupRange(b, loc, op, offsets[1], sizes[1], hq / hkv, "query heads");
    if (failed(kvHeads))
      return failure();
    auto sliceCache = [&](Value cache) -> Value {
      if (!sliceCaches)
        return cache;
      Sizes o = {zero(b), zero(b), kvHeads->first, zero(b)};
      Sizes s = sizesOf(b, loc, cache);
      s[2] = kvHeads->second;
      return sliceOf(b, loc, cache, o, s, slices);
    };
    // lens / block table: the batch range, and the kv heads when per head.
    auto sliceHeads = [&](Value v, bool heads) -> Value {
      int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
      if (!heads) {
        SmallVector<int64_t> dims(rank, -1);
        dims[0] = 0;
        return sliceAlong(b, loc, v, dims, offsets, sizes, slices);
      }
      Sizes o(rank, zero(b));
      Sizes s = sizesOf(b, loc, v);
      o[0] = offsets[0];
      s[0] = sizes[0];
      o[1] = kvHeads->first;
      s[1] = kvHeads->second;
      return sliceOf(b, loc, v, o, s, slices);
    };
    SmallVector<Value> operands = {
        sliceAlong(b, loc, op.getQuery(), {0, 1, -1, -1}, offsets, sizes,
                   slices),
        sliceCache(op.getKeyCache()), sliceCache(op.getValueCache()),
        sliceHeads(op.getBlockTable(), headTables),
        sliceHeads(op.getLens(), perHead)};
    // Block lists [B, Hkv, MaxSel] and counts [B, Hkv]: batch and kv heads.
    if (Value indices = op.getBlockIndices())
      operands.push_back(sliceHeads(indices, /*heads=*/true));
    if (Value counts = op.getBlockCounts())
      operands.push_back(sliceHeads(counts, /*heads=*/true));
    return operands;
  }
};

//--- attention: tiled over B, Hq and (where exact) Sq -----------------------//
template <> struct TileRules<AttentionOp> {
  static Sizes domain(AttentionOp op, OpBuilder &b) {
    Sizes sizes = sizesOf(b, op.getLoc(), op.getQuery());
    sizes.pop_back();
    return sizes;
  }
  /// Whether result `r` is the stats result `[B, Hs, Skv]`.
  static bool isStats(AttentionOp op, unsigned r) {
    return op.getStats() && op->getResult(r) == op.getStats();
  }
  static Sizes resultShape(AttentionOp op, OpBuilder &b, unsigned r) {
    if (isStats(op, r)) {
      Location loc = op.getLoc();
      Value heads = op.getStatsPerQueryHead() ? op.getQuery() : op.getKey();
      return {dimOf(b, loc, op.getQuery(), 0), dimOf(b, loc, heads, 1),
              dimOf(b, loc, op.getKey(), 2)};
    }
    Sizes sizes = domain(op, b);
    if (r == 0)
      sizes.push_back(dimOf(b, op.getLoc(), op.getValue(), 3));
    return sizes;
  }
  /// Stats follow the batch tile, and the head tile per query head; a tile
  /// of them always spans every key (and every kv head when summed per kv
  /// head: sliceOperands refuses partial head tiles then).
  static SmallVector<int64_t> resultDims(AttentionOp op, unsigned r) {
    if (isStats(op, r))
      return op.getStatsPerQueryHead() ? SmallVector<int64_t>{0, 1, -1}
                                       : SmallVector<int64_t>{0, -1, -1};
    return {0, 1, 2};
  }
  /// Stats sum over query rows (and a kv head's query heads): a tile must
  /// hold every row, and every head unless the stats are per query head.
  static LogicalResult checkStatsTile(AttentionOp op, OpBuilder &b,
                                      ArrayRef<OpFoldResult> offsets,
                                      ArrayRef<OpFoldResult> sizes,
                                      bool allRows) {
    if (!op.getStats())
      return success();
    if (!allRows) {
      op.emitWarning("cannot tile the query rows of attention with a stats "
                     "result");
      return failure();
    }
    int64_t hq = op.getQuery().getType().getDimSize(1);
    if (!op.getStatsPerQueryHead() && (!isConstantIntValue(offsets[1], 0) ||
                                       !isConstantIntValue(sizes[1], hq))) {
      op.emitWarning("cannot tile the heads of attention with stats summed "
                     "per kv head");
      return failure();
    }
    return success();
  }
  /// True when the tile covers every query row: offset 0 and a size that is
  /// the static row count, or a `tensor.dim` of the rows of the query (as
  /// the domain reads it), of the output or of lse.
  static bool coversAllRows(AttentionOp op, OpBuilder &b, OpFoldResult offset,
                            OpFoldResult size) {
    if (!isConstantIntValue(offset, 0))
      return false;
    int64_t sq = op.getQuery().getType().getDimSize(2);
    if (ShapedType::isStatic(sq))
      return isConstantIntValue(size, sq);
    auto value = dyn_cast_if_present<Value>(size);
    auto dim = value ? value.getDefiningOp<tensor::DimOp>() : nullptr;
    if (!dim || !isConstantIntValue(dim.getIndex(), 2))
      return false;
    Value source = dim.getSource();
    if (source == op.getQuery() || source == op.getOutput() ||
        (op.getLse() && source == op.getLse()))
      return true;
    // The domain may have resolved the query's rows through its producers.
    OpFoldResult rows = dimOf(b, op.getLoc(), op.getQuery(), 2);
    auto rowsValue = dyn_cast_if_present<Value>(rows);
    auto rowsDim =
        rowsValue ? rowsValue.getDefiningOp<tensor::DimOp>() : nullptr;
    return rowsValue == value || (rowsDim && rowsDim.getSource() == source &&
                                  getConstantIntValue(rowsDim.getIndex()) ==
                                      getConstantIntValue(dim.getIndex()));
  }
  static FailureOr<SmallVector<Value>>
  sliceOperands(AttentionOp op, OpBuilder &b, ArrayRef<OpFoldResult> offsets,
                ArrayRef<OpFoldResult> sizes,
                SmallVectorImpl<Operation *> &slices) {
    Location loc = op.getLoc();
    int64_t hq = op.getQuery().getType().getDimSize(1);
    int64_t hkv = op.getKey().getType().getDimSize(1);
    if (ShapedType::isDynamic(hq) || ShapedType::isDynamic(hkv)) {
      op.emitWarning("cannot tile attention with dynamic head counts");
      return failure();
    }
    FailureOr<std::pair<OpFoldResult, OpFoldResult>> kvHeads =
        groupRange(b, loc, op, offsets[1], sizes[1], hq / hkv, "query heads");
    if (failed(kvHeads))
      return failure();

    // Keys [0, keyLength): all of them unless a causal tile of query rows
    // drops the keys no row of the tile sees.
    bool allRows = coversAllRows(op, b, offsets[2], sizes[2]);
    if (failed(checkStatsTile(op, b, offsets, sizes, allRows)))
      return failure();
    if (!allRows && op.getSeqStarts()) {
      op.emitWarning("cannot tile the query rows of packed (seq_starts) "
                     "attention");
      return failure();
    }
    if (!allRows && op.getBlockIndices()) {
      op.emitWarning("cannot tile the query rows of block-sparse "
                     "(block_indices) attention");
      return failure();
    }
    OpFoldResult keyLength = dimOf(b, loc, op.getKey(), 2);
    if (!allRows && op.getCausal()) {
      AffineExpr skv, sq, o, s;
      bindDims(b.getContext(), skv, sq, o, s);
      OpFoldResult sqFull = dimOf(b, loc, op.getQuery(), 2);
      keyLength = affine::makeComposedFoldedAffineApply(
          b, loc, skv - sq + o + s, {keyLength, sqFull, offsets[2], sizes[2]});
      std::optional<int64_t> skvC = getConstantIntValue(
                                 dimOf(b, loc, op.getKey(), 2)),
                             sqC = getConstantIntValue(sqFull);
      if (!skvC || !sqC || *skvC < *sqC) {
        AffineMap max = AffineMap::get(
            1, 0, {b.getAffineDimExpr(0), b.getAffineConstantExpr(0)},
            b.getContext());
        keyLength =
            affine::makeComposedFoldedAffineMax(b, loc, max, {keyLength});
      }
    }

    auto sliceKv = [&](Value v) {
      Sizes o = {offsets[0], kvHeads->first, zero(b), zero(b)};
      Sizes s = {sizes[0], kvHeads->second, keyLength, dimOf(b, loc, v, 3)};
      return sliceOf(b, loc, v, o, s, slices);
    };
    SmallVector<Value> operands = {
        sliceAlong(b, loc, op.getQuery(), {0, 1, 2, -1}, offsets, sizes,
                   slices),
        sliceKv(op.getKey()), sliceKv(op.getValue())};
    if (Value bias = op.getBias()) {
      // Trailing alignment with [B, Hq, Sq, Skv]; unit dims broadcast.
      auto type = cast<RankedTensorType>(bias.getType());
      int64_t lead = 4 - type.getRank();
      Sizes o, s;
      for (int64_t i = 0; i < type.getRank(); ++i) {
        int64_t score = lead + i;
        if (type.getDimSize(i) == 1) {
          o.push_back(zero(b));
          s.push_back(b.getIndexAttr(1));
        } else if (score == 3) {
          o.push_back(zero(b));
          s.push_back(keyLength);
        } else {
          o.push_back(offsets[score]);
          s.push_back(sizes[score]);
        }
      }
      operands.push_back(sliceOf(b, loc, bias, o, s, slices));
    }
    if (Value seqStarts = op.getSeqStarts())
      operands.push_back(seqStarts);
    // Block lists [B, Hkv, Nqb(, MaxSel)]: the tile's batch entries and kv
    // heads, every query block (all rows are in the tile).
    auto sliceLists = [&](Value lists) {
      Sizes o = {offsets[0], kvHeads->first}, s = {sizes[0], kvHeads->second};
      for (int64_t d = 2, e = cast<RankedTensorType>(lists.getType()).getRank();
           d < e; ++d) {
        o.push_back(zero(b));
        s.push_back(dimOf(b, loc, lists, d));
      }
      return sliceOf(b, loc, lists, o, s, slices);
    };
    if (Value indices = op.getBlockIndices())
      operands.push_back(sliceLists(indices));
    if (Value counts = op.getBlockCounts())
      operands.push_back(sliceLists(counts));
    return operands;
  }
  /// score_mod sees global batch, head and query indices: add the tile's
  /// offsets to its block arguments.
  static void fixTile(AttentionOp, Operation *tiled, OpBuilder &b,
                      ArrayRef<OpFoldResult> offsets) {
    Region &region = cast<AttentionOp>(tiled).getScoreMod();
    if (region.empty())
      return;
    Block &block = region.front();
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&block);
    for (unsigned i = 0; i < 3; ++i) {
      if (isConstantIntValue(offsets[i], 0))
        continue;
      BlockArgument arg = block.getArgument(1 + i);
      Value offset =
          getValueOrCreateConstantIndexOp(b, tiled->getLoc(), offsets[i]);
      Value global = arith::AddIOp::create(b, tiled->getLoc(), arg, offset);
      arg.replaceAllUsesExcept(global, global.getDefiningOp());
    }
  }
};

} // namespace mlir::tok::tiling

namespace mlir::tok {
TOK_COMPUTE_OP_INTERFACES(LseMergeOp)
TOK_COMPUTE_OP_INTERFACES(PagedAttentionOp)
TOK_COMPUTE_OP_INTERFACES(AttentionOp)
} // namespace mlir::tok
