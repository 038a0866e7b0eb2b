//===- Attention.cpp - Lower tok.attention and tok.lse_merge --------------===//
//
// Part of the Tokamak project. The reference lowering of attention on
// tensors: the [B, Hq, Sq, Skv] score matrix is materialized in f32, then
// scaled, soft-capped, modified, biased and masked in one elementwise
// generic, then softmax (max subtraction) and P·V. Fully masked rows give
// zeros and lse -inf. The FlashAttention-style tiling lives elsewhere.
//
//===----------------------------------------------------------------------===//

#include "AttentionUtils.h"
#include "PopulatePatterns.h"
#include "Utils.h"

#include "dialects/Tok/IR/TokOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace tokamak::detail;

using utils::IteratorType;

static constexpr double kNegInf = -std::numeric_limits<double>::infinity();

namespace tokamak::detail {

Value cstF32(OpBuilder &b, Location loc, double value) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
}

Value makeGeneric(OpBuilder &b, Location loc, ValueRange inputs, Value init,
                  ArrayRef<AffineMap> maps, ArrayRef<IteratorType> iterators,
                  function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, body(nb, nloc, args));
      });
  return op.getResult(0);
}

} // namespace tokamak::detail

/// `(d0, ..., d{n-1}) -> (d{targets}...)`.
static AffineMap dimsMap(MLIRContext *ctx, unsigned numDims,
                         ArrayRef<unsigned> targets) {
  SmallVector<AffineExpr> exprs;
  for (unsigned t : targets)
    exprs.push_back(getAffineDimExpr(t, ctx));
  return AffineMap::get(numDims, 0, exprs, ctx);
}

/// `m == -inf ? 0 : m`: the row max to subtract, safe for empty rows.
static Value safeMax(OpBuilder &b, Location loc, Value m) {
  Value isEmpty = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, m,
                                        cstF32(b, loc, kNegInf));
  return arith::SelectOp::create(b, loc, isEmpty, cstF32(b, loc, 0.0), m);
}

/// The map of a bias broadcastable to `[B, Hq, Sq, Skv]` (numpy rules:
/// trailing alignment, size-1 dims broadcast).
static AffineMap biasMap(MLIRContext *ctx, RankedTensorType biasType) {
  int64_t rank = biasType.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t k = 0; k < rank; ++k) {
    if (biasType.getDimSize(k) == 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(4 - rank + k, ctx));
  }
  return AffineMap::get(4, 0, exprs, ctx);
}

/// Clones the score_mod region's body at the builder's insertion point with
/// its arguments bound to `(s, b, h, i, j)`; returns the yielded score.
static Value inlineScoreMod(OpBuilder &b, Region &region, Value score,
                            ValueRange loopIndices) {
  Block &block = region.front();
  IRMapping mapping;
  mapping.map(block.getArgument(0), score);
  for (unsigned k = 0; k < 4; ++k)
    mapping.map(block.getArgument(k + 1), loopIndices[k]);
  for (Operation &op : block.without_terminator())
    b.clone(op, mapping);
  return mapping.lookupOrDefault(block.getTerminator()->getOperand(0));
}

