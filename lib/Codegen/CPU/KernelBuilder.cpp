//===- KernelBuilder.cpp - Vector kernel builder for scans and mixers -----===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace tokamak::cpu;

KernelBuilder::KernelBuilder(OpBuilder &b, Location loc, int64_t lanes,
                             bool avx512)
    : b(b), loc(loc), f32(b.getF32Type()), lanes(lanes), avx512(avx512) {}

//===----------------------------------------------------------------------===//
// Index arithmetic
//===----------------------------------------------------------------------===//

Value KernelBuilder::idx(int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

Value KernelBuilder::val(OpFoldResult v) {
  return getValueOrCreateConstantIndexOp(b, loc, v);
}

namespace {
template <typename OpTy, typename Fold>
OpFoldResult binary(KernelBuilder &kb, OpFoldResult l, OpFoldResult r,
                    Fold fold) {
  std::optional<int64_t> cl = getConstantIntValue(l);
  std::optional<int64_t> cr = getConstantIntValue(r);
  if (cl && cr)
    return kb.cst(fold(*cl, *cr));
  return OpTy::create(kb.b, kb.loc, kb.val(l), kb.val(r)).getResult();
}
} // namespace

OpFoldResult KernelBuilder::add(OpFoldResult l, OpFoldResult r) {
  if (isConstantIntValue(r, 0))
    return l;
  if (isConstantIntValue(l, 0))
    return r;
  return binary<arith::AddIOp>(*this, l, r,
                               [](int64_t a, int64_t c) { return a + c; });
}

OpFoldResult KernelBuilder::sub(OpFoldResult l, OpFoldResult r) {
  if (isConstantIntValue(r, 0))
    return l;
  return binary<arith::SubIOp>(*this, l, r,
                               [](int64_t a, int64_t c) { return a - c; });
}

OpFoldResult KernelBuilder::mul(OpFoldResult l, OpFoldResult r) {
  if (isConstantIntValue(r, 1))
    return l;
  if (isConstantIntValue(l, 1))
    return r;
  return binary<arith::MulIOp>(*this, l, r,
                               [](int64_t a, int64_t c) { return a * c; });
}

OpFoldResult KernelBuilder::min(OpFoldResult l, OpFoldResult r) {
  return binary<arith::MinSIOp>(
      *this, l, r, [](int64_t a, int64_t c) { return std::min(a, c); });
}

OpFoldResult KernelBuilder::max(OpFoldResult l, OpFoldResult r) {
  return binary<arith::MaxSIOp>(
      *this, l, r, [](int64_t a, int64_t c) { return std::max(a, c); });
}

OpFoldResult KernelBuilder::floorDiv(OpFoldResult l, OpFoldResult r) {
  if (isConstantIntValue(r, 1))
    return l;
  // arith.floordivsi, not the truncating arith.divsi: -1 / 64 is -1.
  return binary<arith::FloorDivSIOp>(*this, l, r, [](int64_t a, int64_t c) {
    return llvm::divideFloorSigned(a, c);
  });
}

OpFoldResult KernelBuilder::ceilDiv(OpFoldResult l, OpFoldResult r) {
  if (isConstantIntValue(r, 1))
    return l;
  return binary<arith::CeilDivSIOp>(*this, l, r, [](int64_t a, int64_t c) {
    return llvm::divideCeilSigned(a, c);
  });
}

OpFoldResult KernelBuilder::dim(Value shaped, int64_t d) {
  if (isa<RankedTensorType>(shaped.getType()))
    return tensor::getMixedSize(b, loc, shaped, d);
  return memref::getMixedSize(b, loc, shaped, d);
}

Value KernelBuilder::cmp(arith::CmpIPredicate pred, OpFoldResult l,
                         OpFoldResult r) {
  return arith::CmpIOp::create(b, loc, pred, val(l), val(r));
}

//===----------------------------------------------------------------------===//
// Structured control flow
//===----------------------------------------------------------------------===//

KernelBuilder::Values
KernelBuilder::loop(OpFoldResult lb, OpFoldResult ub, int64_t step,
                    ValueRange inits,
                    function_ref<Values(Value, ValueRange)> body) {
  auto forOp = scf::ForOp::create(b, loc, val(lb), val(ub), idx(step), inits);
  OpBuilder::InsertionGuard guard(b);
  // Without iter_args the builder already added the terminator.
  if (!forOp.getBody()->empty())
    forOp.getBody()->getTerminator()->erase();
  b.setInsertionPointToStart(forOp.getBody());
  Values yielded = body(forOp.getInductionVar(), forOp.getRegionIterArgs());
  scf::YieldOp::create(b, loc, yielded);
  return Values(forOp.getResults().begin(), forOp.getResults().end());
}

void KernelBuilder::loop(OpFoldResult lb, OpFoldResult ub, int64_t step,
                         function_ref<void(Value)> body) {
  loop(lb, ub, step, ValueRange{}, [&](Value iv, ValueRange) -> Values {
    body(iv);
    return {};
  });
}

KernelBuilder::Values KernelBuilder::ifElse(Value cond, TypeRange types,
                                            function_ref<Values()> thenFn,
                                            function_ref<Values()> elseFn) {
  auto ifOp = scf::IfOp::create(b, loc, types, cond, /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&ifOp.getThenRegion().front());
  scf::YieldOp::create(b, loc, thenFn());
  b.setInsertionPointToStart(&ifOp.getElseRegion().front());
  scf::YieldOp::create(b, loc, elseFn());
  return Values(ifOp.getResults().begin(), ifOp.getResults().end());
}

void KernelBuilder::ifThen(Value cond, function_ref<void()> thenFn) {
  auto ifOp = scf::IfOp::create(b, loc, TypeRange{}, cond,
                                /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(ifOp.getThenRegion().front().getTerminator());
  thenFn();
}

//===----------------------------------------------------------------------===//
// Scalars and vectors
//===----------------------------------------------------------------------===//

VectorType KernelBuilder::vecType(int64_t width) {
  return VectorType::get({width > 0 ? width : lanes}, f32);
}

Value KernelBuilder::cstF(double v, int64_t width) {
  FloatAttr attr = b.getF32FloatAttr(v);
  if (width == 0)
    return arith::ConstantOp::create(b, loc, attr);
  VectorType type = vecType(width);
  return arith::ConstantOp::create(
      b, loc, type, DenseElementsAttr::get(type, ArrayRef<Attribute>{attr}));
}

/// The lanes of an f32 value: 0 for a scalar.
static int64_t widthOf(Value v) {
  if (auto vt = dyn_cast<VectorType>(v.getType()))
    return vt.getNumElements();
  return 0;
}

Value KernelBuilder::toF32(Value v) {
  Type elem = getElementTypeOrSelf(v.getType());
  if (elem == f32)
    return v;
  Type t = f32;
  if (auto vt = dyn_cast<VectorType>(v.getType()))
    t = VectorType::get(vt.getShape(), f32);
  return arith::ExtFOp::create(b, loc, t, v);
}

Value KernelBuilder::fromF32(Value v, Type elemType) {
  if (elemType == f32)
    return v;
  Type t = elemType;
  if (auto vt = dyn_cast<VectorType>(v.getType()))
    t = VectorType::get(vt.getShape(), elemType);
  return arith::TruncFOp::create(b, loc, t, v);
}

Value KernelBuilder::bcast(Value scalar, int64_t width) {
  return vector::BroadcastOp::create(b, loc, vecType(width), scalar);
}

Value KernelBuilder::addf(Value l, Value r) {
  return arith::AddFOp::create(b, loc, l, r);
}
Value KernelBuilder::subf(Value l, Value r) {
  return arith::SubFOp::create(b, loc, l, r);
}
Value KernelBuilder::mulf(Value l, Value r) {
  return arith::MulFOp::create(b, loc, l, r);
}
Value KernelBuilder::divf(Value l, Value r) {
  return arith::DivFOp::create(b, loc, l, r);
}
// max/min as compare + select: the exact semantics of vmaxps/vminps (the
// second operand when either is NaN), which LLVM selects as one instruction.
Value KernelBuilder::maxf(Value l, Value r) {
  Value gt = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, l, r);
  return arith::SelectOp::create(b, loc, gt, l, r);
}
Value KernelBuilder::minf(Value l, Value r) {
  Value lt = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, l, r);
  return arith::SelectOp::create(b, loc, lt, l, r);
}
Value KernelBuilder::fma(Value a, Value b_, Value c) {
  if (isa<VectorType>(a.getType()))
    return vector::FMAOp::create(b, loc, a, b_, c);
  return math::FmaOp::create(b, loc, a, b_, c);
}
Value KernelBuilder::select(Value cond, Value t, Value f) {
  return arith::SelectOp::create(b, loc, cond, t, f);
}

