//===- TileConv1d.cpp - Fused, vectorized causal depthwise conv1d ---------===//
//
// Part of the Tokamak project. Replaces tok.conv1d (x [B, L, C], w [C, K])
// with one streaming vector kernel that applies the bias and the activation
// in registers:
//
//   scf.forall (b, channel tile, time split):
//     w, bias of the tile -> registers (w read transposed, one vector per tap)
//     window = the K-1 inputs before the split (x, or init before t = 0)
//     scf.for t: y_t = act(bias + Σ_k w_k · x_{t-K+1+k}); the window slides
//                in registers, so x is read once and y written once
//
// The final state (the last K-1 inputs) is gathered by a small loop nest
// after the forall. Convolutions with a dynamic channel count or kernel size,
// or another activation, stay for convert-tok-to-linalg.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "PassTarget.h"

#include "dialects/Tok/IR/TokOps.h"
#include "tokamak/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

namespace tokamak::cpu {
#define GEN_PASS_DEF_TILECONV1D
#include "tokamak/Codegen/CPU/Passes.h.inc"
} // namespace tokamak::cpu

using namespace mlir;
using namespace tokamak::cpu;

namespace {

/// The static facts of one convolution.
struct Conv1dShape {
  int64_t channels = 0, taps = 0;
  /// f32 lanes per vector (the target's).
  int64_t lanes = 0;
  /// Vectors per channel tile, and whether every vector is full.
  int64_t tileVectors = 1;
  bool fullVectors = true;
  bool silu = false;
};

class Conv1dEmitter {
public:
  Conv1dEmitter(OpBuilder &b, Location loc, tok::Conv1dOp op,
                const Conv1dShape &shape, int64_t numThreads)
      : kb(b, loc, shape.lanes), op(op), s(shape), lanes(shape.lanes),
        numThreads(numThreads) {}

  Value output(Value out);
  Value finalState(Value out);

private:
  /// The input at (b, position p, channels c..c+lanes), p ≥ -(K-1): from x, or
  /// from init (zeros without one) before t = 0.
  Value history(Value bIdx, OpFoldResult p, Value c);