/// stats[b, hs, j] = Σ_{i ≥ Sq − W} E[b, h, i, j] / L[b, h, i] (0 where
/// L = 0), summed over the query heads h of kv head hs unless per query
/// head. `probs` is E = exp(S − M) `[B, Hq, Sq, Skv]`, `rowSum` L.
static Value buildStats(OpBuilder &b, Location loc, const AttentionSpec &spec,
                        Value probs, Value rowSum, int64_t numKvHeads) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();
  SmallVector<OpFoldResult> dims = getDims(b, loc, probs);
  OpFoldResult batch = dims[0], heads = dims[1], sq = dims[2], skv = dims[3];
  // First counted row: max(Sq - W, 0), or per row end(seq(i)) - W when
  // packed.
  Value start;
  if (spec.statsWindow && !spec.statsRowEnd) {
    Value rows = getValueOrCreateConstantIndexOp(b, loc, sq);
    Value first = arith::SubIOp::create(
        b, loc, rows,
        arith::ConstantIndexOp::create(b, loc, *spec.statsWindow));
    start = arith::MaxSIOp::create(b, loc, first,
                                   arith::ConstantIndexOp::create(b, loc, 0));
  }
  auto par = IteratorType::parallel, red = IteratorType::reduction;
  bool perRow = spec.statsWindow && spec.statsRowEnd;
  SmallVector<Value> inputs = {probs, rowSum};
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(4, ctx),
                                 dimsMap(ctx, 4, {0, 1, 2})};
  if (perRow) {
    inputs.push_back(spec.statsRowEnd);
    maps.push_back(dimsMap(ctx, 4, {2}));
  }
  maps.push_back(dimsMap(ctx, 4, {0, 1, 3}));
  Value perHead = createFilled(b, loc, {batch, heads, skv}, f32, 0.0);
  perHead = makeGeneric(
      b, loc, inputs, perHead, maps, {par, par, red, par},
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        Value zero = cstF32(nb, nl, 0.0);
        Value empty = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ,
                                            args[1], zero);
        Value p = arith::SelectOp::create(
            nb, nl, empty, zero,
            arith::DivFOp::create(nb, nl, args[0], args[1]));
        if (start) {
          Value i = linalg::IndexOp::create(nb, nl, 2);
          Value counted = arith::CmpIOp::create(
              nb, nl, arith::CmpIPredicate::sge, i, start);
          p = arith::SelectOp::create(nb, nl, counted, p, zero);
        }
        if (perRow) {
          // i >= end(seq(i)) - W, in i64.
          Value i = arith::IndexCastOp::create(
              nb, nl, nb.getI64Type(), linalg::IndexOp::create(nb, nl, 2));
          Value w = arith::ConstantOp::create(
              nb, nl, nb.getI64IntegerAttr(*spec.statsWindow));
          Value first = arith::SubIOp::create(nb, nl, args[2], w);
          Value counted = arith::CmpIOp::create(
              nb, nl, arith::CmpIPredicate::sge, i, first);
          p = arith::SelectOp::create(nb, nl, counted, p, zero);
        }
        return arith::AddFOp::create(nb, nl, args.back(), p);
      });
  if (spec.statsPerQueryHead)
    return perHead;

  // Sum the G query heads of each kv head: [B, Hq, Skv] -> [B, Hkv, G, Skv].
  int64_t numHeads = *getConstantIntValue(heads);
  int64_t groups = numHeads / numKvHeads;
  auto perHeadType = cast<RankedTensorType>(perHead.getType());
  auto expandedType =
      RankedTensorType::get({perHeadType.getDimSize(0), numKvHeads, groups,
                             perHeadType.getDimSize(2)},
                            f32);
  Value expanded = tensor::ExpandShapeOp::create(
      b, loc, expandedType, perHead,
      ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}},
      ArrayRef<OpFoldResult>{batch, b.getIndexAttr(numKvHeads),
                             b.getIndexAttr(groups), skv});
  Value stats =
      createFilled(b, loc, {batch, b.getIndexAttr(numKvHeads), skv}, f32, 0.0);
  return makeGeneric(
      b, loc, expanded, stats,
      {AffineMap::getMultiDimIdentityMap(4, ctx), dimsMap(ctx, 4, {0, 1, 3})},
      {par, par, red, par},
      [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        return arith::AddFOp::create(nb, nl, args[0], args[1]);
      });
}

/// Whether the key block of key `idx[3]` is listed for the query block of
/// row `idx[2]` (AttentionSpec::blockSelected).
static Value blockVisible(OpBuilder &b, Location loc, const AttentionSpec &spec,
                          int64_t groups, ValueRange idx) {
  auto c = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value sel = spec.blockSelected;
  Value lastRow = arith::SubIOp::create(
      b, loc, tensor::DimOp::create(b, loc, sel, 2), c(1));
  Value kvHead = arith::DivUIOp::create(b, loc, idx[1], c(groups));
  Value queryBlock = arith::MinUIOp::create(
      b, loc, arith::DivUIOp::create(b, loc, idx[2], c(spec.blockQ)), lastRow);
  Value keyBlock = arith::DivUIOp::create(b, loc, idx[3], c(spec.blockK));
  Value flag = tensor::ExtractOp::create(
      b, loc, sel, ValueRange{idx[0], kvHead, queryBlock, keyBlock});
  Value zero = arith::ConstantOp::create(b, loc, b.getI8IntegerAttr(0));
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, flag, zero);
}

FailureOr<std::pair<Value, Value>>
tokamak::detail::buildAttention(OpBuilder &b, Location loc,
                                const AttentionSpec &spec) {
  FailureOr<AttentionResults> results = buildAttentionResults(b, loc, spec);
  if (failed(results))
    return failure();
  return std::make_pair(results->output, results->lse);
}

