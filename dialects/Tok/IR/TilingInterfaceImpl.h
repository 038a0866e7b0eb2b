//===- TilingInterfaceImpl.h - TilingInterface for the tok ops --*- C++ -*-===//
//
// Part of the Tokamak project. Private to dialects/Tok/IR: the helpers and
// the generic interface model shared by the per-concept tiling files
// (LayerTiling.cpp, ScanTiling.cpp, AttentionTiling.cpp). Each op
// specializes `TileRules` and instantiates its interface methods (declared
// in ODS by Tok_ComputeOp) with TOK_COMPUTE_OP_INTERFACES; the rules are
// documented in TilingInterfaceImpl.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_DIALECT_TOK_IR_TILINGINTERFACEIMPL_H
#define TOKAMAK_DIALECT_TOK_IR_TILINGINTERFACEIMPL_H

#include "dialects/Tok/IR/TokOps.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/TilingInterface.h"

namespace mlir::tok::tiling {

using Sizes = SmallVector<OpFoldResult>;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

inline OpFoldResult zero(OpBuilder &b) { return b.getIndexAttr(0); }

/// The size of dim `dim` of `value`: an attribute when static; for a result
/// of an op that reifies its shapes, the size in terms of that op's operands
/// (through a few producers), so that a fused producer is not kept alive,
/// whole, by a `tensor.dim` of its result inside the tile loop.
OpFoldResult dimOf(OpBuilder &b, Location loc, Value value, int64_t dim);

/// `dimOf` for every dim of `value`.
SmallVector<OpFoldResult> sizesOf(OpBuilder &b, Location loc, Value value);

/// True when `ofr` is known to be a multiple of `factor`: constants, scf.for
/// and scf.forall induction variables whose lower bounds and steps are
/// multiples, affine.apply/min/max and arith muli/addi of such values.
bool isKnownMultipleOf(OpFoldResult ofr, int64_t factor, unsigned depth = 0);

/// [0, 1, ..., n-1] followed by `tail`.
SmallVector<int64_t> leadingDims(int64_t n, ArrayRef<int64_t> tail = {});

/// `lhs floordiv factor`, folded when possible.
OpFoldResult divBy(OpBuilder &b, Location loc, OpFoldResult lhs,
                   int64_t factor);

/// A tile of `value` at `offsets`/`sizes` (unit strides). Returns `value`
/// itself when the tile is statically the whole tensor; records the slice.
Value sliceOf(OpBuilder &b, Location loc, Value value,
              ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes,
              SmallVectorImpl<Operation *> &slices);

/// A tile of `value` whose dim `i` takes the domain's tile along
/// `domainDims[i]` (or stays whole when it is -1).
Value sliceAlong(OpBuilder &b, Location loc, Value value,
                 ArrayRef<int64_t> domainDims, ArrayRef<OpFoldResult> offsets,
                 ArrayRef<OpFoldResult> sizes,
                 SmallVectorImpl<Operation *> &slices);

/// `sliceAlong` for an optional operand.
Value sliceAlongIf(OpBuilder &b, Location loc, Value value,
                   ArrayRef<int64_t> domainDims, ArrayRef<OpFoldResult> offsets,
                   ArrayRef<OpFoldResult> sizes,
                   SmallVectorImpl<Operation *> &slices);

/// The range of kv heads read by query heads [offset, offset + size) when
/// `group` query heads share a kv head; fails unless both are provably
/// multiples of `group`.
FailureOr<std::pair<OpFoldResult, OpFoldResult>>
groupRange(OpBuilder &b, Location loc, Operation *op, OpFoldResult offset,
           OpFoldResult size, int64_t group, StringRef what);

//===----------------------------------------------------------------------===//
// Per-op rules
//===----------------------------------------------------------------------===//

/// What a tok op specializes: `domain` (the sizes of its iteration domain),
/// `resultShape` (the full shape of result `r`), `resultDims` (for result
/// `r`, the result dim that each domain dim maps to, or -1) and
/// `sliceOperands` (all operands of the tile, in order). `fixTile` adjusts
/// the cloned op (attention's score_mod indices).
template <typename OpTy> struct TileRules;

/// Default `fixTile`: nothing to adjust.
struct NoFixup {
  template <typename OpTy>
  static void fixTile(OpTy, Operation *, OpBuilder &, ArrayRef<OpFoldResult>) {}
};

//===----------------------------------------------------------------------===//
// The interface models, shared by every op
//===----------------------------------------------------------------------===//

template <typename OpTy> struct TokTilingModel {
  using Rules = TileRules<OpTy>;

  SmallVector<utils::IteratorType> getLoopIteratorTypes(Operation *op) const {
    return SmallVector<utils::IteratorType>(
        Rules::resultDims(cast<OpTy>(op), 0).size(),
        utils::IteratorType::parallel);
  }

  SmallVector<Range> getIterationDomain(Operation *op, OpBuilder &b) const {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(op);
    SmallVector<Range> ranges;
    for (OpFoldResult size : Rules::domain(cast<OpTy>(op), b))
      ranges.push_back(Range{zero(b), size, b.getIndexAttr(1)});
    return ranges;
  }

  LogicalResult
  getResultTilePosition(Operation *op, OpBuilder &b, unsigned resultNumber,
                        ArrayRef<OpFoldResult> offsets,
                        ArrayRef<OpFoldResult> sizes,
                        SmallVector<OpFoldResult> &resultOffsets,
                        SmallVector<OpFoldResult> &resultSizes) const {
    auto typed = cast<OpTy>(op);
    resultSizes = Rules::resultShape(typed, b, resultNumber);
    resultOffsets.assign(resultSizes.size(), zero(b));
    for (auto [d, r] :
         llvm::enumerate(Rules::resultDims(typed, resultNumber))) {
      if (r < 0)
        continue;
      resultOffsets[r] = offsets[d];
      resultSizes[r] = sizes[d];
    }
    return success();
  }

  FailureOr<TilingResult>
  getTiledImplementation(Operation *op, OpBuilder &b,
                         ArrayRef<OpFoldResult> offsets,
                         ArrayRef<OpFoldResult> sizes) const {
    auto typed = cast<OpTy>(op);
    TilingResult result;
    FailureOr<SmallVector<Value>> operands =
        Rules::sliceOperands(typed, b, offsets, sizes, result.generatedSlices);
    if (failed(operands))
      return failure();
    SmallVector<Type> resultTypes;
    for (OpResult res : op->getResults()) {
      SmallVector<OpFoldResult> resOffsets, resSizes;
      if (failed(getResultTilePosition(op, b, res.getResultNumber(), offsets,
                                       sizes, resOffsets, resSizes)))
        return failure();
      SmallVector<int64_t> shape;
      for (OpFoldResult s : resSizes)
        shape.push_back(getConstantIntValue(s).value_or(ShapedType::kDynamic));
      resultTypes.push_back(RankedTensorType::get(
          shape, cast<RankedTensorType>(res.getType()).getElementType()));
    }
    // Same attributes and regions; sliced operands, tile-sized results.
    Operation *tiled = b.clone(*op);
    tiled->setOperands(*operands);
    for (auto [res, type] : llvm::zip_equal(tiled->getResults(), resultTypes))
      res.setType(type);
    Rules::fixTile(typed, tiled, b, offsets);
    result.tiledOps.push_back(tiled);
    llvm::append_range(result.tiledValues, tiled->getResults());
    return result;
  }

  LogicalResult getIterationDomainTileFromResultTile(
      Operation *op, OpBuilder &b, unsigned resultNumber,
      ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes,
      SmallVectorImpl<OpFoldResult> &domainOffsets,
      SmallVectorImpl<OpFoldResult> &domainSizes) const {
    auto typed = cast<OpTy>(op);
    domainSizes = Rules::domain(typed, b);
    domainOffsets.assign(domainSizes.size(), zero(b));
    for (auto [d, r] :
         llvm::enumerate(Rules::resultDims(typed, resultNumber))) {
      if (r < 0)
        continue;
      domainOffsets[d] = offsets[r];
      domainSizes[d] = sizes[r];
    }
    return success();
  }

  FailureOr<TilingResult>
  generateResultTileValue(Operation *op, OpBuilder &b, unsigned resultNumber,
                          ArrayRef<OpFoldResult> offsets,
                          ArrayRef<OpFoldResult> sizes) const {
    SmallVector<OpFoldResult> domainOffsets, domainSizes;
    if (failed(getIterationDomainTileFromResultTile(
            op, b, resultNumber, offsets, sizes, domainOffsets, domainSizes)))
      return failure();
    FailureOr<TilingResult> tiled =
        getTiledImplementation(op, b, domainOffsets, domainSizes);
    if (failed(tiled))
      return failure();
    // The tile holds the dims outside the domain whole; cut out the part
    // that was asked for when that is less.
    SmallVector<OpFoldResult> tileOffsets, tileSizes;
    if (failed(getResultTilePosition(op, b, resultNumber, domainOffsets,
                                     domainSizes, tileOffsets, tileSizes)))
      return failure();
    bool same = true;
    SmallVector<OpFoldResult> relOffsets;
    for (auto [want, have, wantSize, haveSize] :
         llvm::zip_equal(offsets, tileOffsets, sizes, tileSizes)) {
      if (!isEqualConstantIntOrValue(want, have) ||
          !isEqualConstantIntOrValue(wantSize, haveSize))
        same = false;
      AffineExpr d0, d1;
      bindDims(b.getContext(), d0, d1);
      relOffsets.push_back(affine::makeComposedFoldedAffineApply(
          b, op->getLoc(), d0 - d1, {want, have}));
    }
    Value value = tiled->tiledValues[resultNumber];
    if (!same)
      value = sliceOf(b, op->getLoc(), value, relOffsets, sizes,
                      tiled->generatedSlices);
    // Like upstream ops: the one value that was asked for.
    tiled->tiledValues = {value};
    return tiled;
  }
};

template <typename OpTy> struct TokReifyModel {
  LogicalResult
  reifyResultShapes(Operation *op, OpBuilder &b,
                    ReifiedRankedShapedTypeDims &reifiedReturnShapes) const {
    for (OpResult result : op->getResults()) {
      Sizes shape = TileRules<OpTy>::resultShape(cast<OpTy>(op), b,
                                                 result.getResultNumber());
      // Static dims of the result type win.
      auto type = cast<RankedTensorType>(result.getType());
      for (auto [i, dim] : llvm::enumerate(type.getShape()))
        if (ShapedType::isStatic(dim))
          shape[i] = b.getIndexAttr(dim);
      reifiedReturnShapes.push_back(shape);
    }
    return success();
  }
};

} // namespace mlir::tok::tiling

