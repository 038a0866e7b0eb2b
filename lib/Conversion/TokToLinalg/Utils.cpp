//===- Utils.cpp - Helpers shared by the tok-to-linalg patterns -----------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace tokamak::detail {

SmallVector<OpFoldResult> getDims(OpBuilder &b, Location loc, Value tensor) {
  return tensor::getMixedSizes(b, loc, tensor);
}

OpFoldResult getDim(OpBuilder &b, Location loc, Value tensor, int64_t dim) {
  return tensor::getMixedSize(b, loc, tensor, dim);
}

/// The sizes of `tensor` with dimension `skip` replaced by `replacement`.
static SmallVector<OpFoldResult> getDimsExcept(OpBuilder &b, Location loc,
                                               Value tensor, int64_t skip,
                                               OpFoldResult replacement) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0, e = type.getRank(); i < e; ++i)
    sizes.push_back(i == skip ? replacement : getDim(b, loc, tensor, i));
  return sizes;
}

Value createEmpty(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                  Type elementType) {
  return tensor::EmptyOp::create(b, loc, sizes, elementType);
}

Value createFilled(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                   Type elementType, double value) {
  Value empty = createEmpty(b, loc, sizes, elementType);
  Value cst =
      arith::ConstantOp::create(b, loc, b.getFloatAttr(elementType, value));
  return linalg::FillOp::create(b, loc, cst, empty).getResult(0);
}

Value toF32(OpBuilder &b, Location loc, Value v) {
  if (v.getType().isF32())
    return v;
  return arith::ExtFOp::create(b, loc, b.getF32Type(), v);
}

Value fromF32(OpBuilder &b, Location loc, Value v, Type type) {
  if (v.getType() == type)
    return v;
  return arith::TruncFOp::create(b, loc, type, v);
}

Value buildActivation(OpBuilder &b, Location loc, tok::Activation kind,
                      Value x) {
  Type t = x.getType();
  auto cst = [&](double c) {
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(t, c));
  };
  auto sigmoid = [&](Value v) -> Value {
    Value neg = arith::NegFOp::create(b, loc, v);
    Value e = math::ExpOp::create(b, loc, neg);
    Value den = arith::AddFOp::create(b, loc, cst(1.0), e);
    return arith::DivFOp::create(b, loc, cst(1.0), den);
  };
  if (kind == tok::Activation::None)
    return x;
  if (kind == tok::Activation::Silu)
    return arith::MulFOp::create(b, loc, x, sigmoid(x));
  if (kind == tok::Activation::Sigmoid)
    return sigmoid(x);
  if (kind == tok::Activation::Relu)
    return arith::MaximumFOp::create(b, loc, x, cst(0.0));
  if (kind == tok::Activation::Tanh)
    return math::TanhOp::create(b, loc, x);
  if (kind == tok::Activation::Gelu) {
    // 0.5 x (1 + erf(x / sqrt(2))).
    Value s = arith::MulFOp::create(b, loc, x, cst(0.70710678118654752));
    Value e = math::ErfOp::create(b, loc, s);
    Value one = arith::AddFOp::create(b, loc, cst(1.0), e);
    Value h = arith::MulFOp::create(b, loc, x, cst(0.5));
    return arith::MulFOp::create(b, loc, h, one);
  }
  if (kind == tok::Activation::GeluTanh) {
    // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
    Value x3 =
        arith::MulFOp::create(b, loc, x, arith::MulFOp::create(b, loc, x, x));
    Value inner = arith::AddFOp::create(
        b, loc, x, arith::MulFOp::create(b, loc, x3, cst(0.044715)));
    Value th = math::TanhOp::create(
        b, loc, arith::MulFOp::create(b, loc, inner, cst(0.7978845608028654)));
    Value one = arith::AddFOp::create(b, loc, cst(1.0), th);
    Value h = arith::MulFOp::create(b, loc, x, cst(0.5));
    return arith::MulFOp::create(b, loc, h, one);
  }
  if (kind == tok::Activation::Softplus) {
    // Stable: max(x, 0) + log1p(exp(-|x|)).
    Value ax = math::AbsFOp::create(b, loc, x);
    Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, ax));
    Value l = math::Log1pOp::create(b, loc, e);
    Value m = arith::MaximumFOp::create(b, loc, x, cst(0.0));
    return arith::AddFOp::create(b, loc, m, l);
  }
  if (kind == tok::Activation::Elu) {
    // x > 0 ? x : exp(x) - 1.
    Value em1 = math::ExpM1Op::create(b, loc, x);
    Value pos =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, cst(0.0));
    return arith::SelectOp::create(b, loc, pos, x, em1);
  }
  llvm_unreachable("an activation without a lowering");
}