  KernelBuilder kb;
  tok::Conv1dOp op;
  const Conv1dShape &s;
  const int64_t lanes;
  int64_t numThreads;
};

Value Conv1dEmitter::history(Value bIdx, OpFoldResult p, Value c) {
  Value x = op.getInput(), init = op.getInit();
  int64_t km1 = s.taps - 1;
  auto fromX = [&]() -> KernelBuilder::Values {
    return {kb.read(x, {bIdx, kb.val(p), c}, lanes, s.fullVectors)};
  };
  auto fromInit = [&]() -> KernelBuilder::Values {
    if (!init)
      return {kb.cstF(0.0, lanes)};
    Value j = kb.val(kb.add(p, kb.cst(km1)));
    return {
        kb.readAlong(init, {bIdx, c, j}, /*laneDim=*/1, lanes, s.fullVectors)};
  };
  if (std::optional<int64_t> sp = getConstantIntValue(p))
    return *sp >= 0 ? fromX()[0] : fromInit()[0];
  Value isX = kb.cmp(arith::CmpIPredicate::sge, p, kb.cst(0));
  return kb.ifElse(isX, TypeRange{kb.vecType()}, fromX, fromInit)[0];
}

Value Conv1dEmitter::output(Value out) {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  Value x = op.getInput(), w = op.getWeight(), bias = op.getBias();
  int64_t km1 = s.taps - 1;
  int64_t tileChannels = s.tileVectors * lanes;
  int64_t tiles = (s.channels + tileChannels - 1) / tileChannels;
  OpFoldResult batch = kb.dim(x, 0), len = kb.dim(x, 1);

  // Time splits when the channel tiles alone leave threads idle.
  int64_t splits = 1;
  std::optional<int64_t> sb = getConstantIntValue(batch);
  if (sb && *sb * tiles < 4 * numThreads)
    splits = std::max<int64_t>(1, (4 * numThreads) /
                                      std::max<int64_t>(*sb * tiles, 1));
  OpFoldResult chunk = kb.ceilDiv(len, kb.cst(splits));

  auto forall = scf::ForallOp::create(
      b, loc, ArrayRef<OpFoldResult>{batch, kb.cst(tiles), kb.cst(splits)},
      ValueRange{out}, /*mapping=*/std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  SmallVector<Value> ivs = llvm::to_vector(forall.getInductionVars());
  Value shared = forall.getRegionIterArgs()[0];
  Value bIdx = ivs[0];
  // Dimensions of one task use the constant 0, so that sizes fold.
  OpFoldResult tileIv = tiles == 1 ? kb.cst(0) : OpFoldResult(ivs[1]);
  OpFoldResult splitIv = splits == 1 ? kb.cst(0) : OpFoldResult(ivs[2]);
  OpFoldResult c0 = kb.mul(tileIv, kb.cst(tileChannels));
  OpFoldResult csz =
      kb.min(kb.cst(tileChannels), kb.sub(kb.cst(s.channels), c0));
  OpFoldResult t0 =
      splits == 1 ? kb.cst(0) : kb.min(kb.mul(splitIv, chunk), len);
  OpFoldResult t1 = splits == 1 ? len : kb.min(kb.add(t0, chunk), len);
  OpFoldResult tsz = kb.sub(t1, t0);
  SmallVector<OpFoldResult> offsets{bIdx, t0, c0}, sizes{kb.cst(1), tsz, csz},
      strides(3, kb.cst(1));
  Value tile =
      tensor::ExtractSliceOp::create(b, loc, shared, offsets, sizes, strides);

  // Per-tile constants: the taps (one vector per tap and channel vector),
  // the bias and the sliding window.
  SmallVector<Value> cIdx;
  for (int64_t v = 0; v < s.tileVectors; ++v)
    cIdx.push_back(kb.val(kb.add(c0, kb.cst(v * lanes))));
  SmallVector<SmallVector<Value>> taps(s.taps);
  for (int64_t k = 0; k < s.taps; ++k)
    for (int64_t v = 0; v < s.tileVectors; ++v)
      taps[k].push_back(kb.readAlong(w, {cIdx[v], kb.idx(k)}, /*laneDim=*/0,
                                     lanes, s.fullVectors));
  SmallVector<Value> biasVec;
  for (int64_t v = 0; v < s.tileVectors; ++v)
    biasVec.push_back(bias ? kb.read(bias, {cIdx[v]}, lanes, s.fullVectors)
                           : kb.cstF(0.0, lanes));
  // state = [tile, window[j][v] for j < K-1, v < tileVectors].
  KernelBuilder::Values state{tile};
  for (int64_t j = 0; j < km1; ++j)
    for (int64_t v = 0; v < s.tileVectors; ++v)
      state.push_back(history(bIdx, kb.sub(t0, kb.cst(km1 - j)), cIdx[v]));

  KernelBuilder::Values result =
      kb.loop(t0, t1, 1, state, [&](Value t, ValueRange st) {
        KernelBuilder::Values next(st.begin(), st.end());
        Value cur = st[0];
        Value row = kb.val(kb.sub(t, t0));
        for (int64_t v = 0; v < s.tileVectors; ++v) {
          Value xv = kb.read(x, {bIdx, t, cIdx[v]}, lanes, s.fullVectors);
          Value acc = kb.fma(taps[km1][v], xv, biasVec[v]);
          for (int64_t j = 0; j < km1; ++j)
            acc = kb.fma(taps[j][v], st[1 + j * s.tileVectors + v], acc);
          if (s.silu)
            acc = kb.silu(acc);
          cur = kb.write(acc, cur, {kb.idx(0), row, kb.idx(v * lanes)},
                         {s.fullVectors});
          // Slide the window: drop the oldest input, append x_t.
          for (int64_t j = 0; j + 1 < km1; ++j)
            next[1 + j * s.tileVectors + v] =
                st[1 + (j + 1) * s.tileVectors + v];
          if (km1 > 0)
            next[1 + (km1 - 1) * s.tileVectors + v] = xv;
        }
        next[0] = cur;
        return next;
      });

  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loc, result[0], shared, offsets,
                                        sizes, strides);
  return forall.getResult(0);
}

Value Conv1dEmitter::finalState(Value out) {
  Value x = op.getInput();
  int64_t km1 = s.taps - 1;
  OpFoldResult batch = kb.dim(x, 0), len = kb.dim(x, 1);
  int64_t vectors = (s.channels + lanes - 1) / lanes;
  // state[b, c, j] = the input at position L - (K-1) + j.
  return kb.loop(kb.cst(0), batch, 1, out, [&](Value bIdx, ValueRange st) {
    return kb.loop(kb.cst(0), kb.cst(km1), 1, st, [&](Value j, ValueRange st2) {
      OpFoldResult p = kb.add(kb.sub(len, kb.cst(km1)), j);
      // A loop over the channel vectors, not an unrolled sequence: with
      // thousands of channels the unrolled strided writes made LLVM's loop
      // load elimination take seconds per function (a 24-layer Mamba took
      // 25 s to compile).
      return kb.loop(kb.cst(0), kb.cst(vectors * lanes), lanes, st2,
                     [&](Value c, ValueRange st3) -> KernelBuilder::Values {
                       Value h = history(bIdx, p, c);
                       return {kb.writeAlong(h, st3[0], {bIdx, c, j},
                                             /*laneDim=*/1, s.fullVectors)};
                     });
    });
  })[0];
}

struct TileConv1dPass : tokamak::cpu::impl::TileConv1dBase<TileConv1dPass> {
  using TileConv1dBase::TileConv1dBase;

