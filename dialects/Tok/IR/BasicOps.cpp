//===- BasicOps.cpp - Verifiers of the building-block ops -----------------===//
//
// Part of the Tokamak project.
//
// Every verifier checks, in this order: operand and result ranks, element
// types, dims (a dynamic dim passes), then attribute ranges. Weights and
// biases share the element type of the activations they apply to.
//
//===----------------------------------------------------------------------===//

#include "dialects/Tok/IR/TokOps.h"
#include "dialects/Tok/IR/Verification.h"

#include <cmath>

using namespace mlir;
using namespace mlir::tok;

/// The activations of tok.glu.
static constexpr Activation kGluActivations[] = {
    Activation::Silu, Activation::Gelu, Activation::GeluTanh, Activation::Relu,
    Activation::Sigmoid};

/// The kinds of tok.activation.
static constexpr Activation kActivationKinds[] = {
    Activation::Silu, Activation::Gelu,    Activation::GeluTanh,
    Activation::Relu, Activation::Sigmoid, Activation::Softplus,
    Activation::Elu,  Activation::Tanh};

//===----------------------------------------------------------------------===//
// LinearOp
//===----------------------------------------------------------------------===//

LogicalResult LinearOp::verify() {
  Operation *op = getOperation();
  RankedTensorType inputType = getInput().getType();
  RankedTensorType weightType = getWeight().getType();
  RankedTensorType biasType = getBias() ? getBias().getType() : nullptr;
  RankedTensorType outputType = getOutput().getType();

  if (failed(verifyRankAtLeast(op, "input", inputType, 1)) ||
      failed(verifyRank(op, "weight", weightType, 2)) ||
      (biasType && failed(verifyRank(op, "bias", biasType, 1))) ||
      failed(verifySameRank(op, "output", outputType, "input", inputType)))
    return failure();

  if (failed(verifyFloatElementType(op, "input", inputType)) ||
      failed(verifySameElementType(op, "input", inputType, "weight",
                                   weightType)) ||
      (biasType && failed(verifySameElementType(op, "input", inputType, "bias",
                                                biasType))) ||
      failed(
          verifySameElementType(op, "input", inputType, "output", outputType)))
    return failure();

  // input [..., K], weight [N, K], bias [N], output [..., N].
  ArrayRef<int64_t> w = weightType.getShape();
  if (failed(verifyDimsMatch(op, "input", inputType.getShape().back(), "weight",
                             w[1], "in-feature counts")) ||
      (biasType &&
       failed(verifyDimsMatch(op, "weight", w[0], "bias",
                              biasType.getDimSize(0), "out-feature counts"))) ||
      failed(verifyPositiveDim(op, "weight out-feature count", w[0])) ||
      failed(verifyPositiveDim(op, "weight in-feature count", w[1])))
    return failure();
  SmallVector<int64_t> expected(inputType.getShape());
  expected.back() = mergeDims({w[0], biasType ? biasType.getDimSize(0) : w[0]});
  return verifyShape(op, "output", outputType, expected);
}

//===----------------------------------------------------------------------===//
// RmsNormOp and LayerNormOp
//===----------------------------------------------------------------------===//

/// The rules shared by the norms: input [..., D], weight (and bias) [D],
/// output of the input's type, eps > 0.
static LogicalResult verifyNorm(Operation *op, RankedTensorType inputType,
                                RankedTensorType weightType,
                                RankedTensorType biasType,
                                RankedTensorType outputType, FloatAttr eps) {
  if (failed(verifyRankAtLeast(op, "input", inputType, 1)) ||
      failed(verifyRank(op, "weight", weightType, 1)) ||
      (biasType && failed(verifyRank(op, "bias", biasType, 1))) ||
      failed(verifySameRank(op, "output", outputType, "input", inputType)))
    return failure();

  if (failed(verifyFloatElementType(op, "input", inputType)) ||
      failed(verifySameElementType(op, "input", inputType, "weight",
                                   weightType)) ||
      (biasType &&
       failed(verifySameElementType(op, "input", inputType, "bias", biasType))))
    return failure();

  int64_t size = inputType.getShape().back();
  if (failed(verifyDimsMatch(op, "input", size, "weight",
                             weightType.getDimSize(0), "normalized sizes")) ||
      (biasType &&
       failed(verifyDimsMatch(op, "input", size, "bias", biasType.getDimSize(0),
                              "normalized sizes"))) ||
      failed(verifySameType(op, "input", inputType, "output", outputType)))
    return failure();
  return verifyPositiveFloat(op, "eps", eps);
}

LogicalResult RmsNormOp::verify() {
  return verifyNorm(getOperation(), getInput().getType(), getWeight().getType(),
                    /*biasType=*/nullptr, getOutput().getType(), getEpsAttr());
}

LogicalResult LayerNormOp::verify() {
  return verifyNorm(getOperation(), getInput().getType(), getWeight().getType(),
                    getBias().getType(), getOutput().getType(), getEpsAttr());
}

//===----------------------------------------------------------------------===//
// RopeOp
//===----------------------------------------------------------------------===//

