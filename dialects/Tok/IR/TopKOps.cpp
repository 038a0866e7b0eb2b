//===- TopKOps.cpp - Verifier of the selection op -------------------------===//
//
// Part of the Tokamak project.
//
// tok.topk checks, in this order: ranks, element types, the dims named by
// attributes (`dim`, `group_dim`), the dims of every operand and result,
// then the remaining attribute ranges.
//
//===----------------------------------------------------------------------===//

#include "dialects/Tok/IR/TokOps.h"
#include "dialects/Tok/IR/Verification.h"

using namespace mlir;
using namespace mlir::tok;

/// `expected <name> to be in [0, <rank>), got <value>`.
static LogicalResult verifyDimIndex(Operation *op, StringRef name,
                                    int64_t value, int64_t rank) {
  if (value >= 0 && value < rank)
    return success();
  return op->emitOpError("expected ")
         << name << " to be in [0, " << rank << "), got " << value;
}

LogicalResult TopKOp::verify() {
  Operation *op = getOperation();
  RankedTensorType inputType = getInput().getType();
  RankedTensorType budgetType = getBudget() ? getBudget().getType() : nullptr;
  auto valuesType = cast<RankedTensorType>(getValues().getType());
  auto indicesType = cast<RankedTensorType>(getIndices().getType());
  auto countType =
      getCount() ? cast<RankedTensorType>(getCount().getType()) : nullptr;

  // Ranks.
  int64_t rank = inputType.getRank();
  if (failed(verifyRankAtLeast(op, "input", inputType, 1)) ||
      failed(verifySameRank(op, "values", valuesType, "input", inputType)) ||
      failed(verifySameRank(op, "indices", indicesType, "input", inputType)) ||
      (budgetType && failed(verifyRank(op, "budget", budgetType, rank - 1))) ||
      (countType && failed(verifyRank(op, "count", countType, rank - 1))))
    return failure();

  // Element types.
  Type i32 = IntegerType::get(getContext(), 32);
  Type indexElem = indicesType.getElementType();
  if (failed(verifyFloatElementType(op, "input", inputType)) ||
      failed(
          verifySameElementType(op, "input", inputType, "values", valuesType)))
    return failure();
  if (!indexElem.isInteger(32) && !indexElem.isInteger(64))
    return emitOpError("expected indices element type i32 or i64, got ")
           << indexElem;
  if ((budgetType &&
       failed(verifyElementType(op, "budget", budgetType, i32))) ||
      (countType && failed(verifyElementType(op, "count", countType, i32))))
    return failure();

  // The dims the attributes name.
  int64_t dim = getSelectedDim();
  if (failed(verifyDimIndex(op, "dim", dim, rank)))
    return failure();
  std::optional<int64_t> group = getGroup();
  if (!group && getGroupDim())
    return emitOpError("expected group_dim only with group");
  int64_t groupDim = getGroupedDim();
  if (group) {
    if (*group < 1)
      return emitOpError("expected group to be at least 1, got ") << *group;
    if (failed(verifyDimIndex(op, "group_dim", groupDim, rank)))
      return failure();
    if (groupDim == dim)
      return emitOpError("expected group_dim and dim to differ, got ")
             << groupDim << " and " << dim;
  }

  // Dims: results are the input with `dim` -> k and `group_dim` -> / G;
  // budget and count are the results without `dim`.
  int64_t k = getK();
  if (k < 0)
    return emitOpError("expected k to be at least 0, got ") << k;
  SmallVector<int64_t> expected(inputType.getShape());
  expected[dim] = k;
  if (group) {
    int64_t heads = inputType.getDimSize(groupDim);
    if (ShapedType::isStatic(heads) && heads % *group != 0)
      return emitOpError("expected input dim ")
             << groupDim << " to be a multiple of group " << *group << ", got "
             << heads;
    expected[groupDim] =
        ShapedType::isStatic(heads) ? heads / *group : ShapedType::kDynamic;
  }
  SmallVector<int64_t> rows(expected);
  rows.erase(rows.begin() + dim);
  if (failed(verifyShape(op, "values", valuesType, expected)) ||
      failed(verifyShape(op, "indices", indicesType, expected)) ||
      (budgetType && failed(verifyShape(op, "budget", budgetType, rows))) ||
      (countType && failed(verifyShape(op, "count", countType, rows))))
    return failure();

  // Attribute ranges.
  if (std::optional<APFloat> mass = getMass()) {
    double p = mass->convertToDouble();
    if (!(p > 0.0 && p <= 1.0))
      return emitOpError("expected mass to be in (0, 1], got ") << p;
    if (getSmallest())
      return emitOpError("expected mass without smallest");
  }
  return success();
}