Value indexConst(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

Value f32Const(OpBuilder &b, Location loc, double value) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
}

Value indexToF32(OpBuilder &b, Location loc, Value index) {
  Value i = arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
  return arith::SIToFPOp::create(b, loc, b.getF32Type(), i);
}

Value loopIndex(OpBuilder &b, Location loc, int64_t dim) {
  return linalg::IndexOp::create(b, loc, b.getIndexType(),
                                 b.getI64IntegerAttr(dim));
}

OpFoldResult divSize(OpBuilder &b, Location loc, OpFoldResult a,
                     OpFoldResult d) {
  std::optional<int64_t> ca = getConstantIntValue(a);
  std::optional<int64_t> cd = getConstantIntValue(d);
  if (ca && cd && *cd != 0)
    return b.getIndexAttr(*ca / *cd);
  if (cd && *cd == 1)
    return a;
  return arith::DivUIOp::create(b, loc,
                                getValueOrCreateConstantIndexOp(b, loc, a),
                                getValueOrCreateConstantIndexOp(b, loc, d))
      .getResult();
}

OpFoldResult addSize(OpBuilder &b, Location loc, OpFoldResult a,
                     OpFoldResult c) {
  std::optional<int64_t> ca = getConstantIntValue(a);
  std::optional<int64_t> cc = getConstantIntValue(c);
  if (ca && cc)
    return b.getIndexAttr(*ca + *cc);
  if (cc && *cc == 0)
    return a;
  return arith::AddIOp::create(b, loc,
                               getValueOrCreateConstantIndexOp(b, loc, a),
                               getValueOrCreateConstantIndexOp(b, loc, c))
      .getResult();
}

/// The offsets/sizes/strides of the size-1 slice at `offset` along `dim`.
static void unitSlice(OpBuilder &b, Location loc, Value tensor, int64_t dim,
                      OpFoldResult offset, SmallVectorImpl<OpFoldResult> &offs,
                      SmallVectorImpl<OpFoldResult> &sizes,
                      SmallVectorImpl<OpFoldResult> &strides) {
  auto type = cast<RankedTensorType>(tensor.getType());
  sizes = getDimsExcept(b, loc, tensor, dim, b.getIndexAttr(1));
  offs.assign(type.getRank(), b.getIndexAttr(0));
  strides.assign(type.getRank(), b.getIndexAttr(1));
  offs[dim] = offset;
}

Value extractSliceAt(OpBuilder &b, Location loc, Value tensor, int64_t dim,
                     OpFoldResult offset) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<OpFoldResult> offs, sizes, strides;
  unitSlice(b, loc, tensor, dim, offset, offs, sizes, strides);
  SmallVector<int64_t> shape(type.getShape());
  shape.erase(shape.begin() + dim);
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  return tensor::ExtractSliceOp::create(b, loc, resultType, tensor, offs, sizes,
                                        strides);
}

Value insertSliceAt(OpBuilder &b, Location loc, Value slice, Value dest,
                    int64_t dim, OpFoldResult offset) {
  SmallVector<OpFoldResult> offs, sizes, strides;
  unitSlice(b, loc, dest, dim, offset, offs, sizes, strides);
  return tensor::InsertSliceOp::create(b, loc, slice, dest, offs, sizes,
                                       strides);
}

Value extractRange(OpBuilder &b, Location loc, Value tensor, int64_t dim,
                   OpFoldResult offset, OpFoldResult size, int64_t stride) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<OpFoldResult> sizes = getDimsExcept(b, loc, tensor, dim, size);
  SmallVector<OpFoldResult> offs(type.getRank(), b.getIndexAttr(0));
  SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
  offs[dim] = offset;
  strides[dim] = b.getIndexAttr(stride);
  return tensor::ExtractSliceOp::create(b, loc, tensor, offs, sizes, strides);
}

