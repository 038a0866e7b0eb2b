//===- DecomposePackedScans.cpp - Packed scans one sequence at a time -----===//
//
// Part of the Tokamak project.
//
// tok-decompose-packed-scans: a tok.selective_scan, tok.linear_scan or
// tok.conv1d with `seq_starts` becomes an scf.for over its sequences, each
// iteration running the unpacked op on the sequence's slice of the time dim
// with its own row of `init`, and inserting the output slice and the final
// state row into zero-filled / empty accumulators.
//
//===----------------------------------------------------------------------===//

#include "dialects/Tok/Transforms/Passes.h"

#include "dialects/Tok/IR/TokOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir::tok {
#define GEN_PASS_DEF_DECOMPOSEPACKEDSCANS
#include "dialects/Tok/Transforms/Passes.h.inc"
} // namespace mlir::tok

using namespace mlir;
using namespace mlir::tok;

namespace {

/// One sequence of a packed op inside the loop over sequences: its index,
/// where its time slice starts and how long it is.
struct Sequence {
  Value index, start, size;
  int64_t timeDim;

  /// `value` restricted to the sequence along the time dim.
  Value slice(OpBuilder &b, Location loc, Value value) const {
    if (!value)
      return value;
    auto type = cast<RankedTensorType>(value.getType());
    SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, value);
    SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
    offsets[timeDim] = start;
    sizes[timeDim] = size;
    return tensor::ExtractSliceOp::create(b, loc, value, offsets, sizes,
                                          strides);
  }

  /// Row `index` (dim 0) of a per-sequence state `[N, ...]`.
  Value row(OpBuilder &b, Location loc, Value state) const {
    if (!state)
      return state;
    auto type = cast<RankedTensorType>(state.getType());
    SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, state);
    SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
    offsets[0] = index;
    sizes[0] = b.getIndexAttr(1);
    return tensor::ExtractSliceOp::create(b, loc, state, offsets, sizes,
                                          strides);
  }
};

/// `type` with dim `dim` set to `size`.
static RankedTensorType withDim(Type type, int64_t dim, int64_t size) {
  auto ranked = cast<RankedTensorType>(type);
  SmallVector<int64_t> shape(ranked.getShape());
  shape[dim] = size;
  return ranked.clone(shape);
}

/// Offset `cu[i]` as an index clamped to `[lo, hi]`.
static Value clampedOffset(OpBuilder &b, Location loc, Value cu, Value i,
                           Value lo, Value hi) {
  Value raw = tensor::ExtractOp::create(b, loc, cu, ValueRange{i});
  Value offset =
      arith::IndexCastOp::create(b, loc, b.getIndexType(), raw).getResult();
  offset = arith::MaxSIOp::create(b, loc, offset, lo);
  return arith::MinSIOp::create(b, loc, offset, hi);
}

/// Creates the unpacked op of one sequence; returns its output and its
/// final state (null when the packed op has none).
using BuildOne = function_ref<std::pair<Value, Value>(
    OpBuilder &b, Location loc, const Sequence &seq, Type outputType,
    Type finalType)>;

/// Replaces the packed `op` (results: output, optional final state) by the
/// loop over its sequences. `timeSource` is an operand whose dim `timeDim`
/// is the packed length L.
static LogicalResult decompose(RewriterBase &rewriter, Operation *op,
                               Value seqStarts, Value timeSource,
                               int64_t timeDim, BuildOne buildOne) {
  Location loc = op->getLoc();
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);

  // The result shapes (dim 0 of the final state counts the sequences).
  ReifiedRankedShapedTypeDims shapes;
  if (failed(reifyResultShapes(rewriter, op, shapes)))
    return rewriter.notifyMatchFailure(op, "cannot reify the result shapes");

  // Output accumulator: positions outside every sequence stay 0.
  auto outputType = cast<RankedTensorType>(op->getResult(0).getType());
  Value zero = arith::ConstantOp::create(
      rewriter, loc, rewriter.getZeroAttr(outputType.getElementType()));
  Value output = linalg::FillOp::create(
                     rewriter, loc, zero,
                     tensor::EmptyOp::create(rewriter, loc, shapes[0],
                                             outputType.getElementType())
                         .getResult())
                     .getResult(0);
  SmallVector<Value> inits{output};
  Type finalType;
  if (op->getNumResults() > 1) {
    auto packedFinal = cast<RankedTensorType>(op->getResult(1).getType());
    inits.push_back(tensor::EmptyOp::create(rewriter, loc, shapes[1],
                                            packedFinal.getElementType()));
    finalType = withDim(packedFinal, 0, 1);
  }

  Value c0 = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value c1 = arith::ConstantIndexOp::create(rewriter, loc, 1);
  Value length = tensor::DimOp::create(rewriter, loc, timeSource, timeDim);
  Value numSeqs = arith::SubIOp::create(
      rewriter, loc, tensor::DimOp::create(rewriter, loc, seqStarts, 0), c1);
  Type sliceOutputType = withDim(outputType, timeDim, ShapedType::kDynamic);

  auto loop = scf::ForOp::create(
      rewriter, loc, c0, numSeqs, c1, inits,
      [&](OpBuilder &b, Location l, Value n, ValueRange acc) {
        Sequence seq;
        seq.index = n;
        seq.timeDim = timeDim;
        seq.start = clampedOffset(b, l, seqStarts, n, c0, length);
        Value next = arith::AddIOp::create(b, l, n, c1);
        Value end = clampedOffset(b, l, seqStarts, next, seq.start, length);
        seq.size = arith::SubIOp::create(b, l, end, seq.start);
        auto [y, state] = buildOne(b, l, seq, sliceOutputType, finalType);

        // The sequence's output at its offset; its state as row n.
        auto insertAt = [&](Value part, Value into, int64_t dim, Value offset,
                            OpFoldResult size) -> Value {
          auto type = cast<RankedTensorType>(part.getType());
          SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
          SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, l, part);
          SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
          offsets[dim] = offset;
          sizes[dim] = size;
          return tensor::InsertSliceOp::create(b, l, part, into, offsets, sizes,
                                               strides);
        };
        SmallVector<Value> yields{
            insertAt(y, acc[0], timeDim, seq.start, seq.size)};
        if (state)
          yields.push_back(insertAt(state, acc[1], 0, n, b.getIndexAttr(1)));
        scf::YieldOp::create(b, l, yields);
      });
  rewriter.replaceOp(op, loop.getResults());
  return success();
}

