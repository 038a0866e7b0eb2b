//===- Basics.cpp - Lower the tok building blocks -------------------------===//
//
// Part of the Tokamak project. Lowers linear, rms_norm, layer_norm, rope,
// glu, activation and embedding.
//
// linear collapses the leading dims to `[M, K]` and becomes a
// `linalg.matmul` with a transposed-B map accumulating in f32 on a
// bias-seeded init; norms reduce over the last dim in f32 with
// `linalg.generic`s; rope rotates the two halves (NeoX) or the strided
// even/odd lanes (GPT-J) of the first `rotary_dim` channels and inserts them
// into the input; glu and activation are elementwise generics; embedding is
// a generic that gathers rows with `tensor.extract`.
//
//===----------------------------------------------------------------------===//

#include "PopulatePatterns.h"
#include "Utils.h"

#include "dialects/Tok/IR/TokOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace tokamak::detail;

namespace {

/// The map of a tensor indexed by all but the last of `rank` loops.
static AffineMap dropLastMap(MLIRContext *ctx, unsigned rank) {
  SmallVector<unsigned> dims;
  for (unsigned i = 0; i + 1 < rank; ++i)
    dims.push_back(i);
  return projMap(ctx, rank, dims);
}

/// `Σ_last f(x)` in f32 over the last dim of `x` (with `x` passed through
/// `f` in the body).
static Value reduceLast(OpBuilder &b, Location loc, Value x,
                        function_ref<Value(OpBuilder &, Location, Value)> f) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(x.getType());
  unsigned rank = type.getRank();
  SmallVector<OpFoldResult> dims = getDims(b, loc, x);
  dims.pop_back();
  Value init = createFilled(b, loc, dims, b.getF32Type(), 0.0);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{x}, ValueRange{init},
             ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank),
                                 dropLastMap(ctx, rank)},
             iteratorTypes(rank, {rank - 1}),
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value v = f(nb, nl, toF32(nb, nl, args[0]));
               linalg::YieldOp::create(
                   nb, nl,
                   arith::AddFOp::create(nb, nl, args[1], v).getResult());
             })
      .getResult(0);
}

/// 1 / size(last dim of x) as an f32 value.
static Value invLastDim(OpBuilder &b, Location loc, Value x) {
  OpFoldResult d = getDims(b, loc, x).back();
  if (std::optional<int64_t> c = getConstantIntValue(d))
    return f32Const(b, loc, 1.0 / static_cast<double>(*c));
  return arith::DivFOp::create(
      b, loc, f32Const(b, loc, 1.0),
      indexToF32(b, loc, getValueOrCreateConstantIndexOp(b, loc, d)));
}

