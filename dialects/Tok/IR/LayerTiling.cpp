//===- LayerTiling.cpp - TilingInterface rules of the layer ops -----------===//
//
// Part of the Tokamak project. TilingInterface rules of the layer ops (see
// TilingInterfaceImpl.cpp for what every op's domain holds).
//
//===----------------------------------------------------------------------===//

#include "dialects/Tok/IR/TilingInterfaceImpl.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::tok;

namespace mlir::tok::tiling {
//--- linear: x [..., K], W [N, K], b [N] -> [..., N] ------------------------//
template <> struct TileRules<LinearOp> : NoFixup {
  static int64_t rank(LinearOp op) { return op.getInput().getType().getRank(); }
  static Sizes domain(LinearOp op, OpBuilder &b) {
    Location loc = op.getLoc();
    Sizes sizes = sizesOf(b, loc, op.getInput());
    sizes.back() = dimOf(b, loc, op.getWeight(), 0);
    return sizes;
  }
  static Sizes resultShape(LinearOp op, OpBuilder &b, unsigned) {
    return domain(op, b);
  }
  static SmallVector<int64_t> resultDims(LinearOp op, unsigned) {
    return leadingDims(rank(op));
  }
  static FailureOr<SmallVector<Value>>
  sliceOperands(LinearOp op, OpBuilder &b, ArrayRef<OpFoldResult> offsets,
                ArrayRef<OpFoldResult> sizes,
                SmallVectorImpl<Operation *> &slices) {
    Location loc = op.getLoc();
    int64_t n = rank(op) - 1;
    SmallVector<Value> operands = {
        sliceAlong(b, loc, op.getInput(), leadingDims(n, {-1}), offsets, sizes,
                   slices),
        sliceAlong(b, loc, op.getWeight(), {n, -1}, offsets, sizes, slices)};
    if (Value bias = op.getBias())
      operands.push_back(sliceAlong(b, loc, bias, {n}, offsets, sizes, slices));
    return operands;
  }
};

//--- rms_norm / layer_norm / glu: every dim but the last --------------------//
template <typename OpTy> struct LastDimWholeRules : NoFixup {
  static int64_t rank(OpTy op) { return op.getInput().getType().getRank(); }
  static Sizes domain(OpTy op, OpBuilder &b) {
    Sizes sizes = sizesOf(b, op.getLoc(), op.getInput());
    sizes.pop_back();
    return sizes;
  }
  static Sizes resultShape(OpTy op, OpBuilder &b, unsigned) {
    return sizesOf(b, op.getLoc(), op.getInput());
  }
  static SmallVector<int64_t> resultDims(OpTy op, unsigned) {
    return leadingDims(rank(op) - 1);
  }
  static FailureOr<SmallVector<Value>>
  sliceOperands(OpTy op, OpBuilder &b, ArrayRef<OpFoldResult> offsets,
                ArrayRef<OpFoldResult> sizes,
                SmallVectorImpl<Operation *> &slices) {
    SmallVector<Value> operands = llvm::to_vector(op->getOperands());
    operands[0] =
        sliceAlong(b, op.getLoc(), op.getInput(),
                   leadingDims(rank(op) - 1, {-1}), offsets, sizes, slices);
    return operands;
  }
};
template <> struct TileRules<RmsNormOp> : LastDimWholeRules<RmsNormOp> {};
template <> struct TileRules<LayerNormOp> : LastDimWholeRules<LayerNormOp> {};
template <> struct TileRules<GluOp> : LastDimWholeRules<GluOp> {
  static Sizes resultShape(GluOp op, OpBuilder &b, unsigned) {
    Location loc = op.getLoc();
    Sizes sizes = domain(op, b);
    OpFoldResult last = dimOf(b, loc, op.getInput(), rank(op) - 1);
    sizes.push_back(divBy(b, loc, last, 2));
    return sizes;
  }
};

//--- activation: elementwise -----------------------------------------------//
template <> struct TileRules<ActivationOp> : NoFixup {
  static int64_t rank(ActivationOp op) {
    return op.getInput().getType().getRank();
  }
  static Sizes domain(ActivationOp op, OpBuilder &b) {
    return sizesOf(b, op.getLoc(), op.getInput());
  }
  static Sizes resultShape(ActivationOp op, OpBuilder &b, unsigned) {
    return domain(op, b);
  }
  static SmallVector<int64_t> resultDims(ActivationOp op, unsigned) {
    return leadingDims(rank(op));
  }
  static FailureOr<SmallVector<Value>>
  sliceOperands(ActivationOp op, OpBuilder &b, ArrayRef<OpFoldResult> offsets,
                ArrayRef<OpFoldResult> sizes,
                SmallVectorImpl<Operation *> &slices) {
    return SmallVector<Value>{sliceAlong(b, op.getLoc(), op.getInput(),
                                         leadingDims(rank(op)), offsets, sizes,
                                         slices)};
  }
};

//--- embedding: ids [...], table [V, E] -> [..., E] -------------------------//
template <> struct TileRules<EmbeddingOp> : NoFixup {
  static int64_t rank(EmbeddingOp op) {
    return op.getIds().getType().getRank() + 1;
  }
  static Sizes domain(EmbeddingOp op, OpBuilder &b) {
    Sizes sizes = sizesOf(b, op.getLoc(), op.getIds());
    sizes.push_back(dimOf(b, op.getLoc(), op.getTable(), 1));
    return sizes;
  }
  static Sizes resultShape(EmbeddingOp op, OpBuilder &b, unsigned) {
    return domain(op, b);
  }
  static SmallVector<int64_t> resultDims(EmbeddingOp op, unsigned) {
    return leadingDims(rank(op));
  }
  static FailureOr<SmallVector<Value>>
  sliceOperands(EmbeddingOp op, OpBuilder &b, ArrayRef<OpFoldResult> offsets,
                ArrayRef<OpFoldResult> sizes,
                SmallVectorImpl<Operation *> &slices) {
    Location loc = op.getLoc();
    int64_t n = rank(op) - 1;
    return SmallVector<Value>{
        sliceAlong(b, loc, op.getIds(), leadingDims(n), offsets, sizes, slices),
        sliceAlong(b, loc, op.getTable(), {-1, n}, offsets, sizes, slices)};
  }
};

//--- rope: x [B, H, S, D], pos [B, S] ---------------------------------------//
template <> struct TileRules<RopeOp> : NoFixup {
  static Sizes domain(RopeOp op, OpBuilder &b) {
    Sizes sizes = sizesOf(b, op.getLoc(), op.getInput());
    sizes.pop_back();
    return sizes;
  }
  static Sizes resultShape(RopeOp op, OpBuilder &b, unsigned) {
    return sizesOf(b, op.getLoc(), op.getInput());
  }
  static SmallVector<int64_t> resultDims(RopeOp, unsigned) { return {0, 1, 2}; }
  static FailureOr<SmallVector<Value>>
  sliceOperands(RopeOp op, OpBuilder &b, ArrayRef<OpFoldResult> offsets,
                ArrayRef<OpFoldResult> sizes,
                SmallVectorImpl<Operation *> &slices) {
    Location loc = op.getLoc();
    return SmallVector<Value>{
        sliceAlong(b, loc, op.getInput(), {0, 1, 2, -1}, offsets, sizes,
                   slices),
        sliceAlong(b, loc, op.getPositions(), {0, 2}, offsets, sizes, slices)};
  }
};

} // namespace mlir::tok::tiling

namespace mlir::tok {
TOK_COMPUTE_OP_INTERFACES(LinearOp)
TOK_COMPUTE_OP_INTERFACES(RmsNormOp)
TOK_COMPUTE_OP_INTERFACES(LayerNormOp)
TOK_COMPUTE_OP_INTERFACES(GluOp)
TOK_COMPUTE_OP_INTERFACES(ActivationOp)
TOK_COMPUTE_OP_INTERFACES(EmbeddingOp)
TOK_COMPUTE_OP_INTERFACES(RopeOp)
} // namespace mlir::tok
