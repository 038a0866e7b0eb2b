//===- FuseElementwise.cpp - Elementwise fusion without recomputation -----===//
//
// Part of the Tokamak project.
//
// Upstream's linalg-elementwise-op-fusion with one change to its control
// function: a producer is not fused into a consumer that reads its result
// through a broadcast (a non-permutation indexing map), since the fused
// body would recompute the producer once per broadcast element. Besides the
// wasted work, tok.lse_merge whose lse result is unused turned into an inner
// loop recomputing two exp/log polynomial chains per element, on which
// LLVM's loop vectorizer (vputils::isUniformAcrossVFsAndUFs, unmemoized over
// the shared operands) ran for hours (issue 14).
//
//===----------------------------------------------------------------------===//

#include "tokamak/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tokamak {
#define GEN_PASS_DEF_FUSEELEMENTWISE
#include "tokamak/Transforms/Passes.h.inc"
} // namespace tokamak

using namespace mlir;

/// Fuses single-use producers, unless the consumer broadcasts the result.
static bool shouldFuse(OpOperand *fusedOperand) {
  Operation *producer = fusedOperand->get().getDefiningOp();
  if (!producer || !producer->hasOneUse())
    return false;
  if (auto consumer = dyn_cast<linalg::LinalgOp>(fusedOperand->getOwner()))
    return consumer.getMatchingIndexingMap(fusedOperand).isPermutation();
  return true;
}

namespace {
struct FuseElementwisePass
    : tokamak::impl::FuseElementwiseBase<FuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    linalg::ControlFusionFn control = shouldFuse;
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, control);
    tensor::populateBubbleUpExpandShapePatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    ctx->getLoadedDialect<linalg::LinalgDialect>()->getCanonicalizationPatterns(
        patterns);
    linalg::populateConstantFoldLinalgOperations(patterns, control);
    (void)applyPatternsGreedily(
        getOperation(), std::move(patterns),
        GreedyRewriteConfig().setUseTopDownTraversal(true));
  }
};
} // namespace