// 2^f on [-1/2, 1/2] as 1 + f·p(f), p of degree 4 fitted for the relative
// error (max 1.8e-7 in f32 Horner form); exact at f = 0, so 2^y − 1 keeps its
// relative accuracy for small y (decays close to 1).
static constexpr double kExp2Coeffs[] = {
    0.6931470036506653, 0.24022242426872253, 0.05550733953714371,
    0.009671509265899658, 0.0013264698209241033};

/// 1 + f·p(f) of kExp2Coeffs.
static Value exp2Poly(KernelBuilder &kb, Value f, int64_t w) {
  Value p = kb.cstF(kExp2Coeffs[4], w);
  for (int i = 3; i >= 0; --i)
    p = kb.fma(p, f, kb.cstF(kExp2Coeffs[i], w));
  return kb.fma(p, f, kb.cstF(1.0, w));
}

KernelBuilder::Values KernelBuilder::exp2Scalef(ValueRange ys) {
  // Stage by stage across the group: the out-of-order window then sees
  // independent chains side by side instead of one Horner chain after the
  // other.
  Values r, f, p;
  // vscalefps exists only with AVX-512F, on 512-bit vectors.
  if (!avx512 || llvm::any_of(ys, [](Value y) { return widthOf(y) != 16; })) {
    for (Value y : ys)
      p.push_back(exp2(y));
    return p;
  }
  for (Value y : ys)
    r.push_back(math::RoundEvenOp::create(b, loc, y));
  for (auto [y, ry] : llvm::zip(ys, r))
    f.push_back(subf(y, ry));
  for (size_t i = 0; i < ys.size(); ++i)
    p.push_back(cstF(kExp2Coeffs[4], 16));
  for (int c = 3; c >= -1; --c)
    for (size_t i = 0; i < ys.size(); ++i)
      p[i] = fma(p[i], f[i], cstF(c >= 0 ? kExp2Coeffs[c] : 1.0, 16));
  // scalef(p, r) = p · 2^floor(r); the mask keeps every lane, rounding 4 is
  // the current direction (MXCSR). The LLVM 22 lowering passes the operands
  // in op order (src, a, b) as the intrinsic's (a, b, src): `src` is the
  // value scaled, `a` the exponent.
  Value allLanes = arith::ConstantOp::create(b, loc, b.getI16IntegerAttr(-1));
  Value rounding = arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(4));
  Values out;
  for (auto [py, ry] : llvm::zip(p, r))
    out.push_back(x86vector::MaskScaleFOp::create(
        b, loc, py.getType(), /*src=*/py, /*a=*/ry, /*b=*/py, allLanes,
        rounding));
  return out;
}