struct LinearLowering : public OpConversionPattern<tok::LinearOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(tok::LinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Type f32 = rewriter.getF32Type();
    auto &b = rewriter;
    Value x = adaptor.getInput(), w = adaptor.getWeight();
    auto xType = cast<RankedTensorType>(x.getType());
    int64_t rank = xType.getRank();
    SmallVector<OpFoldResult> xDims = getDims(b, loc, x);
    OpFoldResult n = getDim(b, loc, w, 0);

    // Rows are the leading dims, collapsed into one for linalg.matmul unless
    // two or more of them are dynamic: expanding the result back would need
    // an expand_shape group with several dynamic sizes, which LLVM 22's
    // expand-strided-metadata cannot lower (it crashes). That case contracts
    // the N-D input directly with a linalg.generic.
    int64_t dynamicRows =
        llvm::count_if(xType.getShape().drop_back(),
                       [](int64_t s) { return ShapedType::isDynamic(s); });
    bool useMatmul = dynamicRows <= 1;
    ReassociationIndices lead;
    for (int64_t i = 0; i + 1 < rank; ++i)
      lead.push_back(i);
    Value lhs = x;
    if (useMatmul && rank == 1) {
      auto t = RankedTensorType::get({1, xType.getDimSize(0)},
                                     xType.getElementType());
      lhs = tensor::ExpandShapeOp::create(
          b, loc, t, x, ArrayRef<ReassociationIndices>{{0, 1}},
          ArrayRef<OpFoldResult>{b.getIndexAttr(1), xDims[0]});
    } else if (useMatmul && rank > 2) {
      lhs = tensor::CollapseShapeOp::create(
          b, loc, x, ArrayRef<ReassociationIndices>{lead, {rank - 1}});
    }
    SmallVector<OpFoldResult> accDims = getDims(b, loc, lhs);
    accDims.back() = n;
    unsigned accRank = accDims.size();

    // acc = bias (or 0) broadcast over rows, f32.
    Value acc;
    if (Value bias = adaptor.getBias()) {
      Value empty = createEmpty(b, loc, accDims, f32);
      acc = linalg::GenericOp::create(
                b, loc, TypeRange{empty.getType()}, ValueRange{bias},
                ValueRange{empty},
                ArrayRef<AffineMap>{projMap(ctx, accRank, {accRank - 1}),
                                    b.getMultiDimIdentityMap(accRank)},
                iteratorTypes(accRank),
                [&](OpBuilder &nb, Location nl, ValueRange args) {
                  linalg::YieldOp::create(nb, nl, toF32(nb, nl, args[0]));
                })
                .getResult(0);
    } else {
      acc = createFilled(b, loc, accDims, f32, 0.0);
    }

    Value y;
    if (useMatmul) {
      y = linalg::MatmulTransposeBOp::create(b, loc, TypeRange{acc.getType()},
                                             ValueRange{lhs, w},
                                             ValueRange{acc})
              .getResult(0);
    } else {
      // Loops (rows..., n, k): x[rows, k] · w[n, k].
      SmallVector<unsigned> xMap(lead.begin(), lead.end());
      xMap.push_back(rank);
      SmallVector<unsigned> outMap(lead.begin(), lead.end());
      outMap.push_back(rank - 1);
      y = linalg::GenericOp::create(
              b, loc, TypeRange{acc.getType()}, ValueRange{x, w},
              ValueRange{acc},
              ArrayRef<AffineMap>{
                  projMap(ctx, rank + 1, xMap),
                  projMap(ctx, rank + 1, {unsigned(rank - 1), unsigned(rank)}),
                  projMap(ctx, rank + 1, outMap)},
              iteratorTypes(rank + 1, {unsigned(rank)}),
              [&](OpBuilder &nb, Location nl, ValueRange args) {
                Value p = arith::MulFOp::create(nb, nl, toF32(nb, nl, args[0]),
                                                toF32(nb, nl, args[1]));
                linalg::YieldOp::create(
                    nb, nl,
                    arith::AddFOp::create(nb, nl, args[2], p).getResult());
              })
              .getResult(0);
    }

    auto yType = cast<RankedTensorType>(op.getOutput().getType());
    y = castTensor(b, loc, y, yType.getElementType());
    if (useMatmul && rank == 1) {
      y = tensor::CollapseShapeOp::create(
          b, loc, y, ArrayRef<ReassociationIndices>{{0, 1}});
    } else if (useMatmul && rank > 2) {
      SmallVector<OpFoldResult> outDims(xDims.begin(), xDims.end() - 1);
      outDims.push_back(n);
      SmallVector<int64_t> shape;
      SmallVector<Value> dyn;
      dispatchIndexOpFoldResults(outDims, dyn, shape);
      y = tensor::ExpandShapeOp::create(
          b, loc, RankedTensorType::get(shape, yType.getElementType()), y,
          ArrayRef<ReassociationIndices>{lead, {rank - 1}}, outDims);
    }
    rewriter.replaceOp(op, castToType(b, loc, y, yType));
    return success();
  }
};

