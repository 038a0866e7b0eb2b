//===- VectorizeLinalg.cpp - Vectorize the linalg ops left over
//------------===//
//
// Part of the Tokamak project.
//
// tok-vectorize-linalg: the linalg ops on tensors that no tile pass turned
// into a kernel (upstream elementwise ops, broadcasts, gathers, reductions,
// decomposed softmax, the reference lowering of tok ops) are tiled to one
// target vector along their innermost dim and vectorized with upstream
// linalg vectorization, instead of becoming scalar loops: partial vectors
// masked, reductions over outer dims accumulated in vector registers,
// gathers from n-D tensors as contiguous loads or vector.gather.
//
//===----------------------------------------------------------------------===//

#include "PassTarget.h"

#include "tokamak/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Rewrite/FrozenRewritePatternSet.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>

namespace tokamak::cpu {
#define GEN_PASS_DEF_VECTORIZELINALG
#include "tokamak/Codegen/CPU/Passes.h.inc"
} // namespace tokamak::cpu

using namespace mlir;
using namespace tokamak::cpu;

namespace {

/// A reduction of at most this many vectors is vectorized whole.
constexpr int64_t kWholeReductionVectors = 4;

/// The rows of a block of an op reducing over outer dims (see blockRows).
constexpr int64_t kReductionBlock = 64;

/// The attribute that marks a tile for vectorization, holding its vector
/// sizes, between tiling and vectorization.
constexpr StringLiteral kVectorSizes = "tok.vector_sizes";

/// The attribute that marks the loops over the outer reduction dims of a
/// tiled op, between tiling and the hoisting of their accumulators.
constexpr StringLiteral kReductionLoop = "tok.reduction_loop";

/// The atomic kind whose identity is the neutral element of a reduction of
/// `kind` (none for xor, whose neutral element is 0).
std::optional<arith::AtomicRMWKind> neutralKind(vector::CombiningKind kind,
                                                bool isFloat) {
  using arith::AtomicRMWKind;
  using vector::CombiningKind;
  switch (kind) {
  case CombiningKind::ADD:
    return isFloat ? AtomicRMWKind::addf : AtomicRMWKind::addi;
  case CombiningKind::MUL:
    return isFloat ? AtomicRMWKind::mulf : AtomicRMWKind::muli;
  case CombiningKind::MINUI:
    return AtomicRMWKind::minu;
  case CombiningKind::MINSI:
    return AtomicRMWKind::mins;
  case CombiningKind::MINNUMF:
    return AtomicRMWKind::minnumf;
  case CombiningKind::MAXUI:
    return AtomicRMWKind::maxu;
  case CombiningKind::MAXSI:
    return AtomicRMWKind::maxs;
  case CombiningKind::MAXNUMF:
    return AtomicRMWKind::maxnumf;
  case CombiningKind::AND:
    return AtomicRMWKind::andi;
  case CombiningKind::OR:
    return AtomicRMWKind::ori;
  case CombiningKind::MINIMUMF:
    return AtomicRMWKind::minimumf;
  case CombiningKind::MAXIMUMF:
    return AtomicRMWKind::maximumf;
  default:
    return std::nullopt;
  }
}

/// A masked 1-D reduction as the reduction of its vector with the lanes
/// outside the mask set to the neutral element of the reduction.
struct LowerMaskedReduction : OpRewritePattern<vector::MaskOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::MaskOp mask,
                                PatternRewriter &rewriter) const override {
    auto reduction =
        dyn_cast_or_null<vector::ReductionOp>(mask.getMaskableOp());
    if (!reduction || mask.hasPassthru())
      return failure();
    VectorType type = reduction.getSourceVectorType();
    Type element = type.getElementType();
    Location loc = reduction.getLoc();
    TypedAttr neutral;
    if (reduction.getKind() == vector::CombiningKind::XOR)
      neutral = rewriter.getZeroAttr(element);
    else if (std::optional<arith::AtomicRMWKind> kind =
                 neutralKind(reduction.getKind(), isa<FloatType>(element)))
      neutral = arith::getIdentityValueAttr(*kind, element, rewriter, loc);
    else
      return failure();
    Value fill = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(type, ArrayRef<Attribute>(neutral)));
    Value masked = arith::SelectOp::create(rewriter, loc, mask.getMask(),
                                           reduction.getVector(), fill);
    Value acc = reduction.getAcc();
    Value result =
        acc ? vector::ReductionOp::create(rewriter, loc, reduction.getKind(),
                                          masked, acc, reduction.getFastmath())
            : vector::ReductionOp::create(rewriter, loc, reduction.getKind(),
                                          masked, reduction.getFastmath());
    rewriter.replaceOp(mask, result);
    return success();
  }
};

