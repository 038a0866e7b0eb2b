//===- LinearPrologue.cpp - Norms fused into the prologue of linears ------===//
//
// Part of the Tokamak project. Row statistics of a norm's input and the
// normalization of vectors of x, for the prologues of tok-tile-linear's
// kernels (LinearPrologue.h). Rows are read with K-contiguous vector loads of
// the target's f32 lanes (f16/bf16 widened to f32), with one masked vector
// for a K that is not a multiple of the lanes, decided statically when K is
// known.
//
//===----------------------------------------------------------------------===//

#include "LinearPrologue.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace tokamak::cpu;

namespace {

/// Rows of x up to which the statistics are a plain loop (no parallel loop).
constexpr int64_t kSequentialStatsRows = 64;

/// Builds the loops over the rows of x `[M, K]`.
class RowEmitter {
public:
  RowEmitter(OpBuilder &b, Location loc, Value x, int64_t lanes)
      : b(b), loc(loc), x(x), f32(b.getF32Type()), lanes(lanes),
        vecType(VectorType::get({lanes}, b.getF32Type())) {
    kDim = tensor::getMixedSize(b, loc, x, 1);
    std::optional<int64_t> sK = getConstantIntValue(kDim);
    if (sK) {
      kMain = b.getIndexAttr(*sK / lanes * lanes);
      tail = *sK % lanes != 0;
    } else {
      Value k = val(kDim);
      Value c = cIndex(lanes);
      kMain =
          arith::MulIOp::create(b, loc, arith::DivUIOp::create(b, loc, k, c), c)
              .getResult();
      tail = true;
    }
  }