/// Shared by rms_norm and layer_norm: `(x − mean)·rsqrt(var + eps)·w (+ b)`
/// with `mean` absent for RMS.
static Value normalize(OpBuilder &b, Location loc, Value x, Value w, Value bias,
                       Value mean, Value sumSq, Value invD, double eps,
                       Type elemType) {
  MLIRContext *ctx = b.getContext();
  unsigned rank = cast<RankedTensorType>(x.getType()).getRank();
  SmallVector<Value> ins{x, sumSq, w};
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank),
                              dropLastMap(ctx, rank),
                              projMap(ctx, rank, {rank - 1})};
  if (bias) {
    ins.push_back(bias);
    maps.push_back(projMap(ctx, rank, {rank - 1}));
  }
  if (mean) {
    ins.push_back(mean);
    maps.push_back(dropLastMap(ctx, rank));
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  Value empty = createEmpty(b, loc, getDims(b, loc, x), elemType);
  return linalg::GenericOp::create(
             b, loc, TypeRange{empty.getType()}, ins, ValueRange{empty}, maps,
             iteratorTypes(rank),
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value v = toF32(nb, nl, args[0]);
               if (mean)
                 v = arith::SubFOp::create(nb, nl, v, args[bias ? 4 : 3]);
               Value var = arith::MulFOp::create(nb, nl, args[1], invD);
               Value r = math::RsqrtOp::create(
                   nb, nl,
                   arith::AddFOp::create(nb, nl, var, f32Const(nb, nl, eps)));
               v = arith::MulFOp::create(nb, nl, v, r);
               v = arith::MulFOp::create(nb, nl, v, toF32(nb, nl, args[2]));
               if (bias)
                 v = arith::AddFOp::create(nb, nl, v, toF32(nb, nl, args[3]));
               linalg::YieldOp::create(nb, nl, fromF32(nb, nl, v, elemType));
             })
      .getResult(0);
}

struct RmsNormLowering : public OpConversionPattern<tok::RmsNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(tok::RmsNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    double eps = 1e-6;
    if (FloatAttr attr = op.getEpsAttr())
      eps = attr.getValueAsDouble();
    Value sumSq = reduceLast(rewriter, loc, x,
                             [](OpBuilder &nb, Location nl, Value v) -> Value {
                               return arith::MulFOp::create(nb, nl, v, v);
                             });
    auto yType = cast<RankedTensorType>(op.getOutput().getType());
    Value y = normalize(rewriter, loc, x, adaptor.getWeight(), Value(), Value(),
                        sumSq, invLastDim(rewriter, loc, x), eps,
                        yType.getElementType());
    rewriter.replaceOp(op, castToType(rewriter, loc, y, yType));
    return success();
  }
};

struct LayerNormLowering : public OpConversionPattern<tok::LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(tok::LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto &b = rewriter;
    Value x = adaptor.getInput();
    unsigned rank = cast<RankedTensorType>(x.getType()).getRank();
    double eps = 1e-5;
    if (FloatAttr attr = op.getEpsAttr())
      eps = attr.getValueAsDouble();
    Value invD = invLastDim(b, loc, x);
    Value sum =
        reduceLast(b, loc, x, [](OpBuilder &, Location, Value v) { return v; });
    AffineMap rowMap = b.getMultiDimIdentityMap(rank - 1);
    Value mean =
        linalg::GenericOp::create(
            b, loc, TypeRange{sum.getType()}, ValueRange{}, ValueRange{sum},
            ArrayRef<AffineMap>{rowMap}, iteratorTypes(rank - 1),
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              linalg::YieldOp::create(
                  nb, nl,
                  arith::MulFOp::create(nb, nl, args[0], invD).getResult());
            })
            .getResult(0);
    // Σ (x − mean)² with mean as a second input.
    SmallVector<OpFoldResult> rowDims = getDims(b, loc, x);
    rowDims.pop_back();
    Value init = createFilled(b, loc, rowDims, b.getF32Type(), 0.0);
    Value sumSq =
        linalg::GenericOp::create(
            b, loc, TypeRange{init.getType()}, ValueRange{x, mean},
            ValueRange{init},
            ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank),
                                dropLastMap(ctx, rank), dropLastMap(ctx, rank)},
            iteratorTypes(rank, {rank - 1}),
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              Value c = arith::SubFOp::create(nb, nl, toF32(nb, nl, args[0]),
                                              args[1]);
              Value sq = arith::MulFOp::create(nb, nl, c, c);
              linalg::YieldOp::create(
                  nb, nl,
                  arith::AddFOp::create(nb, nl, args[2], sq).getResult());
            })
            .getResult(0);
    auto yType = cast<RankedTensorType>(op.getOutput().getType());
    Value y = normalize(b, loc, x, adaptor.getWeight(), adaptor.getBias(), mean,
                        sumSq, invD, eps, yType.getElementType());
    rewriter.replaceOp(op, castToType(b, loc, y, yType));
    return success();
  }
};