Value KernelBuilder::exp2(Value y) {
  int64_t w = widthOf(y);
  // 2^f on [-1/2, 1/2] as 1 + f·p(f), p of degree 4 fitted for the relative
  // error (max 1.8e-7 in f32 Horner form); exact at f = 0, so 2^y − 1 keeps
  // its relative accuracy for small y (decays close to 1).
  y = minf(maxf(y, cstF(-126.0, w)), cstF(127.0, w));
  Value r = math::RoundEvenOp::create(b, loc, y);
  Value p = exp2Poly(*this, subf(y, r), w);
  // p · 2^r by adding r to the exponent field.
  Type i32 = b.getI32Type();
  Type intType = w ? Type(VectorType::get({w}, i32)) : i32;
  auto intCst = [&](int64_t v) -> Value {
    Attribute attr = b.getI32IntegerAttr(v);
    if (!w)
      return arith::ConstantOp::create(b, loc, cast<TypedAttr>(attr));
    auto vt = cast<VectorType>(intType);
    return arith::ConstantOp::create(
        b, loc, vt, DenseElementsAttr::get(vt, ArrayRef<Attribute>{attr}));
  };
  Value k = arith::FPToSIOp::create(b, loc, intType, r);
  Value e = arith::ShLIOp::create(b, loc, k, intCst(23));
  Value bits = arith::BitcastOp::create(b, loc, intType, p);
  bits = arith::AddIOp::create(b, loc, bits, e);
  return arith::BitcastOp::create(b, loc, y.getType(), bits);
}