/// Tiles every op for vectorization, then vectorizes the tiles once
/// canonicalization has made the sizes of full tiles static.
class Vectorizer {
public:
  Vectorizer(MLIRContext *ctx, const CpuTarget &target, bool remarks,
             StringRef pass)
      : rewriter(ctx), lanes(target.f32Lanes()),
        accumulators(std::clamp<int64_t>(target.vectorRegisters / 4, 1, 8)),
        remarks(remarks), pass(pass) {}

  /// Tiles `op` so that each tile is one vector along the innermost dim and
  /// 1 along the others (the loops over parallel dims outermost, those over
  /// outer reduction dims inside the loop over the innermost dim when it is
  /// parallel), peeling the last partial vector into its own loop
  /// iteration, and marks the tiles; with remarks, says why an op is left.
  void tile(linalg::LinalgOp op) {
    std::string why;
    if (failed(tileOp(blockRows(op), why)) && remarks)
      op->emitRemark() << pass << ": left for the loop lowering: " << why;
  }

  /// Vectorizes a marked tile: full tiles and static tails of a power-of-two
  /// length without a mask; other tails (static, or the tail of a dynamic
  /// row) masked, in the smallest power-of-two vector that holds them.
  void vectorize(linalg::LinalgOp tile) {
    auto attr = tile->getAttrOfType<DenseI64ArrayAttr>(kVectorSizes);
    tile->removeAttr(kVectorSizes);
    SmallVector<int64_t> sizes = tile.getStaticLoopRanges();
    SmallVector<int64_t> vectorSizes(attr.asArrayRef());
    if (sizes.empty() || vectorSizes.size() != sizes.size())
      return;
    // Every dim but the innermost is 1 in a tile.
    if (llvm::any_of(ArrayRef(sizes).drop_back(),
                     [](int64_t s) { return s != 1; })) {
      remarkLeft(tile, "a tile is more than one row");
      return;
    }
    // Whole vectors or a power-of-two part of one run unmasked: LLVM 22's
    // x86 backend aborts on some odd-length vectors (<37 x float> loads).
    // Other lengths are masked in the next power of two of the tile.
    int64_t inner = sizes.back();
    if (ShapedType::isStatic(inner) &&
        (inner % lanes == 0 || llvm::isPowerOf2_64(inner)))
      vectorSizes.back() = inner;
    else if (ShapedType::isStatic(inner))
      vectorSizes.back() = llvm::PowerOf2Ceil(inner);
    // Inputs that are one element per tile (read the same by every lane)
    // become scalars read before the tile, so that a gather indexed by them
    // is a contiguous load.
    hoistUniformInputs(tile);
    // Fixed-width vectors in every dim (an empty list is not "none").
    SmallVector<bool> scalable(sizes.size(), false);
    if (failed(linalg::vectorizeOpPrecondition(tile, vectorSizes, scalable,
                                               /*vectorizeNDExtract=*/true))) {
      remarkLeft(tile, "the vectorizer does not support it");
      return;
    }
    rewriter.setInsertionPoint(tile);
    Block *block = tile->getBlock();
    FailureOr<linalg::VectorizationResult> vectorized =
        linalg::vectorize(rewriter, tile, vectorSizes, scalable,
                          /*vectorizeNDExtract=*/true);
    if (failed(vectorized))
      return;
    if (!vectorized->replacements.empty())
      rewriter.replaceOp(tile, vectorized->replacements);
    else
      rewriter.eraseOp(tile);
    block->walk(
        [&](vector::MultiDimReductionOp op) { reductions.push_back(op); });
  }

