//===- PagedAttention.cpp - Lower tok.paged_attention and tok.cache_write -===//
//
// Part of the Tokamak project. paged_attention gathers the keys and values
// of each sequence through its block table into a dense
// [B, Hkv, MaxBlocks * BlockSize, D] tensor and reuses the dense attention
// core with a position mask; cache_write is an scf.for nest of
// tensor.insert_slice on the cache, so that bufferization updates it in
// place.
//
//===----------------------------------------------------------------------===//

#include "AttentionUtils.h"
#include "Utils.h"

#include "dialects/Tok/IR/TokOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

#include <limits>

using namespace mlir;
using namespace tokamak::detail;

/// An integer scalar as an index.
static Value toIndex(OpBuilder &b, Location loc, Value v) {
  if (v.getType().isIndex())
    return v;
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}

/// out[b, h, p, d] = cache[table[b, p / BS], p % BS, h, d] for the positions
/// p < lens[b]; positions past the length (whose table entries may be
/// garbage) and out-of-range block ids read block 0 instead, and are masked.
/// With per-head lens ([B, Hkv]) head h reads rows p < lens[b, h], through
/// table[b, h, p / BS] for a per-head table, and from head 0 of the block
/// when the cache holds one kv head per block. `kvHeads` is Hkv.
static Value gatherPaged(OpBuilder &b, Location loc, Value cache, Value table,
                         Value lens, OpFoldResult batch, OpFoldResult kvHeads) {
  MLIRContext *ctx = b.getContext();
  SmallVector<OpFoldResult> cDims = getDims(b, loc, cache);
  SmallVector<OpFoldResult> tDims = getDims(b, loc, table);
  bool perHead = cast<RankedTensorType>(lens.getType()).getRank() == 2;
  bool headTables = tDims.size() == 3;
  bool oneHeadBlocks =
      perHead && cast<RankedTensorType>(cache.getType()).getDimSize(2) == 1;
  Value numBlocks = getValueOrCreateConstantIndexOp(b, loc, cDims[0]);
  Value blockSize = getValueOrCreateConstantIndexOp(b, loc, cDims[1]);
  std::optional<int64_t> maxBlocks = getConstantIntValue(tDims.back());
  std::optional<int64_t> staticBlockSize = getConstantIntValue(cDims[1]);
  OpFoldResult numPositions =
      maxBlocks && staticBlockSize
          ? OpFoldResult(b.getIndexAttr(*maxBlocks * *staticBlockSize))
          : OpFoldResult(arith::MulIOp::create(
                b, loc, getValueOrCreateConstantIndexOp(b, loc, tDims.back()),
                blockSize));
  Type elementType = cast<RankedTensorType>(cache.getType()).getElementType();
  Value init = createEmpty(b, loc, {batch, kvHeads, numPositions, cDims[3]},
                           elementType);
  return makeGeneric(
      b, loc, ValueRange{}, init, AffineMap::getMultiDimIdentityMap(4, ctx),
      SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nl, ValueRange) -> Value {
        using arith::CmpIPredicate;
        Value bi = linalg::IndexOp::create(nb, nl, 0);
        Value h = linalg::IndexOp::create(nb, nl, 1);
        Value p = linalg::IndexOp::create(nb, nl, 2);
        Value d = linalg::IndexOp::create(nb, nl, 3);
        Value zero = arith::ConstantIndexOp::create(nb, nl, 0);
        Value logical = arith::DivUIOp::create(nb, nl, p, blockSize);
        Value row = arith::RemUIOp::create(nb, nl, p, blockSize);
        SmallVector<Value> lenIdx = {bi};
        if (perHead)
          lenIdx.push_back(h);
        Value len =
            toIndex(nb, nl, tensor::ExtractOp::create(nb, nl, lens, lenIdx));
        SmallVector<Value> tableIdx = {bi};
        if (headTables)
          tableIdx.push_back(h);
        tableIdx.push_back(logical);
        Value block =
            toIndex(nb, nl, tensor::ExtractOp::create(nb, nl, table, tableIdx));
        Value ok = arith::CmpIOp::create(nb, nl, CmpIPredicate::slt, p, len);
        ok = arith::AndIOp::create(
            nb, nl, ok,
            arith::CmpIOp::create(nb, nl, CmpIPredicate::sge, block, zero));
        ok = arith::AndIOp::create(nb, nl, ok,
                                   arith::CmpIOp::create(nb, nl,
                                                         CmpIPredicate::slt,
                                                         block, numBlocks));
        block = arith::SelectOp::create(nb, nl, ok, block, zero);
        Value head = oneHeadBlocks ? zero : h;
        return tensor::ExtractOp::create(nb, nl, cache,
                                         ValueRange{block, row, head, d});
      });
}

