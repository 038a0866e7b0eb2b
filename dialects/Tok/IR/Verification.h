//===- Verification.h - Shared helpers of the tok verifiers -----*- C++ -*-===//
//
// Part of the Tokamak project.
//
// Small checks shared by the verifiers of the tok ops. Each one emits an op
// error that names the operand (or attribute) and the offending values, in
// the house style (lower-case, no trailing period), and returns failure; a
// dynamic dim (`?`) always passes a check that needs its value.
//
// The verifiers call them in a fixed order so that the first diagnostic is the
// most fundamental one: ranks first, then element types, then dims, then
// attribute ranges.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_DIALECT_TOK_IR_VERIFICATION_H
#define TOKAMAK_DIALECT_TOK_IR_VERIFICATION_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "mlir/Support/LLVM.h"

#include <optional>
#include <string>

namespace mlir::tok {

//===----------------------------------------------------------------------===//
// Predicates and formatting
//===----------------------------------------------------------------------===//

/// True for the element types tok ops compute on: f32, f16 and bf16.
bool isTokFloat(Type type);

/// Formats a shape as `[1, 8, ?, 64]` (`?` for a dynamic dim).
std::string formatShape(ArrayRef<int64_t> shape);

/// True when both dims are static and differ.
bool dimsConflict(int64_t lhs, int64_t rhs);

/// The first static dim of `dims`, or dynamic when all are dynamic: the best
/// known value of a dim that several operands share.
int64_t mergeDims(ArrayRef<int64_t> dims);

//===----------------------------------------------------------------------===//
// Ranks
//===----------------------------------------------------------------------===//

/// `expected <name> rank <rank>, got <actual>`.
LogicalResult verifyRank(Operation *op, StringRef name, Type type,
                         int64_t rank);

/// `expected <name> rank at least <minRank>, got <actual>`.
LogicalResult verifyRankAtLeast(Operation *op, StringRef name, Type type,
                                int64_t minRank);

/// `expected <name> rank at most <maxRank>, got <actual>`.
LogicalResult verifyRankAtMost(Operation *op, StringRef name, Type type,
                               int64_t maxRank);

/// `expected <name> rank <rank> (the rank of <refName>), got <actual>`.
LogicalResult verifySameRank(Operation *op, StringRef name, Type type,
                             StringRef refName, Type refType);

//===----------------------------------------------------------------------===//
// Element types
//===----------------------------------------------------------------------===//

/// `expected <name> element type f32, f16 or bf16, got <actual>`.
LogicalResult verifyFloatElementType(Operation *op, StringRef name, Type type);

/// `expected <name> element type <expected>, got <actual>` (e.g. i32 for
/// indices, f32 for log-sum-exps).
LogicalResult verifyElementType(Operation *op, StringRef name, Type type,
                                Type expected);

/// `expected <lhsName> and <rhsName> element types to match, got <lhs> and
/// <rhs>`.
LogicalResult verifySameElementType(Operation *op, StringRef lhsName,
                                    Type lhsType, StringRef rhsName,
                                    Type rhsType);

//===----------------------------------------------------------------------===//
// Dims, shapes and whole types
//===----------------------------------------------------------------------===//

/// `expected <lhsName> and <rhsName> <what> to match, got <lhs> and <rhs>`
/// when both dims are static and differ (`what` is e.g. `head dims`).
LogicalResult verifyDimsMatch(Operation *op, StringRef lhsName, int64_t lhs,
                              StringRef rhsName, int64_t rhs, StringRef what);

/// `expected <name> to be positive, got <size>` when `size` is a static 0
/// (kernels divide by and tile over head counts, block sizes and feature
/// counts; a dynamic one is checked at run time).
LogicalResult verifyPositiveDim(Operation *op, StringRef name, int64_t size);

/// `expected <name> shape <expected>, got <actual>` when the ranks differ or
/// any pair of static dims differs; a dynamic dim on either side matches.
LogicalResult verifyShape(Operation *op, StringRef name, Type type,
                          ArrayRef<int64_t> expected);

/// `expected <lhsName> and <rhsName> shapes to match, got <lhs> and <rhs>`
/// with the compatibility rule of verifyShape.
LogicalResult verifyCompatibleShapes(Operation *op, StringRef lhsName,
                                     Type lhsType, StringRef rhsName,
                                     Type rhsType);

/// `expected <lhsName> and <rhsName> types to match, got <lhs> and <rhs>`
/// (exact equality, dynamic dims included).
LogicalResult verifySameType(Operation *op, StringRef lhsName, Type lhsType,
                             StringRef rhsName, Type rhsType);

/// Checks the `seq_starts` operand of a packed op (`type` may be null: no
/// operand): rank 1, i32, batch size 1 (`expected batch size 1 with
/// seq_starts, got <batch>`) and at least two offsets. Returns the number
/// of sequences (the length minus one, or dynamic); without seq_starts,
/// `batch`, so that callers size per-sequence states with it either way.
FailureOr<int64_t> verifySeqStarts(Operation *op, RankedTensorType type,
                                   int64_t batch);

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

/// `expected <name> to be at least <min>, got <value>`; passes when absent.
LogicalResult verifyIntAtLeast(Operation *op, StringRef name, IntegerAttr attr,
                               int64_t min);

/// `expected <name> to be positive, got <value>` (a finite value > 0);
/// passes when absent.
LogicalResult verifyPositiveFloat(Operation *op, StringRef name,
                                  FloatAttr attr);

/// `expected <name> to be finite and nonzero, got <value>`; passes when
/// absent.
LogicalResult verifyFiniteNonzeroFloat(Operation *op, StringRef name,
                                       FloatAttr attr);

/// `expected <name> to be one of "a", "b", got "<value>"`; passes when
/// absent.
LogicalResult verifyStringIn(Operation *op, StringRef name, StringAttr attr,
                             ArrayRef<StringRef> allowed);

/// verifyStringIn with the spellings of the enum cases `allowed`
/// (TokEnums.td).
template <typename EnumT>
LogicalResult verifyEnumIn(Operation *op, StringRef name, StringAttr attr,
                           ArrayRef<EnumT> allowed) {
  SmallVector<StringRef> spelled;
  for (EnumT value : allowed)
    spelled.push_back(stringifyEnum(value));
  return verifyStringIn(op, name, attr, spelled);
}

//===----------------------------------------------------------------------===//
// Regions
//===----------------------------------------------------------------------===//

/// Checks that `block` of region `regionName` takes arguments of exactly the
/// `expected` types: `expected <region> block to have <n> arguments, got <m>`
/// or `expected <region> argument <i> type <expected>, got <actual>`.
LogicalResult verifyBlockArguments(Operation *op, StringRef regionName,
                                   Block &block, TypeRange expected);

/// Checks values yielded by the terminator of region `regionName`:
/// `expected <region> to yield <n> value(s), got <m>` or
/// `expected <region> yielded value <i> type <expected>, got <actual>`.
LogicalResult verifyYieldedTypes(Operation *op, StringRef regionName,
                                 TypeRange yielded, TypeRange expected);

//===----------------------------------------------------------------------===//
// Run-time shape checks
//===----------------------------------------------------------------------===//

/// Dim `dim` of a ranked tensor value, or the constant `dim` when `value` is
/// null.
struct DimRef {
  Value value;
  int64_t dim = 0;