  /// Lowers the reductions of the vectorized tiles: one over the innermost
  /// dim to 1-D horizontal reductions (llvm.vector.reduce.*; the pipeline's
  /// default lowering unrolls a `vector<1xN>` reduction into N `<1 x float>`
  /// ops, on which LLVM 22's x86 instruction selection aborts), one over
  /// outer dims only to elementwise ops on the vector of the innermost dim.
  LogicalResult lowerReductions() {
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<Operation *> inner, outer;
    for (Operation *op : reductions) {
      auto reduction = cast<vector::MultiDimReductionOp>(op);
      SmallVector<bool> reduced = reduction.getReductionMask();
      (reduced.back() ? inner : outer).push_back(op);
    }
    reductions.clear();
    for (auto [ops, lowering] :
         {std::pair(&inner,
                    vector::VectorMultiReductionLowering::InnerReduction),
          std::pair(&outer,
                    vector::VectorMultiReductionLowering::InnerParallel)}) {
      if (ops->empty())
        continue;
      RewritePatternSet patterns(ctx);
      vector::populateVectorMultiReductionLoweringPatterns(patterns, lowering);
      GreedyRewriteConfig config;
      config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
      if (failed(applyOpPatternsGreedily(*ops, std::move(patterns), config)))
        return failure();
    }
    return success();
  }

  /// Lowers the masks of the vectorized tails: masked transfers and gathers
  /// take the mask as an operand, masked reductions a select of the neutral
  /// element. (The later passes of the pipeline do not keep a `vector.mask`
  /// region to one op.)
  LogicalResult lowerMasks(Operation *root) {
    SmallVector<Operation *> masks;
    root->walk([&](vector::MaskOp op) { masks.push_back(op); });
    if (masks.empty())
      return success();
    MLIRContext *ctx = rewriter.getContext();
    RewritePatternSet patterns(ctx);
    vector::populateVectorMaskLoweringPatternsForSideEffectingOps(patterns);
    patterns.add<LowerMaskedReduction>(ctx);
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingOps);
    return applyOpPatternsGreedily(masks, std::move(patterns), config);
  }

  /// Keeps the accumulators of reductions over outer dims in vector
  /// registers: the read and write of the output tile move out of the loops
  /// over those dims, which then carry the vector.
  void hoistAccumulators(Operation *root) {
    SmallVector<scf::ForOp> loops;
    // Post-order: inner loops first.
    root->walk([&](scf::ForOp loop) {
      if (loop->hasAttr(kReductionLoop))
        loops.push_back(loop);
    });
    for (scf::ForOp loop : loops) {
      loop->removeAttr(kReductionLoop);
      // Twice: the masks of a tail's transfers are defined in the loop
      // until the subsets they read are hoisted.
      auto loopLike = cast<LoopLikeOpInterface>(loop.getOperation());
      for (int round = 0; round < 2; ++round) {
        moveLoopInvariantCode(loopLike);
        loopLike = hoistLoopInvariantSubsets(rewriter, loopLike);
      }
    }
  }