struct RopeLowering : public OpConversionPattern<tok::RopeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(tok::RopeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto &b = rewriter;
    Value x = adaptor.getInput(), pos = adaptor.getPositions();
    auto xType = cast<RankedTensorType>(x.getType());
    Type elemType = xType.getElementType();
    int64_t rotary = xType.getDimSize(3);
    if (std::optional<int64_t> r = op.getRotaryDim())
      rotary = *r;
    if (ShapedType::isDynamic(rotary))
      return rewriter.notifyMatchFailure(op, "dynamic head dim");
    double theta = 10000.0;
    if (FloatAttr attr = op.getThetaAttr())
      theta = attr.getValueAsDouble();
    int64_t half = rotary / 2;
    bool interleaved = op.getInterleaved();
    int64_t stride = interleaved ? 2 : 1;
    OpFoldResult off1 = b.getIndexAttr(0);
    OpFoldResult off2 = b.getIndexAttr(interleaved ? 1 : half);
    Value x1 = extractRange(b, loc, x, 3, off1, b.getIndexAttr(half), stride);
    Value x2 = extractRange(b, loc, x, 3, off2, b.getIndexAttr(half), stride);

    SmallVector<OpFoldResult> dims = getDims(b, loc, x1);
    Value e1 = createEmpty(b, loc, dims, elemType);
    Value e2 = createEmpty(b, loc, dims, elemType);
    AffineMap id = b.getMultiDimIdentityMap(4);
    SmallVector<Value> inputs = {x1, x2, pos};
    SmallVector<AffineMap> maps = {id, id, projMap(ctx, 4, {0, 2})};
    // An explicit inverse-frequency table (RoPE scaling) is read per i.
    std::optional<ArrayRef<float>> table = op.getInvFreq();
    if (table) {
      auto tableType = RankedTensorType::get(
          {static_cast<int64_t>(table->size())}, b.getF32Type());
      inputs.push_back(arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(tableType, *table)));
      maps.push_back(projMap(ctx, 4, {3}));
    }
    maps.append({id, id});
    auto rotated = linalg::GenericOp::create(
        b, loc, TypeRange{e1.getType(), e2.getType()}, inputs,
        ValueRange{e1, e2}, maps, iteratorTypes(4),
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          // θ_i = theta^(−2i/rotary) or inv_freq[i], angle = pos·θ_i.
          Value invFreq;
          if (table) {
            invFreq = args[3];
          } else {
            Value i = indexToF32(nb, nl, loopIndex(nb, nl, 3));
            Value expo = arith::MulFOp::create(
                nb, nl, i, f32Const(nb, nl, 2.0 / static_cast<double>(rotary)));
            invFreq = arith::DivFOp::create(
                nb, nl, f32Const(nb, nl, 1.0),
                math::PowFOp::create(nb, nl, f32Const(nb, nl, theta), expo));
          }
          Value p = arith::SIToFPOp::create(nb, nl, nb.getF32Type(), args[2]);
          Value angle = arith::MulFOp::create(nb, nl, p, invFreq);
          Value c = math::CosOp::create(nb, nl, angle);
          Value s = math::SinOp::create(nb, nl, angle);
          Value a = toF32(nb, nl, args[0]);
          Value bb = toF32(nb, nl, args[1]);
          Value o1 =
              arith::SubFOp::create(nb, nl, arith::MulFOp::create(nb, nl, a, c),
                                    arith::MulFOp::create(nb, nl, bb, s));
          Value o2 = arith::AddFOp::create(nb, nl,
                                           arith::MulFOp::create(nb, nl, bb, c),
                                           arith::MulFOp::create(nb, nl, a, s));
          linalg::YieldOp::create(nb, nl,
                                  ValueRange{fromF32(nb, nl, o1, elemType),
                                             fromF32(nb, nl, o2, elemType)});
        });
    Value y = insertRange(b, loc, rotated.getResult(0), x, 3, off1, stride);
    y = insertRange(b, loc, rotated.getResult(1), y, 3, off2, stride);
    rewriter.replaceOp(op, castToType(b, loc, y, op.getOutput().getType()));
    return success();
  }
};

