//===- ScanBuilder.cpp - The builder of tok-cuda-scans' kernels -----------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "ScanKernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace tokamak::cuda {

Value ScanBuilder::bufferOf(Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  SmallVector<int64_t> strides(type.getRank(), ShapedType::kDynamic);
  auto layout =
      StridedLayoutAttr::get(b.getContext(), ShapedType::kDynamic, strides);
  auto memType =
      MemRefType::get(type.getShape(), type.getElementType(), layout);
  return bufferization::ToBufferOp::create(b, loc, memType, t,
                                           /*read_only=*/b.getUnitAttr());
}

Value ScanBuilder::allocResult(RankedTensorType type, ArrayRef<Value> dims) {
  SmallVector<Value> dynamic;
  for (auto [i, size] : llvm::enumerate(type.getShape()))
    if (ShapedType::isDynamic(size))
      dynamic.push_back(dims[i]);
  auto memType = MemRefType::get(type.getShape(), type.getElementType());
  return memref::AllocOp::create(b, loc, memType, dynamic);
}

Value ScanBuilder::tensorOf(Value buffer, RankedTensorType type) {
  return bufferization::ToTensorOp::create(b, loc, type, buffer,
                                           /*restrict=*/true,
                                           /*writable=*/true);
}

void ScanBuilder::replaceWithBuffers(RewriterBase &rewriter, Operation *op,
                                     ValueRange buffers) {
  SmallVector<Value> results;
  for (auto [buffer, type] : llvm::zip_equal(buffers, op->getResultTypes()))
    results.push_back(tensorOf(buffer, cast<RankedTensorType>(type)));
  rewriter.replaceOp(op, results);
}

Value ScanBuilder::dim(Value buffer, int64_t d) {
  int64_t size = cast<MemRefType>(buffer.getType()).getDimSize(d);
  if (!ShapedType::isDynamic(size))
    return index(size);
  return memref::DimOp::create(b, loc, buffer, d);
}

Value ScanBuilder::index(int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

Value ScanBuilder::minus(Value v, int64_t c) {
  if (std::optional<int64_t> known = getConstantIntValue(v))
    return index(*known - c);
  return arith::SubIOp::create(b, loc, v, index(c));
}

Value ScanBuilder::f32(double v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
}

Value ScanBuilder::load(Value mem, ValueRange idx) {
  Value v = memref::LoadOp::create(b, loc, mem, idx);
  if (!v.getType().isF32())
    v = arith::ExtFOp::create(b, loc, b.getF32Type(), v);
  return v;
}

void ScanBuilder::store(Value v, Value mem, ValueRange idx) {
  Type elem = cast<MemRefType>(mem.getType()).getElementType();
  if (elem != v.getType())
    v = arith::TruncFOp::create(b, loc, elem, v);
  memref::StoreOp::create(b, loc, v, mem, idx);
}

Value ScanBuilder::add(Value x, Value y) {
  return arith::AddFOp::create(b, loc, x, y);
}

Value ScanBuilder::mul(Value x, Value y) {
  return arith::MulFOp::create(b, loc, x, y);
}

Value ScanBuilder::exp(Value x) { return math::ExpOp::create(b, loc, x); }

Value ScanBuilder::softplus(Value x) {
  Value ax = math::AbsFOp::create(b, loc, x);
  Value e = exp(arith::NegFOp::create(b, loc, ax));
  Value l = math::Log1pOp::create(b, loc, e);
  return add(arith::MaximumFOp::create(b, loc, x, f32(0.0)), l);
}

Value ScanBuilder::silu(Value x) {
  // sigmoid(x) = 1 / (1 + exp(−x)), as the reference lowering builds it.
  Value e = exp(arith::NegFOp::create(b, loc, x));
  Value sig = arith::DivFOp::create(b, loc, f32(1.0), add(f32(1.0), e));
  return mul(x, sig);
}

ValueRange
ScanBuilder::loop(Value lb, Value ub, ValueRange init,
                  function_ref<SmallVector<Value>(Value, ValueRange)> body) {
  auto forOp = scf::ForOp::create(
      b, loc, lb, ub, index(1), init,
      [&](OpBuilder &nb, Location, Value iv, ValueRange iter) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
        SmallVector<Value> next = body(iv, iter);
        scf::YieldOp::create(b, loc, next);
      });
  return forOp.getResults();
}

void ScanBuilder::parallel(ValueRange ubs,
                           function_ref<void(ValueRange)> body) {
  SmallVector<Value> lbs(ubs.size(), index(0));
  SmallVector<Value> steps(ubs.size(), index(1));
  scf::ParallelOp::create(
      b, loc, lbs, ubs, steps, [&](OpBuilder &nb, Location, ValueRange ivs) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
        body(ivs);
      });
}

ThreadArray::ThreadArray(ScanBuilder &sb, Value len, Value threads) {
  std::optional<int64_t> known = getConstantIntValue(len);
  if (known && *known <= kMaxLocalArray) {
    staticLen = std::max<int64_t>(*known, 1);
    return;
  }
  auto type = MemRefType::get({ShapedType::kDynamic, ShapedType::kDynamic},
                              sb.b.getF32Type());
  scratch = memref::AllocOp::create(sb.b, sb.loc, type, {threads, len});
}

Value ThreadArray::get(ScanBuilder &sb, Value thread) {
  if (!scratch)
    return memref::AllocaOp::create(
        sb.b, sb.loc, MemRefType::get({staticLen}, sb.b.getF32Type()));
  Value len = sb.dim(scratch, 1);
  SmallVector<OpFoldResult> offsets{thread, sb.b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes{sb.b.getIndexAttr(1), len};
  SmallVector<OpFoldResult> strides(2, sb.b.getIndexAttr(1));
  auto rowType = memref::SubViewOp::inferRankReducedResultType(
      {ShapedType::kDynamic}, cast<MemRefType>(scratch.getType()), offsets,
      sizes, strides);
  return memref::SubViewOp::create(sb.b, sb.loc, cast<MemRefType>(rowType),
                                   scratch, offsets, sizes, strides);
}

} // namespace tokamak::cuda