private:
  /// An op reducing over outer dims whose innermost dim takes more than one
  /// block of accumulators runs in blocks of kReductionBlock along the
  /// reduced dims: each block is read for every block of columns while it
  /// is in cache, instead of the whole reduced extent once per block of
  /// columns. Returns the op to tile for vectorization (the block's op).
  linalg::LinalgOp blockRows(linalg::LinalgOp op) {
    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    int64_t numLoops = iterators.size();
    if (numLoops < 2 || iterators.back() != utils::IteratorType::parallel)
      return op;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    int64_t inner = ranges.back();
    if (ShapedType::isStatic(inner) && inner <= lanes * accumulators)
      return op;
    SmallVector<int64_t> sizes(numLoops, 0);
    bool blocked = false;
    for (int64_t d = 0; d + 1 < numLoops; ++d) {
      if (iterators[d] != utils::IteratorType::reduction)
        continue;
      if (ShapedType::isStatic(ranges[d]) && ranges[d] <= kReductionBlock)
        continue;
      sizes[d] = kReductionBlock;
      blocked = true;
    }
    if (!blocked)
      return op;
    scf::SCFTilingOptions options;
    options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(op.getOperation()), options);
    if (failed(tiled) || tiled->tiledOps.empty())
      return op;
    auto block = dyn_cast<linalg::LinalgOp>(tiled->tiledOps.back());
    if (!block)
      return op;
    rewriter.replaceOp(op, tiled->replacements);
    return block;
  }

  /// With remarks, says once per op (not once per tile) why a tile of it is
  /// left for the loop lowering.
  void remarkLeft(linalg::LinalgOp tile, StringRef why) {
    if (remarks && remarked.insert(tile->getLoc()).second)
      tile->emitRemark() << pass << ": left for the loop lowering: " << why;
  }

  LogicalResult tileOp(linalg::LinalgOp op, std::string &why) {
    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    int64_t numLoops = iterators.size();
    if (numLoops == 0) {
      why = "it has no loops";
      return failure();
    }
    int64_t inner = numLoops - 1;
    auto isReduction = [&](int64_t d) {
      return iterators[d] == utils::IteratorType::reduction;
    };
    // The innermost dim in vectors; a short static one, parallel or a
    // reduction of at most four vectors, in one piece.
    int64_t size = op.getStaticLoopRanges()[inner];
    bool reduction = isReduction(inner);
    // Under a reduction over outer dims, several vectors of the innermost
    // dim per tile: independent accumulators (an add's latency is several
    // of its issue slots) and whole cache lines per row read.
    bool outerReduction =
        !reduction && llvm::any_of(llvm::seq<int64_t>(0, inner), isReduction);
    int64_t vector = outerReduction ? lanes * accumulators : lanes;
    if (ShapedType::isStatic(size) && size >= 1 &&
        (size < vector ||
         (reduction && size <= kWholeReductionVectors * lanes &&
          size % lanes == 0)))
      vector = size;
    SmallVector<int64_t> sizes(numLoops, 1);
    sizes[inner] = vector;
    // The loop order: the outer parallel dims, then the innermost dim when
    // it is parallel (so that the loops over the outer reduction dims inside
    // it accumulate one vector), then the outer reduction dims.
    SmallVector<int64_t> order;
    for (int64_t d = 0; d < inner; ++d)
      if (!isReduction(d))
        order.push_back(d);
    if (!reduction)
      order.push_back(inner);
    for (int64_t d = 0; d < inner; ++d)
      if (isReduction(d))
        order.push_back(d);
    if (reduction)
      order.push_back(inner);

    scf::SCFTilingOptions options;
    options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
    options.setInterchange(order);
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(op.getOperation()), options);
    if (failed(tiled) || tiled->tiledOps.empty()) {
      why = "tiling it failed";
      return failure();
    }
    rewriter.replaceOp(op, tiled->replacements);
    Operation *tileOp = tiled->tiledOps.back();
    tileOp->setAttr(kVectorSizes, rewriter.getDenseI64ArrayAttr(sizes));
    // One loop per dim, in `order`.
    if (static_cast<int64_t>(tiled->loops.size()) != numLoops)
      return success();
    scf::ForOp innerLoop;
    for (auto [loop, d] : llvm::zip_equal(tiled->loops, order)) {
      auto forOp = dyn_cast<scf::ForOp>(loop.getOperation());
      if (!forOp)
        continue;
      if (d == inner)
        innerLoop = forOp;
      else if (isReduction(d))
        forOp->setAttr(kReductionLoop, rewriter.getUnitAttr());
    }
    // The last vector of a row that is not a multiple of the vector size
    // runs in its own iteration, so the main loop's tiles are full.
    bool partial =
        ShapedType::isDynamic(size) || (size > vector && size % vector != 0);
    if (partial && innerLoop) {
      scf::ForOp tail;
      if (succeeded(
              scf::peelForLoopAndSimplifyBounds(rewriter, innerLoop, tail)) &&
          tail && vector > lanes)
        retileTail(tail, numLoops);
    }
    return success();
  }

  /// Tiles the tile in the peeled `tail` of a loop over several vectors
  /// again, to one vector per tile with the last partial one peeled off, so
  /// that a short remainder is not one masked tile of several vectors.
  void retileTail(scf::ForOp tail, int64_t numLoops) {
    linalg::LinalgOp tailTile;
    tail.walk([&](linalg::LinalgOp op) {
      if (op->hasAttr(kVectorSizes))
        tailTile = op;
    });
    if (!tailTile)
      return;
    tailTile->removeAttr(kVectorSizes);
    SmallVector<int64_t> sizes(numLoops, 1);
    sizes.back() = lanes;
    scf::SCFTilingOptions options;
    options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
    rewriter.setInsertionPoint(tailTile);
    FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(tailTile.getOperation()), options);
    if (failed(tiled) || tiled->tiledOps.empty() || tiled->loops.empty()) {
      // Vectorized as it is.
      tailTile->setAttr(kVectorSizes, rewriter.getDenseI64ArrayAttr(sizes));
      return;
    }
    rewriter.replaceOp(tailTile, tiled->replacements);
    tiled->tiledOps.back()->setAttr(kVectorSizes,
                                    rewriter.getDenseI64ArrayAttr(sizes));
    if (auto forOp = dyn_cast<scf::ForOp>(tiled->loops.back().getOperation())) {
      scf::ForOp last;
      (void)scf::peelForLoopAndSimplifyBounds(rewriter, forOp, last);
    }
  }

  /// Replaces the block argument of each input of `tile` that is one element
  /// (every dim of its tile is 1) by that element, read before the tile.
  void hoistUniformInputs(linalg::LinalgOp tile) {
    if (tile.getBlock()->getOps<tensor::ExtractOp>().empty())
      return;
    for (OpOperand *input : tile.getDpsInputOperands()) {
      auto type = dyn_cast<RankedTensorType>(input->get().getType());
      BlockArgument arg = tile.getMatchingBlockArgument(input);
      if (!type || arg.use_empty() ||
          llvm::any_of(type.getShape(), [](int64_t s) { return s != 1; }))
        continue;
      rewriter.setInsertionPoint(tile);
      Value zero = arith::ConstantIndexOp::create(rewriter, tile.getLoc(), 0);
      Value element =
          tensor::ExtractOp::create(rewriter, tile.getLoc(), input->get(),
                                    SmallVector<Value>(type.getRank(), zero));
      rewriter.replaceAllUsesWith(arg, element);
    }
  }

  IRRewriter rewriter;
  int64_t lanes;
  /// The vectors a tile of an op reducing over outer dims accumulates (a
  /// quarter of the vector registers, at most 8).
  int64_t accumulators;
  bool remarks;
  StringRef pass;
  /// The reductions of the tiles vectorized so far.
  SmallVector<Operation *> reductions;
  /// The locations of the ops already said to be left for the loop lowering.
  llvm::DenseSet<Location> remarked;
};

