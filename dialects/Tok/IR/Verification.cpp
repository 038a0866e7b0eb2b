//===- Verification.cpp - Shared helpers of the tok verifiers -------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "dialects/Tok/IR/Verification.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using namespace mlir::tok;

//===----------------------------------------------------------------------===//
// Predicates and formatting
//===----------------------------------------------------------------------===//

bool mlir::tok::isTokFloat(Type type) {
  return type.isF32() || type.isF16() || type.isBF16();
}

std::string mlir::tok::formatShape(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << '[';
  llvm::interleaveComma(shape, os, [&](int64_t dim) {
    if (ShapedType::isDynamic(dim))
      os << '?';
    else
      os << dim;
  });
  os << ']';
  return text;
}

bool mlir::tok::dimsConflict(int64_t lhs, int64_t rhs) {
  return ShapedType::isStatic(lhs) && ShapedType::isStatic(rhs) && lhs != rhs;
}

int64_t mlir::tok::mergeDims(ArrayRef<int64_t> dims) {
  for (int64_t dim : dims)
    if (ShapedType::isStatic(dim))
      return dim;
  return ShapedType::kDynamic;
}

/// The rank of a ranked tensor (the ODS constraints guarantee one).
static int64_t rankOf(Type type) { return cast<ShapedType>(type).getRank(); }

static Type elementTypeOf(Type type) {
  return cast<ShapedType>(type).getElementType();
}

//===----------------------------------------------------------------------===//
// Ranks
//===----------------------------------------------------------------------===//

LogicalResult mlir::tok::verifyRank(Operation *op, StringRef name, Type type,
                                    int64_t rank) {
  if (rankOf(type) == rank)
    return success();
  return op->emitOpError("expected ")
         << name << " rank " << rank << ", got " << rankOf(type);
}

LogicalResult mlir::tok::verifyRankAtLeast(Operation *op, StringRef name,
                                           Type type, int64_t minRank) {
  if (rankOf(type) >= minRank)
    return success();
  return op->emitOpError("expected ")
         << name << " rank at least " << minRank << ", got " << rankOf(type);
}

LogicalResult mlir::tok::verifyRankAtMost(Operation *op, StringRef name,
                                          Type type, int64_t maxRank) {
  if (rankOf(type) <= maxRank)
    return success();
  return op->emitOpError("expected ")
         << name << " rank at most " << maxRank << ", got " << rankOf(type);
}

LogicalResult mlir::tok::verifySameRank(Operation *op, StringRef name,
                                        Type type, StringRef refName,
                                        Type refType) {
  if (rankOf(type) == rankOf(refType))
    return success();
  return op->emitOpError("expected ")
         << name << " rank " << rankOf(refType) << " (the rank of " << refName
         << "), got " << rankOf(type);
}

//===----------------------------------------------------------------------===//
// Element types
//===----------------------------------------------------------------------===//

LogicalResult mlir::tok::verifyFloatElementType(Operation *op, StringRef name,
                                                Type type) {
  Type elementType = elementTypeOf(type);
  if (isTokFloat(elementType))
    return success();
  return op->emitOpError("expected ")
         << name << " element type f32, f16 or bf16, got " << elementType;
}

LogicalResult mlir::tok::verifyElementType(Operation *op, StringRef name,
                                           Type type, Type expected) {
  Type elementType = elementTypeOf(type);
  if (elementType == expected)
    return success();
  return op->emitOpError("expected ")
         << name << " element type " << expected << ", got " << elementType;
}

LogicalResult mlir::tok::verifySameElementType(Operation *op, StringRef lhsName,
                                               Type lhsType, StringRef rhsName,
                                               Type rhsType) {
  Type lhs = elementTypeOf(lhsType);
  Type rhs = elementTypeOf(rhsType);
  if (lhs == rhs)
    return success();
  return op->emitOpError("expected ")
         << lhsName << " and " << rhsName << " element types to match, got "
         << lhs << " and " << rhs;
}

//===----------------------------------------------------------------------===//
// Dims, shapes and whole types
//===----------------------------------------------------------------------===//

LogicalResult mlir::tok::verifyDimsMatch(Operation *op, StringRef lhsName,
                                         int64_t lhs, StringRef rhsName,
                                         int64_t rhs, StringRef what) {
  if (!dimsConflict(lhs, rhs))
    return success();
  return op->emitOpError("expected ")
         << lhsName << " and " << rhsName << " " << what << " to match, got "
         << lhs << " and " << rhs;
}

LogicalResult mlir::tok::verifyPositiveDim(Operation *op, StringRef name,
                                           int64_t size) {
  if (ShapedType::isDynamic(size) || size > 0)
    return success();
  return op->emitOpError("expected ")
         << name << " to be positive, got " << size;
}

/// True when the shapes have the same rank and no pair of static dims
/// differs.
static bool shapesCompatible(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs) {
  if (lhs.size() != rhs.size())
    return false;
  return llvm::none_of(llvm::zip_equal(lhs, rhs), [](auto dims) {
    return dimsConflict(std::get<0>(dims), std::get<1>(dims));
  });
}

