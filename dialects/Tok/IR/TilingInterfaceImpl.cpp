//===- TilingInterfaceImpl.cpp - TilingInterface for the tok ops ----------===//
//
// Part of the Tokamak project.
//
// `TilingInterface` and `ReifyRankedShapedTypeOpInterface` on the tok compute
// ops, so that upstream tiling and fusion (`tile_using_for`,
// `tile_using_forall`, `fuse_into_containing_op`, `structured.fuse`) apply.
//
// Every op's iteration domain holds only the dims along which a tile is an
// exact, smaller instance of the same op; all of them are parallel. A tile
// slices the operands (`tensor.extract_slice`) and clones the op with the
// sliced operands and tile-sized result types (regions and attributes are
// copied). Dims left out of a domain are never split:
//
//   op              domain                   left whole (why)
//   linear          x's leading dims, N      K (a split is a partial sum)
//   rms/layer_norm  leading dims             last dim (normalized)
//   rope            B, H, S                  D (pairs of the rotation)
//   glu             leading dims             last dim (halves paired)
//   activation      every dim
//   embedding       ids' dims, E
//   lse_merge       leading dims (lse's)     Dv (lse would be recomputed)
//   pool2d          B, C                     H, W (halo)
//   conv1d          B, C                     L (state crosses tiles)
//   selective_scan  B, Dm                    L (recurrence)
//   linear_scan     B, H, Dv                 L (recurrence), Dk (contracted)
//   assoc_scan      every dim but `dim`      `dim` (the scan)
//   attention       B, Hq, Sq                Skv (softmax), D, Dv
//   paged_attention B, Hq                    Sq (lens would need rewriting)
//   topk            results' dims but dim    dim (the selection); group_dim
//                                            tiles by whole groups
//
// Constraints a tile must meet (checked, the tile fails otherwise):
//   * query heads of attention/paged_attention come in whole GQA groups
//     (offset and size multiples of Hq / Hkv, proved from constants, loop
//     bounds and steps, and affine maps); the tile reads kv heads
//     [offset / G, size / G);
//   * selective_scan channels cover whole B/C groups or stay inside one;
//   * attention query rows are split only without seq_starts. With causal,
//     the tile [o, o + s) keeps the bottom-right alignment by reading the key
//     prefix [0, Skv − Sq + o + s) (clamped at 0): every masked key beyond it
//     is dropped, window and sinks count from the same alignment and from
//     key 0. Bias is sliced along its non-broadcast dims; `score_mod`
//     receives global (batch, head, query) indices: the tile's offsets are
//     added to its block arguments.
//
// The rules live by concept: LayerTiling.cpp (linear, norms, rope, glu,
// activation, embedding), ScanTiling.cpp (scans and mixers),
// AttentionTiling.cpp (attention, paged attention, lse_merge); this file
// holds the helpers they share.
//
//===----------------------------------------------------------------------===//

#include "dialects/Tok/IR/TilingInterfaceImpl.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::tok;

namespace mlir::tok::tiling {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// Nesting of `dimOf` through producers (see there), and its bound.
static thread_local unsigned dimOfDepth = 0;
static constexpr unsigned kMaxDimOfDepth = 6;

/// The size of dim `dim` of `value`: an attribute when static; for a result
/// of an op that reifies its shapes, the size in terms of that op's operands
/// (through a few producers), so that a fused producer is not kept alive,
/// whole, by a `tensor.dim` of its result inside the tile loop.
OpFoldResult dimOf(OpBuilder &b, Location loc, Value value, int64_t dim) {
  auto type = cast<RankedTensorType>(value.getType());
  if (ShapedType::isStatic(type.getDimSize(dim)))
    return b.getIndexAttr(type.getDimSize(dim));
  auto result = dyn_cast<OpResult>(value);
  auto producer =
      result ? dyn_cast<ReifyRankedShapedTypeOpInterface>(result.getOwner())
             : nullptr;
  if (producer && dimOfDepth < kMaxDimOfDepth) {
    ++dimOfDepth;
    FailureOr<OpFoldResult> size =
        producer.reifyDimOfResult(b, result.getResultNumber(), dim);
    --dimOfDepth;
    if (succeeded(size))
      return *size;
  }
  return tensor::getMixedSize(b, loc, value, dim);
}

/// `dimOf` for every dim of `value`.
SmallVector<OpFoldResult> sizesOf(OpBuilder &b, Location loc, Value value) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0, e = cast<RankedTensorType>(value.getType()).getRank();
       i < e; ++i)
    sizes.push_back(dimOf(b, loc, value, i));
  return sizes;
}

