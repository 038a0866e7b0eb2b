//===- Utils.cpp - Helpers shared by the tok-to-linalg patterns -----------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace tokamak::detail {

SmallVector<OpFoldResult> getDims(OpBuilder &b, Location loc, Value tensor) {
  return tensor::getMixedSizes(b, loc, tensor);
}

Value createEmpty(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                  Type elementType) {
  return tensor::EmptyOp::create(b, loc, sizes, elementType);
}

Value createFilled(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                   Type elementType, double value) {
  Value empty = createEmpty(b, loc, sizes, elementType);
  Value cst = arith::ConstantOp::create(
      b, loc, b.getFloatAttr(elementType, value));
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

Value buildActivation(OpBuilder &b, Location loc, StringRef kind, Value x) {
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
  if (kind == "none")
    return x;
  if (kind == "silu")
    return arith::MulFOp::create(b, loc, x, sigmoid(x));
  if (kind == "sigmoid")
    return sigmoid(x);
  if (kind == "relu")
    return arith::MaximumFOp::create(b, loc, x, cst(0.0));
  if (kind == "tanh")
    return math::TanhOp::create(b, loc, x);
  if (kind == "gelu") {
    // 0.5 x (1 + erf(x / sqrt(2))).
    Value s = arith::MulFOp::create(b, loc, x, cst(0.70710678118654752));
    Value e = math::ErfOp::create(b, loc, s);
    Value one = arith::AddFOp::create(b, loc, cst(1.0), e);
    Value h = arith::MulFOp::create(b, loc, x, cst(0.5));
    return arith::MulFOp::create(b, loc, h, one);
  }
  if (kind == "gelu_tanh") {
    // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
    Value x3 = arith::MulFOp::create(
        b, loc, x, arith::MulFOp::create(b, loc, x, x));
    Value inner = arith::AddFOp::create(
        b, loc, x, arith::MulFOp::create(b, loc, x3, cst(0.044715)));
    Value th = math::TanhOp::create(
        b, loc, arith::MulFOp::create(b, loc, inner, cst(0.7978845608028654)));
    Value one = arith::AddFOp::create(b, loc, cst(1.0), th);
    Value h = arith::MulFOp::create(b, loc, x, cst(0.5));
    return arith::MulFOp::create(b, loc, h, one);
  }
  if (kind == "softplus") {
    // Stable: max(x, 0) + log1p(exp(-|x|)).
    Value ax = math::AbsFOp::create(b, loc, x);
    Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, ax));
    Value l = math::Log1pOp::create(b, loc, e);
    Value m = arith::MaximumFOp::create(b, loc, x, cst(0.0));
    return arith::AddFOp::create(b, loc, m, l);
  }
  if (kind == "elu") {
    // x > 0 ? x : exp(x) - 1.
    Value em1 = math::ExpM1Op::create(b, loc, x);
    Value pos = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x,
                                      cst(0.0));
    return arith::SelectOp::create(b, loc, pos, x, em1);
  }
  return Value();
}

} // namespace tokamak::detail