Value KernelBuilder::exp(Value x) {
  return exp2(mulf(x, cstF(1.4426950408889634, widthOf(x))));
}

Value KernelBuilder::silu(Value x) {
  int64_t w = widthOf(x);
  Value e = exp2(mulf(x, cstF(-1.4426950408889634, w)));
  return divf(x, addf(cstF(1.0, w), e));
}

Value KernelBuilder::softplus(Value x) {
  int64_t w = widthOf(x);
  // log1p(e) for e = e^-|x| in (0, 1] as e·q(e), q of degree 7 fitted for
  // the relative error (max 3.7e-7 in f32 Horner form).
  static constexpr double kLog1p[] = {
      0.9999998211860657,   -0.4999740421772003,  0.33275455236434937,
      -0.24495342373847961, 0.1774495244026184,   -0.10767797380685806,
      0.04408717155456543,  -0.008538561873137951};
  Value e =
      exp2(mulf(math::AbsFOp::create(b, loc, x), cstF(-1.4426950408889634, w)));
  Value q = cstF(kLog1p[7], w);
  for (int i = 6; i >= 0; --i)
    q = fma(q, e, cstF(kLog1p[i], w));
  return fma(q, e, maxf(x, cstF(0.0, w)));
}

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

static Value zeroOf(OpBuilder &b, Location loc, Type elemType) {
  return arith::ConstantOp::create(b, loc, elemType,
                                   b.getFloatAttr(elemType, 0.0));
}

Value KernelBuilder::read(Value src, ValueRange indices, int64_t width,
                          bool inBounds) {
  Type elemType = getElementTypeOrSelf(src.getType());
  auto type = VectorType::get({width}, elemType);
  Value v = vector::TransferReadOp::create(b, loc, type, src, indices,
                                           zeroOf(b, loc, elemType),
                                           ArrayRef<bool>{inBounds});
  return toF32(v);
}

Value KernelBuilder::readAlong(Value src, ValueRange indices, int64_t laneDim,
                               int64_t width, bool inBounds) {
  Type elemType = getElementTypeOrSelf(src.getType());
  auto type = VectorType::get({width}, elemType);
  int64_t rank = cast<ShapedType>(src.getType()).getRank();
  AffineMap map = AffineMap::get(rank, 0, b.getAffineDimExpr(laneDim));
  Value v = vector::TransferReadOp::create(b, loc, type, src, indices,
                                           zeroOf(b, loc, elemType), map,
                                           ArrayRef<bool>{inBounds});
  return toF32(v);
}

Value KernelBuilder::read2d(Value src, ValueRange indices, int64_t rows,
                            int64_t cols, bool rowsInBounds,
                            bool colsInBounds) {
  Type elemType = getElementTypeOrSelf(src.getType());
  auto type = VectorType::get({rows, cols}, elemType);
  Value v = vector::TransferReadOp::create(
      b, loc, type, src, indices, zeroOf(b, loc, elemType),
      ArrayRef<bool>{rowsInBounds, colsInBounds});
  return toF32(v);
}

Value KernelBuilder::extract(Value src, ValueRange indices) {
  if (isa<MemRefType>(src.getType()))
    return toF32(memref::LoadOp::create(b, loc, src, indices));
  return toF32(tensor::ExtractOp::create(b, loc, src, indices));
}

Value KernelBuilder::write(Value v, Value dest, ValueRange indices,
                           ArrayRef<bool> inBounds) {
  v = fromF32(v, getElementTypeOrSelf(dest.getType()));
  auto op = vector::TransferWriteOp::create(b, loc, v, dest, indices, inBounds);
  return isa<RankedTensorType>(dest.getType()) ? op.getResult() : Value();
}

