//===- TopKTiling.cpp - TilingInterface rules of tok.topk -----------------===//
//
// Part of the Tokamak project. TilingInterface rules of the selection op
// (see TilingInterfaceImpl.cpp for what every op's domain holds): the
// domain is the rows, every result dim but the selected one (a selection
// needs its whole row). Along `group_dim` a tile of `s` result rows at
// offset `o` reads the input's `[o·G, (o + s)·G)`.
//
//===----------------------------------------------------------------------===//

#include "dialects/Tok/IR/TilingInterfaceImpl.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::tok;

namespace mlir::tok::tiling {

/// `value · factor`, folded when possible.
static OpFoldResult mulBy(OpBuilder &b, Location loc, OpFoldResult value,
                          int64_t factor) {
  if (factor == 1)
    return value;
  AffineExpr d0 = b.getAffineDimExpr(0);
  return affine::makeComposedFoldedAffineApply(b, loc, d0 * factor, {value});
}

template <> struct TileRules<TopKOp> : NoFixup {
  static int64_t rank(TopKOp op) { return op.getInput().getType().getRank(); }
  /// The input dim behind domain dim `j`.
  static int64_t inputDim(TopKOp op, int64_t j) {
    return j < op.getSelectedDim() ? j : j + 1;
  }
  static bool grouped(TopKOp op) { return op.getGroup().has_value(); }

  static Sizes domain(TopKOp op, OpBuilder &b) {
    Location loc = op.getLoc();
    Sizes sizes;
    for (int64_t i = 0, e = rank(op); i < e; ++i) {
      if (i == op.getSelectedDim())
        continue;
      OpFoldResult size = dimOf(b, loc, op.getInput(), i);
      if (grouped(op) && i == op.getGroupedDim())
        size = divBy(b, loc, size, op.getGroupSize());
      sizes.push_back(size);
    }
    return sizes;
  }
  static Sizes resultShape(TopKOp op, OpBuilder &b, unsigned r) {
    Sizes sizes = domain(op, b);
    if (r < 2)
      sizes.insert(sizes.begin() + op.getSelectedDim(),
                   b.getIndexAttr(op.getK()));
    return sizes;
  }
  static SmallVector<int64_t> resultDims(TopKOp op, unsigned r) {
    SmallVector<int64_t> dims;
    for (int64_t j = 0, e = rank(op) - 1; j < e; ++j)
      dims.push_back(r < 2 ? inputDim(op, j) : j);
    return dims;
  }
  static FailureOr<SmallVector<Value>>
  sliceOperands(TopKOp op, OpBuilder &b, ArrayRef<OpFoldResult> offsets,
                ArrayRef<OpFoldResult> sizes,
                SmallVectorImpl<Operation *> &slices) {
    Location loc = op.getLoc();
    Value input = op.getInput();
    Sizes inOffsets, inSizes;
    for (int64_t i = 0, j = 0, e = rank(op); i < e; ++i) {
      if (i == op.getSelectedDim()) {
        inOffsets.push_back(zero(b));
        inSizes.push_back(dimOf(b, loc, input, i));
        continue;
      }
      int64_t factor =
          grouped(op) && i == op.getGroupedDim() ? op.getGroupSize() : 1;
      inOffsets.push_back(mulBy(b, loc, offsets[j], factor));
      inSizes.push_back(mulBy(b, loc, sizes[j], factor));
      ++j;
    }
    SmallVector<Value> operands = {
        sliceOf(b, loc, input, inOffsets, inSizes, slices)};
    if (Value budget = op.getBudget())
      operands.push_back(sliceAlong(b, loc, budget, leadingDims(rank(op) - 1),
                                    offsets, sizes, slices));
    return operands;
  }
};

} // namespace mlir::tok::tiling

namespace mlir::tok {
TOK_COMPUTE_OP_INTERFACES(TopKOp)
} // namespace mlir::tok
