//===- SelectiveScan.cpp - Lower tok.selective_scan -----------------------===//
//
// Part of the Tokamak project.
//
// The reference lowering of the Mamba-1 selective scan: Δ is computed for
// the whole sequence up front, then an `scf.for` over time updates the state
// `h [B, G, Dm/G, N]` in place (a parallel `linalg.generic`) and reduces
// `Σ_n C·h` into the time slice of an f32 accumulator; an epilogue adds
// `D·x`, gates with `silu(z)` and converts to the result type. Channels are
// split as `[G, Dm/G]` so that the group of B and C is an affine index.
//
//===----------------------------------------------------------------------===//

#include "Scans.h"
#include "Utils.h"

#include "dialects/Tok/IR/TokOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace tokamak::detail;

namespace {

struct SelectiveScanLowering
    : public OpConversionPattern<tok::SelectiveScanOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(tok::SelectiveScanOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Type f32 = rewriter.getF32Type();
    auto &b = rewriter;

    // Channels d = g * E + e.
    OpFoldResult groups = getDim(b, loc, adaptor.getB(), 2);
    Value x = splitDim(b, loc, adaptor.getX(), 2, groups);   // [B,L,G,E]
    Value dt = splitDim(b, loc, adaptor.getDt(), 2, groups); // [B,L,G,E]
    Value a = splitDim(b, loc, adaptor.getA(), 0, groups);   // [G,E,N]
    SmallVector<OpFoldResult> seqDims = getDims(b, loc, x);
    OpFoldResult n = getDim(b, loc, a, 2);

    // Δ = softplus?(dt + dt_bias) in f32, [B,L,G,E].
    SmallVector<Value> deltaIns{dt};
    SmallVector<AffineMap> deltaMaps{projMap(ctx, 4, {0, 1, 2, 3})};
    if (Value bias = adaptor.getDtBias()) {
      deltaIns.push_back(splitDim(b, loc, bias, 0, groups));
      deltaMaps.push_back(projMap(ctx, 4, {2, 3}));
    }
    deltaMaps.push_back(projMap(ctx, 4, {0, 1, 2, 3}));
    bool softplus = op.getDtSoftplus();
    Value delta =
        linalg::GenericOp::create(
            b, loc,
            TypeRange{RankedTensorType::get(
                cast<ShapedType>(x.getType()).getShape(), f32)},
            deltaIns, ValueRange{createEmpty(b, loc, seqDims, f32)}, deltaMaps,
            iteratorTypes(4),
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              Value v = toF32(nb, nl, args[0]);
              if (deltaIns.size() > 1)
                v = arith::AddFOp::create(nb, nl, v, toF32(nb, nl, args[1]));
              if (softplus)
                v = buildActivation(nb, nl, tok::Activation::Softplus, v);
              linalg::YieldOp::create(nb, nl, v);
            })
            .getResult(0);

    // h_0 [B,G,E,N] in f32.
    SmallVector<OpFoldResult> stateDims{seqDims[0], seqDims[2], seqDims[3], n};
    Value h0;
    if (Value init = adaptor.getInit())
      h0 = castTensor(b, loc, splitDim(b, loc, init, 1, groups), f32);
    else
      h0 = createFilled(b, loc, stateDims, f32, 0.0);
    Value yAcc = createFilled(b, loc, seqDims, f32, 0.0);

