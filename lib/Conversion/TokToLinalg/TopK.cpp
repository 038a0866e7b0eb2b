//===- TopK.cpp - Lower tok.topk ------------------------------------------===//
//
// Part of the Tokamak project. The reference lowering of tok.topk: k rounds
// of a masked argmax, written so that it can be checked by eye against the
// op's definition rather than to be fast (tok-tile-topk is the fast path).
//
//   s      = the f32 scores: the input (negated for `smallest`), or the sums
//            over each group of G entries along group_dim (expand_shape +
//            a reduction);
//   total  = Σ_j max(s_j, 0) per row (mass only);
//   scf.for j in [0, k):   (carries values, indices, the previous pick,
//                           count and the mass prefix per row)
//     best = the first entry, in the op's order (descending, NaN last, ties
//            by lower index), that comes after the previous pick: one
//            linalg.generic reducing over `dim` with (value, index) outputs;
//     values[.., j, ..], indices[.., j, ..] = best, or (−inf, −1) when the
//            row is exhausted; count += 1 while the mass prefix is below
//            p·total (always without mass);
//   count  = min(count, clamp(budget, 0, k)); a last linalg.generic fills the
//            entries at j ≥ count and negates back for `smallest`.
//
// O(k·N) per row: the workaround the tiled kernel is measured against.
//
//===----------------------------------------------------------------------===//

#include "PopulatePatterns.h"
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

namespace {

/// A tensor of `sizes` filled with the integer `value`.
static Value filledInt(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                       Type type, int64_t value) {
  Value cst = arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, value));
  return linalg::FillOp::create(b, loc, cst, createEmpty(b, loc, sizes, type))
      .getResult(0);
}

/// True when (a, i) comes before (b, j) in tok.topk's order: the larger
/// number first, NaN after every number, ties (and two NaNs) by lower index.
static Value precedes(OpBuilder &b, Location loc, Value a, Value i, Value bv,
                      Value j) {
  using P = arith::CmpFPredicate;
  Value aNan = arith::CmpFOp::create(b, loc, P::UNO, a, a);
  Value bNan = arith::CmpFOp::create(b, loc, P::UNO, bv, bv);
  Value greater = arith::CmpFOp::create(b, loc, P::OGT, a, bv);
  Value equal = arith::CmpFOp::create(b, loc, P::OEQ, a, bv);
  Value lower = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i, j);
  Value numbers = arith::OrIOp::create(
      b, loc, greater, arith::AndIOp::create(b, loc, equal, lower));
  Value asNumber = arith::OrIOp::create(b, loc, bNan, numbers); // a is a number
  Value asNan = arith::AndIOp::create(b, loc, bNan, lower);     // a is NaN
  return arith::SelectOp::create(b, loc, aNan, asNan, asNumber);
}

