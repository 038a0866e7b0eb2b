//===- TokToLinalg.cpp - The convert-tok-to-linalg pass -------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Conversion/TokToLinalg/TokToLinalg.h"
#include "PopulatePatterns.h"
#include "dialects/Tok/IR/TokDialect.h"
#include "dialects/Tok/Transforms/Passes.h"
#include "tokamak/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/DialectConversion.h"

namespace tokamak {
#define GEN_PASS_DEF_CONVERTTOKTOLINALG
#include "tokamak/Conversion/Passes.h.inc"
} // namespace tokamak

using namespace mlir;

void tokamak::populateTokToLinalgPatterns(RewritePatternSet &patterns) {
  detail::populateAttentionPatterns(patterns);
  detail::populateScanPatterns(patterns);
  detail::populateMixerPatterns(patterns);
  detail::populateBasicPatterns(patterns);
  detail::populateTopKPatterns(patterns);
  // Packed scans run per sequence; the conversion then lowers those ops.
  mlir::tok::populateDecomposePackedScanPatterns(patterns);
}

namespace {
struct ConvertTokToLinalgPass
    : tokamak::impl::ConvertTokToLinalgBase<ConvertTokToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<tok::TokDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    tokamak::populateTokToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