LogicalResult mlir::tok::verifyShape(Operation *op, StringRef name, Type type,
                                     ArrayRef<int64_t> expected) {
  ArrayRef<int64_t> shape = cast<ShapedType>(type).getShape();
  if (shapesCompatible(shape, expected))
    return success();
  return op->emitOpError("expected ")
         << name << " shape " << formatShape(expected) << ", got "
         << formatShape(shape);
}

LogicalResult mlir::tok::verifyCompatibleShapes(Operation *op,
                                                StringRef lhsName, Type lhsType,
                                                StringRef rhsName,
                                                Type rhsType) {
  ArrayRef<int64_t> lhs = cast<ShapedType>(lhsType).getShape();
  ArrayRef<int64_t> rhs = cast<ShapedType>(rhsType).getShape();
  if (shapesCompatible(lhs, rhs))
    return success();
  return op->emitOpError("expected ")
         << lhsName << " and " << rhsName << " shapes to match, got "
         << formatShape(lhs) << " and " << formatShape(rhs);
}

LogicalResult mlir::tok::verifySameType(Operation *op, StringRef lhsName,
                                        Type lhsType, StringRef rhsName,
                                        Type rhsType) {
  if (lhsType == rhsType)
    return success();
  return op->emitOpError("expected ")
         << lhsName << " and " << rhsName << " types to match, got " << lhsType
         << " and " << rhsType;
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

LogicalResult mlir::tok::verifyIntAtLeast(Operation *op, StringRef name,
                                          IntegerAttr attr, int64_t min) {
  if (!attr || attr.getInt() >= min)
    return success();
  return op->emitOpError("expected ")
         << name << " to be at least " << min << ", got " << attr.getInt();
}

LogicalResult mlir::tok::verifyPositiveFloat(Operation *op, StringRef name,
                                             FloatAttr attr) {
  if (!attr)
    return success();
  double value = attr.getValueAsDouble();
  if (std::isfinite(value) && value > 0.0)
    return success();
  return op->emitOpError("expected ")
         << name << " to be positive, got " << value;
}

LogicalResult mlir::tok::verifyFiniteNonzeroFloat(Operation *op, StringRef name,
                                                  FloatAttr attr) {
  if (!attr)
    return success();
  double value = attr.getValueAsDouble();
  if (std::isfinite(value) && value != 0.0)
    return success();
  return op->emitOpError("expected ")
         << name << " to be finite and nonzero, got " << value;
}

LogicalResult mlir::tok::verifyStringIn(Operation *op, StringRef name,
                                        StringAttr attr,
                                        ArrayRef<StringRef> allowed) {
  if (!attr || llvm::is_contained(allowed, attr.getValue()))
    return success();
  InFlightDiagnostic diag = op->emitOpError("expected ")
                            << name << " to be one of ";
  llvm::interleave(
      allowed, [&](StringRef value) { diag << "\"" << value << "\""; },
      [&] { diag << ", "; });
  return diag << ", got \"" << attr.getValue() << "\"";
}

//===----------------------------------------------------------------------===//
// Regions
//===----------------------------------------------------------------------===//

LogicalResult mlir::tok::verifyBlockArguments(Operation *op,
                                              StringRef regionName,
                                              Block &block,
                                              TypeRange expected) {
  if (block.getNumArguments() != expected.size())
    return op->emitOpError("expected ")
           << regionName << " block to have " << expected.size()
           << " arguments, got " << block.getNumArguments();
  for (auto [index, argument, type] :
       llvm::enumerate(block.getArguments(), expected)) {
    if (argument.getType() != type)
      return op->emitOpError("expected ")
             << regionName << " argument " << index << " type " << type
             << ", got " << argument.getType();
  }
  return success();
}

LogicalResult mlir::tok::verifyYieldedTypes(Operation *op, StringRef regionName,
                                            TypeRange yielded,
                                            TypeRange expected) {
  if (yielded.size() != expected.size())
    return op->emitOpError("expected ")
           << regionName << " to yield " << expected.size()
           << (expected.size() == 1 ? " value" : " values") << ", got "
           << yielded.size();
  for (auto [index, actual, type] : llvm::enumerate(yielded, expected)) {
    if (actual != type)
      return op->emitOpError("expected ")
             << regionName << " yielded value " << index << " type " << type
             << ", got " << actual;
  }
  return success();
}

FailureOr<int64_t> mlir::tok::verifySeqStarts(Operation *op,
                                              RankedTensorType type,
                                              int64_t batch) {
  if (!type)
    return batch;
  if (failed(verifyRank(op, "seq_starts", type, 1)) ||
      failed(verifyElementType(op, "seq_starts", type,
                               IntegerType::get(op->getContext(), 32))))
    return failure();
  if (ShapedType::isStatic(batch) && batch != 1)
    return op->emitOpError("expected batch size 1 with seq_starts, got ")
           << batch;
  int64_t numStarts = type.getDimSize(0);
  if (ShapedType::isDynamic(numStarts))
    return ShapedType::kDynamic;
  if (numStarts < 2)
    return op->emitOpError("expected seq_starts length at least 2, got ")
           << numStarts;
  return numStarts - 1;
}