    Value zero = indexConst(b, loc, 0);
    Value ub = getValueOrCreateConstantIndexOp(b, loc, seqDims[1]);
    Value step = indexConst(b, loc, 1);
    Value bMat = adaptor.getB(), cMat = adaptor.getC();
    auto loop = scf::ForOp::create(
        b, loc, zero, ub, step, ValueRange{h0, yAcc},
        [&](OpBuilder &lb, Location ll, Value t, ValueRange iter) {
          Value h = iter[0], acc = iter[1];
          Value xt = extractSliceAt(lb, ll, x, 1, t);      // [B,G,E]
          Value dtt = extractSliceAt(lb, ll, delta, 1, t); // [B,G,E]
          Value bt = extractSliceAt(lb, ll, bMat, 1, t);   // [B,G,N]
          Value ct = extractSliceAt(lb, ll, cMat, 1, t);   // [B,G,N]
          // h = exp(Δ·A)·h + Δ·B·x over (b, g, e, n).
          Value hNew =
              linalg::GenericOp::create(
                  lb, ll, TypeRange{h.getType()}, ValueRange{xt, dtt, a, bt},
                  ValueRange{h},
                  ArrayRef<AffineMap>{
                      projMap(ctx, 4, {0, 1, 2}), projMap(ctx, 4, {0, 1, 2}),
                      projMap(ctx, 4, {1, 2, 3}), projMap(ctx, 4, {0, 1, 3}),
                      projMap(ctx, 4, {0, 1, 2, 3})},
                  iteratorTypes(4),
                  [&](OpBuilder &nb, Location nl, ValueRange args) {
                    Value xv = toF32(nb, nl, args[0]);
                    Value d = args[1];
                    Value av = toF32(nb, nl, args[2]);
                    Value bv = toF32(nb, nl, args[3]);
                    Value decay = math::ExpOp::create(
                        nb, nl, arith::MulFOp::create(nb, nl, d, av));
                    Value inp = arith::MulFOp::create(
                        nb, nl, arith::MulFOp::create(nb, nl, d, bv), xv);
                    Value r = arith::AddFOp::create(
                        nb, nl, arith::MulFOp::create(nb, nl, decay, args[4]),
                        inp);
                    linalg::YieldOp::create(nb, nl, r);
                  })
                  .getResult(0);
          // y_t = Σ_n C·h over (b, g, e, n), n reduced.
          Value ySlice = extractSliceAt(lb, ll, acc, 1, t);
          Value yt =
              linalg::GenericOp::create(
                  lb, ll, TypeRange{ySlice.getType()}, ValueRange{hNew, ct},
                  ValueRange{ySlice},
                  ArrayRef<AffineMap>{projMap(ctx, 4, {0, 1, 2, 3}),
                                      projMap(ctx, 4, {0, 1, 3}),
                                      projMap(ctx, 4, {0, 1, 2})},
                  iteratorTypes(4, {3}),
                  [&](OpBuilder &nb, Location nl, ValueRange args) {
                    Value p = arith::MulFOp::create(
                        nb, nl, toF32(nb, nl, args[1]), args[0]);
                    linalg::YieldOp::create(
                        nb, nl,
                        arith::AddFOp::create(nb, nl, args[2], p).getResult());
                  })
                  .getResult(0);
          Value accNew = insertSliceAt(lb, ll, yt, acc, 1, t);
          scf::YieldOp::create(lb, ll, ValueRange{hNew, accNew});
        });
    Value hL = loop.getResult(0);
    Value y = loop.getResult(1);

    // Epilogue: y + D·x, times silu(z), in the result type.
    auto yType = cast<RankedTensorType>(op.getY().getType());
    Type elemType = yType.getElementType();
    SmallVector<Value> ins{y};
    SmallVector<AffineMap> maps{projMap(ctx, 4, {0, 1, 2, 3})};
    Value dVec = adaptor.getD(), z = adaptor.getZ();
    if (dVec) {
      ins.push_back(x);
      maps.push_back(projMap(ctx, 4, {0, 1, 2, 3}));
      ins.push_back(splitDim(b, loc, dVec, 0, groups));
      maps.push_back(projMap(ctx, 4, {2, 3}));
    }
    if (z) {
      ins.push_back(splitDim(b, loc, z, 2, groups));
      maps.push_back(projMap(ctx, 4, {0, 1, 2, 3}));
    }
    if (ins.size() > 1 || elemType != f32) {
      maps.push_back(projMap(ctx, 4, {0, 1, 2, 3}));
      Value empty = createEmpty(b, loc, seqDims, elemType);
      y = linalg::GenericOp::create(
              b, loc, TypeRange{empty.getType()}, ins, ValueRange{empty}, maps,
              iteratorTypes(4),
              [&](OpBuilder &nb, Location nl, ValueRange args) {
                Value v = args[0];
                unsigned i = 1;
                if (dVec) {
                  Value dx =
                      arith::MulFOp::create(nb, nl, toF32(nb, nl, args[i]),
                                            toF32(nb, nl, args[i + 1]));
                  v = arith::AddFOp::create(nb, nl, v, dx);
                  i += 2;
                }
                if (z) {
                  Value g = buildActivation(nb, nl, tok::Activation::Silu,
                                            toF32(nb, nl, args[i]));
                  v = arith::MulFOp::create(nb, nl, v, g);
                }
                linalg::YieldOp::create(nb, nl, fromF32(nb, nl, v, elemType));
              })
              .getResult(0);
    }
    SmallVector<Value> results{
        castToType(b, loc, mergeDims(b, loc, y, 2), yType)};
    if (Value fs = op.getFinalState()) {
      auto fsType = cast<RankedTensorType>(fs.getType());
      Value st = castTensor(b, loc, hL, fsType.getElementType());
      results.push_back(castToType(b, loc, mergeDims(b, loc, st, 1), fsType));
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void tokamak::detail::populateSelectiveScanPatterns(
    RewritePatternSet &patterns) {
  patterns.add<SelectiveScanLowering>(patterns.getContext());
}