FailureOr<AttentionResults>
tokamak::detail::buildAttentionResults(OpBuilder &b, Location loc,
                                       const AttentionSpec &spec) {
  MLIRContext *ctx = b.getContext();
  auto qType = cast<RankedTensorType>(spec.query.getType());
  auto kType = cast<RankedTensorType>(spec.key.getType());
  int64_t numHeads = qType.getDimSize(1), numKvHeads = kType.getDimSize(1);
  if (ShapedType::isDynamic(numHeads) || ShapedType::isDynamic(numKvHeads) ||
      numKvHeads <= 0 || numHeads % numKvHeads != 0)
    return failure();
  int64_t groups = numHeads / numKvHeads;

  Type f32 = b.getF32Type();
  SmallVector<OpFoldResult> qDims = getDims(b, loc, spec.query);
  SmallVector<OpFoldResult> kDims = getDims(b, loc, spec.key);
  SmallVector<OpFoldResult> vDims = getDims(b, loc, spec.value);
  OpFoldResult batch = qDims[0], heads = qDims[1], sq = qDims[2];
  OpFoldResult headDim = qDims[3], skv = kDims[2], dv = vDims[3];

  // Default scale 1/sqrt(D).
  Value scale;
  if (spec.scale) {
    scale = cstF32(b, loc, *spec.scale);
  } else if (std::optional<int64_t> d = getConstantIntValue(headDim)) {
    scale = cstF32(b, loc, 1.0 / std::sqrt(static_cast<double>(*d)));
  } else {
    Value dim = getValueOrCreateConstantIndexOp(b, loc, headDim);
    Value di = arith::IndexCastOp::create(b, loc, b.getI64Type(), dim);
    Value df = arith::SIToFPOp::create(b, loc, f32, di);
    scale = arith::DivFOp::create(b, loc, cstF32(b, loc, 1.0),
                                  math::SqrtOp::create(b, loc, df));
  }

  AffineExpr d0, d1, d2, d3, d4;
  bindDims(ctx, d0, d1, d2, d3, d4);
  AffineExpr kvHead = d1.floorDiv(groups);
  auto par = IteratorType::parallel, red = IteratorType::reduction;
  AffineMap id4 = AffineMap::getMultiDimIdentityMap(4, ctx);
  AffineMap rowMap = dimsMap(ctx, 4, {0, 1, 2});

  // S[b, h, i, j] = Σ_d q[b, h, i, d] · k[b, h / G, j, d].
  Value scores = createFilled(b, loc, {batch, heads, sq, skv}, f32, 0.0);
  scores =
      makeGeneric(b, loc, ValueRange{spec.query, spec.key}, scores,
                  {AffineMap::get(5, 0, {d0, d1, d2, d4}, ctx),
                   AffineMap::get(5, 0, {d0, kvHead, d3, d4}, ctx),
                   AffineMap::get(5, 0, {d0, d1, d2, d3}, ctx)},
                  {par, par, par, par, red},
                  [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                    Value prod = arith::MulFOp::create(
                        nb, nl, toF32(nb, nl, args[0]), toF32(nb, nl, args[1]));
                    return arith::AddFOp::create(nb, nl, args[2], prod);
                  });

  // Scale, softcap, score_mod, bias and masks, in place on S.
  bool masked =
      spec.causal || spec.window || spec.positions || spec.blockSelected;
  Value defaultOffset;
  if (masked && !spec.positions) {
    std::optional<int64_t> skvStatic = getConstantIntValue(skv);
    std::optional<int64_t> sqStatic = getConstantIntValue(sq);
    defaultOffset =
        skvStatic && sqStatic
            ? Value(arith::ConstantIndexOp::create(b, loc,
                                                   *skvStatic - *sqStatic))
            : Value(arith::SubIOp::create(
                  b, loc, getValueOrCreateConstantIndexOp(b, loc, skv),
                  getValueOrCreateConstantIndexOp(b, loc, sq)));
  }
  SmallVector<Value> modInputs;
  SmallVector<AffineMap> modMaps;
  if (spec.bias) {
    modInputs.push_back(spec.bias);
    modMaps.push_back(
        biasMap(ctx, cast<RankedTensorType>(spec.bias.getType())));
  }
  llvm::append_range(modInputs, spec.maskInputs);
  llvm::append_range(modMaps, spec.maskMaps);
  modMaps.push_back(id4);
  scores = makeGeneric(
      b, loc, modInputs, scores, modMaps, {par, par, par, par},
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        // The loop indices (b, h, i, j), for score_mod and the masks.
        SmallVector<Value> idx;
        if (spec.scoreMod || masked)
          for (unsigned k = 0; k < 4; ++k)
            idx.push_back(linalg::IndexOp::create(nb, nl, k));
        Value s = arith::MulFOp::create(nb, nl, args.back(), scale);
        if (spec.softcap) {
          Value cap = cstF32(nb, nl, *spec.softcap);
          Value t = math::TanhOp::create(nb, nl,
                                         arith::DivFOp::create(nb, nl, s, cap));
          s = arith::MulFOp::create(nb, nl, cap, t);
        }
        if (spec.scoreMod)
          s = inlineScoreMod(nb, *spec.scoreMod, s, idx);
        unsigned next = 0;
        if (spec.bias)
          s = arith::AddFOp::create(nb, nl, s, toF32(nb, nl, args[next++]));
        if (!masked)
          return s;

        ValueRange maskArgs = args.slice(next, spec.maskInputs.size());
        MaskPositions pos =
            spec.positions ? spec.positions(nb, nl, idx, maskArgs)
                           : MaskPositions{idx[2], idx[3], defaultOffset, {}};
        Value visible = pos.valid;
        auto addCondition = [&](Value cond) {
          visible =
              visible ? arith::AndIOp::create(nb, nl, visible, cond) : cond;
        };
        auto indexConst = [&](int64_t v) -> Value {
          return arith::ConstantIndexOp::create(nb, nl, v);
        };
        // The last key the query may see.
        Value last = arith::AddIOp::create(nb, nl, pos.queryPos, pos.offset);
        if (spec.causal)
          addCondition(arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sle,
                                             pos.keyPos, last));
        if (spec.window) {
          Value lo =
              arith::SubIOp::create(nb, nl, last, indexConst(*spec.window));
          Value inWindow = arith::CmpIOp::create(
              nb, nl, arith::CmpIPredicate::sgt, pos.keyPos, lo);
          if (spec.sinks)
            inWindow = arith::OrIOp::create(
                nb, nl, inWindow,
                arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt,
                                      pos.keyPos, indexConst(*spec.sinks)));
          addCondition(inWindow);
        }
        if (spec.blockSelected)
          addCondition(blockVisible(nb, nl, spec, groups, idx));
        if (!visible)
          return s;
        return arith::SelectOp::create(nb, nl, visible, s,
                                       cstF32(nb, nl, kNegInf));
      });

  // Row max M, then E = exp(S - M) in place and the row sum L.
  Value rowMax = createFilled(b, loc, {batch, heads, sq}, f32, kNegInf);
  rowMax =
      makeGeneric(b, loc, scores, rowMax, {id4, rowMap}, {par, par, par, red},
                  [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                    return arith::MaximumFOp::create(nb, nl, args[0], args[1]);
                  });
  scores =
      makeGeneric(b, loc, rowMax, scores, {rowMap, id4}, {par, par, par, par},
                  [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                    Value diff = arith::SubFOp::create(
                        nb, nl, args[1], safeMax(nb, nl, args[0]));
                    return math::ExpOp::create(nb, nl, diff);
                  });
  Value rowSum = createFilled(b, loc, {batch, heads, sq}, f32, 0.0);
  rowSum =
      makeGeneric(b, loc, scores, rowSum, {id4, rowMap}, {par, par, par, red},
                  [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                    return arith::AddFOp::create(nb, nl, args[0], args[1]);
                  });

  // A[b, h, i, e] = Σ_j E[b, h, i, j] · v[b, h / G, j, e].
  Value acc = createFilled(b, loc, {batch, heads, sq, dv}, f32, 0.0);
  acc = makeGeneric(b, loc, ValueRange{scores, spec.value}, acc,
                    {AffineMap::get(5, 0, {d0, d1, d2, d4}, ctx),
                     AffineMap::get(5, 0, {d0, kvHead, d4, d3}, ctx),
                     AffineMap::get(5, 0, {d0, d1, d2, d3}, ctx)},
                    {par, par, par, par, red},
                    [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                      Value prod = arith::MulFOp::create(
                          nb, nl, args[0], toF32(nb, nl, args[1]));
                      return arith::AddFOp::create(nb, nl, args[2], prod);
                    });

  // O = A / L (zeros where L == 0), truncated to the output type.
  Type outType = spec.outputElementType;
  Value out = createEmpty(b, loc, {batch, heads, sq, dv}, outType);
  out = makeGeneric(
      b, loc, ValueRange{acc, rowSum}, out, {id4, rowMap, id4},
      {par, par, par, par},
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        Value empty = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ,
                                            args[1], cstF32(nb, nl, 0.0));
        Value q = arith::DivFOp::create(nb, nl, args[0], args[1]);
        Value r =
            arith::SelectOp::create(nb, nl, empty, cstF32(nb, nl, 0.0), q);
        return fromF32(nb, nl, r, outType);
      });
  AttentionResults results;
  results.output = out;
  if (spec.withStats)
    results.stats = buildStats(b, loc, spec, scores, rowSum, numKvHeads);
  if (!spec.withLse)
    return results;

  // lse = M + log(L) (-inf for empty rows).
  AffineMap id3 = AffineMap::getMultiDimIdentityMap(3, ctx);
  Value lse = createEmpty(b, loc, {batch, heads, sq}, f32);
  lse = makeGeneric(
      b, loc, ValueRange{rowMax, rowSum}, lse, {id3, id3, id3}, {par, par, par},
      [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        Value logSum = math::LogOp::create(nb, nl, args[1]);
        return arith::AddFOp::create(nb, nl, safeMax(nb, nl, args[0]), logSum);
      });
  results.lse = lse;
  return results;
}

