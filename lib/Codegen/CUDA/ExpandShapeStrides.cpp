//===- ExpandShapeStrides.cpp - expand_shape with dynamic groups ----------===//
//
// Part of the Tokamak project. See the pass description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Codegen/CUDA/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace tokamak::cuda {
#define GEN_PASS_DEF_EXPANDSHAPESTRIDES
#include "tokamak/Codegen/CUDA/Passes.h.inc"
} // namespace tokamak::cuda

using namespace mlir;

/// Whether a reassociation group of `op` has more than one dynamic output
/// size (the form expand-strided-metadata crashes on).
static bool hasDynamicGroup(memref::ExpandShapeOp op) {
  ArrayRef<int64_t> shape = op.getResultType().getShape();
  for (const ReassociationIndices &group : op.getReassociationIndices())
    if (llvm::count_if(group, [&](int64_t dim) {
          return ShapedType::isDynamic(shape[dim]);
        }) > 1)
      return true;
  return false;
}

namespace {

struct ExpandShapeAsCast : OpRewritePattern<memref::ExpandShapeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(memref::ExpandShapeOp op,
                                PatternRewriter &rewriter) const override {
    if (!hasDynamicGroup(op))
      return rewriter.notifyMatchFailure(op, "no group with dynamic sizes");
    Location loc = op.getLoc();
    MemRefType resultType = op.getResultType();
    int64_t rank = resultType.getRank();
    auto metadata =
        memref::ExtractStridedMetadataOp::create(rewriter, loc, op.getSrc());
    SmallVector<OpFoldResult> sizes = op.getMixedOutputShape();
    SmallVector<OpFoldResult> strides(rank);
    for (auto [sourceDim, group] :
         llvm::enumerate(op.getReassociationIndices())) {
      Value stride = metadata.getStrides()[sourceDim];
      for (int64_t dim : llvm::reverse(group)) {
        strides[dim] = stride;
        if (dim == group.front())
          break;
        Value size = getValueOrCreateConstantIndexOp(rewriter, loc, sizes[dim]);
        stride = arith::MulIOp::create(rewriter, loc, stride, size);
      }
    }
    SmallVector<int64_t> dynamicStrides(rank, ShapedType::kDynamic);
    auto layout = StridedLayoutAttr::get(getContext(), ShapedType::kDynamic,
                                         dynamicStrides);
    auto castType =
        MemRefType::get(resultType.getShape(), resultType.getElementType(),
                        layout, resultType.getMemorySpace());
    Value cast = memref::ReinterpretCastOp::create(
        rewriter, loc, castType, metadata.getBaseBuffer(),
        OpFoldResult(metadata.getOffset()), sizes, strides);
    rewriter.replaceOpWithNewOp<memref::CastOp>(op, resultType, cast);
    return success();
  }
};

struct ExpandShapeStridesPass
    : tokamak::cuda::impl::ExpandShapeStridesBase<ExpandShapeStridesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ExpandShapeAsCast>(&getContext());
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace
