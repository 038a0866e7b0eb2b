//===- ExpandStridedCopies.cpp - Strided memref.copy as loops -------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Transforms/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tokamak {
#define GEN_PASS_DEF_EXPANDSTRIDEDCOPIES
#include "tokamak/Transforms/Passes.h.inc"
} // namespace tokamak

using namespace mlir;

namespace {
/// memref.copy with a non-identity layout on either side -> linalg.copy.
struct ExpandStridedCopy : OpRewritePattern<memref::CopyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(memref::CopyOp copy,
                                PatternRewriter &rewriter) const override {
    auto source = cast<MemRefType>(copy.getSource().getType());
    auto target = cast<MemRefType>(copy.getTarget().getType());
    // What finalize-memref-to-llvm copies with one memcpy: identity layouts
    // and static shapes laid out contiguously row-major (a block of whole
    // rows at a dynamic offset, say).
    auto contiguous = [](MemRefType type) {
      return type.getLayout().isIdentity() ||
             (type.hasStaticShape() && type.getNumElements() > 0 &&
              memref::isStaticShapeAndContiguousRowMajor(type));
    };
    if (contiguous(source) && contiguous(target))
      return failure();
    rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                copy.getTarget());
    return success();
  }
};

struct ExpandStridedCopiesPass
    : tokamak::impl::ExpandStridedCopiesBase<ExpandStridedCopiesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ExpandStridedCopy>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