/// For each position p < `length` of a packed batch with offsets `cu`:
/// count[p] = #{k : cu[k] <= p} (p is in sequence count[p] - 1 when
/// 1 <= count[p] <= N) and start[p] = max{cu[k] : cu[k] <= p}, both i64.
static std::pair<Value, Value> buildSegments(OpBuilder &b, Location loc,
                                             Value cu, OpFoldResult length) {
  MLIRContext *ctx = b.getContext();
  Type i64 = b.getI64Type();
  auto fill = [&](int64_t v) {
    Value empty = createEmpty(b, loc, {length}, i64);
    Value cst = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
    return linalg::FillOp::create(b, loc, cst, empty).getResult(0);
  };
  Value count = fill(0);
  Value start = fill(std::numeric_limits<int64_t>::min());
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{count.getType(), start.getType()}, ValueRange{cu},
      ValueRange{count, start},
      {dimsMap(ctx, 2, {1}), dimsMap(ctx, 2, {0}), dimsMap(ctx, 2, {0})},
      {IteratorType::parallel, IteratorType::reduction},
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value pos = arith::IndexCastOp::create(
            nb, nl, i64, linalg::IndexOp::create(nb, nl, 0));
        Value c = args[0];
        if (c.getType().isIndex())
          c = arith::IndexCastOp::create(nb, nl, i64, c);
        else if (c.getType() != i64)
          c = arith::ExtSIOp::create(nb, nl, i64, c);
        Value le =
            arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sle, c, pos);
        Value cnt = arith::AddIOp::create(
            nb, nl, args[1], arith::ExtUIOp::create(nb, nl, i64, le));
        Value st = arith::SelectOp::create(
            nb, nl, le, arith::MaxSIOp::create(nb, nl, args[2], c), args[2]);
        linalg::YieldOp::create(nb, nl, ValueRange{cnt, st});
      });
  return {op.getResult(0), op.getResult(1)};
}