namespace {

/// tok.paged_attention -> gather + the dense attention core.
struct PagedAttentionOpLowering : OpConversionPattern<tok::PagedAttentionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(tok::PagedAttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto qType = cast<RankedTensorType>(op.getQuery().getType());
    auto cType = cast<RankedTensorType>(op.getKeyCache().getType());
    auto lType = cast<RankedTensorType>(op.getLens().getType());
    bool perHead = lType.getRank() == 2;
    int64_t hq = qType.getDimSize(1);
    int64_t hkv = perHead ? lType.getDimSize(1) : cType.getDimSize(2);
    if (ShapedType::isDynamic(hq) || ShapedType::isDynamic(hkv) || hkv <= 0 ||
        hq % hkv != 0)
      return rewriter.notifyMatchFailure(op, "dynamic head counts");

    Value query = adaptor.getQuery(), lens = adaptor.getLens();
    OpFoldResult batch = tensor::getMixedSize(rewriter, loc, query, 0);
    AttentionSpec spec;
    spec.query = query;
    OpFoldResult kvHeads = rewriter.getIndexAttr(hkv);
    spec.key = gatherPaged(rewriter, loc, adaptor.getKeyCache(),
                           adaptor.getBlockTable(), lens, batch, kvHeads);
    spec.value = gatherPaged(rewriter, loc, adaptor.getValueCache(),
                             adaptor.getBlockTable(), lens, batch, kvHeads);
    if (std::optional<APFloat> s = op.getScale())
      spec.scale = s->convertToDouble();
    if (std::optional<APFloat> c = op.getSoftcap())
      spec.softcap = c->convertToDouble();
    spec.causal = true;
    if (std::optional<uint64_t> w = op.getWindow())
      spec.window = static_cast<int64_t>(*w);
    if (std::optional<uint64_t> n = op.getSinks())
      spec.sinks = static_cast<int64_t>(*n);
    spec.outputElementType = op.getOutput().getType().getElementType();

    // Block lists: one query block holding every query (block_q beyond any
    // Sq), so [B, Hkv, MaxSel] becomes tok.attention's [B, Hkv, 1, MaxSel];
    // the gathered key index is the row, so key blocks count rows.
    if (Value indices = adaptor.getBlockIndices()) {
      Value counts = adaptor.getBlockCounts();
      auto withUnitQueryBlocks = [&](Value v) -> Value {
        auto type = cast<RankedTensorType>(v.getType());
        SmallVector<int64_t> shape(type.getShape());
        shape.insert(shape.begin() + 2, 1);
        SmallVector<ReassociationIndices> groups = {{0}, {1, 2}};
        for (int64_t d = 3, e = shape.size(); d < e; ++d)
          groups.push_back({d});
        return tensor::ExpandShapeOp::create(
            rewriter, loc, RankedTensorType::get(shape, type.getElementType()),
            v, groups);
      };
      spec.blockQ = std::numeric_limits<int32_t>::max();
      spec.blockK = static_cast<int64_t>(*op.getBlockK());
      spec.blockSelected = buildBlockSelection(
          rewriter, loc, withUnitQueryBlocks(indices),
          counts ? withUnitQueryBlocks(counts) : Value(),
          tensor::getMixedSize(rewriter, loc, spec.key, 2), spec.blockK);
    }

    // Query i of sequence b sits at position lens[b] - Sq + i; key position
    // j is visible only below lens[b]. Per-head lens: row lens[b, h] - Sq + i
    // of kv head h = query head / (Hq / Hkv), keys below lens[b, h].
    Value sq = getValueOrCreateConstantIndexOp(
        rewriter, loc, tensor::getMixedSize(rewriter, loc, query, 2));
    MLIRContext *ctx = rewriter.getContext();
    spec.maskInputs = {lens};
    SmallVector<AffineExpr> lensExprs = {getAffineDimExpr(0, ctx)};
    if (perHead)
      lensExprs.push_back(getAffineDimExpr(1, ctx).floorDiv(hq / hkv));
    spec.maskMaps = {AffineMap::get(4, 0, lensExprs, ctx)};
    spec.positions = [sq](OpBuilder &nb, Location nl, ValueRange idx,
                          ValueRange args) {
      Value len = toIndex(nb, nl, args[0]);
      Value first = arith::SubIOp::create(nb, nl, len, sq);
      Value queryPos = arith::AddIOp::create(nb, nl, first, idx[2]);
      Value valid =
          arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, idx[3], len);
      return MaskPositions{queryPos, idx[3],
                           arith::ConstantIndexOp::create(nb, nl, 0), valid};
    };