  void runOnOperation() override {
    FailureOr<CpuTarget> target = resolvePassTarget(
        getOperation(), getArgument(), cpu, cpuFeatures, numThreads, remarks);
    if (failed(target))
      return signalPassFailure();
    tileEach<tok::Conv1dOp>(
        getOperation(), getArgument(), remarks,
        [&](tok::Conv1dOp op, std::string &why) {
          return analyze(op, *target, why);
        },
        [&](IRRewriter &rewriter, tok::Conv1dOp op, const Conv1dShape &shape) {
          if (remarks)
            op.emitRemark() << "tok-tile-conv1d: " << shape.lanes
                            << "-lane vectors, channel tile "
                            << shape.tileVectors * shape.lanes << " ("
                            << shape.tileVectors << " vectors)";
          Conv1dEmitter emitter(rewriter, op.getLoc(), op, shape, numThreads);
          SmallVector<Value> results;
          auto yType = cast<RankedTensorType>(op.getOutput().getType());
          Value y = tensor::EmptyOp::create(
              rewriter, op.getLoc(),
              tensor::getMixedSizes(rewriter, op.getLoc(), op.getInput()),
              yType.getElementType());
          y = emitter.output(y);
          if (y.getType() != yType)
            y = tensor::CastOp::create(rewriter, op.getLoc(), yType, y);
          results.push_back(y);
          if (Value fs = op.getFinalState()) {
            auto fsType = cast<RankedTensorType>(fs.getType());
            OpFoldResult batch =
                tensor::getMixedSize(rewriter, op.getLoc(), op.getInput(), 0);
            Value st = tensor::EmptyOp::create(
                rewriter, op.getLoc(),
                ArrayRef<OpFoldResult>{batch,
                                       rewriter.getIndexAttr(shape.channels),
                                       rewriter.getIndexAttr(shape.taps - 1)},
                fsType.getElementType());
            st = emitter.finalState(st);
            if (st.getType() != fsType)
              st = tensor::CastOp::create(rewriter, op.getLoc(), fsType, st);
            results.push_back(st);
          }
          rewriter.replaceOp(op, results);
        });
  }

  /// The static facts the kernel needs, or nothing for the convolutions
  /// left to the reference lowering.
  std::optional<Conv1dShape> analyze(tok::Conv1dOp op, const CpuTarget &target,
                                     std::string &why) {
    Conv1dShape s;
    RankedTensorType xType = op.getInput().getType();
    RankedTensorType wType = op.getWeight().getType();
    if (!isa<Float32Type, Float16Type, BFloat16Type>(xType.getElementType())) {
      why = "the input is not f32, f16 or bf16";
      return std::nullopt;
    }
    s.channels = ShapedType::isStatic(wType.getDimSize(0))
                     ? wType.getDimSize(0)
                     : xType.getDimSize(2);
    s.taps = wType.getDimSize(1);
    if (ShapedType::isDynamic(s.channels) || ShapedType::isDynamic(s.taps) ||
        s.channels < 1 || s.taps < 1 || s.taps > 16) {
      why = "channels and taps must be static, at most 16 taps";
      return std::nullopt;
    }
    s.silu = op.getActivationKind() == tok::Activation::Silu;
    int64_t lanes = target.f32Lanes();
    s.lanes = lanes;
    s.fullVectors = s.channels % lanes == 0;
    // The target's tile, halved until it divides the channels.
    s.tileVectors = 1;
    for (int64_t v = chooseConv1dTileVectors(target); v > 1; v /= 2)
      if (s.channels % (v * lanes) == 0) {
        s.tileVectors = v;
        break;
      }
    return s;
  }
};

} // namespace
