//===- ApproximateMath.cpp - Polynomial transcendental functions ----------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Transforms/Passes.h"

#include "mlir/Dialect/Math/Transforms/Approximation.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tokamak {
#define GEN_PASS_DEF_APPROXIMATEMATH
#include "tokamak/Transforms/Passes.h.inc"
} // namespace tokamak

using namespace mlir;

namespace {
struct ApproximateMathPass
    : tokamak::impl::ApproximateMathBase<ApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