Value insertRange(OpBuilder &b, Location loc, Value slice, Value dest,
                  int64_t dim, OpFoldResult offset, int64_t stride) {
  auto type = cast<RankedTensorType>(dest.getType());
  SmallVector<OpFoldResult> sizes = getDims(b, loc, slice);
  SmallVector<OpFoldResult> offs(type.getRank(), b.getIndexAttr(0));
  SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
  offs[dim] = offset;
  strides[dim] = b.getIndexAttr(stride);
  return tensor::InsertSliceOp::create(b, loc, slice, dest, offs, sizes,
                                       strides);
}

Value splitDim(OpBuilder &b, Location loc, Value tensor, int64_t dim,
               OpFoldResult outer) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<OpFoldResult> sizes = getDims(b, loc, tensor);
  OpFoldResult inner = divSize(b, loc, sizes[dim], outer);
  SmallVector<OpFoldResult> outSizes;
  SmallVector<ReassociationIndices> reassoc;
  for (int64_t i = 0, e = type.getRank(); i < e; ++i) {
    if (i == dim) {
      reassoc.push_back({i, i + 1});
      outSizes.push_back(outer);
      outSizes.push_back(inner);
      continue;
    }
    reassoc.push_back({i < dim ? i : i + 1});
    outSizes.push_back(sizes[i]);
  }
  SmallVector<int64_t> shape;
  SmallVector<Value> dynamic;
  dispatchIndexOpFoldResults(outSizes, dynamic, shape);
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  return tensor::ExpandShapeOp::create(b, loc, resultType, tensor, reassoc,
                                       outSizes);
}

Value mergeDims(OpBuilder &b, Location loc, Value tensor, int64_t dim) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<ReassociationIndices> reassoc;
  for (int64_t i = 0, e = type.getRank(); i < e; ++i) {
    if (i == dim) {
      reassoc.push_back({i, i + 1});
      ++i;
      continue;
    }
    reassoc.push_back({i});
  }
  return tensor::CollapseShapeOp::create(b, loc, tensor, reassoc);
}

AffineMap projMap(MLIRContext *ctx, unsigned numDims,
                  ArrayRef<unsigned> targets) {
  return AffineMap::getMultiDimMapWithTargets(numDims, targets, ctx);
}

SmallVector<utils::IteratorType> iteratorTypes(unsigned numDims,
                                               ArrayRef<unsigned> reductions) {
  SmallVector<utils::IteratorType> its(numDims, utils::IteratorType::parallel);
  for (unsigned r : reductions)
    its[r] = utils::IteratorType::reduction;
  return its;
}

Value castToType(OpBuilder &b, Location loc, Value tensor, Type type) {
  if (tensor.getType() == type)
    return tensor;
  return tensor::CastOp::create(b, loc, type, tensor);
}

Type elementTypeOf(Value v) {
  return cast<ShapedType>(v.getType()).getElementType();
}

Value castTensor(OpBuilder &b, Location loc, Value tensor, Type elementType) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (type.getElementType() == elementType)
    return tensor;
  unsigned rank = type.getRank();
  Value empty = createEmpty(b, loc, getDims(b, loc, tensor), elementType);
  AffineMap id = b.getMultiDimIdentityMap(rank);
  return linalg::GenericOp::create(
             b, loc, TypeRange{empty.getType()}, ValueRange{tensor},
             ValueRange{empty}, ArrayRef<AffineMap>{id, id},
             iteratorTypes(rank),
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value v = args[0];
               unsigned from =
                   cast<FloatType>(v.getType()).getIntOrFloatBitWidth();
               unsigned to = cast<FloatType>(elementType).getWidth();
               Value r =
                   from < to
                       ? Value(arith::ExtFOp::create(nb, nl, elementType, v))
                       : Value(arith::TruncFOp::create(nb, nl, elementType, v));
               linalg::YieldOp::create(nb, nl, r);
             })
      .getResult(0);
}

} // namespace tokamak::detail
