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
//===----------------------------------------------------------------------===//

#include "dialects/Tok/IR/TilingInterfaceImpl.h"
#include "dialects/Tok/IR/TokOps.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/TilingInterface.h"

using namespace mlir;
using namespace mlir::tok;

using Sizes = SmallVector<OpFoldResult>;

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
static OpFoldResult dimOf(OpBuilder &b, Location loc, Value value,
                          int64_t dim) {
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
static SmallVector<OpFoldResult> sizesOf(OpBuilder &b, Location loc,
                                         Value value) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0, e = cast<RankedTensorType>(value.getType()).getRank();
       i < e; ++i)
    sizes.push_back(dimOf(b, loc, value, i));
  return sizes;
}

static OpFoldResult zero(OpBuilder &b) { return b.getIndexAttr(0); }

/// True when `ofr` is known to be a multiple of `factor`: constants, scf.for
/// and scf.forall induction variables whose lower bounds and steps are
/// multiples, affine.apply/min/max and arith muli/addi of such values.
static bool isKnownMultipleOf(OpFoldResult ofr, int64_t factor,
                              unsigned depth = 0) {
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
static OpFoldResult divBy(OpBuilder &b, Location loc, OpFoldResult lhs,
                          int64_t factor) {
  if (factor == 1)
    return lhs;
  AffineExpr d0 = b.getAffineDimExpr(0);
  return affine::makeComposedFoldedAffineApply(b, loc, d0.floorDiv(factor),
                                               {lhs});
}

/// A tile of `value` at `offsets`/`sizes` (unit strides). Returns `value`
/// itself when the tile is statically the whole tensor; records the slice.
static Value sliceOf(OpBuilder &b, Location loc, Value value,
                     ArrayRef<OpFoldResult> offsets,
                     ArrayRef<OpFoldResult> sizes,
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
static Value sliceAlong(OpBuilder &b, Location loc, Value value,
                        ArrayRef<int64_t> domainDims,
                        ArrayRef<OpFoldResult> offsets,
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
static Value sliceAlongIf(OpBuilder &b, Location loc, Value value,
                          ArrayRef<int64_t> domainDims,
                          ArrayRef<OpFoldResult> offsets,
                          ArrayRef<OpFoldResult> sizes,
                          SmallVectorImpl<Operation *> &slices) {
  if (!value)
    return value;
  return sliceAlong(b, loc, value, domainDims, offsets, sizes, slices);
}

/// [0, 1, ..., n-1] followed by `tail`.
static SmallVector<int64_t> leadingDims(int64_t n,
                                        ArrayRef<int64_t> tail = {}) {
  SmallVector<int64_t> dims = llvm::to_vector(llvm::seq<int64_t>(0, n));
  llvm::append_range(dims, tail);
  return dims;
}

/// The range of kv heads read by query heads [offset, offset + size) when
/// `group` query heads share a kv head; fails unless both are provably
/// multiples of `group`.
static FailureOr<std::pair<OpFoldResult, OpFoldResult>>
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

//===----------------------------------------------------------------------===//
// Per-op rules
//===----------------------------------------------------------------------===//

namespace {

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

//--- lse_merge: o [..., Dv], lse [...] --------------------------------------//
template <> struct TileRules<LseMergeOp> : NoFixup {
  static int64_t rank(LseMergeOp op) {
    return op.getLse1().getType().getRank();
  }
  static Sizes domain(LseMergeOp op, OpBuilder &b) {
    return sizesOf(b, op.getLoc(), op.getLse1());
  }
  static Sizes resultShape(LseMergeOp op, OpBuilder &b, unsigned r) {
    return sizesOf(b, op.getLoc(), r == 0 ? op.getOutput1() : op.getLse1());
  }
  static SmallVector<int64_t> resultDims(LseMergeOp op, unsigned) {
    return leadingDims(rank(op));
  }
  static FailureOr<SmallVector<Value>>
  sliceOperands(LseMergeOp op, OpBuilder &b, ArrayRef<OpFoldResult> offsets,
                ArrayRef<OpFoldResult> sizes,
                SmallVectorImpl<Operation *> &slices) {
    Location loc = op.getLoc();
    SmallVector<int64_t> outDims = leadingDims(rank(op), {-1});
    SmallVector<int64_t> lseDims = leadingDims(rank(op));
    return SmallVector<Value>{
        sliceAlong(b, loc, op.getOutput1(), outDims, offsets, sizes, slices),
        sliceAlong(b, loc, op.getLse1(), lseDims, offsets, sizes, slices),
        sliceAlong(b, loc, op.getOutput2(), outDims, offsets, sizes, slices),
        sliceAlong(b, loc, op.getLse2(), lseDims, offsets, sizes, slices)};
  }
};

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
    return {dimOf(b, loc, op.getInput(), 0), dimOf(b, loc, op.getInput(), 2),
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
    return {dimOf(b, loc, op.getX(), 0), dimOf(b, loc, op.getX(), 2),
            dimOf(b, loc, op.getA(), 1)};
  }
  static SmallVector<int64_t> resultDims(SelectiveScanOp, unsigned r) {
    return r == 0 ? SmallVector<int64_t>{0, 2} : SmallVector<int64_t>{0, 1};
  }
  static FailureOr<SmallVector<Value>>
  sliceOperands(SelectiveScanOp op, OpBuilder &b,
                ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes,
                SmallVectorImpl<Operation *> &slices) {
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
    return {dimOf(b, loc, op.getQuery(), 0), dimOf(b, loc, op.getQuery(), 1),
            dimOf(b, loc, op.getKey(), 3), dimOf(b, loc, op.getValue(), 3)};
  }
  static SmallVector<int64_t> resultDims(LinearScanOp, unsigned r) {
    return r == 0 ? SmallVector<int64_t>{0, 1, 3}
                  : SmallVector<int64_t>{0, 1, 3};
  }
  static FailureOr<SmallVector<Value>>
  sliceOperands(LinearScanOp op, OpBuilder &b, ArrayRef<OpFoldResult> offsets,
                ArrayRef<OpFoldResult> sizes,
                SmallVectorImpl<Operation *> &slices) {
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

//--- paged_attention: tiled over B and Hq -----------------------------------//
template <> struct TileRules<PagedAttentionOp> : NoFixup {
  static Sizes domain(PagedAttentionOp op, OpBuilder &b) {
    Location loc = op.getLoc();
    return {dimOf(b, loc, op.getQuery(), 0), dimOf(b, loc, op.getQuery(), 1)};
  }
  static Sizes resultShape(PagedAttentionOp op, OpBuilder &b, unsigned) {
    Location loc = op.getLoc();
    Sizes sizes = sizesOf(b, loc, op.getQuery());
    sizes.back() = dimOf(b, loc, op.getValueCache(), 3);
    return sizes;
  }
  static SmallVector<int64_t> resultDims(PagedAttentionOp, unsigned) {
    return {0, 1};
  }
  static FailureOr<SmallVector<Value>>
  sliceOperands(PagedAttentionOp op, OpBuilder &b,
                ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes,
                SmallVectorImpl<Operation *> &slices) {
    Location loc = op.getLoc();
    int64_t hq = op.getQuery().getType().getDimSize(1);
    int64_t hkv = op.getKeyCache().getType().getDimSize(2);
    if (ShapedType::isDynamic(hq) || ShapedType::isDynamic(hkv)) {
      op.emitWarning("cannot tile paged attention with dynamic head counts");
      return failure();
    }
    FailureOr<std::pair<OpFoldResult, OpFoldResult>> kvHeads =
        groupRange(b, loc, op, offsets[1], sizes[1], hq / hkv, "query heads");
    if (failed(kvHeads))
      return failure();
    auto sliceCache = [&](Value cache) {
      Sizes o = {zero(b), zero(b), kvHeads->first, zero(b)};
      Sizes s = sizesOf(b, loc, cache);
      s[2] = kvHeads->second;
      return sliceOf(b, loc, cache, o, s, slices);
    };
    return SmallVector<Value>{
        sliceAlong(b, loc, op.getQuery(), {0, 1, -1, -1}, offsets, sizes,
                   slices),
        sliceCache(op.getKeyCache()), sliceCache(op.getValueCache()),
        sliceAlong(b, loc, op.getBlockTable(), {0, -1}, offsets, sizes, slices),
        sliceAlong(b, loc, op.getLens(), {0}, offsets, sizes, slices)};
  }
};

//--- attention: tiled over B, Hq and (where exact) Sq -----------------------//
template <> struct TileRules<AttentionOp> {
  static Sizes domain(AttentionOp op, OpBuilder &b) {
    Sizes sizes = sizesOf(b, op.getLoc(), op.getQuery());
    sizes.pop_back();
    return sizes;
  }
  static Sizes resultShape(AttentionOp op, OpBuilder &b, unsigned r) {
    Sizes sizes = domain(op, b);
    if (r == 0)
      sizes.push_back(dimOf(b, op.getLoc(), op.getValue(), 3));
    return sizes;
  }
  static SmallVector<int64_t> resultDims(AttentionOp, unsigned) {
    return {0, 1, 2};
  }
  /// True when the tile covers every query row: offset 0 and a size that is
  /// the static row count, or a `tensor.dim` of the rows of the query (as
  /// the domain reads it), of the output or of lse.
  static bool coversAllRows(AttentionOp op, OpBuilder &b, OpFoldResult offset,
                            OpFoldResult size) {
    if (!isConstantIntValue(offset, 0))
      return false;
    int64_t sq = op.getQuery().getType().getDimSize(2);
    if (ShapedType::isStatic(sq))
      return isConstantIntValue(size, sq);
    auto value = dyn_cast_if_present<Value>(size);
    auto dim = value ? value.getDefiningOp<tensor::DimOp>() : nullptr;
    if (!dim || !isConstantIntValue(dim.getIndex(), 2))
      return false;
    Value source = dim.getSource();
    if (source == op.getQuery() || source == op.getOutput() ||
        (op.getLse() && source == op.getLse()))
      return true;
    // The domain may have resolved the query's rows through its producers.
    OpFoldResult rows = dimOf(b, op.getLoc(), op.getQuery(), 2);
    auto rowsValue = dyn_cast_if_present<Value>(rows);
    auto rowsDim =
        rowsValue ? rowsValue.getDefiningOp<tensor::DimOp>() : nullptr;
    return rowsValue == value || (rowsDim && rowsDim.getSource() == source &&
                                  getConstantIntValue(rowsDim.getIndex()) ==
                                      getConstantIntValue(dim.getIndex()));
  }
  static FailureOr<SmallVector<Value>>
  sliceOperands(AttentionOp op, OpBuilder &b, ArrayRef<OpFoldResult> offsets,
                ArrayRef<OpFoldResult> sizes,
                SmallVectorImpl<Operation *> &slices) {
    Location loc = op.getLoc();
    int64_t hq = op.getQuery().getType().getDimSize(1);
    int64_t hkv = op.getKey().getType().getDimSize(1);
    if (ShapedType::isDynamic(hq) || ShapedType::isDynamic(hkv)) {
      op.emitWarning("cannot tile attention with dynamic head counts");
      return failure();
    }
    FailureOr<std::pair<OpFoldResult, OpFoldResult>> kvHeads =
        groupRange(b, loc, op, offsets[1], sizes[1], hq / hkv, "query heads");
    if (failed(kvHeads))
      return failure();

    // Keys [0, keyLength): all of them unless a causal tile of query rows
    // drops the keys no row of the tile sees.
    bool allRows = coversAllRows(op, b, offsets[2], sizes[2]);
    if (!allRows && op.getSeqStarts()) {
      op.emitWarning("cannot tile the query rows of packed (seq_starts) "
                     "attention");
      return failure();
    }
    OpFoldResult keyLength = dimOf(b, loc, op.getKey(), 2);
    if (!allRows && op.getCausal()) {
      AffineExpr skv, sq, o, s;
      bindDims(b.getContext(), skv, sq, o, s);
      OpFoldResult sqFull = dimOf(b, loc, op.getQuery(), 2);
      keyLength = affine::makeComposedFoldedAffineApply(
          b, loc, skv - sq + o + s, {keyLength, sqFull, offsets[2], sizes[2]});
      std::optional<int64_t> skvC = getConstantIntValue(
                                 dimOf(b, loc, op.getKey(), 2)),
                             sqC = getConstantIntValue(sqFull);
      if (!skvC || !sqC || *skvC < *sqC) {
        AffineMap max = AffineMap::get(
            1, 0, {b.getAffineDimExpr(0), b.getAffineConstantExpr(0)},
            b.getContext());
        keyLength =
            affine::makeComposedFoldedAffineMax(b, loc, max, {keyLength});
      }
    }

    auto sliceKv = [&](Value v) {
      Sizes o = {offsets[0], kvHeads->first, zero(b), zero(b)};
      Sizes s = {sizes[0], kvHeads->second, keyLength, dimOf(b, loc, v, 3)};
      return sliceOf(b, loc, v, o, s, slices);
    };
    SmallVector<Value> operands = {
        sliceAlong(b, loc, op.getQuery(), {0, 1, 2, -1}, offsets, sizes,
                   slices),
        sliceKv(op.getKey()), sliceKv(op.getValue())};
    if (Value bias = op.getBias()) {
      // Trailing alignment with [B, Hq, Sq, Skv]; unit dims broadcast.
      auto type = cast<RankedTensorType>(bias.getType());
      int64_t lead = 4 - type.getRank();
      Sizes o, s;
      for (int64_t i = 0; i < type.getRank(); ++i) {
        int64_t score = lead + i;
        if (type.getDimSize(i) == 1) {
          o.push_back(zero(b));
          s.push_back(b.getIndexAttr(1));
        } else if (score == 3) {
          o.push_back(zero(b));
          s.push_back(keyLength);
        } else {
          o.push_back(offsets[score]);
          s.push_back(sizes[score]);
        }
      }
      operands.push_back(sliceOf(b, loc, bias, o, s, slices));
    }
    if (Value seqStarts = op.getSeqStarts())
      operands.push_back(seqStarts);
    return operands;
  }
  /// score_mod sees global batch, head and query indices: add the tile's
  /// offsets to its block arguments.
  static void fixTile(AttentionOp, Operation *tiled, OpBuilder &b,
                      ArrayRef<OpFoldResult> offsets) {
    Region &region = cast<AttentionOp>(tiled).getScoreMod();
    if (region.empty())
      return;
    Block &block = region.front();
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&block);
    for (unsigned i = 0; i < 3; ++i) {
      if (isConstantIntValue(offsets[i], 0))
        continue;
      BlockArgument arg = block.getArgument(1 + i);
      Value offset =
          getValueOrCreateConstantIndexOp(b, tiled->getLoc(), offsets[i]);
      Value global = arith::AddIOp::create(b, tiled->getLoc(), arg, offset);
      arg.replaceAllUsesExcept(global, global.getDefiningOp());
    }
  }
};

//===----------------------------------------------------------------------===//
// The interface models, shared by every op
//===----------------------------------------------------------------------===//

template <typename OpTy>
struct TokTilingModel
    : public TilingInterface::ExternalModel<TokTilingModel<OpTy>, OpTy> {
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

template <typename OpTy>
struct TokReifyModel : public ReifyRankedShapedTypeOpInterface::ExternalModel<
                           TokReifyModel<OpTy>, OpTy> {
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

template <typename... OpTys> void attachModels(MLIRContext *ctx) {
  (OpTys::template attachInterface<TokTilingModel<OpTys>, TokReifyModel<OpTys>>(
       *ctx),
   ...);
}

} // namespace

void mlir::tok::attachTilingInterfaceModels(MLIRContext *ctx) {
  attachModels<AttentionOp, PagedAttentionOp, LseMergeOp, SelectiveScanOp,
               LinearScanOp, AssocScanOp, Conv1dOp, Pool2dOp, LinearOp,
               RmsNormOp, LayerNormOp, RopeOp, GluOp, ActivationOp,
               EmbeddingOp>(ctx);
}
