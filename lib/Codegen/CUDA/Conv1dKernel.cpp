//===- Conv1dKernel.cpp - tok.conv1d on the device ------------------------===//
//
// Part of the Tokamak project.
//
// One thread per (batch b, channel c) slides along time: the last K−1
// inputs (oldest first, from `init[b, c, :]` or zeros) live in a per-thread
// array (ThreadArray), and per step
//
//   y[b, t, c] = act(bias[c] + Σ_{k<K−1} win[k]·w[c, k] + x[b, t, c]·w[c, K−1])
//
// in f32, summed in the reference lowering's order; then the window shifts
// by one and takes x[b, t, c]. The final state is the window after the last
// step (with `init`'s tail when L < K−1).
//
//===----------------------------------------------------------------------===//

#include "ScanKernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace tokamak::cuda {

LogicalResult lowerConv1d(RewriterBase &rewriter, tok::Conv1dOp op) {
  if (op.getSeqStarts())
    return failure(); // tok-decompose-packed-scans splits these first
  tok::Activation act = op.getActivationKind();
  if (act != tok::Activation::None && act != tok::Activation::Silu)
    return failure();
  OpBuilder &b = rewriter;
  b.setInsertionPoint(op);
  ScanBuilder sb(b, op.getLoc());
  Location loc = sb.loc;
  Value x = sb.bufferOf(op.getInput()), w = sb.bufferOf(op.getWeight());
  Value bias = op.getBias() ? sb.bufferOf(op.getBias()) : Value();
  Value init = op.getInit() ? sb.bufferOf(op.getInit()) : Value();
  Type xType = cast<MemRefType>(x.getType()).getElementType();

  Value batch = sb.dim(x, 0), len = sb.dim(x, 1), channels = sb.dim(x, 2);
  Value taps = sb.dim(w, 1);
  Value zero = sb.index(0), one = sb.index(1);
  Value km1 = sb.minus(taps, 1);
  auto yType = cast<RankedTensorType>(op.getOutput().getType());
  Value y = sb.allocResult(yType, {batch, len, channels});
  Value fs;
  if (Value finalState = op.getFinalState())
    fs = sb.allocResult(cast<RankedTensorType>(finalState.getType()),
                        {batch, channels, km1});

  Value threads = arith::MulIOp::create(b, loc, batch, channels);
  ThreadArray window(sb, km1, threads);
  sb.parallel({batch, channels}, [&](ValueRange ivs) {
    Value bi = ivs[0], c = ivs[1];
    Value thread = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, bi, channels), c);
    Value win = window.get(sb, thread);
    sb.loop(zero, km1, {}, [&](Value k, ValueRange) -> SmallVector<Value> {
      // The window holds x's element type, as in the reference lowering.
      Value v = init ? sb.load(init, {bi, c, k}) : sb.f32(0.0);
      if (xType != v.getType())
        v = arith::ExtFOp::create(
            b, loc, v.getType(),
            arith::TruncFOp::create(b, loc, xType, v).getResult());
      sb.store(v, win, {k});
      return {};
    });
    Value bc = bias ? sb.load(bias, {c}) : sb.f32(0.0);
    Value wLast = sb.load(w, {c, km1});
    sb.loop(zero, len, {}, [&](Value t, ValueRange) -> SmallVector<Value> {
      Value acc = sb.loop(
          zero, km1, {bc}, [&](Value k, ValueRange sum) -> SmallVector<Value> {
            Value p = sb.mul(sb.load(win, {k}), sb.load(w, {c, k}));
            return {sb.add(sum[0], p)};
          })[0];
      Value xt = sb.load(x, {bi, t, c});
      acc = sb.add(acc, sb.mul(xt, wLast));
      if (act == tok::Activation::Silu)
        acc = sb.silu(acc);
      sb.store(acc, y, {bi, t, c});
      // Shift the window: win[k] = win[k + 1], win[K − 2] = x_t.
      Value km2 = sb.minus(km1, 1);
      sb.loop(zero, km2, {}, [&](Value k, ValueRange) -> SmallVector<Value> {
        Value next = arith::AddIOp::create(b, loc, k, one);
        sb.store(sb.load(win, {next}), win, {k});
        return {};
      });
      // With K = 1 there is no window to keep.
      Value hasWindow =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, km1, zero);
      auto ifOp = scf::IfOp::create(b, loc, hasWindow, false);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&ifOp.getThenRegion().front());
      sb.store(xt, win, {km2});
      return {};
    });
    if (fs)
      sb.loop(zero, km1, {}, [&](Value k, ValueRange) -> SmallVector<Value> {
        sb.store(sb.load(win, {k}), fs, {bi, c, k});
        return {};
      });
  });

  SmallVector<Value> buffers{y};
  if (fs)
    buffers.push_back(fs);
  sb.replaceWithBuffers(rewriter, op, buffers);
  return success();
}

} // namespace tokamak::cuda
