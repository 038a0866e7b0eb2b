//===- Mixers.cpp - Lower the tok token mixers ----------------------------===//
//
// Part of the Tokamak project. Lowers conv1d and pool2d.
//
// tok.conv1d builds the causal window `[init ; x]` (`[B, K−1+L, C]`), then a
// `linalg.generic` reduces over the taps with `xp[b, t+k, c]·w[c, k]` into an
// f32 accumulator seeded with the bias; the last K−1 rows of the window are
// the final state. tok.pool2d zero-pads, sums the kernel window with a
// `linalg.generic` and divides by the number of in-bounds taps.
//
//===----------------------------------------------------------------------===//

#include "PopulatePatterns.h"
#include "Utils.h"

#include "dialects/Tok/IR/TokOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace tokamak::detail;

namespace {

/// `[B, C, T]` ↔ `[B, T, C]` in a `linalg.generic`, converted to `elemType`.
static Value transposeLast2(OpBuilder &b, Location loc, Value t,
                            Type elemType) {
  MLIRContext *ctx = b.getContext();
  SmallVector<OpFoldResult> dims = getDims(b, loc, t);
  Value empty = createEmpty(b, loc, {dims[0], dims[2], dims[1]}, elemType);
  return linalg::GenericOp::create(
             b, loc, TypeRange{empty.getType()}, ValueRange{t},
             ValueRange{empty},
             ArrayRef<AffineMap>{projMap(ctx, 3, {0, 2, 1}),
                                 projMap(ctx, 3, {0, 1, 2})},
             iteratorTypes(3),
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value v = args[0];
               if (v.getType() != elemType)
                 v = fromF32(nb, nl, toF32(nb, nl, v), elemType);
               linalg::YieldOp::create(nb, nl, v);
             })
      .getResult(0);
}