struct TopKLowering : public OpConversionPattern<tok::TopKOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(tok::TopKOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto &b = rewriter;
    Type f32 = b.getF32Type();
    Type i32 = b.getI32Type();
    Value x = adaptor.getInput();
    auto valuesType = cast<RankedTensorType>(op.getValues().getType());
    auto indicesType = cast<RankedTensorType>(op.getIndices().getType());
    Type idxType = indicesType.getElementType();
    int64_t rank = valuesType.getRank();
    int64_t dim = op.getSelectedDim();
    int64_t k = op.getK();
    bool smallest = op.getSmallest();
    std::optional<APFloat> mass = op.getMass();
    double inf = std::numeric_limits<double>::infinity();

    // The f32 scores s, one selection per row of s.
    SmallVector<OpFoldResult> sDims = getDims(b, loc, x);
    Value s;
    if (op.getGroup()) {
      int64_t groupDim = op.getGroupedDim(), group = op.getGroupSize();
      sDims[groupDim] = divSize(b, loc, sDims[groupDim], b.getIndexAttr(group));
      Value split = splitDim(b, loc, x, groupDim, sDims[groupDim]);
      SmallVector<unsigned> outDims;
      for (int64_t i = 0; i <= rank; ++i)
        if (i != groupDim + 1)
          outDims.push_back(i);
      s = linalg::GenericOp::create(
              b, loc, TypeRange{createEmpty(b, loc, sDims, f32).getType()},
              ValueRange{split},
              ValueRange{createFilled(b, loc, sDims, f32, 0.0)},
              ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank + 1),
                                  projMap(ctx, rank + 1, outDims)},
              iteratorTypes(rank + 1, {unsigned(groupDim + 1)}),
              [&](OpBuilder &nb, Location nl, ValueRange args) {
                Value v = toF32(nb, nl, args[0]);
                Value r =
                    smallest
                        ? arith::SubFOp::create(nb, nl, args[1], v).getResult()
                        : arith::AddFOp::create(nb, nl, args[1], v).getResult();
                linalg::YieldOp::create(nb, nl, r);
              })
              .getResult(0);
    } else {
      AffineMap id = b.getMultiDimIdentityMap(rank);
      s = linalg::GenericOp::create(
              b, loc, TypeRange{createEmpty(b, loc, sDims, f32).getType()},
              ValueRange{x}, ValueRange{createEmpty(b, loc, sDims, f32)},
              ArrayRef<AffineMap>{id, id}, iteratorTypes(rank),
              [&](OpBuilder &nb, Location nl, ValueRange args) {
                Value v = toF32(nb, nl, args[0]);
                if (smallest)
                  v = arith::NegFOp::create(nb, nl, v);
                linalg::YieldOp::create(nb, nl, v);
              })
              .getResult(0);
    }

    // Rows (s without `dim`) and results (s with `dim` -> k).
    SmallVector<OpFoldResult> rowDims(sDims), resDims(sDims);
    rowDims.erase(rowDims.begin() + dim);
    resDims[dim] = b.getIndexAttr(k);
    SmallVector<unsigned> rowLoops;
    for (int64_t i = 0; i < rank; ++i)
      if (i != dim)
        rowLoops.push_back(i);
    AffineMap full = b.getMultiDimIdentityMap(rank);
    AffineMap row = projMap(ctx, rank, rowLoops);
    AffineMap rowId = b.getMultiDimIdentityMap(rank - 1);
    Value rowsF32 = createEmpty(b, loc, rowDims, f32);
    Value rowsIdx = createEmpty(b, loc, rowDims, idxType);

    // p · Σ max(s, 0) per row.
    Value massBound;
    if (mass) {
      Value total =
          linalg::GenericOp::create(
              b, loc, TypeRange{rowsF32.getType()}, ValueRange{s},
              ValueRange{createFilled(b, loc, rowDims, f32, 0.0)},
              ArrayRef<AffineMap>{full, row},
              iteratorTypes(rank, {unsigned(dim)}),
              [&](OpBuilder &nb, Location nl, ValueRange args) {
                Value m = arith::MaxNumFOp::create(nb, nl, args[0],
                                                   f32Const(nb, nl, 0.0));
                linalg::YieldOp::create(
                    nb, nl,
                    arith::AddFOp::create(nb, nl, args[1], m).getResult());
              })
              .getResult(0);
      Value p = f32Const(b, loc, mass->convertToDouble());
      massBound =
          linalg::GenericOp::create(
              b, loc, TypeRange{rowsF32.getType()}, ValueRange{total},
              ValueRange{rowsF32}, ArrayRef<AffineMap>{rowId, rowId},
              iteratorTypes(rank - 1),
              [&](OpBuilder &nb, Location nl, ValueRange args) {
                linalg::YieldOp::create(
                    nb, nl,
                    arith::MulFOp::create(nb, nl, args[0], p).getResult());
              })
              .getResult(0);
    }

    // k rounds of "the best entry after the previous pick".
    SmallVector<Value> inits = {
        createFilled(b, loc, resDims, f32, -inf),
        filledInt(b, loc, resDims, idxType, -1),
        createFilled(b, loc, rowDims, f32, 0.0),  // previous value
        filledInt(b, loc, rowDims, idxType, -1),  // previous index
        filledInt(b, loc, rowDims, i32, 0),       // count
        createFilled(b, loc, rowDims, f32, 0.0)}; // mass prefix
    auto loop = scf::ForOp::create(
        b, loc, indexConst(b, loc, 0), indexConst(b, loc, k),
        indexConst(b, loc, 1), inits,
        [&](OpBuilder &lb, Location ll, Value j, ValueRange iter) {
          Value vals = iter[0], idxs = iter[1], prevV = iter[2],
                prevI = iter[3], count = iter[4], prefix = iter[5];
          auto best = linalg::GenericOp::create(
              lb, ll, TypeRange{rowsF32.getType(), rowsIdx.getType()},
              ValueRange{s, prevV, prevI},
              ValueRange{createFilled(lb, ll, rowDims, f32, 0.0),
                         filledInt(lb, ll, rowDims, idxType, -1)},
              ArrayRef<AffineMap>{full, row, row, row, row},
              iteratorTypes(rank, {unsigned(dim)}),
              [&](OpBuilder &nb, Location nl, ValueRange args) {
                Value v = args[0], pv = args[1], pi = args[2];
                Value bv = args[3], bi = args[4];
                Value i = arith::IndexCastOp::create(nb, nl, idxType,
                                                     loopIndex(nb, nl, dim));
                Value zero = arith::ConstantOp::create(
                    nb, nl, nb.getIntegerAttr(idxType, 0));
                using IP = arith::CmpIPredicate;
                Value first = arith::CmpIOp::create(nb, nl, IP::slt, pi, zero);
                Value none = arith::CmpIOp::create(nb, nl, IP::slt, bi, zero);
                Value after = arith::OrIOp::create(
                    nb, nl, first, precedes(nb, nl, pv, pi, v, i));
                Value better = arith::OrIOp::create(
                    nb, nl, none, precedes(nb, nl, v, i, bv, bi));
                Value take = arith::AndIOp::create(nb, nl, after, better);
                linalg::YieldOp::create(
                    nb, nl,
                    ValueRange{arith::SelectOp::create(nb, nl, take, v, bv),
                               arith::SelectOp::create(nb, nl, take, i, bi)});
              });
          Value bestV = best.getResult(0), bestI = best.getResult(1);
          // Per row: the slot j, the new previous pick, count and prefix.
          auto step = linalg::GenericOp::create(
              lb, ll,
              TypeRange{rowsF32.getType(), rowsIdx.getType(), rowsF32.getType(),
                        rowsIdx.getType(), count.getType(), rowsF32.getType()},
              ValueRange{bestV, bestI, massBound ? massBound : prefix},
              ValueRange{rowsF32, rowsIdx, prevV, prevI, count, prefix},
              SmallVector<AffineMap>(9, rowId), iteratorTypes(rank - 1),
              [&](OpBuilder &nb, Location nl, ValueRange args) {
                Value bv = args[0], bi = args[1], bound = args[2];
                Value pv = args[5], pi = args[6], cnt = args[7], pre = args[8];
                Value zero = arith::ConstantOp::create(
                    nb, nl, nb.getIntegerAttr(idxType, 0));
                Value valid = arith::CmpIOp::create(
                    nb, nl, arith::CmpIPredicate::sge, bi, zero);
                Value counted = valid;
                Value newPre = pre;
                if (massBound) {
                  Value below = arith::CmpFOp::create(
                      nb, nl, arith::CmpFPredicate::OLT, pre, bound);
                  counted = arith::AndIOp::create(nb, nl, valid, below);
                  Value m = arith::MaxNumFOp::create(nb, nl, bv,
                                                     f32Const(nb, nl, 0.0));
                  newPre = arith::AddFOp::create(nb, nl, pre, m);
                }
                Value newCnt = arith::AddIOp::create(
                    nb, nl, cnt, arith::ExtUIOp::create(nb, nl, i32, counted));
                Value slotV = arith::SelectOp::create(nb, nl, valid, bv,
                                                      f32Const(nb, nl, -inf));
                Value minusOne = arith::ConstantOp::create(
                    nb, nl, nb.getIntegerAttr(idxType, -1));
                Value slotI =
                    arith::SelectOp::create(nb, nl, valid, bi, minusOne);
                linalg::YieldOp::create(
                    nb, nl,
                    ValueRange{slotV, slotI,
                               arith::SelectOp::create(nb, nl, valid, bv, pv),
                               arith::SelectOp::create(nb, nl, valid, bi, pi),
                               newCnt, newPre});
              });
          Value newVals =
              insertSliceAt(lb, ll, step.getResult(0), vals, dim, j);
          Value newIdxs =
              insertSliceAt(lb, ll, step.getResult(1), idxs, dim, j);
          scf::YieldOp::create(lb, ll,
                               ValueRange{newVals, newIdxs, step.getResult(2),
                                          step.getResult(3), step.getResult(4),
                                          step.getResult(5)});
        });
    Value vals = loop.getResult(0), idxs = loop.getResult(1);
    Value count = loop.getResult(4);

    // count = min(count, clamp(budget, 0, k)).
    if (Value budget = adaptor.getBudget()) {
      count =
          linalg::GenericOp::create(
              b, loc, TypeRange{count.getType()}, ValueRange{budget},
              ValueRange{count}, ArrayRef<AffineMap>{rowId, rowId},
              iteratorTypes(rank - 1),
              [&](OpBuilder &nb, Location nl, ValueRange args) {
                Value zero = arith::ConstantOp::create(
                    nb, nl, nb.getIntegerAttr(i32, 0));
                Value bud = arith::MaxSIOp::create(nb, nl, args[0], zero);
                linalg::YieldOp::create(
                    nb, nl,
                    arith::MinSIOp::create(nb, nl, args[1], bud).getResult());
              })
              .getResult(0);
    }

    // Fill past count; back to the element type (and sign for smallest).
    Type elemType = valuesType.getElementType();
    auto outV = RankedTensorType::get(
        cast<RankedTensorType>(vals.getType()).getShape(), elemType);
    auto finish = linalg::GenericOp::create(
        b, loc, TypeRange{outV}, ValueRange{vals, count},
        ValueRange{createEmpty(b, loc, resDims, elemType)},
        ArrayRef<AffineMap>{full, row, full}, iteratorTypes(rank),
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value j =
              arith::IndexCastOp::create(nb, nl, i32, loopIndex(nb, nl, dim));
          Value keep = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt,
                                             j, args[1]);
          Value v = args[0];
          if (smallest)
            v = arith::NegFOp::create(nb, nl, v);
          v = arith::SelectOp::create(nb, nl, keep, v,
                                      f32Const(nb, nl, smallest ? inf : -inf));
          linalg::YieldOp::create(nb, nl, fromF32(nb, nl, v, elemType));
        });
    // The indices kept: a second generic reads the loop's indices.
    Value outI =
        linalg::GenericOp::create(
            b, loc, TypeRange{idxs.getType()}, ValueRange{idxs, count},
            ValueRange{createEmpty(b, loc, resDims, idxType)},
            ArrayRef<AffineMap>{full, row, full}, iteratorTypes(rank),
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              Value j = arith::IndexCastOp::create(nb, nl, i32,
                                                   loopIndex(nb, nl, dim));
              Value keep = arith::CmpIOp::create(
                  nb, nl, arith::CmpIPredicate::slt, j, args[1]);
              Value minusOne = arith::ConstantOp::create(
                  nb, nl, nb.getIntegerAttr(idxType, -1));
              linalg::YieldOp::create(
                  nb, nl,
                  arith::SelectOp::create(nb, nl, keep, args[0], minusOne)
                      .getResult());
            })
            .getResult(0);

    SmallVector<Value> results = {
        castToType(b, loc, finish.getResult(0), valuesType),
        castToType(b, loc, outI, indicesType)};
    if (Value c = op.getCount())
      results.push_back(castToType(b, loc, count, c.getType()));
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void tokamak::detail::populateTopKPatterns(RewritePatternSet &patterns) {
  patterns.add<TopKLowering>(patterns.getContext());
}