    // Stats: column j of the gathered keys is row j of the (head's) cache
    // in table order, and every mask above zeroes its probabilities.
    spec.withStats = static_cast<bool>(op.getStats());
    spec.statsPerQueryHead = op.getStatsPerQueryHead();

    FailureOr<AttentionResults> result =
        buildAttentionResults(rewriter, loc, spec);
    if (failed(result))
      return rewriter.notifyMatchFailure(op, "unsupported head counts");
    SmallVector<Value> replacements = {result->output};
    if (spec.withStats) {
      Value stats = result->stats;
      if (stats.getType() != op.getStats().getType())
        stats = tensor::CastOp::create(rewriter, loc, op.getStats().getType(),
                                       stats);
      replacements.push_back(stats);
    }
    rewriter.replaceOp(op, replacements);
    return success();
  }
};

/// tok.cache_write -> scf.for (b) { [scf.for (h)] scf.for (s) { scf.if
/// (slot >= 0) { tensor.insert_slice } } } carrying the cache.
struct CacheWriteOpLowering : OpConversionPattern<tok::CacheWriteOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(tok::CacheWriteOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value cache = adaptor.getCache(), update = adaptor.getUpdate();
    Value slots = adaptor.getSlots();
    auto cacheType = cast<RankedTensorType>(cache.getType());
    auto updateType = cast<RankedTensorType>(update.getType());
    Type elementType = cacheType.getElementType();

    // Convert the update to the cache's element type if they differ.
    SmallVector<OpFoldResult> uDims = getDims(rewriter, loc, update);
    if (updateType.getElementType() != elementType) {
      MLIRContext *ctx = rewriter.getContext();
      AffineMap id = AffineMap::getMultiDimIdentityMap(4, ctx);
      update = makeGeneric(
          rewriter, loc, update, createEmpty(rewriter, loc, uDims, elementType),
          {id, id},
          SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
          [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
            return fromF32(nb, nl, toF32(nb, nl, args[0]), elementType);
          });
    }

    // One [Hkv, D] row per (b, s); with per-head slots one [D] row per
    // (b, h, s), written to head h of the block or head 0 when the cache
    // holds one kv head per block.
    bool perHead = cast<RankedTensorType>(slots.getType()).getRank() == 3;
    bool oneHeadBlocks = perHead && cacheType.getDimSize(2) == 1;
    auto rowType =
        perHead ? RankedTensorType::get({updateType.getDimSize(3)}, elementType)
                : RankedTensorType::get(
                      {updateType.getDimSize(1), updateType.getDimSize(3)},
                      elementType);
    Value blockSize = getValueOrCreateConstantIndexOp(
        rewriter, loc, tensor::getMixedSize(rewriter, loc, cache, 1));
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value batch = getValueOrCreateConstantIndexOp(rewriter, loc, uDims[0]);
    Value heads = getValueOrCreateConstantIndexOp(rewriter, loc, uDims[1]);
    Value length = getValueOrCreateConstantIndexOp(rewriter, loc, uDims[2]);
    OpFoldResult c0 = rewriter.getIndexAttr(0), c1 = rewriter.getIndexAttr(1);
    SmallVector<OpFoldResult> unitStrides(4, c1);

    // Writes row (bi, hi, si) (hi null: every head) into `current`.
    auto writeRow = [&](OpBuilder &ib, Location il, Value bi, Value hi,
                        Value si, Value current) -> Value {
      SmallVector<Value> slotIdx = {bi};
      if (hi)
        slotIdx.push_back(hi);
      slotIdx.push_back(si);
      Value slot =
          toIndex(ib, il, tensor::ExtractOp::create(ib, il, slots, slotIdx));
      Value valid =
          arith::CmpIOp::create(ib, il, arith::CmpIPredicate::sge, slot, zero);
      auto ifOp = scf::IfOp::create(
          ib, il, valid,
          [&](OpBuilder &tb, Location tl) {
            Value block = arith::DivUIOp::create(tb, tl, slot, blockSize);
            Value row = arith::RemUIOp::create(tb, tl, slot, blockSize);
            // Copy through a linalg.copy into the matching slice of the
            // cache so that bufferization writes in place (and needs no
            // strided memref.copy).
            OpFoldResult dstHead = c0, srcHead = c0;
            OpFoldResult headCount = uDims[1];
            if (hi) {
              srcHead = hi;
              dstHead = oneHeadBlocks ? c0 : OpFoldResult(hi);
              headCount = c1;
            }
            SmallVector<OpFoldResult> dstOffsets = {block, row, dstHead, c0};
            SmallVector<OpFoldResult> dstSizes = {c1, c1, headCount, uDims[3]};
            Value src = tensor::ExtractSliceOp::create(
                tb, tl, rowType, update,
                ArrayRef<OpFoldResult>{bi, srcHead, si, c0},
                ArrayRef<OpFoldResult>{c1, headCount, c1, uDims[3]},
                unitStrides);
            Value dst = tensor::ExtractSliceOp::create(
                tb, tl, rowType, current, dstOffsets, dstSizes, unitStrides);
            Value copied =
                linalg::CopyOp::create(tb, tl, src, dst).getResult(0);
            Value written = tensor::InsertSliceOp::create(
                tb, tl, copied, current, dstOffsets, dstSizes, unitStrides);
            scf::YieldOp::create(tb, tl, written);
          },
          [&](OpBuilder &eb, Location el) {
            scf::YieldOp::create(eb, el, current);
          });
      return ifOp.getResult(0);
    };

    auto outer = scf::ForOp::create(
        rewriter, loc, zero, batch, one, ValueRange{cache},
        [&](OpBuilder &ob, Location ol, Value bi, ValueRange outerArgs) {
          auto overTokens = [&](OpBuilder &hb, Location hl, Value hi,
                                ValueRange headArgs) {
            return scf::ForOp::create(
                hb, hl, zero, length, one, headArgs,
                [&](OpBuilder &ib, Location il, Value si, ValueRange args) {
                  scf::YieldOp::create(ib, il,
                                       writeRow(ib, il, bi, hi, si, args[0]));
                });
          };
          scf::ForOp inner;
          if (perHead)
            inner = scf::ForOp::create(
                ob, ol, zero, heads, one, outerArgs,
                [&](OpBuilder &hb, Location hl, Value hi, ValueRange args) {
                  scf::YieldOp::create(
                      hb, hl, overTokens(hb, hl, hi, args).getResults());
                });
          else
            inner = overTokens(ob, ol, Value(), outerArgs);
          scf::YieldOp::create(ob, ol, inner.getResults());
        });
    rewriter.replaceOp(op, outer.getResults());
    return success();
  }
};

} // namespace

void tokamak::detail::populatePagedAttentionPatterns(
    RewritePatternSet &patterns) {
  patterns.add<PagedAttentionOpLowering, CacheWriteOpLowering>(
      patterns.getContext());
}