struct DecomposeSelectiveScan : OpRewritePattern<SelectiveScanOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SelectiveScanOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getSeqStarts())
      return rewriter.notifyMatchFailure(op, "not packed");
    // x, dt, B, C, z are [B, L, ...].
    return decompose(
        rewriter, op, op.getSeqStarts(), op.getX(), /*timeDim=*/1,
        [&](OpBuilder &b, Location loc, const Sequence &seq, Type outputType,
            Type finalType) {
          auto one = SelectiveScanOp::create(
              b, loc, outputType, finalType, seq.slice(b, loc, op.getX()),
              seq.slice(b, loc, op.getDt()), op.getA(),
              seq.slice(b, loc, op.getB()), seq.slice(b, loc, op.getC()),
              op.getD(), seq.slice(b, loc, op.getZ()), op.getDtBias(),
              seq.row(b, loc, op.getInit()), /*seq_starts=*/Value(),
              op.getDtSoftplus());
          return std::make_pair(one.getY(), one.getFinalState());
        });
  }
};

struct DecomposeLinearScan : OpRewritePattern<LinearScanOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LinearScanOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getSeqStarts())
      return rewriter.notifyMatchFailure(op, "not packed");
    // q, k, v, decay, beta are [B, H, L, ...].
    return decompose(
        rewriter, op, op.getSeqStarts(), op.getQuery(), /*timeDim=*/2,
        [&](OpBuilder &b, Location loc, const Sequence &seq, Type outputType,
            Type finalType) {
          auto one = LinearScanOp::create(
              b, loc, outputType, finalType, seq.slice(b, loc, op.getQuery()),
              seq.slice(b, loc, op.getKey()), seq.slice(b, loc, op.getValue()),
              seq.slice(b, loc, op.getDecay()), seq.slice(b, loc, op.getBeta()),
              seq.row(b, loc, op.getInit()), /*seq_starts=*/Value(),
              op.getUpdateAttr(), op.getScaleAttr(), op.getReverse());
          return std::make_pair(one.getOutput(), one.getFinalState());
        });
  }
};

struct DecomposeConv1d : OpRewritePattern<Conv1dOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(Conv1dOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getSeqStarts())
      return rewriter.notifyMatchFailure(op, "not packed");
    // input is [B, L, C].
    return decompose(
        rewriter, op, op.getSeqStarts(), op.getInput(), /*timeDim=*/1,
        [&](OpBuilder &b, Location loc, const Sequence &seq, Type outputType,
            Type finalType) {
          auto one = Conv1dOp::create(
              b, loc, outputType, finalType, seq.slice(b, loc, op.getInput()),
              op.getWeight(), op.getBias(), seq.row(b, loc, op.getInit()),
              /*seq_starts=*/Value(), op.getActivationAttr());
          return std::make_pair(one.getOutput(), one.getFinalState());
        });
  }
};

struct DecomposePackedScansPass
    : tok::impl::DecomposePackedScansBase<DecomposePackedScansPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateDecomposePackedScanPatterns(patterns);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace

void mlir::tok::populateDecomposePackedScanPatterns(
    RewritePatternSet &patterns) {
  patterns.add<DecomposeSelectiveScan, DecomposeLinearScan, DecomposeConv1d>(
      patterns.getContext());
}
