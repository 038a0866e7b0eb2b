//===- SelectiveScanKernel.cpp - tok.selective_scan on the device ---------===//
//
// Part of the Tokamak project.
//
// One thread per (batch b, channel d) runs the whole time loop: the state
// row h[b, d, 0..N) lives in a per-thread array (ThreadArray), and per step
//
//   Δ = softplus?(dt[b,t,d] + dt_bias[d])
//   h[n] = exp(Δ·A[d,n])·h[n] + Δ·B[b,t,g,n]·x[b,t,d]     (g = d / (Dm/G))
//   y[b,t,d] = (Σ_n C[b,t,g,n]·h[n] + D[d]·x[b,t,d]) · silu(z[b,t,d])
//
// in f32, the sums in the reference lowering's order; the final state is
// the array after the last step. A thread per (b, d, n) with a warp
// reduction over n would be 16× wider, but the generic mapping of
// tok-cuda-map-parallel-loops (one thread per linearized iteration, a tail
// guard) cannot promise that the n of one (b, d) share a full warp.
//
//===----------------------------------------------------------------------===//

#include "ScanKernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;

namespace tokamak::cuda {

LogicalResult lowerSelectiveScan(RewriterBase &rewriter,
                                 tok::SelectiveScanOp op) {
  if (op.getSeqStarts())
    return failure(); // tok-decompose-packed-scans splits these first
  OpBuilder &b = rewriter;
  b.setInsertionPoint(op);
  ScanBuilder sb(b, op.getLoc());
  Value x = sb.bufferOf(op.getX()), dt = sb.bufferOf(op.getDt());
  Value a = sb.bufferOf(op.getA());
  Value bm = sb.bufferOf(op.getB()), cm = sb.bufferOf(op.getC());
  Value dVec = op.getD() ? sb.bufferOf(op.getD()) : Value();
  Value z = op.getZ() ? sb.bufferOf(op.getZ()) : Value();
  Value bias = op.getDtBias() ? sb.bufferOf(op.getDtBias()) : Value();
  Value init = op.getInit() ? sb.bufferOf(op.getInit()) : Value();
  bool softplus = op.getDtSoftplus();

  Value batch = sb.dim(x, 0), len = sb.dim(x, 1), channels = sb.dim(x, 2);
  Value groups = sb.dim(bm, 2), n = sb.dim(a, 1);
  Value perGroup = arith::DivUIOp::create(b, sb.loc, channels, groups);
  auto yType = cast<RankedTensorType>(op.getY().getType());
  Value y = sb.allocResult(yType, {batch, len, channels});
  Value fs;
  if (Value finalState = op.getFinalState())
    fs = sb.allocResult(cast<RankedTensorType>(finalState.getType()),
                        {batch, channels, n});

  Value threads = arith::MulIOp::create(b, sb.loc, batch, channels);
  ThreadArray state(sb, n, threads);
  Value zero = sb.index(0);
  sb.parallel({batch, channels}, [&](ValueRange ivs) {
    Value bi = ivs[0], d = ivs[1];
    Value thread = arith::AddIOp::create(
        b, sb.loc, arith::MulIOp::create(b, sb.loc, bi, channels), d);
    Value h = state.get(sb, thread);
    Value g = arith::DivUIOp::create(b, sb.loc, d, perGroup);
    sb.loop(zero, n, {}, [&](Value i, ValueRange) -> SmallVector<Value> {
      Value h0 = init ? sb.load(init, {bi, d, i}) : sb.f32(0.0);
      sb.store(h0, h, {i});
      return {};
    });
    Value dSkip = dVec ? sb.load(dVec, {d}) : Value();
    Value dtBias = bias ? sb.load(bias, {d}) : Value();
    sb.loop(zero, len, {}, [&](Value t, ValueRange) -> SmallVector<Value> {
      Value xv = sb.load(x, {bi, t, d});
      Value delta = sb.load(dt, {bi, t, d});
      if (dtBias)
        delta = sb.add(delta, dtBias);
      if (softplus)
        delta = sb.softplus(delta);
      Value acc =
          sb.loop(zero, n, {sb.f32(0.0)},
                  [&](Value i, ValueRange sum) -> SmallVector<Value> {
                    Value decay = sb.exp(sb.mul(delta, sb.load(a, {d, i})));
                    // Δ·B·x in the reference's order: (Δ·B)·x.
                    Value inp =
                        sb.mul(sb.mul(delta, sb.load(bm, {bi, t, g, i})), xv);
                    Value hn = sb.add(sb.mul(decay, sb.load(h, {i})), inp);
                    sb.store(hn, h, {i});
                    Value c = sb.load(cm, {bi, t, g, i});
                    return {sb.add(sum[0], sb.mul(c, hn))};
                  })[0];
      if (dSkip)
        acc = sb.add(acc, sb.mul(xv, dSkip));
      if (z)
        acc = sb.mul(acc, sb.silu(sb.load(z, {bi, t, d})));
      sb.store(acc, y, {bi, t, d});
      return {};
    });
    if (fs)
      sb.loop(zero, n, {}, [&](Value i, ValueRange) -> SmallVector<Value> {
        sb.store(sb.load(h, {i}), fs, {bi, d, i});
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