//===----------------------------------------------------------------------===//
// The compute ops' interface methods (declared by Tok_ComputeOp in ODS)
//===----------------------------------------------------------------------===//

#define TOK_COMPUTE_OP_INTERFACES(OpTy)                                        \
  SmallVector<utils::IteratorType> OpTy::getLoopIteratorTypes() {              \
    return ::mlir::tok::tiling::TokTilingModel<OpTy>().getLoopIteratorTypes(   \
        *this);                                                                \
  }                                                                            \
  SmallVector<Range> OpTy::getIterationDomain(OpBuilder &b) {                  \
    return ::mlir::tok::tiling::TokTilingModel<OpTy>().getIterationDomain(     \
        *this, b);                                                             \
  }                                                                            \
  FailureOr<TilingResult> OpTy::getTiledImplementation(                        \
      OpBuilder &b, ArrayRef<OpFoldResult> offsets,                            \
      ArrayRef<OpFoldResult> sizes) {                                          \
    return ::mlir::tok::tiling::TokTilingModel<OpTy>().getTiledImplementation( \
        *this, b, offsets, sizes);                                             \
  }                                                                            \
  LogicalResult OpTy::getResultTilePosition(                                   \
      OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,     \
      ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,  \
      SmallVector<OpFoldResult> &resultSizes) {                                \
    return ::mlir::tok::tiling::TokTilingModel<OpTy>().getResultTilePosition(  \
        *this, b, resultNumber, offsets, sizes, resultOffsets, resultSizes);   \
  }                                                                            \
  LogicalResult OpTy::getIterationDomainTileFromResultTile(                    \
      OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,     \
      ArrayRef<OpFoldResult> sizes,                                            \
      SmallVectorImpl<OpFoldResult> &domainOffsets,                            \
      SmallVectorImpl<OpFoldResult> &domainSizes) {                            \
    return ::mlir::tok::tiling::TokTilingModel<OpTy>()                         \
        .getIterationDomainTileFromResultTile(*this, b, resultNumber, offsets, \
                                              sizes, domainOffsets,            \
                                              domainSizes);                    \
  }                                                                            \
  FailureOr<TilingResult> OpTy::generateResultTileValue(                       \
      OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,     \
      ArrayRef<OpFoldResult> sizes) {                                          \
    return ::mlir::tok::tiling::TokTilingModel<OpTy>()                         \
        .generateResultTileValue(*this, b, resultNumber, offsets, sizes);      \
  }                                                                            \
  LogicalResult OpTy::reifyResultShapes(                                       \
      OpBuilder &b, ReifiedRankedShapedTypeDims &reifiedReturnShapes) {        \
    return ::mlir::tok::tiling::TokReifyModel<OpTy>().reifyResultShapes(       \
        *this, b, reifiedReturnShapes);                                        \
  }

#endif // TOKAMAK_DIALECT_TOK_IR_TILINGINTERFACEIMPL_H
