//===- LinearScanKernel.cpp - tok.linear_scan on the device ---------------===//
//
// Part of the Tokamak project.
//
// One thread per (batch b, head h, value column j) runs the whole time loop
// (backwards for `reverse`): column j of the state, s[i] = S[b, h, i, j]
// for i < Dk, lives in a per-thread array (ThreadArray), and per step t,
// with e_i = exp(g_t) (scalar decay) or exp(g_t[i]) (per key channel):
//
//   additive: s[i] = e_i·s[i] + k_t[i]·v_t[j]
//   delta:    s'[i] = e_i·s[i];  u = Σ_i s'[i]·k_t[i]
//             s[i] = s'[i] + β_t·k_t[i]·(v_t[j] − u)
//   o[b, h, t, j] = scale · Σ_i s[i]·q_t[i]
//
// in f32, in the reference lowering's order of operations. The column's
// Dk-long dot products (u, o) are sequential in the thread; the final state
// is the array after the last step.
//
//===----------------------------------------------------------------------===//

#include "ScanKernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;

namespace tokamak::cuda {

LogicalResult lowerLinearScan(RewriterBase &rewriter, tok::LinearScanOp op) {
  if (op.getSeqStarts())
    return failure(); // tok-decompose-packed-scans splits these first
  OpBuilder &b = rewriter;
  b.setInsertionPoint(op);
  ScanBuilder sb(b, op.getLoc());
  Location loc = sb.loc;
  Value q = sb.bufferOf(op.getQuery()), k = sb.bufferOf(op.getKey());
  Value v = sb.bufferOf(op.getValue());
  Value decay = op.getDecay() ? sb.bufferOf(op.getDecay()) : Value();
  bool delta = op.isDelta();
  Value beta = delta && op.getBeta() ? sb.bufferOf(op.getBeta()) : Value();
  Value init = op.getInit() ? sb.bufferOf(op.getInit()) : Value();
  bool keyDecay = decay && cast<MemRefType>(decay.getType()).getRank() == 4;
  bool reverse = op.getReverse();
  double scale = 1.0;
  if (FloatAttr attr = op.getScaleAttr())
    scale = attr.getValueAsDouble();

  Value batch = sb.dim(q, 0), heads = sb.dim(q, 1), len = sb.dim(q, 2);
  Value dk = sb.dim(q, 3), dv = sb.dim(v, 3);
  auto oType = cast<RankedTensorType>(op.getOutput().getType());
  Value out = sb.allocResult(oType, {batch, heads, len, dv});
  Value fs;
  if (Value finalState = op.getFinalState())
    fs = sb.allocResult(cast<RankedTensorType>(finalState.getType()),
                        {batch, heads, dk, dv});

  Value threads = arith::MulIOp::create(
      b, loc, arith::MulIOp::create(b, loc, batch, heads), dv);
  ThreadArray column(sb, dk, threads);
  Value zero = sb.index(0);
  Value last = sb.minus(len, 1);
  sb.parallel({batch, heads, dv}, [&](ValueRange ivs) {
    Value bi = ivs[0], hi = ivs[1], j = ivs[2];
    Value thread = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(
            b, loc,
            arith::AddIOp::create(b, loc,
                                  arith::MulIOp::create(b, loc, bi, heads), hi),
            dv),
        j);
    Value s = column.get(sb, thread);
    sb.loop(zero, dk, {}, [&](Value i, ValueRange) -> SmallVector<Value> {
      sb.store(init ? sb.load(init, {bi, hi, i, j}) : sb.f32(0.0), s, {i});
      return {};
    });
    sb.loop(zero, len, {}, [&](Value step, ValueRange) -> SmallVector<Value> {
      Value t = reverse ? arith::SubIOp::create(b, loc, last, step).getResult()
                        : step;
      Value scalarDecay;
      if (decay && !keyDecay)
        scalarDecay = sb.exp(sb.load(decay, {bi, hi, t}));
      // e_i · s[i], the decayed state entry.
      auto decayed = [&](Value i, Value si) -> Value {
        if (!decay)
          return si;
        Value e =
            keyDecay ? sb.exp(sb.load(decay, {bi, hi, t, i})) : scalarDecay;
        return sb.mul(e, si);
      };
      Value vj = sb.load(v, {bi, hi, t, j});
      Value betaT = beta ? sb.load(beta, {bi, hi, t}) : Value();
      if (delta) {
        // s' = decayed state (stored), u = s'ᵀ k_t.
        Value u = sb.loop(zero, dk, {sb.f32(0.0)},
                          [&](Value i, ValueRange sum) -> SmallVector<Value> {
                            Value sd = decayed(i, sb.load(s, {i}));
                            sb.store(sd, s, {i});
                            Value p = sb.mul(sd, sb.load(k, {bi, hi, t, i}));
                            return {sb.add(sum[0], p)};
                          })[0];
        vj = arith::SubFOp::create(b, loc, vj, u);
      }
      Value o = sb.loop(
          zero, dk, {sb.f32(0.0)},
          [&](Value i, ValueRange sum) -> SmallVector<Value> {
            Value ki = sb.load(k, {bi, hi, t, i});
            if (betaT)
              ki = sb.mul(ki, betaT);
            Value si = sb.load(s, {i});
            if (!delta)
              si = decayed(i, si);
            Value sn = sb.add(si, sb.mul(ki, vj));
            sb.store(sn, s, {i});
            return {sb.add(sum[0], sb.mul(sn, sb.load(q, {bi, hi, t, i})))};
          })[0];
      if (scale != 1.0)
        o = sb.mul(o, sb.f32(scale));
      sb.store(o, out, {bi, hi, t, j});
      return {};
    });
    if (fs)
      sb.loop(zero, dk, {}, [&](Value i, ValueRange) -> SmallVector<Value> {
        sb.store(sb.load(s, {i}), fs, {bi, hi, i, j});
        return {};
      });
  });

  SmallVector<Value> buffers{out};
  if (fs)
    buffers.push_back(fs);
  sb.replaceWithBuffers(rewriter, op, buffers);
  return success();
}

} // namespace tokamak::cuda
