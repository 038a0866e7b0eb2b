//===- ScanTiling.cpp - TilingInterface rules of scans and mixers ---------===//
//
// Part of the Tokamak project. TilingInterface rules of the scans and mixers
// (see TilingInterfaceImpl.cpp for what every op's domain holds).
//
//===----------------------------------------------------------------------===//

#include "dialects/Tok/IR/TilingInterfaceImpl.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::tok;

namespace mlir::tok::tiling {

/// Dim 0 of a per-sequence state: the batch, or with `seq_starts` the number
/// of packed sequences.
static OpFoldResult stateCount(OpBuilder &b, Location loc, Value batchSource,
                               Value seqStarts) {
  if (!seqStarts)
    return dimOf(b, loc, batchSource, 0);
  AffineExpr d0 = b.getAffineDimExpr(0);
  return affine::makeComposedFoldedAffineApply(b, loc, d0 - 1,
                                               {dimOf(b, loc, seqStarts, 0)});
}

/// Packed ops are not tiled: their states follow the sequences, not the
/// batch. tok-decompose-packed-scans turns them into per-sequence ops first.
static LogicalResult refusePacked(Operation *op, Value seqStarts) {
  if (!seqStarts)
    return success();
  op->emitWarning("cannot tile a packed (seq_starts) op; run "
                  "tok-decompose-packed-scans first");
  return failure();
}

//--- pool2d: [B, H, W, C] tiled over B and C --------------------------------//
template <> struct TileRules<Pool2dOp> : NoFixup {
  static Sizes domain(Pool2dOp op, OpBuilder &b) {
    Location loc = op.getLoc();
    return {dimOf(b, loc, op.getInput(), 0), dimOf(b, loc, op.getInput(), 3)};
  }
  static Sizes resultShape(Pool2dOp op, OpBuilder &b, unsigned) {
    return sizesOf(b, op.getLoc(), op.getInput());
  }
  static SmallVector<int64_t> resultDims(Pool2dOp, unsigned) { return {0, 3}; }
  static FailureOr<SmallVector<Value>>
  sliceOperands(Pool2dOp op, OpBuilder &b, ArrayRef<OpFoldResult> offsets,
                ArrayRef<OpFoldResult> sizes,
                SmallVectorImpl<Operation *> &slices) {
    return SmallVector<Value>{sliceAlong(
        b, op.getLoc(), op.getInput(), {0, -1, -1, 1}, offsets, sizes, slices)};
  }
};

//--- conv1d: x [B, L, C], w [C, K], b [C], init [B, C, K-1] -----------------//
template <> struct TileRules<Conv1dOp> : NoFixup {
  static Sizes domain(Conv1dOp op, OpBuilder &b) {
    Location loc = op.getLoc();
    return {dimOf(b, loc, op.getInput(), 0), dimOf(b, loc, op.getInput(), 2)};
  }
  static Sizes resultShape(Conv1dOp op, OpBuilder &b, unsigned r) {
    Location loc = op.getLoc();
    if (r == 0)
      return sizesOf(b, loc, op.getInput());
    AffineExpr d0 = b.getAffineDimExpr(0);
    return {stateCount(b, loc, op.getInput(), op.getSeqStarts()),
            dimOf(b, loc, op.getInput(), 2),
            affine::makeComposedFoldedAffineApply(
                b, loc, d0 - 1, {dimOf(b, loc, op.getWeight(), 1)})};
  }
  static SmallVector<int64_t> resultDims(Conv1dOp, unsigned r) {
    return r == 0 ? SmallVector<int64_t>{0, 2} : SmallVector<int64_t>{0, 1};
  }
  static FailureOr<SmallVector<Value>>
  sliceOperands(Conv1dOp op, OpBuilder &b, ArrayRef<OpFoldResult> offsets,
                ArrayRef<OpFoldResult> sizes,
                SmallVectorImpl<Operation *> &slices) {
    if (failed(refusePacked(op, op.getSeqStarts())))
      return failure();
    Location loc = op.getLoc();
    SmallVector<Value> operands = {
        sliceAlong(b, loc, op.getInput(), {0, -1, 1}, offsets, sizes, slices),
        sliceAlong(b, loc, op.getWeight(), {1, -1}, offsets, sizes, slices)};
    if (Value bias = op.getBias())
      operands.push_back(sliceAlong(b, loc, bias, {1}, offsets, sizes, slices));
    if (Value init = op.getInit())
      operands.push_back(
          sliceAlong(b, loc, init, {0, 1, -1}, offsets, sizes, slices));
    return operands;
  }
};

//--- selective_scan: tiled over B and Dm ------------------------------------//
template <> struct TileRules<SelectiveScanOp> : NoFixup {
  static Sizes domain(SelectiveScanOp op, OpBuilder &b) {
    Location loc = op.getLoc();
    return {dimOf(b, loc, op.getX(), 0), dimOf(b, loc, op.getX(), 2)};
  }
  static Sizes resultShape(SelectiveScanOp op, OpBuilder &b, unsigned r) {
    Location loc = op.getLoc();
    if (r == 0)
      return sizesOf(b, loc, op.getX());
    return {stateCount(b, loc, op.getX(), op.getSeqStarts()),
            dimOf(b, loc, op.getX(), 2), dimOf(b, loc, op.getA(), 1)};
  }
  static SmallVector<int64_t> resultDims(SelectiveScanOp, unsigned r) {
    return r == 0 ? SmallVector<int64_t>{0, 2} : SmallVector<int64_t>{0, 1};
  }
  static FailureOr<SmallVector<Value>>
  sliceOperands(SelectiveScanOp op, OpBuilder &b,
                ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes,
                SmallVectorImpl<Operation *> &slices) {
    if (failed(refusePacked(op, op.getSeqStarts())))
      return failure();
    Location loc = op.getLoc();
    // Groups of B and C: channel d uses group d / (Dm / G).
    int64_t groups = op.getB().getType().getDimSize(2);
    int64_t channels = op.getX().getType().getDimSize(2);
    OpFoldResult groupOffset = zero(b), groupSize = b.getIndexAttr(1);
    if (groups != 1) {
      if (ShapedType::isDynamic(groups) || ShapedType::isDynamic(channels)) {
        op.emitWarning("cannot tile channels with a dynamic group count or "
                       "channel count");
        return failure();
      }
      int64_t perGroup = channels / groups;
      std::optional<int64_t> size = getConstantIntValue(sizes[1]);
      if (isKnownMultipleOf(offsets[1], perGroup) &&
          isKnownMultipleOf(sizes[1], perGroup)) {
        // Whole groups.
        groupOffset = divBy(b, loc, offsets[1], perGroup);
        groupSize = divBy(b, loc, sizes[1], perGroup);
      } else if (size && perGroup % *size == 0 &&
                 isKnownMultipleOf(offsets[1], *size)) {
        // Inside one group.
        groupOffset = divBy(b, loc, offsets[1], perGroup);
      } else {
        op.emitWarning("cannot tile channels: a tile must cover whole groups "
                       "of ")
            << perGroup << " channels or stay inside one";
        return failure();
      }
    }
    auto sliceGroups = [&](Value v) {
      Sizes o = {offsets[0], zero(b), groupOffset, zero(b)};
      Sizes s = {sizes[0], dimOf(b, loc, v, 1),
                 groups == 1 ? dimOf(b, loc, v, 2) : groupSize,
                 dimOf(b, loc, v, 3)};
      return sliceOf(b, loc, v, o, s, slices);
    };
    SmallVector<int64_t> seqDims = {0, -1, 1};
    SmallVector<Value> operands = {
        sliceAlong(b, loc, op.getX(), seqDims, offsets, sizes, slices),
        sliceAlong(b, loc, op.getDt(), seqDims, offsets, sizes, slices),
        sliceAlong(b, loc, op.getA(), {1, -1}, offsets, sizes, slices),
        sliceGroups(op.getB()), sliceGroups(op.getC())};
    for (Value v :
         {sliceAlongIf(b, loc, op.getD(), {1}, offsets, sizes, slices),
          sliceAlongIf(b, loc, op.getZ(), seqDims, offsets, sizes, slices),
          sliceAlongIf(b, loc, op.getDtBias(), {1}, offsets, sizes, slices),
          sliceAlongIf(b, loc, op.getInit(), {0, 1, -1}, offsets, sizes,
                       slices)})
      if (v)
        operands.push_back(v);
    return operands;
  }
};

//--- linear_scan: tiled over B, H and Dv ------------------------------------//
// Every column of the state (a value channel) evolves on its own under both
// updates: (v_t − S'ᵀk_t) is computed per column.
template <> struct TileRules<LinearScanOp> : NoFixup {
  static Sizes domain(LinearScanOp op, OpBuilder &b) {
    Location loc = op.getLoc();
    return {dimOf(b, loc, op.getQuery(), 0), dimOf(b, loc, op.getQuery(), 1),
            dimOf(b, loc, op.getValue(), 3)};
  }
  static Sizes resultShape(LinearScanOp op, OpBuilder &b, unsigned r) {
    Location loc = op.getLoc();
    if (r == 0)
      return sizesOf(b, loc, op.getValue());
    return {stateCount(b, loc, op.getQuery(), op.getSeqStarts()),
            dimOf(b, loc, op.getQuery(), 1), dimOf(b, loc, op.getKey(), 3),
            dimOf(b, loc, op.getValue(), 3)};
  }
  static SmallVector<int64_t> resultDims(LinearScanOp, unsigned r) {
    return r == 0 ? SmallVector<int64_t>{0, 1, 3}
                  : SmallVector<int64_t>{0, 1, 3};
  }
  static FailureOr<SmallVector<Value>>
  sliceOperands(LinearScanOp op, OpBuilder &b, ArrayRef<OpFoldResult> offsets,
                ArrayRef<OpFoldResult> sizes,
                SmallVectorImpl<Operation *> &slices) {
    if (failed(refusePacked(op, op.getSeqStarts())))
      return failure();
    Location loc = op.getLoc();
    SmallVector<int64_t> headDims = {0, 1, -1, -1};
    SmallVector<Value> operands = {
        sliceAlong(b, loc, op.getQuery(), headDims, offsets, sizes, slices),
        sliceAlong(b, loc, op.getKey(), headDims, offsets, sizes, slices),
        sliceAlong(b, loc, op.getValue(), {0, 1, -1, 2}, offsets, sizes,
                   slices)};
    if (Value decay = op.getDecay()) {
      SmallVector<int64_t> dims(
          headDims.begin(),
          headDims.begin() + cast<RankedTensorType>(decay.getType()).getRank());
      operands.push_back(
          sliceAlong(b, loc, decay, dims, offsets, sizes, slices));
    }
    if (Value beta = op.getBeta())
      operands.push_back(
          sliceAlong(b, loc, beta, {0, 1, -1}, offsets, sizes, slices));
    if (Value init = op.getInit())
      operands.push_back(
          sliceAlong(b, loc, init, {0, 1, -1, 2}, offsets, sizes, slices));
    return operands;
  }
};

//--- assoc_scan: every dim but the scanned one ------------------------------//
template <> struct TileRules<AssocScanOp> : NoFixup {
  static int64_t rank(AssocScanOp op) {
    return cast<RankedTensorType>(op.getInputs()[0].getType()).getRank();
  }
  static SmallVector<int64_t> domainOfDims(AssocScanOp op) {
    SmallVector<int64_t> dims;
    int64_t next = 0;
    for (int64_t i = 0; i < rank(op); ++i)
      dims.push_back(i == static_cast<int64_t>(op.getDim()) ? -1 : next++);
    return dims;
  }
  static Sizes domain(AssocScanOp op, OpBuilder &b) {
    Sizes sizes = sizesOf(b, op.getLoc(), op.getInputs()[0]);
    sizes.erase(sizes.begin() + op.getDim());
    return sizes;
  }
  static Sizes resultShape(AssocScanOp op, OpBuilder &b, unsigned r) {
    return sizesOf(b, op.getLoc(), op.getInputs()[r]);
  }
  static SmallVector<int64_t> resultDims(AssocScanOp op, unsigned) {
    SmallVector<int64_t> dims;
    for (int64_t i = 0; i < rank(op); ++i)
      if (i != static_cast<int64_t>(op.getDim()))
        dims.push_back(i);
    return dims;
  }
  static FailureOr<SmallVector<Value>>
  sliceOperands(AssocScanOp op, OpBuilder &b, ArrayRef<OpFoldResult> offsets,
                ArrayRef<OpFoldResult> sizes,
                SmallVectorImpl<Operation *> &slices) {
    SmallVector<Value> operands;
    for (Value input : op.getInputs())
      operands.push_back(sliceAlong(b, op.getLoc(), input, domainOfDims(op),
                                    offsets, sizes, slices));
    return operands;
  }
};

} // namespace mlir::tok::tiling

namespace mlir::tok {
TOK_COMPUTE_OP_INTERFACES(Pool2dOp)
TOK_COMPUTE_OP_INTERFACES(Conv1dOp)
TOK_COMPUTE_OP_INTERFACES(SelectiveScanOp)
TOK_COMPUTE_OP_INTERFACES(LinearScanOp)
TOK_COMPUTE_OP_INTERFACES(AssocScanOp)
} // namespace mlir::tok
