//===- TileSelectiveScan.cpp - Vectorized Mamba-1 selective scan ----------===//
//
// Part of the Tokamak project. Replaces tok.selective_scan with a vector
// kernel, time-sequential but vectorized over channels and state:
//
//   scf.forall (b, channel tile):
//     hbuf [vectors, N, W] <- init (or 0); abuf [vectors, N, W] <- A·log2 e
//     scf.for time block of T steps:
//       stage:  sd, su [T, tile] <- Δ = softplus?(dt + dt_bias), Δ·x
//       recur:  scf.for channel vector (W channels of one group):
//                 per block of S states [n0, n0 + S):
//                   h[n0..n0+S) <- hbuf                      (registers)
//                   scf.for t in block:   (prefetches x, dt, z of t + T)
//                     h[n] = exp2(Δ·abuf[n])·h[n] + (Δ·x)·B_t[g, n]
//                     sy[t] (+)= Σ_n C_t[g, n]·h[n]
//                   hbuf <- h
//       finish: y_t = (sy[t] + D·x)·silu(z)                   -> y, once
//     final state <- hbuf
//
// The recurrence is what costs (N exponentials per step and channel
// vector), so everything that does not depend on the state is staged out of
// it into independent, streaming loops. W is the target's f32 lanes (16 with
// AVX-512F, 8 with AVX2); S is all N states with 32 vector registers and 8
// with 16 (CpuTarget's chooseSelectiveScanTiles), so that the state block
// never spills. With AVX-512F and W = 16 each exponential scales its
// polynomial with vscalefps (12 vector ops per state element instead of
// 16), four states at a time stage by stage. Blocking time
// outside the channel vectors keeps a block's rows (one page each at Mamba
// widths) in the TLB and the caches while the tile's vectors sweep them, and
// the next block's rows are prefetched during the recurrence. Scans with a
// dynamic channel, group or state size stay for convert-tok-to-linalg.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "PassTarget.h"

#include "dialects/Tok/IR/TokOps.h"
#include "tokamak/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/IR/PatternMatch.h"

namespace tokamak::cpu {
#define GEN_PASS_DEF_TILESELECTIVESCAN
#include "tokamak/Codegen/CPU/Passes.h.inc"
} // namespace tokamak::cpu

using namespace mlir;
using namespace tokamak::cpu;

namespace {

/// The static facts of one scan and its schedule.
struct SelectiveScanShape {
  int64_t channels = 0, state = 0, groups = 0;
  /// Lanes per channel vector: the target's f32 lanes, or fewer so that a
  /// vector stays inside one group.
  int64_t width = 0;
  /// Channels per parallel task (a multiple of width) and steps per block.
  int64_t tileChannels = 0, timeBlock = 0;
  /// States kept in registers per pass over a time block, exponentials
  /// evaluated stage by stage, and partial sums of C·h.
  int64_t stateBlock = 0, interleave = 0, partials = 0;
};

class SelectiveScanEmitter {
public:
  SelectiveScanEmitter(OpBuilder &b, Location loc, tok::SelectiveScanOp op,
                       const SelectiveScanShape &shape, const CpuTarget &target)
      : kb(b, loc, shape.width, target.hasAvx512f), op(op), s(shape) {}

