//===- MixerOps.cpp - Verifiers of the token-mixer ops --------------------===//
//
// Part of the Tokamak project.
//
// Every verifier checks, in this order: operand and result ranks, element
// types, dims (a dynamic dim passes), then attribute ranges.
//
//===----------------------------------------------------------------------===//

#include "dialects/Tok/IR/TokOps.h"
#include "dialects/Tok/IR/Verification.h"

using namespace mlir;
using namespace mlir::tok;

//===----------------------------------------------------------------------===//
// Conv1dOp
//===----------------------------------------------------------------------===//

LogicalResult Conv1dOp::verify() {
  Operation *op = getOperation();
  RankedTensorType inputType = getInput().getType();
  RankedTensorType weightType = getWeight().getType();
  RankedTensorType biasType = getBias() ? getBias().getType() : nullptr;
  RankedTensorType initType = getInit() ? getInit().getType() : nullptr;
  RankedTensorType seqStartsType =
      getSeqStarts() ? getSeqStarts().getType() : nullptr;
  RankedTensorType outputType = getOutput().getType();
  RankedTensorType finalType =
      getFinalState() ? getFinalState().getType() : nullptr;

  // Ranks.
  if (failed(verifyRank(op, "input", inputType, 3)) ||
      failed(verifyRank(op, "weight", weightType, 2)) ||
      (biasType && failed(verifyRank(op, "bias", biasType, 1))) ||
      (initType && failed(verifyRank(op, "init", initType, 3))) ||
      failed(verifyRank(op, "output", outputType, 3)) ||
      (finalType && failed(verifyRank(op, "final_state", finalType, 3))))
    return failure();

  // Element types: one float type throughout (the state holds inputs).
  if (failed(verifyFloatElementType(op, "input", inputType)) ||
      failed(verifySameElementType(op, "input", inputType, "weight",
                                   weightType)) ||
      (biasType && failed(verifySameElementType(op, "input", inputType, "bias",
                                                biasType))) ||
      (initType && failed(verifySameElementType(op, "input", inputType, "init",
                                                initType))) ||
      failed(verifySameElementType(op, "input", inputType, "output",
                                   outputType)) ||
      (finalType && failed(verifySameElementType(op, "input", inputType,
                                                 "final_state", finalType))))
    return failure();

  // Dims: input [B, L, C], weight [C, K], bias [C], state [B, C, K - 1].
  ArrayRef<int64_t> x = inputType.getShape();
  ArrayRef<int64_t> w = weightType.getShape();
  if (failed(
          verifyDimsMatch(op, "input", x[2], "weight", w[0], "channel counts")))
    return failure();
  int64_t kernel = w[1];
  if (ShapedType::isStatic(kernel) && kernel < 1)
    return emitOpError("expected weight kernel size at least 1, got ")
           << kernel;
  int64_t channels = mergeDims({x[2], w[0]});
  int64_t window =
      ShapedType::isStatic(kernel) ? kernel - 1 : ShapedType::kDynamic;
  // One state per sequence: the batch, or the packed sequences.
  FailureOr<int64_t> states = verifySeqStarts(op, seqStartsType, x[0]);
  if (failed(states))
    return failure();
  if ((biasType &&
       failed(verifyDimsMatch(op, "input", channels, "bias",
                              biasType.getDimSize(0), "channel counts"))) ||
      (initType && failed(verifyShape(op, "init", initType,
                                      {*states, channels, window}))) ||
      failed(verifyShape(op, "output", outputType, {x[0], x[1], channels})) ||
      (finalType && failed(verifyShape(op, "final_state", finalType,
                                       {*states, channels, window}))))
    return failure();

  // Attributes.
  return verifyEnumIn<Activation>(op, "activation", getActivationAttr(),
                                  {Activation::None, Activation::Silu});
}

//===----------------------------------------------------------------------===//
// Pool2dOp
//===----------------------------------------------------------------------===//

LogicalResult Pool2dOp::verify() {
  Operation *op = getOperation();
  RankedTensorType inputType = getInput().getType();
  RankedTensorType outputType = getOutput().getType();
  if (failed(verifyRank(op, "input", inputType, 4)) ||
      failed(verifyRank(op, "output", outputType, 4)) ||
      failed(verifyFloatElementType(op, "input", inputType)) ||
      failed(verifySameType(op, "input", inputType, "output", outputType)))
    return failure();

  // Same padding with stride 1 needs a centred, odd window.
  int64_t kernel = getKernelAttr().getInt();
  if (kernel < 1 || kernel % 2 == 0)
    return emitOpError("expected kernel to be positive and odd, got ")
           << kernel;
  return success();
}