struct VectorizeLinalgPass
    : tokamak::cpu::impl::VectorizeLinalgBase<VectorizeLinalgPass> {
  using VectorizeLinalgBase::VectorizeLinalgBase;

  void runOnOperation() override {
    FailureOr<CpuTarget> target = resolvePassTarget(
        getOperation(), getArgument(), cpu, cpuFeatures, numThreads, remarks);
    if (failed(target))
      return signalPassFailure();
    // The outermost linalg ops on tensors; the ops in their regions are
    // scalar bodies.
    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() &&
          !op->getParentOfType<linalg::LinalgOp>())
        ops.push_back(op);
    });
    if (ops.empty())
      return;
    Vectorizer vectorizer(&getContext(), *target, remarks, getArgument());
    for (linalg::LinalgOp op : ops)
      vectorizer.tile(op);
    // Fold the tile sizes of full tiles to constants (and their slices to
    // static types).
    RewritePatternSet patterns(&getContext());
    for (Dialect *dialect : getContext().getLoadedDialects())
      dialect->getCanonicalizationPatterns(patterns);
    for (RegisteredOperationName name : getContext().getRegisteredOperations())
      name.getCanonicalizationPatterns(patterns, &getContext());
    FrozenRewritePatternSet canonicalization(std::move(patterns));
    if (failed(applyPatternsGreedily(getOperation(), canonicalization)))
      return signalPassFailure();
    SmallVector<linalg::LinalgOp> tiles;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op->hasAttr(kVectorSizes))
        tiles.push_back(op);
    });
    for (linalg::LinalgOp tile : tiles)
      vectorizer.vectorize(tile);
    if (failed(vectorizer.lowerReductions()))
      return signalPassFailure();
    if (failed(vectorizer.lowerMasks(getOperation())))
      return signalPassFailure();
    // Fold the sizes of the masks (dims of the tiles' slices and of the
    // loops' tensors) to values defined outside the reduction loops.
    if (failed(applyPatternsGreedily(getOperation(), canonicalization)))
      return signalPassFailure();
    vectorizer.hoistAccumulators(getOperation());
  }
};

} // namespace
