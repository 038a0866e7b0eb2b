//===- LinearScan.cpp - Lower tok.linear_scan -----------------------------===//
//
// Part of the Tokamak project.
//
// The reference lowering of the matrix-state recurrence: an `scf.for` over
// time (backwards for `reverse`) carries the f32 state `S [B, H, Dk, Dv]` and
// an f32 output accumulator, both updated in place. Per step, parallel over
// (b, h):
//   delta only: u = (diag(exp(g))·S)ᵀ k              (reduction over Dk)
//   S = diag(exp(g))·S + β·k (v − u)ᵀ  (additive: u = 0, β = 1)
//   o_t = Sᵀ q                                       (reduction over Dk)
// An epilogue applies `scale` and converts to the result type.
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

struct LinearScanLowering : public OpConversionPattern<tok::LinearScanOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(tok::LinearScanOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Type f32 = rewriter.getF32Type();
    auto &b = rewriter;

    Value q = adaptor.getQuery(), k = adaptor.getKey(), v = adaptor.getValue();
    Value decay = adaptor.getDecay(), beta = adaptor.getBeta();
    bool delta = op.isDelta();
    bool reverse = op.getReverse();
    bool keyDecay =
        decay && cast<RankedTensorType>(decay.getType()).getRank() == 4;
    SmallVector<OpFoldResult> qDims = getDims(b, loc, q); // B,H,L,Dk
    SmallVector<OpFoldResult> vDims = getDims(b, loc, v); // B,H,L,Dv
    SmallVector<OpFoldResult> stateDims{qDims[0], qDims[1], qDims[3], vDims[3]};
    SmallVector<OpFoldResult> rowDims{qDims[0], qDims[1], vDims[3]};

    Value s0;
    if (Value init = adaptor.getInit())
      s0 = castTensor(b, loc, init, f32);
    else
      s0 = createFilled(b, loc, stateDims, f32, 0.0);
    Value oAcc = createFilled(b, loc, vDims, f32, 0.0);
    SmallVector<Value> initArgs{s0, oAcc};
    if (delta)
      initArgs.push_back(createEmpty(b, loc, rowDims, f32));

    Value zero = indexConst(b, loc, 0);
    Value one = indexConst(b, loc, 1);
    Value len = getValueOrCreateConstantIndexOp(b, loc, qDims[2]);
    // Loop dims: (b, h, i, j) with i over Dk and j over Dv.
    AffineMap bhi = projMap(ctx, 4, {0, 1, 2});
    AffineMap bhj = projMap(ctx, 4, {0, 1, 3});
    AffineMap bh = projMap(ctx, 4, {0, 1});
    AffineMap bhij = projMap(ctx, 4, {0, 1, 2, 3});
    auto loop = scf::ForOp::create(
        b, loc, zero, len, one, initArgs,
        [&](OpBuilder &lb, Location ll, Value iv, ValueRange iter) {
          Value t = iv;
          if (reverse)
            t = arith::SubIOp::create(
                lb, ll, arith::SubIOp::create(lb, ll, len, one), iv);
          Value s = iter[0], acc = iter[1];
          Value qt = extractSliceAt(lb, ll, q, 2, t); // [B,H,Dk]
          Value kt = extractSliceAt(lb, ll, k, 2, t); // [B,H,Dk]
          Value vt = extractSliceAt(lb, ll, v, 2, t); // [B,H,Dv]
          Value gt, bt;
          if (decay)
            gt = extractSliceAt(lb, ll, decay, 2, t); // [B,H] or [B,H,Dk]
          if (beta)
            bt = extractSliceAt(lb, ll, beta, 2, t); // [B,H]
          AffineMap gMap = keyDecay ? bhi : bh;
          auto decayed = [&](OpBuilder &nb, Location nl, Value state,
                             Value g) -> Value {
            if (!g)
              return state;
            Value e = math::ExpOp::create(nb, nl, toF32(nb, nl, g));
            return arith::MulFOp::create(nb, nl, e, state);
          };

          // u = (diag(exp(g))·S)ᵀ k.
          Value u;
          if (delta) {
            Value filled =
                linalg::FillOp::create(lb, ll,
                                       ValueRange{arith::ConstantOp::create(
                                           lb, ll, lb.getFloatAttr(f32, 0.0))},
                                       ValueRange{iter[2]})
                    .getResult(0);
            SmallVector<Value> ins{s, kt};
            SmallVector<AffineMap> maps{bhij, bhi};
            if (gt) {
              ins.push_back(gt);
              maps.push_back(gMap);
            }
            maps.push_back(bhj);
            u = linalg::GenericOp::create(
                    lb, ll, TypeRange{filled.getType()}, ins,
                    ValueRange{filled}, maps, iteratorTypes(4, {2}),
                    [&](OpBuilder &nb, Location nl, ValueRange args) {
                      Value sv =
                          decayed(nb, nl, args[0], gt ? args[2] : Value());
                      Value p = arith::MulFOp::create(nb, nl, sv,
                                                      toF32(nb, nl, args[1]));
                      linalg::YieldOp::create(
                          nb, nl,
                          arith::AddFOp::create(nb, nl, args.back(), p)
                              .getResult());
                    })
                    .getResult(0);
          }

          // S = diag(exp(g))·S + β·k (v − u)ᵀ.
          SmallVector<Value> ins{kt, vt};
          SmallVector<AffineMap> maps{bhi, bhj};
          int gIdx = -1, bIdx = -1, uIdx = -1;
          if (gt) {
            gIdx = ins.size();
            ins.push_back(gt);
            maps.push_back(gMap);
          }
          if (delta && bt) {
            bIdx = ins.size();
            ins.push_back(bt);
            maps.push_back(bh);
          }
          if (delta) {
            uIdx = ins.size();
            ins.push_back(u);
            maps.push_back(bhj);
          }
          maps.push_back(bhij);
          Value sNew =
              linalg::GenericOp::create(
                  lb, ll, TypeRange{s.getType()}, ins, ValueRange{s}, maps,
                  iteratorTypes(4),
                  [&](OpBuilder &nb, Location nl, ValueRange args) {
                    Value kv = toF32(nb, nl, args[0]);
                    Value vv = toF32(nb, nl, args[1]);
                    if (uIdx >= 0)
                      vv = arith::SubFOp::create(nb, nl, vv, args[uIdx]);
                    if (bIdx >= 0)
                      kv = arith::MulFOp::create(nb, nl, kv,
                                                 toF32(nb, nl, args[bIdx]));
                    Value sv = decayed(nb, nl, args.back(),
                                       gIdx >= 0 ? args[gIdx] : Value());
                    Value r = arith::AddFOp::create(
                        nb, nl, sv, arith::MulFOp::create(nb, nl, kv, vv));
                    linalg::YieldOp::create(nb, nl, r);
                  })
                  .getResult(0);

          // o_t = Sᵀ q.
          Value oSlice = extractSliceAt(lb, ll, acc, 2, t);
          Value ot =
              linalg::GenericOp::create(
                  lb, ll, TypeRange{oSlice.getType()}, ValueRange{sNew, qt},
                  ValueRange{oSlice}, ArrayRef<AffineMap>{bhij, bhi, bhj},
                  iteratorTypes(4, {2}),
                  [&](OpBuilder &nb, Location nl, ValueRange args) {
                    Value p = arith::MulFOp::create(nb, nl, args[0],
                                                    toF32(nb, nl, args[1]));
                    linalg::YieldOp::create(
                        nb, nl,
                        arith::AddFOp::create(nb, nl, args[2], p).getResult());
                  })
                  .getResult(0);
          SmallVector<Value> yields{sNew, insertSliceAt(lb, ll, ot, acc, 2, t)};
          if (delta)
            yields.push_back(u);
          scf::YieldOp::create(lb, ll, yields);
        });

    // Epilogue: scale and convert.
    auto oType = cast<RankedTensorType>(op.getOutput().getType());
    Type elemType = oType.getElementType();
    Value o = loop.getResult(1);
    double scale = 1.0;
    if (FloatAttr attr = op.getScaleAttr())
      scale = attr.getValueAsDouble();
    if (scale != 1.0 || elemType != f32) {
      Value empty = createEmpty(b, loc, vDims, elemType);
      AffineMap id = b.getMultiDimIdentityMap(4);
      o = linalg::GenericOp::create(
              b, loc, TypeRange{empty.getType()}, ValueRange{o},
              ValueRange{empty}, ArrayRef<AffineMap>{id, id}, iteratorTypes(4),
              [&](OpBuilder &nb, Location nl, ValueRange args) {
                Value r = args[0];
                if (scale != 1.0)
                  r = arith::MulFOp::create(
                      nb, nl, r,
                      arith::ConstantOp::create(nb, nl,
                                                nb.getF32FloatAttr(scale)));
                linalg::YieldOp::create(nb, nl, fromF32(nb, nl, r, elemType));
              })
              .getResult(0);
    }
    SmallVector<Value> results{castToType(b, loc, o, oType)};
    if (Value fs = op.getFinalState()) {
      auto fsType = cast<RankedTensorType>(fs.getType());
      Value st = castTensor(b, loc, loop.getResult(0), fsType.getElementType());
      results.push_back(castToType(b, loc, st, fsType));
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void tokamak::detail::populateLinearScanPatterns(RewritePatternSet &patterns) {
  patterns.add<LinearScanLowering>(patterns.getContext());
}