/// For each position p with `count[p]` from buildSegments: the end of its
/// sequence, cu[clamp(count[p], 0, N)] (i64).
static Value buildRowEnds(OpBuilder &b, Location loc, Value cu, Value count) {
  MLIRContext *ctx = b.getContext();
  Type i64 = b.getI64Type();
  Value ends = createEmpty(b, loc, getDims(b, loc, count), i64);
  AffineMap id = AffineMap::getMultiDimIdentityMap(1, ctx);
  return makeGeneric(
      b, loc, count, ends, {id, id}, {IteratorType::parallel},
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        Value last =
            arith::SubIOp::create(nb, nl, tensor::DimOp::create(nb, nl, cu, 0),
                                  arith::ConstantIndexOp::create(nb, nl, 1));
        Value k =
            arith::IndexCastOp::create(nb, nl, nb.getIndexType(), args[0]);
        k = arith::MaxSIOp::create(nb, nl, k,
                                   arith::ConstantIndexOp::create(nb, nl, 0));
        k = arith::MinSIOp::create(nb, nl, k, last);
        Value end = tensor::ExtractOp::create(nb, nl, cu, ValueRange{k});
        if (end.getType() != i64)
          end = arith::ExtSIOp::create(nb, nl, i64, end);
        return end;
      });
}

