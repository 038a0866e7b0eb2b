//===- ExpandBF16Conversions.cpp - bf16 conversions without libcalls ------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tokamak {
#define GEN_PASS_DEF_EXPANDBF16CONVERSIONS
#include "tokamak/Transforms/Passes.h.inc"
} // namespace tokamak

using namespace mlir;

namespace {
struct ExpandBF16ConversionsPass
    : tokamak::impl::ExpandBF16ConversionsBase<ExpandBF16ConversionsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    arith::populateExpandBFloat16Patterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
