//===- VectorizeLinalg.cpp - Vectorize the linalg ops left over
//------------===//
//
// Part of the Tokamak project.
//
// tok-vectorize-linalg: the linalg ops on tensors that no tile pass turned
// into a kernel (upstream elementwise ops, broadcasts, gathers, reductions,
// decomposed softmax, the reference lowering of tok ops) are tiled to one
// target vector along their innermost dim and vectorized with upstream
// linalg vectorization, instead of becoming scalar loops.
//
//===----------------------------------------------------------------------===//

#include "PassTarget.h"

#include "tokamak/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/MathExtras.h"

namespace tokamak::cpu {
#define GEN_PASS_DEF_VECTORIZELINALG
#include "tokamak/Codegen/CPU/Passes.h.inc"
} // namespace tokamak::cpu

using namespace mlir;
using namespace tokamak::cpu;

namespace {

/// A reduction of at most this many vectors is vectorized whole.
constexpr int64_t kWholeReductionVectors = 4;

/// The attribute that marks a tile for vectorization, holding its vector
/// sizes, between tiling and vectorization.
constexpr StringLiteral kVectorSizes = "tok.vector_sizes";

/// Tiles every op for vectorization, then vectorizes the tiles once
/// canonicalization has made the sizes of full tiles static.
class Vectorizer {
public:
  Vectorizer(MLIRContext *ctx, int64_t lanes, bool remarks, StringRef pass)
      : rewriter(ctx), lanes(lanes), remarks(remarks), pass(pass) {}

  /// Tiles `op` so that each tile is one vector along the innermost dim and
  /// 1 along the others, peeling the last partial vector into its own loop
  /// iteration, and marks the tiles; with remarks, says why an op is left.
  void tile(linalg::LinalgOp op) {
    std::string why;
    if (failed(tileOp(op, why)) && remarks)
      op->emitRemark() << pass << ": left for the loop lowering: " << why;
  }

  /// Vectorizes a marked tile whose sizes are static: full tiles, and the
  /// peeled tail of a row of static length when it is a power of two. The
  /// tail of a dynamic row stays scalar (MLIR 22 builds ill-typed masks for
  /// masked vectorization of tiles with unit dims).
  void vectorize(linalg::LinalgOp tile) {
    tile->removeAttr(kVectorSizes);
    SmallVector<int64_t> sizes = tile.getStaticLoopRanges();
    if (llvm::any_of(sizes, ShapedType::isDynamic))
      return;
    // Whole vectors or a power-of-two part of one: LLVM 22's x86 backend
    // aborts on some odd-length vectors (<37 x float> loads).
    int64_t inner = sizes.back();
    if (inner % lanes != 0 && !llvm::isPowerOf2_64(inner))
      return;
    // Fixed-width vectors in every dim (an empty list is not "none").
    SmallVector<bool> scalable(sizes.size(), false);
    if (failed(linalg::vectorizeOpPrecondition(tile, sizes, scalable))) {
      if (remarks)
        tile->emitRemark() << pass
                           << ": left for the loop lowering: the vectorizer "
                              "does not support it";
      return;
    }
    rewriter.setInsertionPoint(tile);
    Block *block = tile->getBlock();
    FailureOr<linalg::VectorizationResult> vectorized =
        linalg::vectorize(rewriter, tile, sizes, scalable);
    if (failed(vectorized))
      return;
    if (!vectorized->replacements.empty())
      rewriter.replaceOp(tile, vectorized->replacements);
    else
      rewriter.eraseOp(tile);
    block->walk(
        [&](vector::MultiDimReductionOp op) { reductions.push_back(op); });
  }

  /// Lowers the reductions of the vectorized tiles to 1-D horizontal
  /// reductions (llvm.vector.reduce.*). The pipeline's default lowering
  /// unrolls a `vector<1xN>` reduction into N `<1 x float>` ops, on which
  /// LLVM 22's x86 instruction selection aborts.
  LogicalResult lowerReductions() {
    if (reductions.empty())
      return success();
    MLIRContext *ctx = rewriter.getContext();
    RewritePatternSet patterns(ctx);
    vector::populateVectorMultiReductionLoweringPatterns(
        patterns, vector::VectorMultiReductionLowering::InnerReduction);
    SmallVector<Operation *> ops(reductions.begin(), reductions.end());
    reductions.clear();
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    return applyOpPatternsGreedily(ops, std::move(patterns), config);
  }

private:
  LogicalResult tileOp(linalg::LinalgOp op, std::string &why) {
    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    int64_t numLoops = iterators.size();
    if (numLoops == 0) {
      why = "it has no loops";
      return failure();
    }
    int64_t inner = numLoops - 1;
    if (!llvm::all_of(ArrayRef(iterators).drop_back(), [](auto it) {
          return it == utils::IteratorType::parallel;
        })) {
      why = "a loop other than the innermost is a reduction";
      return failure();
    }
    // The innermost dim in vectors; a short static one, parallel or a
    // reduction of at most four vectors, in one piece.
    int64_t size = op.getStaticLoopRanges()[inner];
    int64_t vector = lanes;
    bool reduction = iterators[inner] == utils::IteratorType::reduction;
    if (ShapedType::isStatic(size) && size >= 1 &&
        (size < lanes || (reduction && size <= kWholeReductionVectors * lanes &&
                          size % lanes == 0)))
      vector = size;
    SmallVector<int64_t> sizes(numLoops, 1);
    sizes[inner] = vector;

    scf::SCFTilingOptions options;
    options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
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
    // The last vector of a row that is not a multiple of the vector size
    // runs in its own iteration, so the main loop's tiles are full.
    bool partial =
        ShapedType::isDynamic(size) || (size > vector && size % vector != 0);
    if (partial && !tiled->loops.empty()) {
      if (auto forOp =
              dyn_cast<scf::ForOp>(tiled->loops.back().getOperation())) {
        scf::ForOp tail;
        (void)scf::peelForLoopAndSimplifyBounds(rewriter, forOp, tail);
      }
    }
    return success();
  }

  IRRewriter rewriter;
  int64_t lanes;
  bool remarks;
  StringRef pass;
  /// The reductions of the tiles vectorized so far.
  SmallVector<Operation *> reductions;
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
    Vectorizer vectorizer(&getContext(), target->f32Lanes(), remarks,
                          getArgument());
    for (linalg::LinalgOp op : ops)
      vectorizer.tile(op);
    // Fold the tile sizes of full tiles to constants (and their slices to
    // static types).
    RewritePatternSet patterns(&getContext());
    for (Dialect *dialect : getContext().getLoadedDialects())
      dialect->getCanonicalizationPatterns(patterns);
    for (RegisteredOperationName name : getContext().getRegisteredOperations())
      name.getCanonicalizationPatterns(patterns, &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
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
  }
};

} // namespace