namespace {

/// tok.attention -> linalg/tensor/arith/math on tensors.
struct AttentionOpLowering : OpConversionPattern<tok::AttentionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(tok::AttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto qType = cast<RankedTensorType>(op.getQuery().getType());
    auto kType = cast<RankedTensorType>(op.getKey().getType());
    int64_t hq = qType.getDimSize(1), hkv = kType.getDimSize(1);
    if (ShapedType::isDynamic(hq) || ShapedType::isDynamic(hkv))
      return rewriter.notifyMatchFailure(op, "dynamic head counts");

    AttentionSpec spec;
    spec.query = adaptor.getQuery();
    spec.key = adaptor.getKey();
    spec.value = adaptor.getValue();
    spec.bias = adaptor.getBias();
    if (!op.getScoreMod().empty())
      spec.scoreMod = &op.getScoreMod();
    if (std::optional<APFloat> s = op.getScale())
      spec.scale = s->convertToDouble();
    if (std::optional<APFloat> c = op.getSoftcap())
      spec.softcap = c->convertToDouble();
    spec.causal = op.getCausal();
    if (std::optional<uint64_t> w = op.getWindow())
      spec.window = static_cast<int64_t>(*w);
    if (std::optional<uint64_t> n = op.getSinks())
      spec.sinks = static_cast<int64_t>(*n);
    spec.outputElementType = op.getOutput().getType().getElementType();
    spec.withLse = static_cast<bool>(op.getLse());
    spec.withStats = static_cast<bool>(op.getStats());
    if (std::optional<uint64_t> w = op.getStatsWindow())
      spec.statsWindow = static_cast<int64_t>(*w);
    spec.statsPerQueryHead = op.getStatsPerQueryHead();

    if (Value cu = adaptor.getSeqStarts()) {
      // Packed sequences: a query sees keys of its own sequence only, and
      // positions count from that sequence's start.
      auto [qCount, qStart] =
          buildSegments(rewriter, loc, cu,
                        tensor::getMixedSize(rewriter, loc, spec.query, 2));
      auto [kCount, kStart] = buildSegments(
          rewriter, loc, cu, tensor::getMixedSize(rewriter, loc, spec.key, 2));
      Value numOffsets = tensor::DimOp::create(rewriter, loc, cu, 0);
      Value numSeqs = arith::IndexCastOp::create(
          rewriter, loc, rewriter.getI64Type(),
          arith::SubIOp::create(
              rewriter, loc, numOffsets,
              arith::ConstantIndexOp::create(rewriter, loc, 1)));
      MLIRContext *ctx = rewriter.getContext();
      if (spec.withStats)
        spec.statsRowEnd = buildRowEnds(rewriter, loc, cu, qCount);
      spec.maskInputs = {qCount, qStart, kCount, kStart};
      spec.maskMaps = {dimsMap(ctx, 4, {2}), dimsMap(ctx, 4, {2}),
                       dimsMap(ctx, 4, {3}), dimsMap(ctx, 4, {3})};
      spec.positions = [numSeqs](OpBuilder &nb, Location nl, ValueRange idx,
                                 ValueRange args) {
        using arith::CmpIPredicate;
        Value one = arith::ConstantOp::create(nb, nl, nb.getI64IntegerAttr(1));
        Value inSeq = arith::AndIOp::create(
            nb, nl,
            arith::CmpIOp::create(nb, nl, CmpIPredicate::sge, args[0], one),
            arith::CmpIOp::create(nb, nl, CmpIPredicate::sle, args[0],
                                  numSeqs));
        Value same =
            arith::CmpIOp::create(nb, nl, CmpIPredicate::eq, args[0], args[2]);
        auto rel = [&](Value pos, Value start) -> Value {
          return arith::SubIOp::create(
              nb, nl, pos,
              arith::IndexCastOp::create(nb, nl, nb.getIndexType(), start));
        };
        return MaskPositions{rel(idx[2], args[1]), rel(idx[3], args[3]),
                             arith::ConstantIndexOp::create(nb, nl, 0),
                             arith::AndIOp::create(nb, nl, inSeq, same)};
      };
    }

    if (Value indices = adaptor.getBlockIndices()) {
      spec.blockQ = static_cast<int64_t>(*op.getBlockQ());
      spec.blockK = static_cast<int64_t>(*op.getBlockK());
      spec.blockSelected = buildBlockSelection(
          rewriter, loc, indices, adaptor.getBlockCounts(),
          tensor::getMixedSize(rewriter, loc, spec.key, 2), spec.blockK);
    }

    FailureOr<AttentionResults> result =
        buildAttentionResults(rewriter, loc, spec);
    if (failed(result))
      return rewriter.notifyMatchFailure(op, "unsupported head counts");
    SmallVector<Value> replacements{result->output};
    if (spec.withLse)
      replacements.push_back(result->lse);
    if (spec.withStats)
      replacements.push_back(result->stats);
    rewriter.replaceOp(op, replacements);
    return success();
  }
};