  /// Builds the kernel; returns y and, when `stateOut` is given, the final
  /// state.
  std::pair<Value, Value> build(Value yOut, Value stateOut);

private:
  KernelBuilder kb;
  tok::SelectiveScanOp op;
  const SelectiveScanShape &s;
};

std::pair<Value, Value> SelectiveScanEmitter::build(Value yOut,
                                                    Value stateOut) {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  using Values = KernelBuilder::Values;
  const int64_t w = s.width, n = s.state;
  const int64_t perGroup = s.channels / s.groups;
  Value x = op.getX(), dt = op.getDt(), a = op.getA(), bm = op.getB(),
        cm = op.getC(), d = op.getD(), z = op.getZ(), dtBias = op.getDtBias(),
        init = op.getInit();
  bool softplus = op.getDtSoftplus();
  int64_t tiles = (s.channels + s.tileChannels - 1) / s.tileChannels;
  int64_t tileVectors = s.tileChannels / w;
  OpFoldResult batch = kb.dim(x, 0), len = kb.dim(x, 1);

  SmallVector<Value> outs{yOut};
  if (stateOut)
    outs.push_back(stateOut);
  auto forall = scf::ForallOp::create(
      b, loc, ArrayRef<OpFoldResult>{batch, kb.cst(tiles)}, outs,
      /*mapping=*/std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  Value bIdx = forall.getInductionVars()[0];
  // One tile uses the constant 0, so that its sizes fold.
  OpFoldResult c0 =
      tiles == 1 ? kb.cst(0)
                 : kb.mul(forall.getInductionVars()[1], kb.cst(s.tileChannels));
  OpFoldResult csz =
      kb.min(kb.cst(s.tileChannels), kb.sub(kb.cst(s.channels), c0));
  OpFoldResult vectors = kb.ceilDiv(csz, kb.cst(w));
  SmallVector<OpFoldResult> yOffsets{bIdx, kb.cst(0), c0},
      ySizes{kb.cst(1), len, csz}, strides(3, kb.cst(1));
  Value yShared = forall.getRegionIterArgs()[0];
  Value yTile = tensor::ExtractSliceOp::create(b, loc, yShared, yOffsets,
                                               ySizes, strides);
  SmallVector<OpFoldResult> sOffsets{bIdx, c0, kb.cst(0)},
      sSizes{kb.cst(1), csz, kb.cst(n)};

  // Task-local state and A·log2(e), both [vector, n, lane].
  Value hbuf = kb.scratch({tileVectors, n, w});
  Value abuf = kb.scratch({tileVectors, n, w});
  Value log2e = kb.cstF(1.4426950408889634, w);
  kb.loop(kb.cst(0), vectors, 1, [&](Value v) {
    Value c = kb.val(kb.add(c0, kb.mul(v, kb.cst(w))));
    for (int64_t j = 0; j < n; ++j) {
      Value nIdx = kb.idx(j);
      Value av = kb.readAlong(a, {c, nIdx}, /*laneDim=*/0, w, true);
      kb.store(kb.mulf(av, log2e), abuf, {v, nIdx, kb.idx(0)});
      Value h0 =
          init ? kb.readAlong(init, {bIdx, c, nIdx}, /*laneDim=*/1, w, true)
               : kb.cstF(0.0, w);
      kb.store(h0, hbuf, {v, nIdx, kb.idx(0)});
    }
  });

  // Time blocks. Each block stages Δ and Δ·x for the tile ([block, tile]
  // scratch, rows read with independent loads), runs the recurrence per
  // channel vector with its state in registers (Σ_n C·h into sy), then
  // applies D·x and the gate and writes the rows of y.
  Value sd = kb.scratch({s.timeBlock, s.tileChannels});
  Value su = kb.scratch({s.timeBlock, s.tileChannels});
  Value sy = kb.scratch({s.timeBlock, s.tileChannels});
  Value zero = kb.idx(0);
  auto channel = [&](Value v) -> std::pair<Value, Value> {
    Value col = kb.val(kb.mul(v, kb.cst(w)));
    return {col, kb.val(kb.add(c0, col))};
  };

  auto stage = [&](Value t0, OpFoldResult rows) {
    kb.loop(kb.cst(0), rows, 1, [&](Value r) {
      Value t = kb.val(kb.add(t0, r));
      kb.loop(kb.cst(0), vectors, 1, [&](Value v) {
        std::pair<Value, Value> cc = channel(v);
        Value col = cc.first, c = cc.second;
        Value delta = kb.read(dt, {bIdx, t, c}, w, true);
        if (dtBias)
          delta = kb.addf(delta, kb.read(dtBias, {c}, w, true));
        if (softplus)
          delta = kb.softplus(delta);
        Value xv = kb.read(x, {bIdx, t, c}, w, true);
        kb.store(delta, sd, {r, col});
        kb.store(kb.mulf(delta, xv), su, {r, col});
      });
    });
  };

  // The recurrence is long enough to hide the next block's loads: each
  // step of channel vector v prefetches that vector's line of one row of x,
  // dt and z, so the block's rows arrive once, spread over the block.
  SmallVector<Value> streams;
  for (Value in : {x, dt, z})
    if (in)
      streams.push_back(kb.bufferOf(in));
  Value lastRow = kb.val(kb.sub(len, kb.cst(1)));

  // Exponentials of `interleave` states at a time, stage by stage; with
  // AVX-512F and 16-lane vectors each scaled by vscalefps (exp2Scalef).
  const int64_t interleave = s.interleave;
  // One pass over the block per group of `stateBlock` states, whose state
  // vectors stay in registers; passes after the first add their C·h sums
  // to the staged row, and only the first prefetches the next block.
  auto recur = [&](Value t0, OpFoldResult rows) {
    kb.loop(kb.cst(0), vectors, 1, [&](Value v) {
      std::pair<Value, Value> cc = channel(v);
      Value col = cc.first, c = cc.second;
      Value g = s.groups > 1
                    ? arith::DivUIOp::create(b, loc, c, kb.idx(perGroup))
                    : zero;
      for (int64_t n0 = 0; n0 < n; n0 += s.stateBlock) {
        int64_t n1 = std::min(n, n0 + s.stateBlock);
        SmallVector<Value> aRow;
        Values h;
        for (int64_t j = n0; j < n1; ++j) {
          aRow.push_back(kb.load(abuf, {v, kb.idx(j), zero}, w));
          h.push_back(kb.load(hbuf, {v, kb.idx(j), zero}, w));
        }
        Values last = kb.loop(
            kb.cst(0), rows, 1, h, [&](Value r, ValueRange hs) -> Values {
              Value t = kb.val(kb.add(t0, r));
              if (n0 == 0) {
                Value ahead = arith::MinSIOp::create(
                    b, loc, kb.val(kb.add(t, kb.cst(s.timeBlock))), lastRow);
                for (Value m : streams)
                  kb.prefetch(m, {bIdx, ahead, c});
              }
              Value delta = kb.load(sd, {r, col}, w);
              Value u = kb.load(su, {r, col}, w);
              Values next;
              // `partials` partial sums of C·h break the reduction's chain.
              SmallVector<Value> partial;
              for (int64_t j0 = n0; j0 < n1; j0 += interleave) {
                int64_t j1 = std::min(n1, j0 + interleave);
                Values ys;
                for (int64_t j = j0; j < j1; ++j)
                  ys.push_back(kb.mulf(delta, aRow[j - n0]));
                Values decays = kb.exp2Scalef(ys);
                for (int64_t j = j0; j < j1; ++j) {
                  Value nIdx = kb.idx(j);
                  Value bv = kb.bcast(kb.extract(bm, {bIdx, t, g, nIdx}), w);
                  Value hn = kb.fma(decays[j - j0], hs[j - n0], kb.mulf(u, bv));
                  next.push_back(hn);
                  Value cv = kb.bcast(kb.extract(cm, {bIdx, t, g, nIdx}), w);
                  int64_t slot = (j - n0) % s.partials;
                  if (static_cast<int64_t>(partial.size()) <= slot)
                    partial.push_back(kb.mulf(cv, hn));
                  else
                    partial[slot] = kb.fma(cv, hn, partial[slot]);
                }
              }
              Value y = partial[0];
              for (size_t i = 1; i < partial.size(); ++i)
                y = kb.addf(y, partial[i]);
              if (n0 > 0)
                y = kb.addf(kb.load(sy, {r, col}, w), y);
              kb.store(y, sy, {r, col});
              return next;
            });
        for (int64_t j = n0; j < n1; ++j)
          kb.store(last[j - n0], hbuf, {v, kb.idx(j), zero});
      }
    });
  };

  auto finish = [&](Value t0, OpFoldResult rows, Value tile) -> Value {
    return kb.loop(
        kb.cst(0), rows, 1, tile, [&](Value r, ValueRange st) -> Values {
          Value t = kb.val(kb.add(t0, r));
          return kb.loop(kb.cst(0), vectors, 1, st,
                         [&](Value v, ValueRange st2) -> Values {
                           std::pair<Value, Value> cc = channel(v);
                           Value col = cc.first, c = cc.second;
                           Value y = kb.load(sy, {r, col}, w);
                           if (d)
                             y = kb.fma(kb.read(d, {c}, w, true),
                                        kb.read(x, {bIdx, t, c}, w, true), y);
                           if (z)
                             y = kb.mulf(
                                 y, kb.silu(kb.read(z, {bIdx, t, c}, w, true)));
                           return {kb.write(y, st2[0], {zero, t, col}, {true})};
                         });
        })[0];
  };

  Value yResult =
      kb.loop(kb.cst(0), len, s.timeBlock, yTile, [&](Value t0, ValueRange st) {
        OpFoldResult rows =
            kb.sub(kb.min(kb.add(t0, kb.cst(s.timeBlock)), len), t0);
        stage(t0, rows);
        recur(t0, rows);
        return Values{finish(t0, rows, st[0])};
      })[0];

  Value stateResult;
  if (stateOut) {
    Value sShared = forall.getRegionIterArgs()[1];
    Value sTile = tensor::ExtractSliceOp::create(b, loc, sShared, sOffsets,
                                                 sSizes, strides);
    stateResult = kb.loop(
        kb.cst(0), vectors, 1, sTile, [&](Value v, ValueRange st) -> Values {
          Value col = kb.val(kb.mul(v, kb.cst(w)));
          Value tile = st[0];
          for (int64_t j = 0; j < n; ++j) {
            Value nIdx = kb.idx(j);
            Value hv = kb.load(hbuf, {v, nIdx, kb.idx(0)}, w);
            tile = kb.writeAlong(hv, tile, {kb.idx(0), col, nIdx},
                                 /*laneDim=*/1, true);
          }
          return {tile};
        })[0];
  }

  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loc, yResult, yShared, yOffsets,
                                        ySizes, strides);
  if (stateOut)
    tensor::ParallelInsertSliceOp::create(b, loc, stateResult,
                                          forall.getRegionIterArgs()[1],
                                          sOffsets, sSizes, strides);
  Value yFinal = forall.getResult(0);
  Value sFinal = stateOut ? forall.getResult(1) : Value();
  return {yFinal, sFinal};
}

struct TileSelectiveScanPass
    : tokamak::cpu::impl::TileSelectiveScanBase<TileSelectiveScanPass> {
  using TileSelectiveScanBase::TileSelectiveScanBase;

  void runOnOperation() override {
    FailureOr<CpuTarget> target = resolvePassTarget(
        getOperation(), getArgument(), cpu, cpuFeatures, numThreads, remarks);
    if (failed(target))
      return signalPassFailure();
    int64_t lanes = target->f32Lanes();
    if (channelTile < 0 || channelTile % lanes != 0 || timeBlock < 0 ||
        stateBlock < 0) {
      getOperation().emitError()
          << "tok-tile-selective-scan: expected channel-tile 0 or a positive "
             "multiple of "
          << lanes << " and time-block and state-block 0 or positive, got "
          << channelTile.getValue() << ", " << timeBlock.getValue() << " and "
          << stateBlock.getValue();
      return signalPassFailure();
    }
    tileEach<tok::SelectiveScanOp>(
        getOperation(), getArgument(), remarks,
        [&](tok::SelectiveScanOp op, std::string &why) {
          return analyze(op, *target, why);
        },
        [&](IRRewriter &rewriter, tok::SelectiveScanOp op,
            const SelectiveScanShape &shape) {
          if (remarks)
            op.emitRemark()
                << "tok-tile-selective-scan: " << shape.width
                << "-lane channel vectors, channel tile " << shape.tileChannels
                << ", time block " << shape.timeBlock << ", "
                << shape.stateBlock << " states in registers, exponentials "
                << (target->hasAvx512f && shape.width == 16
                        ? "scaled by vscalefps"
                        : "by exponent-field add")
                << ", " << shape.interleave << " at a time";
          Location loc = op.getLoc();
          auto yType = cast<RankedTensorType>(op.getY().getType());
          Value y = tensor::EmptyOp::create(
              rewriter, loc, tensor::getMixedSizes(rewriter, loc, op.getX()),
              yType.getElementType());
          Value st;
          RankedTensorType stType;
          if (Value fs = op.getFinalState()) {
            stType = cast<RankedTensorType>(fs.getType());
            st = tensor::EmptyOp::create(
                rewriter, loc,
                ArrayRef<OpFoldResult>{
                    tensor::getMixedSize(rewriter, loc, op.getX(), 0),
                    rewriter.getIndexAttr(shape.channels),
                    rewriter.getIndexAttr(shape.state)},
                stType.getElementType());
          }
          SelectiveScanEmitter emitter(rewriter, loc, op, shape, *target);
          auto [yRes, stRes] = emitter.build(y, st);
          replaceScan(rewriter, op, yRes, stRes);
        });
  }

  std::optional<SelectiveScanShape>
  analyze(tok::SelectiveScanOp op, const CpuTarget &target, std::string &why) {
    SelectiveScanShape s;
    auto xType = cast<RankedTensorType>(op.getX().getType());
    auto aType = cast<RankedTensorType>(op.getA().getType());
    auto bType = cast<RankedTensorType>(op.getB().getType());
    for (Value v : op->getOperands())
      if (!isa<Float32Type, Float16Type, BFloat16Type>(
              cast<RankedTensorType>(v.getType()).getElementType())) {
        why = "an operand is not f32, f16 or bf16";
        return std::nullopt;
      }
    s.channels = ShapedType::isStatic(aType.getDimSize(0))
                     ? aType.getDimSize(0)
                     : xType.getDimSize(2);
    s.state = ShapedType::isStatic(aType.getDimSize(1)) ? aType.getDimSize(1)
                                                        : bType.getDimSize(3);
    s.groups = bType.getDimSize(2);
    if (ShapedType::isDynamic(s.channels) || ShapedType::isDynamic(s.state) ||
        ShapedType::isDynamic(s.groups) || s.channels < 1 || s.state < 1 ||
        s.state > 64 || s.groups < 1 || s.channels % s.groups != 0) {
      why = "channels, state size and groups must be static, the state at "
            "most 64";
      return std::nullopt;
    }
    int64_t perGroup = s.channels / s.groups;
    // The target's lanes, or half as many (down to 4) for narrow groups.
    s.width = 0;
    for (int64_t w = target.f32Lanes(); w >= 4; w /= 2)
      if (perGroup % w == 0) {
        s.width = w;
        break;
      }
    if (!s.width) {
      why = "channels per group are not a multiple of 4";
      return std::nullopt;
    }
    // Options left at 0 take the target's choice.
    SelectiveScanTiles chosen = chooseSelectiveScanTiles(target, s.state);
    s.stateBlock =
        stateBlock ? std::min<int64_t>(stateBlock, s.state) : chosen.stateBlock;
    s.interleave = chosen.interleave;
    s.partials = chosen.partials;
    // Channel tiles: at most channel-tile, and small enough to give every
    // thread two tasks when the batch is static.
    int64_t tile = std::min<int64_t>(
        channelTile ? channelTile : chosen.channelTile, s.channels);
    auto xBatch = xType.getDimSize(0);
    if (ShapedType::isStatic(xBatch) && xBatch > 0)
      tile = std::min(tile, s.channels * xBatch / (2 * numThreads));
    tile = std::max<int64_t>(s.width, tile / s.width * s.width);
    s.tileChannels = tile;
    s.timeBlock = timeBlock ? timeBlock : chosen.timeBlock;
    return s;
  }
};

} // namespace