/// True when `ofr` is known to be a multiple of `factor`: constants, scf.for
/// and scf.forall induction variables whose lower bounds and steps are
/// multiples, affine.apply/min/max and arith muli/addi of such values.
bool isKnownMultipleOf(OpFoldResult ofr, int64_t factor, unsigned depth) {
  if (factor == 1)
    return true;
  if (std::optional<int64_t> c = getConstantIntValue(ofr))
    return *c % factor == 0;
  if (depth > 8)
    return false;
  Value value = cast<Value>(ofr);
  auto multiple = [&](OpFoldResult v) {
    return isKnownMultipleOf(v, factor, depth + 1);
  };
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    Operation *parent = arg.getOwner()->getParentOp();
    if (auto forOp = dyn_cast<scf::ForOp>(parent)) {
      if (arg != forOp.getInductionVar())
        return false;
      return multiple(forOp.getLowerBound()) && multiple(forOp.getStep());
    }
    if (auto forall = dyn_cast<scf::ForallOp>(parent)) {
      unsigned i = arg.getArgNumber();
      if (i >= forall.getRank())
        return false;
      return multiple(forall.getMixedLowerBound()[i]) &&
             multiple(forall.getMixedStep()[i]);
    }
    return false;
  }
  Operation *def = value.getDefiningOp();
  // An affine expression whose operands known to be multiples are replaced
  // by `factor · d`.
  auto exprIsMultiple = [&](AffineMap map, ValueRange operands) {
    SmallVector<AffineExpr> dims, syms;
    MLIRContext *ctx = map.getContext();
    for (unsigned i = 0; i < map.getNumDims(); ++i) {
      AffineExpr d = getAffineDimExpr(i, ctx);
      dims.push_back(multiple(operands[i]) ? d * factor : d);
    }
    for (unsigned i = 0; i < map.getNumSymbols(); ++i) {
      AffineExpr s = getAffineSymbolExpr(i, ctx);
      syms.push_back(multiple(operands[map.getNumDims() + i]) ? s * factor : s);
    }
    return llvm::all_of(map.getResults(), [&](AffineExpr e) {
      AffineExpr r = simplifyAffineExpr(e.replaceDimsAndSymbols(dims, syms),
                                        map.getNumDims(), map.getNumSymbols());
      return r.getLargestKnownDivisor() % factor == 0;
    });
  };
  if (auto apply = dyn_cast_or_null<affine::AffineApplyOp>(def))
    return exprIsMultiple(apply.getAffineMap(), apply.getMapOperands());
  if (auto min = dyn_cast_or_null<affine::AffineMinOp>(def))
    return exprIsMultiple(min.getAffineMap(), min.getMapOperands());
  if (auto max = dyn_cast_or_null<affine::AffineMaxOp>(def))
    return exprIsMultiple(max.getAffineMap(), max.getMapOperands());
  if (auto mul = dyn_cast_or_null<arith::MulIOp>(def))
    return multiple(mul.getLhs()) || multiple(mul.getRhs());
  if (auto add = dyn_cast_or_null<arith::AddIOp>(def))
    return multiple(add.getLhs()) && multiple(add.getRhs());
  return false;
}

/// `lhs floordiv factor`, folded when possible.
OpFoldResult divBy(OpBuilder &b, Location loc, OpFoldResult lhs,
                   int64_t factor) {
  if (factor == 1)
    return lhs;
  AffineExpr d0 = b.getAffineDimExpr(0);
  return affine::makeComposedFoldedAffineApply(b, loc, d0.floorDiv(factor),
                                               {lhs});
}

/// A tile of `value` at `offsets`/`sizes` (unit strides). Returns `value`
/// itself when the tile is statically the whole tensor; records the slice.
Value sliceOf(OpBuilder &b, Location loc, Value value,
              ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes,
              SmallVectorImpl<Operation *> &slices) {
  auto type = cast<RankedTensorType>(value.getType());
  bool whole = true;
  for (auto [offset, size, dim] :
       llvm::zip_equal(offsets, sizes, type.getShape())) {
    std::optional<int64_t> o = getConstantIntValue(offset);
    std::optional<int64_t> s = getConstantIntValue(size);
    if (!o || *o != 0 || !s || ShapedType::isDynamic(dim) || *s != dim)
      whole = false;
  }
  if (whole)
    return value;
  SmallVector<OpFoldResult> strides(offsets.size(), b.getIndexAttr(1));
  auto slice =
      tensor::ExtractSliceOp::create(b, loc, value, offsets, sizes, strides);
  slices.push_back(slice);
  return slice.getResult();
}

/// A tile of `value` whose dim `i` takes the domain's tile along
/// `domainDims[i]` (or stays whole when it is -1).
Value sliceAlong(OpBuilder &b, Location loc, Value value,
                 ArrayRef<int64_t> domainDims, ArrayRef<OpFoldResult> offsets,
                 ArrayRef<OpFoldResult> sizes,
                 SmallVectorImpl<Operation *> &slices) {
  Sizes tileOffsets, tileSizes;
  for (auto [i, d] : llvm::enumerate(domainDims)) {
    tileOffsets.push_back(d < 0 ? zero(b) : offsets[d]);
    tileSizes.push_back(d < 0 ? dimOf(b, loc, value, i) : sizes[d]);
  }
  return sliceOf(b, loc, value, tileOffsets, tileSizes, slices);
}

/// `sliceAlong` for an optional operand.
Value sliceAlongIf(OpBuilder &b, Location loc, Value value,
                   ArrayRef<int64_t> domainDims, ArrayRef<OpFoldResult> offsets,
                   ArrayRef<OpFoldResult> sizes,
                   SmallVectorImpl<Operation *> &slices) {
  if (!value)
    return value;
  return sliceAlong(b, loc, value, domainDims, offsets, sizes, slices);
}

/// [0, 1, ..., n-1] followed by `tail`.
SmallVector<int64_t> leadingDims(int64_t n, ArrayRef<int64_t> tail) {
  SmallVector<int64_t> dims = llvm::to_vector(llvm::seq<int64_t>(0, n));
  llvm::append_range(dims, tail);
  return dims;
}

/// The range of kv heads read by query heads [offset, offset + size) when
/// `group` query heads share a kv head; fails unless both are provably
/// multiples of `group`.
FailureOr<std::pair<OpFoldResult, OpFoldResult>>
groupRange(OpBuilder &b, Location loc, Operation *op, OpFoldResult offset,
           OpFoldResult size, int64_t group, StringRef what) {
  if (!isKnownMultipleOf(offset, group) || !isKnownMultipleOf(size, group)) {
    op->emitWarning("cannot tile ")
        << what << " into whole groups of " << group
        << ": tile offset and size must be provable multiples of " << group;
    return failure();
  }
  return std::make_pair(divBy(b, loc, offset, group),
                        divBy(b, loc, size, group));
}

} // namespace mlir::tok::tiling