/// tok.lse_merge -> two elementwise generics (lse first, then the output).
struct LseMergeOpLowering : OpConversionPattern<tok::LseMergeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(tok::LseMergeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value o1 = adaptor.getOutput1(), o2 = adaptor.getOutput2();
    Value l1 = adaptor.getLse1(), l2 = adaptor.getLse2();
    SmallVector<OpFoldResult> dims = getDims(rewriter, loc, o1);
    unsigned rank = dims.size();
    ArrayRef<OpFoldResult> rowDims = ArrayRef(dims).drop_back();
    SmallVector<IteratorType> rowIters(rank - 1, IteratorType::parallel);
    SmallVector<IteratorType> iters(rank, IteratorType::parallel);
    AffineMap rowId = AffineMap::getMultiDimIdentityMap(rank - 1, ctx);
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap drop = id.getMajorSubMap(rank - 1);

    // l = m + log(exp(l1 - m) + exp(l2 - m)), m = max(l1, l2) (0 if -inf).
    Type lseType = op.getLse().getType().getElementType();
    Value lse = createEmpty(rewriter, loc, rowDims, lseType);
    lse = makeGeneric(
        rewriter, loc, ValueRange{l1, l2}, lse, {rowId, rowId, rowId}, rowIters,
        [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          Value a = toF32(nb, nl, args[0]), c = toF32(nb, nl, args[1]);
          Value m = safeMax(nb, nl, arith::MaximumFOp::create(nb, nl, a, c));
          Value ea =
              math::ExpOp::create(nb, nl, arith::SubFOp::create(nb, nl, a, m));
          Value ec =
              math::ExpOp::create(nb, nl, arith::SubFOp::create(nb, nl, c, m));
          Value sum = arith::AddFOp::create(nb, nl, ea, ec);
          Value l = arith::AddFOp::create(nb, nl, m,
                                          math::LogOp::create(nb, nl, sum));
          return fromF32(nb, nl, l, lseType);
        });

    // o = exp(l1 - l)·o1 + exp(l2 - l)·o2 (zeros where l = -inf).
    Type outType = op.getOutput().getType().getElementType();
    Value out = createEmpty(rewriter, loc, dims, outType);
    out = makeGeneric(
        rewriter, loc, ValueRange{o1, l1, o2, l2, lse}, out,
        {id, drop, id, drop, drop, id}, iters,
        [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          Value l = toF32(nb, nl, args[4]);
          auto weighted = [&](Value o, Value li) -> Value {
            Value w = math::ExpOp::create(
                nb, nl, arith::SubFOp::create(nb, nl, toF32(nb, nl, li), l));
            return arith::MulFOp::create(nb, nl, w, toF32(nb, nl, o));
          };
          Value r = arith::AddFOp::create(nb, nl, weighted(args[0], args[1]),
                                          weighted(args[2], args[3]));
          Value empty = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ,
                                              l, cstF32(nb, nl, kNegInf));
          r = arith::SelectOp::create(nb, nl, empty, cstF32(nb, nl, 0.0), r);
          return fromF32(nb, nl, r, outType);
        });
    rewriter.replaceOp(op, ValueRange{out, lse});
    return success();
  }
};

} // namespace

void tokamak::detail::populateAttentionPatterns(RewritePatternSet &patterns) {
  patterns.add<AttentionOpLowering, LseMergeOpLowering>(patterns.getContext());
  populatePagedAttentionPatterns(patterns);
}