struct Conv1dLowering : public OpConversionPattern<tok::Conv1dOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(tok::Conv1dOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Type f32 = rewriter.getF32Type();
    auto &b = rewriter;
    tok::Activation act = op.getActivationKind();
    Value x = adaptor.getInput(), w = adaptor.getWeight();
    Type xType = elementTypeOf(x);
    SmallVector<OpFoldResult> xDims = getDims(b, loc, x); // B, L, C
    OpFoldResult k = getDim(b, loc, w, 1);
    OpFoldResult km1 = addSize(b, loc, k, b.getIndexAttr(-1));

    // The causal window [init ; x], [B, K-1+L, C].
    Value head;
    if (Value init = adaptor.getInit())
      head = transposeLast2(b, loc, init, xType);
    else
      head = createFilled(b, loc, {xDims[0], km1, xDims[2]}, xType, 0.0);
    Value window = createEmpty(
        b, loc, {xDims[0], addSize(b, loc, xDims[1], km1), xDims[2]}, xType);
    window = insertRange(b, loc, head, window, 1, b.getIndexAttr(0));
    window = insertRange(b, loc, x, window, 1, km1);

    // acc = bias (or 0) in f32, [B, L, C].
    Value acc;
    if (Value bias = adaptor.getBias()) {
      Value empty = createEmpty(b, loc, xDims, f32);
      acc = linalg::GenericOp::create(
                b, loc, TypeRange{empty.getType()}, ValueRange{bias},
                ValueRange{empty},
                ArrayRef<AffineMap>{projMap(ctx, 3, {2}),
                                    projMap(ctx, 3, {0, 1, 2})},
                iteratorTypes(3),
                [&](OpBuilder &nb, Location nl, ValueRange args) {
                  linalg::YieldOp::create(nb, nl, toF32(nb, nl, args[0]));
                })
                .getResult(0);
    } else {
      acc = createFilled(b, loc, xDims, f32, 0.0);
    }

    // acc[b, t, c] += window[b, t + k, c] · w[c, k] over (b, t, c, k).
    AffineExpr d0, d1, d2, d3;
    bindDims(ctx, d0, d1, d2, d3);
    AffineMap windowMap = AffineMap::get(4, 0, {d0, d1 + d3, d2}, ctx);
    acc = linalg::GenericOp::create(
              b, loc, TypeRange{acc.getType()}, ValueRange{window, w},
              ValueRange{acc},
              ArrayRef<AffineMap>{windowMap, projMap(ctx, 4, {2, 3}),
                                  projMap(ctx, 4, {0, 1, 2})},
              iteratorTypes(4, {3}),
              [&](OpBuilder &nb, Location nl, ValueRange args) {
                Value p = arith::MulFOp::create(nb, nl, toF32(nb, nl, args[0]),
                                                toF32(nb, nl, args[1]));
                linalg::YieldOp::create(
                    nb, nl,
                    arith::AddFOp::create(nb, nl, args[2], p).getResult());
              })
              .getResult(0);

    // Activation and conversion.
    auto yType = cast<RankedTensorType>(op.getOutput().getType());
    Type elemType = yType.getElementType();
    Value y = acc;
    if (act != tok::Activation::None || elemType != f32) {
      Value empty = createEmpty(b, loc, xDims, elemType);
      AffineMap id = b.getMultiDimIdentityMap(3);
      y = linalg::GenericOp::create(
              b, loc, TypeRange{empty.getType()}, ValueRange{acc},
              ValueRange{empty}, ArrayRef<AffineMap>{id, id}, iteratorTypes(3),
              [&](OpBuilder &nb, Location nl, ValueRange args) {
                Value v = buildActivation(nb, nl, act, args[0]);
                linalg::YieldOp::create(nb, nl, fromF32(nb, nl, v, elemType));
              })
              .getResult(0);
    }
    SmallVector<Value> results{castToType(b, loc, y, yType)};
    if (Value fs = op.getFinalState()) {
      auto fsType = cast<RankedTensorType>(fs.getType());
      Value last = extractRange(b, loc, window, 1, xDims[1], km1);
      Value st = transposeLast2(b, loc, last, fsType.getElementType());
      results.push_back(castToType(b, loc, st, fsType));
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct Pool2dLowering : public OpConversionPattern<tok::Pool2dOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(tok::Pool2dOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Type f32 = rewriter.getF32Type();
    auto &b = rewriter;
    Value x = adaptor.getInput();
    Type xType = elementTypeOf(x);
    int64_t kernel = op.getKernel();
    int64_t lo = (kernel - 1) / 2, hi = kernel - 1 - lo;
    SmallVector<OpFoldResult> dims = getDims(b, loc, x); // B, H, W, C

    // Zero-padded input.
    Value padded = createFilled(
        b, loc,
        {dims[0], addSize(b, loc, dims[1], b.getIndexAttr(kernel - 1)),
         addSize(b, loc, dims[2], b.getIndexAttr(kernel - 1)), dims[3]},
        xType, 0.0);
    SmallVector<OpFoldResult> offsets{b.getIndexAttr(0), b.getIndexAttr(lo),
                                      b.getIndexAttr(lo), b.getIndexAttr(0)};
    SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
    padded = tensor::InsertSliceOp::create(b, loc, x, padded, offsets, dims,
                                           strides);

    // Window sums over (b, h, w, c, i, j).
    AffineExpr d[6];
    bindDimsList(ctx, MutableArrayRef<AffineExpr>(d));
    AffineMap inMap =
        AffineMap::get(6, 0, {d[0], d[1] + d[4], d[2] + d[5], d[3]}, ctx);
    Value shape = createEmpty(
        b, loc, {b.getIndexAttr(kernel), b.getIndexAttr(kernel)}, f32);
    Value sum =
        linalg::GenericOp::create(
            b, loc,
            TypeRange{RankedTensorType::get(
                cast<ShapedType>(x.getType()).getShape(), f32)},
            ValueRange{padded, shape},
            ValueRange{createFilled(b, loc, dims, f32, 0.0)},
            ArrayRef<AffineMap>{inMap, projMap(ctx, 6, {4, 5}),
                                projMap(ctx, 6, {0, 1, 2, 3})},
            iteratorTypes(6, {4, 5}),
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              linalg::YieldOp::create(
                  nb, nl,
                  arith::AddFOp::create(nb, nl, args[2], toF32(nb, nl, args[0]))
                      .getResult());
            })
            .getResult(0);

    // Divide by the in-bounds tap count; subtract the input if asked.
    Value height = getValueOrCreateConstantIndexOp(b, loc, dims[1]);
    Value width = getValueOrCreateConstantIndexOp(b, loc, dims[2]);
    bool subtract = op.getSubtractInput();
    auto yType = cast<RankedTensorType>(op.getOutput().getType());
    Type elemType = yType.getElementType();
    Value empty = createEmpty(b, loc, dims, elemType);
    AffineMap id = b.getMultiDimIdentityMap(4);
    Value y =
        linalg::GenericOp::create(
            b, loc, TypeRange{empty.getType()}, ValueRange{sum, x},
            ValueRange{empty}, ArrayRef<AffineMap>{id, id, id},
            iteratorTypes(4),
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              // count(p) = min(p + hi + 1, size) - max(p - lo, 0).
              auto count = [&](int64_t dim, Value size) -> Value {
                Value p = loopIndex(nb, nl, dim);
                Value end = arith::MinSIOp::create(
                    nb, nl,
                    arith::AddIOp::create(nb, nl, p,
                                          indexConst(nb, nl, hi + 1)),
                    size);
                Value begin = arith::MaxSIOp::create(
                    nb, nl,
                    arith::SubIOp::create(nb, nl, p, indexConst(nb, nl, lo)),
                    indexConst(nb, nl, 0));
                return arith::SubIOp::create(nb, nl, end, begin);
              };
              Value n = arith::MulIOp::create(nb, nl, count(1, height),
                                              count(2, width));
              Value v =
                  arith::DivFOp::create(nb, nl, args[0], indexToF32(nb, nl, n));
              if (subtract)
                v = arith::SubFOp::create(nb, nl, v, toF32(nb, nl, args[1]));
              linalg::YieldOp::create(nb, nl, fromF32(nb, nl, v, elemType));
            })
            .getResult(0);
    rewriter.replaceOp(op, castToType(b, loc, y, yType));
    return success();
  }
};

} // namespace

void tokamak::detail::populateMixerPatterns(RewritePatternSet &patterns) {
  patterns.add<Conv1dLowering, Pool2dLowering>(patterns.getContext());
}
