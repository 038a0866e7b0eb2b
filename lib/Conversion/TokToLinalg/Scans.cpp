//===- Scans.cpp - Lower the tok scan ops ---------------------------------===//
//
// Part of the Tokamak project. Lowers assoc_scan here and gathers the
// selective_scan (SelectiveScan.cpp) and linear_scan (LinearScan.cpp)
// patterns.
//
// tok.assoc_scan runs sequentially along `dim`: an `scf.for` carries the
// running accumulator (one slice across `dim`), updates it in place with
// `acc = combine(acc, x_t)` (a parallel `linalg.generic` whose body is the
// inlined combine region, the earlier element being the output operand) and
// inserts it at slice t of each result.
//
//===----------------------------------------------------------------------===//

#include "Scans.h"
#include "PopulatePatterns.h"
#include "Utils.h"

#include "dialects/Tok/IR/TokOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace tokamak::detail;

namespace {

struct AssocScanLowering : public OpConversionPattern<tok::AssocScanOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(tok::AssocScanOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto &b = rewriter;
    ValueRange inputs = adaptor.getInputs();
    unsigned numInputs = inputs.size();
    int64_t dim = op.getDim();
    bool reverse = op.getReverse();
    Block &combine = op.getCombine().front();
    Operation *terminator = combine.getTerminator();

    Value one = indexConst(b, loc, 1);
    OpFoldResult lenSize = getDim(b, loc, inputs[0], dim);
    Value len = getValueOrCreateConstantIndexOp(b, loc, lenSize);
    OpFoldResult first = reverse ? addSize(b, loc, lenSize, b.getIndexAttr(-1))
                                 : OpFoldResult(b.getIndexAttr(0));
    // iter_args: the results, then the running accumulator (one slice).
    SmallVector<Value> initArgs;
    for (Value in : inputs) {
      Value carry = extractSliceAt(b, loc, in, dim, first);
      Value res = createEmpty(b, loc, getDims(b, loc, in), elementTypeOf(in));
      initArgs.push_back(insertSliceAt(b, loc, carry, res, dim, first));
    }
    for (Value in : inputs)
      initArgs.push_back(extractSliceAt(b, loc, in, dim, first));

    auto loop = scf::ForOp::create(
        b, loc, one, len, one, initArgs,
        [&](OpBuilder &lb, Location ll, Value iv, ValueRange iter) {
          Value t = iv;
          if (reverse)
            t = arith::SubIOp::create(
                lb, ll, arith::SubIOp::create(lb, ll, len, one), iv);
          ValueRange results = iter.take_front(numInputs);
          ValueRange carries = iter.drop_front(numInputs);
          SmallVector<Value> later;
          for (Value in : inputs)
            later.push_back(extractSliceAt(lb, ll, in, dim, t));
          unsigned rank =
              cast<RankedTensorType>(carries[0].getType()).getRank();
          SmallVector<AffineMap> maps(2 * numInputs,
                                      lb.getMultiDimIdentityMap(rank));
          // carry = combine(carry, x_t), in place on the carry.
          auto generic = linalg::GenericOp::create(
              lb, ll, carries.getTypes(), later, carries, maps,
              iteratorTypes(rank),
              [&](OpBuilder &nb, Location nl, ValueRange args) {
                IRMapping mapping;
                mapping.map(combine.getArguments().take_front(numInputs),
                            args.drop_front(numInputs));
                mapping.map(combine.getArguments().drop_front(numInputs),
                            args.take_front(numInputs));
                for (Operation &inner : combine.without_terminator())
                  nb.clone(inner, mapping);
                SmallVector<Value> yielded;
                for (Value v : terminator->getOperands())
                  yielded.push_back(mapping.lookupOrDefault(v));
                linalg::YieldOp::create(nb, nl, yielded);
              });
          SmallVector<Value> yields;
          for (auto [res, acc] : llvm::zip(generic.getResults(), results))
            yields.push_back(insertSliceAt(lb, ll, res, acc, dim, t));
          llvm::append_range(yields, generic.getResults());
          scf::YieldOp::create(lb, ll, yields);
        });

    SmallVector<Value> results;
    for (auto [res, type] : llvm::zip(loop.getResults().take_front(numInputs),
                                      op.getResultTypes()))
      results.push_back(castToType(b, loc, res, type));
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void tokamak::detail::populateScanPatterns(RewritePatternSet &patterns) {
  patterns.add<AssocScanLowering>(patterns.getContext());
  populateSelectiveScanPatterns(patterns);
  populateLinearScanPatterns(patterns);
}