LogicalResult RopeOp::verify() {
  Operation *op = getOperation();
  RankedTensorType inputType = getInput().getType();
  RankedTensorType positionsType = getPositions().getType();
  RankedTensorType outputType = getOutput().getType();

  if (failed(verifyRank(op, "input", inputType, 4)) ||
      failed(verifyRank(op, "positions", positionsType, 2)) ||
      failed(verifyRank(op, "output", outputType, 4)))
    return failure();

  if (failed(verifyFloatElementType(op, "input", inputType)) ||
      failed(verifyElementType(op, "positions", positionsType,
                               IntegerType::get(getContext(), 32))))
    return failure();

  // input [B, H, S, D], positions [B, S].
  ArrayRef<int64_t> x = inputType.getShape();
  ArrayRef<int64_t> pos = positionsType.getShape();
  if (failed(verifyDimsMatch(op, "input", x[0], "positions", pos[0],
                             "batch sizes")) ||
      failed(verifyDimsMatch(op, "input", x[2], "positions", pos[1],
                             "sequence lengths")) ||
      failed(verifySameType(op, "input", inputType, "output", outputType)))
    return failure();

  // Attributes: rotate-half pairs need an even rotated width.
  int64_t headDim = x[3];
  if (IntegerAttr rotaryDimAttr = getRotaryDimAttr()) {
    int64_t rotaryDim = rotaryDimAttr.getInt();
    if (rotaryDim < 2 || rotaryDim % 2 != 0)
      return emitOpError("expected rotary_dim to be even and at least 2, got ")
             << rotaryDim;
    if (ShapedType::isStatic(headDim) && rotaryDim > headDim)
      return emitOpError("expected rotary_dim to be at most the input head "
                         "dim ")
             << headDim << ", got " << rotaryDim;
  } else if (ShapedType::isStatic(headDim) && headDim % 2 != 0) {
    return emitOpError("expected input head dim to be even without "
                       "rotary_dim, got ")
           << headDim;
  }
  if (std::optional<ArrayRef<float>> invFreq = getInvFreq()) {
    if (getThetaAttr())
      return emitOpError("expected theta or inv_freq, not both");
    int64_t rotaryDim =
        getRotaryDimAttr() ? getRotaryDimAttr().getInt() : headDim;
    if (ShapedType::isStatic(rotaryDim) &&
        static_cast<int64_t>(invFreq->size()) != rotaryDim / 2)
      return emitOpError("expected ")
             << rotaryDim / 2 << " inv_freq values (rotary_dim / 2), got "
             << invFreq->size();
    for (float f : *invFreq)
      if (!(f >= 0.0f) || std::isinf(f))
        return emitOpError("expected inv_freq values to be finite and "
                           "non-negative, got ")
               << f;
  }
  return verifyPositiveFloat(op, "theta", getThetaAttr());
}

//===----------------------------------------------------------------------===//
// GluOp
//===----------------------------------------------------------------------===//

LogicalResult GluOp::verify() {
  Operation *op = getOperation();
  RankedTensorType inputType = getInput().getType();
  RankedTensorType outputType = getOutput().getType();

  if (failed(verifyRankAtLeast(op, "input", inputType, 1)) ||
      failed(verifySameRank(op, "output", outputType, "input", inputType)) ||
      failed(verifyFloatElementType(op, "input", inputType)) ||
      failed(
          verifySameElementType(op, "input", inputType, "output", outputType)))
    return failure();

  // input [..., 2N], output [..., N].
  SmallVector<int64_t> expected(inputType.getShape());
  int64_t last = expected.back();
  if (ShapedType::isStatic(last)) {
    if (last % 2 != 0)
      return emitOpError("expected input last dim to be even, got ") << last;
    expected.back() = last / 2;
  }
  if (failed(verifyShape(op, "output", outputType, expected)))
    return failure();
  return verifyEnumIn<Activation>(op, "activation", getActivationAttr(),
                                  kGluActivations);
}

//===----------------------------------------------------------------------===//
// ActivationOp
//===----------------------------------------------------------------------===//

LogicalResult ActivationOp::verify() {
  Operation *op = getOperation();
  RankedTensorType inputType = getInput().getType();
  RankedTensorType outputType = getOutput().getType();
  if (failed(verifySameRank(op, "output", outputType, "input", inputType)) ||
      failed(verifyFloatElementType(op, "input", inputType)) ||
      failed(verifySameType(op, "input", inputType, "output", outputType)))
    return failure();
  return verifyEnumIn<Activation>(op, "kind", getKindAttr(), kActivationKinds);
}

//===----------------------------------------------------------------------===//
// EmbeddingOp
//===----------------------------------------------------------------------===//

LogicalResult EmbeddingOp::verify() {
  Operation *op = getOperation();
  RankedTensorType idsType = getIds().getType();
  RankedTensorType tableType = getTable().getType();
  RankedTensorType outputType = getOutput().getType();

  if (failed(verifyRank(op, "table", tableType, 2)) ||
      failed(verifyRank(op, "output", outputType, idsType.getRank() + 1)))
    return failure();

  Type idsElementType = idsType.getElementType();
  if (!idsElementType.isSignlessInteger(32) &&
      !idsElementType.isSignlessInteger(64))
    return emitOpError("expected ids element type i32 or i64, got ")
           << idsElementType;
  if (failed(verifyFloatElementType(op, "table", tableType)) ||
      failed(
          verifySameElementType(op, "table", tableType, "output", outputType)))
    return failure();

  // ids [...], table [V, E], output [..., E].
  SmallVector<int64_t> expected(idsType.getShape());
  expected.push_back(tableType.getDimSize(1));
  return verifyShape(op, "output", outputType, expected);
}