struct GluLowering : public OpConversionPattern<tok::GluOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(tok::GluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto &b = rewriter;
    Value x = adaptor.getInput();
    unsigned rank = cast<RankedTensorType>(x.getType()).getRank();
    tok::Activation act = op.getActivationKind();
    OpFoldResult n =
        divSize(b, loc, getDims(b, loc, x).back(), b.getIndexAttr(2));
    Value a = extractRange(b, loc, x, rank - 1, b.getIndexAttr(0), n);
    Value g = extractRange(b, loc, x, rank - 1, n, n);
    auto yType = cast<RankedTensorType>(op.getOutput().getType());
    Type elemType = yType.getElementType();
    Value empty = createEmpty(b, loc, getDims(b, loc, a), elemType);
    AffineMap id = b.getMultiDimIdentityMap(rank);
    Value y =
        linalg::GenericOp::create(
            b, loc, TypeRange{empty.getType()}, ValueRange{a, g},
            ValueRange{empty}, ArrayRef<AffineMap>{id, id, id},
            iteratorTypes(rank),
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              Value v = buildActivation(nb, nl, act, toF32(nb, nl, args[0]));
              v = arith::MulFOp::create(nb, nl, v, toF32(nb, nl, args[1]));
              linalg::YieldOp::create(nb, nl, fromF32(nb, nl, v, elemType));
            })
            .getResult(0);
    rewriter.replaceOp(op, castToType(b, loc, y, yType));
    return success();
  }
};

struct ActivationLowering : public OpConversionPattern<tok::ActivationOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(tok::ActivationOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto &b = rewriter;
    Value x = adaptor.getInput();
    unsigned rank = cast<RankedTensorType>(x.getType()).getRank();
    tok::Activation kind = op.getActivationKind();
    auto yType = cast<RankedTensorType>(op.getOutput().getType());
    Type elemType = yType.getElementType();
    Value empty = createEmpty(b, loc, getDims(b, loc, x), elemType);
    AffineMap id = b.getMultiDimIdentityMap(rank);
    Value y =
        linalg::GenericOp::create(
            b, loc, TypeRange{empty.getType()}, ValueRange{x},
            ValueRange{empty}, ArrayRef<AffineMap>{id, id}, iteratorTypes(rank),
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              Value v = buildActivation(nb, nl, kind, toF32(nb, nl, args[0]));
              linalg::YieldOp::create(nb, nl, fromF32(nb, nl, v, elemType));
            })
            .getResult(0);
    rewriter.replaceOp(op, castToType(b, loc, y, yType));
    return success();
  }
};

struct EmbeddingLowering : public OpConversionPattern<tok::EmbeddingOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(tok::EmbeddingOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto &b = rewriter;
    Value ids = adaptor.getIds(), table = adaptor.getTable();
    unsigned rank = cast<RankedTensorType>(ids.getType()).getRank();
    SmallVector<OpFoldResult> tDims = getDims(b, loc, table);
    SmallVector<OpFoldResult> dims = getDims(b, loc, ids);
    dims.push_back(tDims[1]);
    Value lastRow = getValueOrCreateConstantIndexOp(
        b, loc, addSize(b, loc, tDims[0], b.getIndexAttr(-1)));
    Value empty = createEmpty(b, loc, dims, elementTypeOf(table));
    SmallVector<unsigned> idDims;
    for (unsigned i = 0; i < rank; ++i)
      idDims.push_back(i);
    Value y =
        linalg::GenericOp::create(
            b, loc, TypeRange{empty.getType()}, ValueRange{ids},
            ValueRange{empty},
            ArrayRef<AffineMap>{projMap(ctx, rank + 1, idDims),
                                b.getMultiDimIdentityMap(rank + 1)},
            iteratorTypes(rank + 1),
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              // Out-of-range ids are clamped into the table.
              Value row = arith::IndexCastOp::create(nb, nl, nb.getIndexType(),
                                                     args[0]);
              row = arith::MaxSIOp::create(nb, nl, row, indexConst(nb, nl, 0));
              row = arith::MinSIOp::create(nb, nl, row, lastRow);
              Value col = loopIndex(nb, nl, rank);
              Value v = tensor::ExtractOp::create(nb, nl, table,
                                                  ValueRange{row, col});
              linalg::YieldOp::create(nb, nl, v);
            })
            .getResult(0);
    rewriter.replaceOp(op, castToType(b, loc, y, op.getOutput().getType()));
    return success();
  }
};

} // namespace

void tokamak::detail::populateBasicPatterns(RewritePatternSet &patterns) {
  patterns.add<LinearLowering, RmsNormLowering, LayerNormLowering, RopeLowering,
               GluLowering, ActivationLowering, EmbeddingLowering>(
      patterns.getContext());
}