  Value val(OpFoldResult v) {
    return getValueOrCreateConstantIndexOp(b, loc, v);
  }
  Value cIndex(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value cF32(double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  Value splat(Value scalar) {
    return vector::BroadcastOp::create(b, loc, vecType, scalar);
  }
  Value zeroVec() { return splat(cF32(0.0)); }

  /// A vector of `lanes` elements of `src` at `indices`, zero-padded past the
  /// end when not `inBounds`, widened to f32.
  Value readVec(Value src, ValueRange indices, bool inBounds) {
    Type elemType = getElementTypeOrSelf(src.getType());
    Value pad = arith::ConstantOp::create(b, loc, elemType,
                                          b.getFloatAttr(elemType, 0.0));
    Value v = vector::TransferReadOp::create(
        b, loc, VectorType::get({lanes}, elemType), src, indices, pad,
        ArrayRef<bool>{inBounds});
    if (elemType != f32)
      v = arith::ExtFOp::create(b, loc, vecType, v);
    return v;
  }

  /// `scf.for iv = lb to ub step` carrying `inits`.
  SmallVector<Value>
  loop(OpFoldResult lb, OpFoldResult ub, int64_t step, ValueRange inits,
       function_ref<SmallVector<Value>(Value, ValueRange)> body) {
    auto forOp =
        scf::ForOp::create(b, loc, val(lb), val(ub), cIndex(step), inits);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(forOp.getBody());
    scf::YieldOp::create(
        b, loc, body(forOp.getInductionVar(), forOp.getRegionIterArgs()));
    return SmallVector<Value>(forOp.getResults());
  }

  /// Runs `step(k, carried, inBounds)` over the full vectors of a row, then
  /// over the masked tail vector (under a run-time condition when K is
  /// dynamic).
  SmallVector<Value>
  sweepK(ValueRange inits,
         function_ref<SmallVector<Value>(Value, ValueRange, bool)> step) {
    SmallVector<Value> carried =
        loop(b.getIndexAttr(0), kMain, lanes, inits,
             [&](Value k, ValueRange c) { return step(k, c, true); });
    if (!tail)
      return carried;
    if (getConstantIntValue(kDim))
      return step(val(kMain), carried, false);
    Value has = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                      val(kMain), val(kDim));
    auto ifOp = scf::IfOp::create(b, loc, TypeRange(ValueRange(carried)), has,
                                  /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    scf::YieldOp::create(b, loc, step(val(kMain), carried, false));
    b.setInsertionPointToStart(&ifOp.getElseRegion().front());
    scf::YieldOp::create(b, loc, carried);
    return SmallVector<Value>(ifOp.getResults());
  }

  /// Σ_k term(x[row, k]) as an f32 scalar; `term` gets the lanes' validity
  /// mask on the tail vector (null on full vectors).
  Value reduceRow(Value row, function_ref<Value(Value, Value)> term) {
    Value acc =
        sweepK(zeroVec(),
               [&](Value k, ValueRange c, bool inBounds) -> SmallVector<Value> {
                 Value v = readVec(x, {row, k}, inBounds);
                 Value mask;
                 if (!inBounds) {
                   Value left = arith::SubIOp::create(b, loc, val(kDim), k);
                   mask = vector::CreateMaskOp::create(
                       b, loc, VectorType::get({lanes}, b.getI1Type()),
                       ValueRange{left});
                 }
                 return {arith::AddFOp::create(b, loc, c[0], term(v, mask))};
               })[0];
    return vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD, acc);
  }

  /// 1/K as an f32 scalar.
  Value invK() {
    if (std::optional<int64_t> sK = getConstantIntValue(kDim))
      return cF32(1.0 / static_cast<double>(std::max<int64_t>(*sK, 1)));
    Value k = arith::IndexCastUIOp::create(b, loc, b.getI64Type(), val(kDim));
    return arith::DivFOp::create(b, loc, cF32(1.0),
                                 arith::UIToFPOp::create(b, loc, f32, k));
  }

  /// Writes the statistics of row `row` of x into `dest` at row `at`.
  Value rowStats(Value row, Value at, bool centered, double eps, Value dest) {
    Value inv = invK();
    Value sq;
    if (centered) {
      Value mean = arith::MulFOp::create(
          b, loc, reduceRow(row, [](Value v, Value) { return v; }), inv);
      Value meanVec = splat(mean);
      sq = reduceRow(row, [&](Value v, Value mask) -> Value {
        Value d = arith::SubFOp::create(b, loc, v, meanVec);
        Value d2 = arith::MulFOp::create(b, loc, d, d);
        // Padded lanes read 0, whose deviation is not 0.
        return mask ? arith::SelectOp::create(b, loc, mask, d2, zeroVec())
                          .getResult()
                    : d2;
      });
      dest = tensor::InsertOp::create(b, loc, mean, dest,
                                      ValueRange{at, cIndex(0)});
    } else {
      sq = reduceRow(row, [&](Value v, Value) -> Value {
        return arith::MulFOp::create(b, loc, v, v);
      });
    }
    Value var = arith::MulFOp::create(b, loc, sq, inv);
    Value rstd = math::RsqrtOp::create(
        b, loc, arith::AddFOp::create(b, loc, var, cF32(eps)));
    return tensor::InsertOp::create(
        b, loc, rstd, dest,
        ValueRange{at, cIndex(normStatsCols(centered) - 1)});
  }

  OpBuilder &b;
  Location loc;
  Value x;
  Type f32;
  /// f32 lanes of the vectors (the target's).
  int64_t lanes;
  VectorType vecType;
  OpFoldResult kDim, kMain;
  /// Whether a row ends with a partial vector (always when K is dynamic).
  bool tail = false;
};

} // namespace

Value tokamak::cpu::buildNormalizeVector(OpBuilder &b, Location loc, Value v,
                                         Value mean, Value rstd, Value gamma,
                                         Value beta) {
  if (mean)
    v = arith::SubFOp::create(b, loc, v, mean);
  v = arith::MulFOp::create(b, loc, v, rstd);
  v = arith::MulFOp::create(b, loc, v, gamma);
  if (beta)
    v = arith::AddFOp::create(b, loc, v, beta);
  return v;
}

Value tokamak::cpu::buildNormStats(OpBuilder &b, Location loc, Value x,
                                   bool centered, double eps, Value dest,
                                   int64_t numThreads, int64_t lanes) {
  RowEmitter e(b, loc, x, lanes);
  OpFoldResult mDim = tensor::getMixedSize(b, loc, x, 0);
  // Statistics of rows [r0, r0 + rsz) into rows [0, rsz) of `tile`.
  auto fill = [&](Value tile, Value r0, OpFoldResult rsz) -> Value {
    return e.loop(b.getIndexAttr(0), rsz, 1, tile,
                  [&](Value r, ValueRange st) -> SmallVector<Value> {
                    Value row = arith::AddIOp::create(b, loc, r0, r);
                    return {e.rowStats(row, r, centered, eps, st[0])};
                  })[0];
  };
  std::optional<int64_t> sM = getConstantIntValue(mDim);
  if (sM && *sM <= kSequentialStatsRows)
    return fill(dest, e.cIndex(0), mDim);

  // About four chunks of rows per thread, of at least 16 rows.
  Value m = e.val(mDim);
  Value chunk = arith::MaxUIOp::create(
      b, loc,
      arith::CeilDivUIOp::create(
          b, loc, m, e.cIndex(4 * std::max<int64_t>(numThreads, 1))),
      e.cIndex(16));
  Value tasks = arith::CeilDivUIOp::create(b, loc, m, chunk);
  auto forall = scf::ForallOp::create(b, loc, ArrayRef<OpFoldResult>{tasks},
                                      ValueRange{dest}, std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  Value r0 = arith::MulIOp::create(b, loc, forall.getInductionVars()[0], chunk);
  Value rsz = arith::MinUIOp::create(b, loc, chunk,
                                     arith::SubIOp::create(b, loc, m, r0));
  SmallVector<OpFoldResult> offsets{r0, b.getIndexAttr(0)},
      sizes{rsz, b.getIndexAttr(normStatsCols(centered))},
      strides(2, b.getIndexAttr(1));
  Value tile = tensor::ExtractSliceOp::create(
      b, loc, forall.getRegionIterArgs()[0], offsets, sizes, strides);
  tile = fill(tile, r0, rsz);
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(
      b, loc, tile, forall.getRegionIterArgs()[0], offsets, sizes, strides);
  return forall.getResult(0);
}

Value tokamak::cpu::buildNormalizedRows(OpBuilder &b, Location loc, Value x,
                                        OpFoldResult rows,
                                        const LinearPrologue &prologue,
                                        Value dest, int64_t lanes) {
  RowEmitter e(b, loc, x, lanes);
  int64_t cols = normStatsCols(prologue.centered);
  return e.loop(
      b.getIndexAttr(0), rows, 1, dest,
      [&](Value r, ValueRange st) -> SmallVector<Value> {
        auto stat = [&](int64_t c) {
          return e.splat(tensor::ExtractOp::create(b, loc, prologue.stats,
                                                   ValueRange{r, e.cIndex(c)}));
        };
        Value rstd = stat(cols - 1);
        Value mean = prologue.centered ? stat(0) : Value();
        return e.sweepK(
            st[0],
            [&](Value k, ValueRange c, bool inBounds) -> SmallVector<Value> {
              Value v = e.readVec(x, {r, k}, inBounds);
              Value g = e.readVec(prologue.gamma, {k}, inBounds);
              Value bt = prologue.beta ? e.readVec(prologue.beta, {k}, inBounds)
                                       : Value();
              v = buildNormalizeVector(b, loc, v, mean, rstd, g, bt);
              return {vector::TransferWriteOp::create(b, loc, v, c[0],
                                                      ValueRange{r, k},
                                                      ArrayRef<bool>{inBounds})
                          .getResult()};
            });
      })[0];
}