Value KernelBuilder::writeAlong(Value v, Value dest, ValueRange indices,
                                int64_t laneDim, bool inBounds) {
  v = fromF32(v, getElementTypeOrSelf(dest.getType()));
  int64_t rank = cast<ShapedType>(dest.getType()).getRank();
  AffineMap map = AffineMap::get(rank, 0, b.getAffineDimExpr(laneDim));
  auto op = vector::TransferWriteOp::create(b, loc, v, dest, indices, map,
                                            ArrayRef<bool>{inBounds});
  return isa<RankedTensorType>(dest.getType()) ? op.getResult() : Value();
}

Value KernelBuilder::insert(Value v, Value dest, ValueRange indices) {
  v = fromF32(v, getElementTypeOrSelf(dest.getType()));
  return tensor::InsertOp::create(b, loc, v, dest, indices);
}

Value KernelBuilder::bufferOf(Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  SmallVector<int64_t> strides(type.getRank(), ShapedType::kDynamic);
  auto layout =
      StridedLayoutAttr::get(b.getContext(), ShapedType::kDynamic, strides);
  auto memType =
      MemRefType::get(type.getShape(), type.getElementType(), layout);
  return bufferization::ToBufferOp::create(b, loc, memType, t,
                                           /*read_only=*/b.getUnitAttr());
}

void KernelBuilder::prefetch(Value mem, ValueRange indices) {
  memref::PrefetchOp::create(b, loc, mem, indices, /*isWrite=*/false,
                             /*localityHint=*/3, /*isDataCache=*/true);
}

Value KernelBuilder::scratch(ArrayRef<int64_t> shape) {
  auto type = MemRefType::get(shape, f32);
  return memref::AllocaOp::create(b, loc, type, b.getI64IntegerAttr(64));
}

Value KernelBuilder::load(Value mem, ValueRange indices, int64_t width) {
  return vector::LoadOp::create(b, loc, vecType(width), mem, indices);
}

void KernelBuilder::store(Value v, Value mem, ValueRange indices) {
  vector::StoreOp::create(b, loc, v, mem, indices);
}

Value KernelBuilder::loadScalar(Value mem, ValueRange indices) {
  return memref::LoadOp::create(b, loc, mem, indices);
}

void KernelBuilder::storeScalar(Value v, Value mem, ValueRange indices) {
  memref::StoreOp::create(b, loc, v, mem, indices);
}

KernelBuilder::Values KernelBuilder::indices(ArrayRef<OpFoldResult> ofrs) {
  Values out;
  for (OpFoldResult ofr : ofrs)
    out.push_back(val(ofr));
  return out;
}

//===----------------------------------------------------------------------===//
// Attention helpers
//===----------------------------------------------------------------------===//

Value KernelBuilder::splat(Value scalar, int64_t width) {
  return vector::BroadcastOp::create(
      b, loc, VectorType::get({width}, scalar.getType()), scalar);
}

Value KernelBuilder::toIndex(Value v) {
  if (v.getType().isIndex())
    return v;
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}

Value KernelBuilder::toI32(Value v) {
  if (v.getType().isInteger(32))
    return v;
  return arith::IndexCastOp::create(b, loc, b.getI32Type(), v);
}

Value KernelBuilder::extractElement(Value src, ValueRange indices) {
  return tensor::ExtractOp::create(b, loc, src, indices);
}

Value KernelBuilder::insertElement(Value v, Value dest, ValueRange indices) {
  return tensor::InsertOp::create(b, loc, v, dest, indices);
}

Value KernelBuilder::allocTensor(ArrayRef<int64_t> shape, Type elementType) {
  return bufferization::AllocTensorOp::create(
      b, loc, RankedTensorType::get(shape, elementType), ValueRange{});
}

//===----------------------------------------------------------------------===//
// Replacing the op
//===----------------------------------------------------------------------===//

void tokamak::cpu::replaceScan(RewriterBase &rewriter, Operation *op, Value out,
                               Value state) {
  SmallVector<Value> results{out, state};
  results.resize(op->getNumResults());
  for (auto [result, value] : llvm::zip_equal(op->getResults(), results))
    if (value.getType() != result.getType())
      value = tensor::CastOp::create(rewriter, op->getLoc(), result.getType(),
                                     value);
  rewriter.replaceOp(op, results);
}