  static DimRef of(Value value, int64_t dim) { return {value, dim}; }
  static DimRef constant(int64_t size) { return {Value(), size}; }
  /// The size when known statically, else ShapedType::kDynamic.
  int64_t getStaticSize() const;
};

/// A rule on sizes that a verifier checks when the sizes are static. When
/// one of them is dynamic, the compiled code checks the actual sizes before
/// it runs the function (tokamak-insert-runtime-checks) and fails with the
/// verifier's message.
struct RuntimeShapeCheck {
  enum class Kind : int64_t {
    Equal = 0,      ///< lhs == rhs
    Multiple = 1,   ///< rhs > 0 and lhs % rhs == 0
    AtLeast = 2,    ///< lhs >= rhs
    OneOrEqual = 3, ///< lhs == 1 or lhs == rhs
    Even = 4,       ///< lhs % 2 == 0 (rhs unused)
    /// lhs == rhs − 1: a per-sequence dim against the seq_starts length.
    SequenceCount = 5,
  };
  Kind kind;
  DimRef lhs, rhs;
  /// The verifier's whole message (`'tok.attention' op expected ...`) with a
  /// `%lld` where each of `values` goes; a literal percent sign is `%%`.
  std::string format;
  SmallVector<DimRef> values;
};

/// Appends the checks of the dim rules of a tok op that involve a dynamic
/// dim, in the order its verifier checks them (nothing for other ops).
void collectRuntimeShapeChecks(Operation *op,
                               SmallVectorImpl<RuntimeShapeCheck> &checks);

/// Where dim `dim` of a tok op's result comes from: a dim of an operand or a
/// constant; nullopt when the op computes it (e.g. half of the input's for
/// tok.glu) or for other ops.
std::optional<DimRef> getResultDimSource(OpResult result, int64_t dim);

} // namespace mlir::tok

#endif // TOKAMAK_DIALECT_TOK_IR_VERIFICATION_H
