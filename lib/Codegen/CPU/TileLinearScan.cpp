//===- TileLinearScan.cpp - Chunked tok.linear_scan -----------------------===//
//
// Part of the Tokamak project. Replaces tok.linear_scan with the chunked
// (block-parallel) form of the recurrence:
//
//   scf.forall (b, h):
//     S [Dk, Dv] <- init (or 0)                          f32 stack buffer
//     scf.for chunk of C steps (rows past L zero-padded; reverse maps row i
//                               of chunk c to t = L-1-(cC+i)):
//       load Q, K, V, g, β rows; G = cumsum(g); Γ = exp(G)
//       A  = causal(Q Kᵀ ⊙ D)          D_ij = exp(G_i - G_j)   (scalar g)
//          = causal(Q̃ K̂ᵀ)              Q̃ = Q⊙Γ, K̂ = K⊙Γ⁻¹      (per-channel g)
//       U  = V                                                 (additive)
//          = (I + L)⁻¹ diag(β)(V - K̃ S)  L = strict(diag(β) K̃ K̂ᵀ),
//                                        K̃ = K⊙Γ, by forward substitution
//       O  = scale·(Q̃ S + A U)                                -> output rows
//       S  = Γ_C ⊙ S + (K ⊙ Γ_C Γ⁻¹)ᵀ U
//
// The delta rule becomes an additive recurrence in the pseudo-values U
// (u_t = β_t (v_t - S'_tᵀ k_t)), whose in-chunk dependencies form the unit
// lower-triangular system above (the WY/UT transform, solved directly on U
// instead of forming T = (I + L)⁻¹).
//
// Stability: scalar decays only exponentiate G_i - G_j ≤ 0 (and Γ, Γ_C Γ⁻¹
// ≤ 1). Per-channel decays need the factored form Q̃ K̂ᵀ, whose factors grow
// like exp(|G|): a chunk where some |G| exceeds 40 (the chunk's decay, any
// channel) runs the exact step-by-step recurrence instead, so the factors
// stay within e^±40 and every product keeps full f32 precision.
//
// All products are outer-product micro-kernels on stack buffers: 4 rows ×
// up to 4 vectors of accumulators (as many as the target's vector registers
// hold: 4 zmm, 2 ymm), one broadcast per row and one vector load per column
// vector and step; only the causal blocks of A are computed. Vectors have
// the target's f32 lanes (16 with AVX-512F, 8 with AVX2).
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
#define GEN_PASS_DEF_TILELINEARSCAN
#include "tokamak/Codegen/CPU/Passes.h.inc"
} // namespace tokamak::cpu

using namespace mlir;
using namespace tokamak::cpu;

namespace {

/// f32 per 64-byte cache line (the prefetch granule).
constexpr int64_t kLineFloats = 16;
/// The largest |G| (cumulative log decay inside a chunk) the factored
/// per-channel form accepts.
constexpr double kMaxFactoredDecay = 40.0;

enum class Decay { None, Scalar, Channel };

/// The static facts of one scan.
struct LinearScanShape {
  int64_t dk = 0, dv = 0;
  /// Dk and Dv rounded up to whole vectors; the padding is zero.
  int64_t dkp = 0, dvp = 0;
  int64_t chunk = 0;
  /// f32 lanes per vector (the target's).
  int64_t lanes = 0;
  /// Rows of a micro-kernel tile, and its most column vectors.
  int64_t tileRows = 0, tileVectors = 0;
  Decay decay = Decay::None;
  bool delta = false, reverse = false;
  double scale = 1.0;
};

class LinearScanEmitter {
public:
  using Values = KernelBuilder::Values;

  LinearScanEmitter(OpBuilder &b, Location loc, tok::LinearScanOp op,
                    const LinearScanShape &shape, bool avx512)
      : kb(b, loc, shape.lanes, avx512), b(b), loc(loc), op(op), s(shape),
        lanes(shape.lanes), tileRows(shape.tileRows),
        tileVectors(shape.tileVectors) {}

  /// Builds the kernel; returns the output and, when `stateOut` is given,
  /// the final state.
  std::pair<Value, Value> build(Value out, Value stateOut);

private:
  /// The task-local buffers.
  struct Buffers {
    Value state;     // [dkp, dvp]
    Value q, k, tmp; // [C, dkp]: Q (then Q̃), K (then K_end), K̂/K̃
    Value kt;        // [dkp, C]: K̂ᵀ
    Value v, o;      // [C, dvp]: V (then U), O
    Value a, l;      // [C, C]: A, -L
    Value g, graw;   // [C] or [C, dkp]: G; g (per-channel only; then K̃)
    Value beta, gam; // [C]: β, Γ (scalar decay) / exp(G_last - G) row
  };

  Value idx(int64_t v) { return kb.idx(v); }
  Value vidx(int64_t v) { return kb.idx(v * lanes); }
  Value zeroVec() { return kb.cstF(0.0, lanes); }
  /// e^x for arguments within ±2·kMaxFactoredDecay: vscalefps with
  /// AVX-512F and 16 lanes.
  Value expFast(Value x) {
    return kb.exp2Scalef({kb.mulf(x, kb.cstF(1.4426950408889634, lanes))})[0];
  }

  /// The time step of row `i` of the chunk starting at `t0`.
  Value timeOf(Value t0, Value i, Value len);

  /// Accumulator tile: acc[r][c] += Σ_{k in [lo, hi)} lhs(r, k) · rhs(k, c)
  /// with rows r < rows and column vectors c < cols.
  Values microKernel(int64_t rows, int64_t cols, Values acc, OpFoldResult lo,
                     OpFoldResult hi, function_ref<Value(int64_t, Value)> lhs,
                     function_ref<Value(Value, int64_t)> rhs,
                     function_ref<void(Value)> perStep = nullptr);

  /// dst[c][r] = src[r][c] for the [rows, cols] f32 buffer src (both sizes
  /// multiples of the lanes), by lanes×lanes register transposes.
  void transpose(Value src, Value dst, int64_t rows, int64_t cols);

  void loadChunk(const Buffers &buf, Value t0, Value n, Value len,
                 ValueRange bh);
  /// G = cumsum(g) in place (scalar) or into buf.g (per channel); for
  /// per-channel decays also returns max |G| over the chunk (a vector).
  Value cumsum(const Buffers &buf);
  /// The causal rows of A (and -L for the delta rule) from `lhsA`/`lhsL`
  /// rows and K̂ᵀ; `scalarMask` multiplies by exp(G_i - G_j).
  void scores(const Buffers &buf, Value lhsA, Value lhsL);
  void pseudoValues(const Buffers &buf, Value kTilde);
  /// O = Q̃ S + A U; the Q̃ S steps also prefetch the next chunk's rows
  /// (starting at `tNext`).
  void outputs(const Buffers &buf, Value tNext, Value len, ValueRange bh);
  void updateState(const Buffers &buf, Value lastDecay);
  void sequentialChunk(const Buffers &buf, Value n);
  Value storeOutputs(const Buffers &buf, Value tile, Value t0, Value n,
                     Value len);

  KernelBuilder kb;
  OpBuilder &b;
  Location loc;
  tok::LinearScanOp op;
  const LinearScanShape &s;
  /// Lanes per vector, rows and most column vectors of a micro-kernel.
  const int64_t lanes, tileRows, tileVectors;
};

Value LinearScanEmitter::timeOf(Value t0, Value i, Value len) {
  Value t = arith::AddIOp::create(b, loc, t0, i);
  if (!s.reverse)
    return t;
  Value last = arith::SubIOp::create(b, loc, len, idx(1));
  return arith::SubIOp::create(b, loc, last, t);
}

LinearScanEmitter::Values
LinearScanEmitter::microKernel(int64_t rows, int64_t cols, Values acc,
                               OpFoldResult lo, OpFoldResult hi,
                               function_ref<Value(int64_t, Value)> lhs,
                               function_ref<Value(Value, int64_t)> rhs,
                               function_ref<void(Value)> perStep) {
  return kb.loop(lo, hi, 1, acc, [&](Value k, ValueRange c) -> Values {
    if (perStep)
      perStep(k);
    Values next(c.begin(), c.end());
    SmallVector<Value> right;
    for (int64_t j = 0; j < cols; ++j)
      right.push_back(rhs(k, j));
    for (int64_t r = 0; r < rows; ++r) {
      Value left = kb.bcast(lhs(r, k));
      for (int64_t j = 0; j < cols; ++j)
        next[r * cols + j] = kb.fma(left, right[j], next[r * cols + j]);
    }
    return next;
  });
}

void LinearScanEmitter::transpose(Value src, Value dst, int64_t rows,
                                  int64_t cols) {
  for (int64_t r = 0; r < rows; r += lanes)
    for (int64_t c = 0; c < cols; c += lanes) {
      Value block = kb.read2d(src, {idx(r), idx(c)}, lanes, lanes, true, true);
      Value t =
          vector::TransposeOp::create(b, loc, block, ArrayRef<int64_t>{1, 0});
      kb.write(t, dst, {idx(c), idx(r)}, {true, true});
    }
}

void LinearScanEmitter::loadChunk(const Buffers &buf, Value t0, Value n,
                                  Value len, ValueRange bh) {
  Value q = op.getQuery(), k = op.getKey(), v = op.getValue(),
        g = op.getDecay(), beta = op.getBeta();
  bool kFull = s.dk % lanes == 0, vFull = s.dv % lanes == 0;
  int64_t chunk = s.chunk;
  kb.loop(kb.cst(0), n, 1, [&](Value i) {
    Value t = timeOf(t0, i, len);
    for (int64_t c = 0; c < s.dkp / lanes; ++c) {
      kb.store(kb.read(q, {bh[0], bh[1], t, vidx(c)}, lanes, kFull), buf.q,
               {i, vidx(c)});
      kb.store(kb.read(k, {bh[0], bh[1], t, vidx(c)}, lanes, kFull), buf.k,
               {i, vidx(c)});
      if (s.decay == Decay::Channel)
        kb.store(kb.read(g, {bh[0], bh[1], t, vidx(c)}, lanes, kFull), buf.graw,
                 {i, vidx(c)});
    }
    for (int64_t c = 0; c < s.dvp / lanes; ++c)
      kb.store(kb.read(v, {bh[0], bh[1], t, vidx(c)}, lanes, vFull), buf.v,
               {i, vidx(c)});
    if (s.decay == Decay::Scalar)
      kb.storeScalar(kb.extract(g, {bh[0], bh[1], t}), buf.g, {i});
    if (s.delta)
      kb.storeScalar(beta ? kb.extract(beta, {bh[0], bh[1], t}) : kb.cstF(1.0),
                     buf.beta, {i});
  });
  // Rows past the end: zero inputs, zero decay, zero β contribute nothing.
  kb.loop(n, kb.cst(chunk), 1, [&](Value i) {
    for (int64_t c = 0; c < s.dkp / lanes; ++c) {
      kb.store(zeroVec(), buf.q, {i, vidx(c)});
      kb.store(zeroVec(), buf.k, {i, vidx(c)});
      if (s.decay == Decay::Channel)
        kb.store(zeroVec(), buf.graw, {i, vidx(c)});
    }
    for (int64_t c = 0; c < s.dvp / lanes; ++c)
      kb.store(zeroVec(), buf.v, {i, vidx(c)});
    if (s.decay == Decay::Scalar)
      kb.storeScalar(kb.cstF(0.0), buf.g, {i});
    if (s.delta)
      kb.storeScalar(kb.cstF(0.0), buf.beta, {i});
  });
}

Value LinearScanEmitter::cumsum(const Buffers &buf) {
  if (s.decay == Decay::Scalar) {
    Value acc = kb.cstF(0.0);
    kb.loop(kb.cst(0), kb.cst(s.chunk), 1, ValueRange{acc},
            [&](Value i, ValueRange st) -> Values {
              Value gsum = kb.addf(st[0], kb.loadScalar(buf.g, {i}));
              kb.storeScalar(gsum, buf.g, {i});
              return {gsum};
            });
    return Value();
  }
  if (s.decay != Decay::Channel)
    return Value();
  // The running sums and, in the same pass, max |G|.
  int64_t kvecs = s.dkp / lanes;
  Values init(kvecs + 1, zeroVec());
  Values last =
      kb.loop(kb.cst(0), kb.cst(s.chunk), 1, init,
              [&](Value i, ValueRange st) -> Values {
                Values next;
                Value mx = st[kvecs];
                for (int64_t c = 0; c < kvecs; ++c) {
                  Value gsum = kb.addf(st[c], kb.load(buf.graw, {i, vidx(c)}));
                  kb.store(gsum, buf.g, {i, vidx(c)});
                  next.push_back(gsum);
                  mx = kb.maxf(mx, math::AbsFOp::create(b, loc, gsum));
                }
                next.push_back(mx);
                return next;
              });
  return last[kvecs];
}

void LinearScanEmitter::scores(const Buffers &buf, Value lhsA, Value lhsL) {
  int64_t chunk = s.chunk;
  // Row blocks of twice the tile's rows while the causal part is narrow
  // enough for their accumulators to fit the tile's (more accumulators for
  // the FMA latency), then of the tile's rows.
  for (int64_t i0 = 0, rows = 0; i0 < chunk; i0 += rows) {
    int64_t tall = 2 * tileRows;
    bool fits =
        (i0 + tall + lanes - 1) / lanes * tall <= tileRows * tileVectors;
    rows = fits && i0 + tall <= chunk ? tall : tileRows;
    int64_t vecs = (i0 + rows + lanes - 1) / lanes;
    for (int64_t c0 = 0; c0 < vecs; c0 += tileVectors) {
      int64_t cols = std::min(tileVectors, vecs - c0);
      for (Value lhs : {lhsA, lhsL}) {
        if (!lhs)
          continue;
        bool strict = lhs == lhsL && lhsL != lhsA;
        Values acc(rows * cols, zeroVec());
        acc = microKernel(
            rows, cols, acc, kb.cst(0), kb.cst(s.dkp),
            [&](int64_t r, Value k) {
              return kb.loadScalar(lhs, {idx(i0 + r), k});
            },
            [&](Value k, int64_t j) {
              return kb.load(buf.kt, {k, vidx(c0 + j)});
            });
        // Causal mask (j ≤ i, or j < i for L), the scalar decay mask, and
        // -β_i for L; then store the row segment.
        for (int64_t r = 0; r < rows; ++r) {
          int64_t i = i0 + r;
          Value gi, betaNeg;
          if (s.decay == Decay::Scalar)
            gi = kb.bcast(kb.loadScalar(buf.g, {idx(i)}));
          if (strict)
            betaNeg = kb.bcast(arith::NegFOp::create(
                b, loc, kb.loadScalar(buf.beta, {idx(i)})));
          for (int64_t j = 0; j < cols; ++j) {
            int64_t jBase = (c0 + j) * lanes;
            Value x = acc[r * cols + j];
            if (s.decay == Decay::Scalar) {
              Value diff = kb.subf(gi, kb.load(buf.g, {vidx(c0 + j)}));
              diff = kb.minf(diff, zeroVec());
              x = kb.mulf(x, kb.exp(diff));
            }
            if (betaNeg)
              x = kb.mulf(x, betaNeg);
            // Lanes jBase + l with l > i - jBase (≥ for strict) are masked.
            int64_t keep = i - jBase + (strict ? 0 : 1);
            if (keep < lanes) {
              SmallVector<bool> keepLanes;
              for (int64_t l = 0; l < lanes; ++l)
                keepLanes.push_back(l < keep);
              auto maskType = VectorType::get({lanes}, b.getI1Type());
              Value mask = arith::ConstantOp::create(
                  b, loc, maskType,
                  DenseElementsAttr::get(maskType, ArrayRef<bool>(keepLanes)));
              x = kb.select(mask, x, zeroVec());
            }
            kb.store(x, strict ? buf.l : buf.a, {idx(i), vidx(c0 + j)});
          }
        }
      }
    }
  }
}

void LinearScanEmitter::pseudoValues(const Buffers &buf, Value kTilde) {
  int64_t chunk = s.chunk, vecs = s.dvp / lanes;
  // U = diag(β)(V - K̃ S), in place.
  for (int64_t i0 = 0; i0 < chunk; i0 += tileRows)
    for (int64_t c0 = 0; c0 < vecs; c0 += tileVectors) {
      int64_t cols = std::min(tileVectors, vecs - c0);
      Values acc(tileRows * cols, zeroVec());
      acc = microKernel(
          tileRows, cols, acc, kb.cst(0), kb.cst(s.dkp),
          [&](int64_t r, Value k) {
            return kb.loadScalar(kTilde, {idx(i0 + r), k});
          },
          [&](Value k, int64_t j) {
            return kb.load(buf.state, {k, vidx(c0 + j)});
          });
      for (int64_t r = 0; r < tileRows; ++r) {
        Value beta = kb.bcast(kb.loadScalar(buf.beta, {idx(i0 + r)}));
        for (int64_t j = 0; j < cols; ++j) {
          SmallVector<Value, 2> at{idx(i0 + r), vidx(c0 + j)};
          Value u =
              kb.mulf(beta, kb.subf(kb.load(buf.v, at), acc[r * cols + j]));
          kb.store(u, buf.v, at);
        }
      }
    }
  // (I + L) U' = U by forward substitution, row by row: U'_i = U_i -
  // Σ_{j<i} L_ij U'_j (buf.l holds -L); two accumulator sets break the
  // dependence chain.
  kb.loop(kb.cst(1), kb.cst(chunk), 1, [&](Value i) {
    for (int64_t c0 = 0; c0 < vecs; c0 += tileVectors) {
      int64_t cols = std::min(tileVectors, vecs - c0);
      Values acc;
      for (int64_t j = 0; j < cols; ++j)
        acc.push_back(kb.load(buf.v, {i, vidx(c0 + j)}));
      for (int64_t j = 0; j < cols; ++j)
        acc.push_back(zeroVec());
      acc = kb.loop(kb.cst(0), i, 1, acc, [&](Value j, ValueRange st) {
        Values next(st.begin(), st.end());
        Value lij = kb.bcast(kb.loadScalar(buf.l, {i, j}));
        for (int64_t c = 0; c < cols; ++c)
          next[c] = kb.fma(lij, kb.load(buf.v, {j, vidx(c0 + c)}), next[c]);
        return next;
      });
      for (int64_t c = 0; c < cols; ++c)
        kb.store(acc[c], buf.v, {i, vidx(c0 + c)});
    }
  });
}

void LinearScanEmitter::outputs(const Buffers &buf, Value tNext, Value len,
                                ValueRange bh) {
  int64_t chunk = s.chunk, vecs = s.dvp / lanes;
  // The input rows of the next chunk, fetched while this one computes: step
  // k of row block i0 prefetches line (k / rows) of row i0 + k % rows of
  // every input stream.
  SmallVector<std::pair<Value, int64_t>> streams;
  for (Value in : {op.getQuery(), op.getKey(), op.getValue(), op.getDecay()})
    if (in && cast<RankedTensorType>(in.getType()).getRank() == 4)
      streams.push_back({kb.bufferOf(in),
                         (cast<RankedTensorType>(in.getType()).getDimSize(3) +
                          kLineFloats - 1) /
                             kLineFloats});
  Value lastRow = arith::SubIOp::create(b, loc, len, idx(1));
  auto prefetchStep = [&](int64_t i0, Value k) {
    Value row = arith::AddIOp::create(
        b, loc, idx(i0), arith::RemUIOp::create(b, loc, k, idx(tileRows)));
    Value t = timeOf(tNext, row, len);
    t = arith::MaxSIOp::create(
        b, loc, arith::MinSIOp::create(b, loc, t, lastRow), idx(0));
    Value slot = arith::DivUIOp::create(b, loc, k, idx(tileRows));
    for (auto [mem, lines] : streams) {
      Value col = arith::MulIOp::create(
          b, loc, arith::RemUIOp::create(b, loc, slot, idx(lines)),
          idx(kLineFloats));
      kb.prefetch(mem, {bh[0], bh[1], t, col});
    }
  };
  for (int64_t i0 = 0; i0 < chunk; i0 += tileRows)
    for (int64_t c0 = 0; c0 < vecs; c0 += tileVectors) {
      int64_t cols = std::min(tileVectors, vecs - c0);
      Values acc(tileRows * cols, zeroVec());
      // Q̃ S: the state before the chunk.
      acc = microKernel(
          tileRows, cols, acc, kb.cst(0), kb.cst(s.dkp),
          [&](int64_t r, Value k) {
            return kb.loadScalar(buf.q, {idx(i0 + r), k});
          },
          [&](Value k, int64_t j) {
            return kb.load(buf.state, {k, vidx(c0 + j)});
          },
          [&](Value k) {
            if (c0 == 0)
              prefetchStep(i0, k);
          });
      // A U over the causal columns j < i0 + rows.
      acc = microKernel(
          tileRows, cols, acc, kb.cst(0), kb.cst(i0 + tileRows),
          [&](int64_t r, Value j) {
            return kb.loadScalar(buf.a, {idx(i0 + r), j});
          },
          [&](Value j, int64_t c) {
            return kb.load(buf.v, {j, vidx(c0 + c)});
          });
      for (int64_t r = 0; r < tileRows; ++r)
        for (int64_t j = 0; j < cols; ++j)
          kb.store(acc[r * cols + j], buf.o, {idx(i0 + r), vidx(c0 + j)});
    }
}

void LinearScanEmitter::updateState(const Buffers &buf, Value lastDecay) {
  int64_t vecs = s.dvp / lanes;
  // S = Γ_C ⊙ S + K_endᵀ U, K_end in buf.k.
  for (int64_t k0 = 0; k0 < s.dkp; k0 += tileRows)
    for (int64_t c0 = 0; c0 < vecs; c0 += tileVectors) {
      int64_t cols = std::min(tileVectors, vecs - c0);
      Values acc;
      for (int64_t r = 0; r < tileRows; ++r) {
        Value decay;
        if (s.decay == Decay::Scalar)
          decay = kb.bcast(lastDecay);
        else if (s.decay == Decay::Channel)
          decay = kb.bcast(kb.loadScalar(buf.gam, {idx(k0 + r)}));
        for (int64_t j = 0; j < cols; ++j) {
          Value sv = kb.load(buf.state, {idx(k0 + r), vidx(c0 + j)});
          acc.push_back(decay ? kb.mulf(decay, sv) : sv);
        }
      }
      acc = microKernel(
          tileRows, cols, acc, kb.cst(0), kb.cst(s.chunk),
          [&](int64_t r, Value j) {
            return kb.loadScalar(buf.k, {j, idx(k0 + r)});
          },
          [&](Value j, int64_t c) {
            return kb.load(buf.v, {j, vidx(c0 + c)});
          });
      for (int64_t r = 0; r < tileRows; ++r)
        for (int64_t j = 0; j < cols; ++j)
          kb.store(acc[r * cols + j], buf.state, {idx(k0 + r), vidx(c0 + j)});
    }
}

void LinearScanEmitter::sequentialChunk(const Buffers &buf, Value n) {
  // The exact recurrence, one step at a time, for chunks whose per-channel
  // decay is too strong for the factored form.
  int64_t kvecs = s.dkp / lanes, vvecs = s.dvp / lanes;
  kb.loop(kb.cst(0), n, 1, [&](Value i) {
    // a = exp(g_i) per key channel, stored in buf.gam[0..dkp).
    for (int64_t c = 0; c < kvecs; ++c)
      kb.store(kb.exp(kb.load(buf.graw, {i, vidx(c)})), buf.tmp,
               {idx(0), vidx(c)});
    Values w;
    for (int64_t c = 0; c < vvecs; ++c)
      w.push_back(kb.load(buf.v, {i, vidx(c)}));
    if (s.delta) {
      // w = β (v - (diag(a) S)ᵀ k).
      Values u(vvecs, zeroVec());
      u = kb.loop(kb.cst(0), kb.cst(s.dkp), 1, u, [&](Value k, ValueRange st) {
        Value ak = kb.mulf(kb.loadScalar(buf.k, {i, k}),
                           kb.loadScalar(buf.tmp, {idx(0), k}));
        Value bk = kb.bcast(ak);
        Values next;
        for (int64_t c = 0; c < vvecs; ++c)
          next.push_back(kb.fma(bk, kb.load(buf.state, {k, vidx(c)}), st[c]));
        return next;
      });
      Value beta = kb.bcast(kb.loadScalar(buf.beta, {i}));
      for (int64_t c = 0; c < vvecs; ++c)
        w[c] = kb.mulf(beta, kb.subf(w[c], u[c]));
    }
    // S = diag(a) S + k wᵀ; o = Sᵀ q.
    Values o(vvecs, zeroVec());
    o = kb.loop(kb.cst(0), kb.cst(s.dkp), 1, o, [&](Value k, ValueRange st) {
      Value a = kb.bcast(kb.loadScalar(buf.tmp, {idx(0), k}));
      Value kk = kb.bcast(kb.loadScalar(buf.k, {i, k}));
      Value qk = kb.bcast(kb.loadScalar(buf.q, {i, k}));
      Values next;
      for (int64_t c = 0; c < vvecs; ++c) {
        Value sv = kb.load(buf.state, {k, vidx(c)});
        sv = kb.fma(kk, w[c], kb.mulf(a, sv));
        kb.store(sv, buf.state, {k, vidx(c)});
        next.push_back(kb.fma(qk, sv, st[c]));
      }
      return next;
    });
    for (int64_t c = 0; c < vvecs; ++c)
      kb.store(o[c], buf.o, {i, vidx(c)});
  });
}

Value LinearScanEmitter::storeOutputs(const Buffers &buf, Value tile, Value t0,
                                      Value n, Value len) {
  bool vFull = s.dv % lanes == 0;
  Value scale = s.scale != 1.0 ? kb.cstF(s.scale, lanes) : Value();
  return kb.loop(kb.cst(0), n, 1, tile, [&](Value i, ValueRange st) -> Values {
    Value t = timeOf(t0, i, len);
    Value cur = st[0];
    for (int64_t c = 0; c < s.dvp / lanes; ++c) {
      Value o = kb.load(buf.o, {i, vidx(c)});
      if (scale)
        o = kb.mulf(o, scale);
      cur = kb.write(o, cur, {idx(0), idx(0), t, vidx(c)}, {vFull});
    }
    return {cur};
  })[0];
}

std::pair<Value, Value> LinearScanEmitter::build(Value out, Value stateOut) {
  Value q = op.getQuery(), init = op.getInit();
  int64_t chunk = s.chunk;
  OpFoldResult batch = kb.dim(q, 0), heads = kb.dim(q, 1),
               lenOfr = kb.dim(q, 2);
  SmallVector<Value> outs{out};
  if (stateOut)
    outs.push_back(stateOut);
  auto forall = scf::ForallOp::create(
      b, loc, ArrayRef<OpFoldResult>{batch, heads}, outs, std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  SmallVector<Value> bh = llvm::to_vector(forall.getInductionVars());
  Value len = kb.val(lenOfr);
  SmallVector<OpFoldResult> oOffsets{bh[0], bh[1], kb.cst(0), kb.cst(0)},
      oSizes{kb.cst(1), kb.cst(1), lenOfr, kb.cst(s.dv)}, strides(4, kb.cst(1));
  Value oShared = forall.getRegionIterArgs()[0];
  Value oTile = tensor::ExtractSliceOp::create(b, loc, oShared, oOffsets,
                                               oSizes, strides);

  Buffers buf;
  buf.state = kb.scratch({s.dkp, s.dvp});
  buf.q = kb.scratch({chunk, s.dkp});
  buf.k = kb.scratch({chunk, s.dkp});
  buf.tmp = kb.scratch({chunk, s.dkp});
  buf.kt = kb.scratch({s.dkp, chunk});
  buf.v = kb.scratch({chunk, s.dvp});
  buf.o = kb.scratch({chunk, s.dvp});
  buf.a = kb.scratch({chunk, chunk});
  if (s.delta) {
    buf.l = kb.scratch({chunk, chunk});
    buf.beta = kb.scratch({chunk});
  }
  if (s.decay == Decay::Scalar) {
    buf.g = kb.scratch({chunk});
    buf.gam = kb.scratch({chunk});
  } else if (s.decay == Decay::Channel) {
    buf.g = kb.scratch({chunk, s.dkp});
    buf.graw = kb.scratch({chunk, s.dkp});
    buf.gam = kb.scratch({s.dkp});
  }

  // S <- init (zero-padded) or 0.
  bool vFull = s.dv % lanes == 0;
  kb.loop(kb.cst(0), kb.cst(s.dkp), 1, [&](Value k) {
    for (int64_t c = 0; c < s.dvp / lanes; ++c) {
      Value sv = zeroVec();
      if (init && s.dk != s.dkp) {
        Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                              k, idx(s.dk));
        sv = kb.ifElse(
            inRange, TypeRange{kb.vecType()},
            [&]() -> Values {
              return {kb.read(init, {bh[0], bh[1], k, vidx(c)}, lanes, vFull)};
            },
            [&]() -> Values { return {zeroVec()}; })[0];
      } else if (init) {
        sv = kb.read(init, {bh[0], bh[1], k, vidx(c)}, lanes, vFull);
      }
      kb.store(sv, buf.state, {k, vidx(c)});
    }
  });

  Value oResult = kb.loop(
      kb.cst(0), lenOfr, chunk, oTile, [&](Value t0, ValueRange st) -> Values {
        Value n = arith::MinSIOp::create(
            b, loc, idx(chunk), arith::SubIOp::create(b, loc, len, t0));
        loadChunk(buf, t0, n, len, bh);
        Value maxAbsG = cumsum(buf);

        // The chunked path; `kTilde` holds the rows that meet S in the
        // delta rule.
        auto chunked = [&]() {
          int64_t kvecs = s.dkp / lanes;
          Value lastIdx = idx(chunk - 1);
          Value lastDecay;
          Value kTilde = buf.tmp;
          if (s.decay == Decay::Channel) {
            // Γ_C (gam) first; then, in one pass with two exponentials per
            // element, Q̃ = Q⊙Γ (in place), K̂ = K⊙Γ⁻¹ (tmp, then transposed
            // into kt), K_end = K⊙Γ_C Γ⁻¹ (in place) and, for the delta
            // rule, K̃ = K⊙Γ (over graw, which only the sequential path
            // reads).
            for (int64_t c = 0; c < kvecs; ++c)
              kb.store(expFast(kb.load(buf.g, {lastIdx, vidx(c)})), buf.gam,
                       {vidx(c)});
            kb.loop(kb.cst(0), kb.cst(chunk), 1, [&](Value i) {
              for (int64_t c = 0; c < kvecs; ++c) {
                SmallVector<Value, 2> at{i, vidx(c)};
                Value gv = kb.load(buf.g, at);
                Value up = expFast(gv);
                Value down = expFast(arith::NegFOp::create(b, loc, gv));
                Value kv = kb.load(buf.k, at);
                kb.store(kb.mulf(kb.load(buf.q, at), up), buf.q, at);
                kb.store(kb.mulf(kv, down), buf.tmp, at);
                Value end = kb.mulf(kb.load(buf.gam, {vidx(c)}), down);
                kb.store(kb.mulf(kv, end), buf.k, at);
                if (s.delta)
                  kb.store(kb.mulf(kv, up), buf.graw, at);
              }
            });
            transpose(buf.tmp, buf.kt, chunk, s.dkp);
            kTilde = buf.graw;
            scores(buf, buf.q, s.delta ? kTilde : Value());
          } else {
            transpose(buf.k, buf.kt, chunk, s.dkp);
            scores(buf, buf.q, s.delta ? buf.k : Value());
            if (s.decay == Decay::Scalar) {
              // Γ and exp(G_C - G) rows; Q̃ = ΓQ, K̃ = ΓK (tmp), K_end.
              Value glast = kb.loadScalar(buf.g, {lastIdx});
              lastDecay = kb.exp(glast);
              kb.loop(kb.cst(0), kb.cst(chunk), 1, [&](Value i) {
                Value gi = kb.loadScalar(buf.g, {i});
                Value up = kb.bcast(kb.exp(gi));
                Value end = kb.bcast(kb.exp(kb.subf(glast, gi)));
                for (int64_t c = 0; c < kvecs; ++c) {
                  SmallVector<Value, 2> at{i, vidx(c)};
                  Value kv = kb.load(buf.k, at);
                  kb.store(kb.mulf(kb.load(buf.q, at), up), buf.q, at);
                  if (s.delta)
                    kb.store(kb.mulf(kv, up), buf.tmp, at);
                  kb.store(kb.mulf(kv, end), buf.k, at);
                }
              });
            } else {
              // No decay: K̃ = K_end = K.
              kTilde = buf.k;
            }
          }
          if (s.delta)
            pseudoValues(buf, kTilde);
          outputs(buf, arith::AddIOp::create(b, loc, t0, idx(chunk)), len, bh);
          updateState(buf, lastDecay);
        };

        if (s.decay == Decay::Channel) {
          // max |G| over the chunk (from cumsum) decides the path.
          Value mx = maxAbsG;
          Value red = vector::ReductionOp::create(
              b, loc, vector::CombiningKind::MAXIMUMF, mx);
          Value safe = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLE,
                                             red, kb.cstF(kMaxFactoredDecay));
          auto ifOp = scf::IfOp::create(b, loc, TypeRange{}, safe,
                                        /*withElseRegion=*/true);
          {
            OpBuilder::InsertionGuard g(b);
            b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
            chunked();
            b.setInsertionPoint(ifOp.elseBlock()->getTerminator());
            sequentialChunk(buf, n);
          }
        } else {
          chunked();
        }
        return {storeOutputs(buf, st[0], t0, n, len)};
      })[0];

  Value sResult;
  SmallVector<OpFoldResult> sOffsets{bh[0], bh[1], kb.cst(0), kb.cst(0)},
      sSizes{kb.cst(1), kb.cst(1), kb.cst(s.dk), kb.cst(s.dv)};
  if (stateOut) {
    Value sShared = forall.getRegionIterArgs()[1];
    Value sTile = tensor::ExtractSliceOp::create(b, loc, sShared, sOffsets,
                                                 sSizes, strides);
    sResult = kb.loop(kb.cst(0), kb.cst(s.dk), 1, sTile,
                      [&](Value k, ValueRange st) -> Values {
                        Value cur = st[0];
                        for (int64_t c = 0; c < s.dvp / lanes; ++c)
                          cur = kb.write(kb.load(buf.state, {k, vidx(c)}), cur,
                                         {idx(0), idx(0), k, vidx(c)}, {vFull});
                        return {cur};
                      })[0];
  }
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loc, oResult, oShared, oOffsets,
                                        oSizes, strides);
  if (stateOut)
    tensor::ParallelInsertSliceOp::create(b, loc, sResult,
                                          forall.getRegionIterArgs()[1],
                                          sOffsets, sSizes, strides);
  return {forall.getResult(0), stateOut ? forall.getResult(1) : Value()};
}

struct TileLinearScanPass
    : tokamak::cpu::impl::TileLinearScanBase<TileLinearScanPass> {
  using TileLinearScanBase::TileLinearScanBase;

  void runOnOperation() override {
    FailureOr<CpuTarget> target = resolvePassTarget(
        getOperation(), getArgument(), cpu, cpuFeatures, numThreads, remarks);
    if (failed(target))
      return signalPassFailure();
    int64_t lanes = target->f32Lanes();
    if (chunkSize != 0 &&
        (chunkSize < lanes || chunkSize > 128 || chunkSize % lanes != 0)) {
      getOperation().emitError()
          << "tok-tile-linear-scan: expected chunk-size 0 or a multiple of "
          << lanes << " in [" << lanes << ", 128], got "
          << chunkSize.getValue();
      return signalPassFailure();
    }
    tileEach<tok::LinearScanOp>(
        getOperation(), getArgument(), remarks,
        [&](tok::LinearScanOp op, std::string &why) {
          return analyze(op, *target, why);
        },
        [&](IRRewriter &rewriter, tok::LinearScanOp op,
            const LinearScanShape &shape) {
          if (remarks)
            op.emitRemark()
                << "tok-tile-linear-scan: " << shape.lanes << "-lane vectors, "
                << shape.chunk << "-step chunks, " << shape.tileRows << "x"
                << shape.tileVectors << " micro-kernel tiles, "
                << "exponentials "
                << (target->hasAvx512f && shape.lanes == 16
                        ? "scaled by vscalefps"
                        : "by exponent-field add");
          Location loc = op.getLoc();
          auto oType = cast<RankedTensorType>(op.getOutput().getType());
          Value out = tensor::EmptyOp::create(
              rewriter, loc,
              tensor::getMixedSizes(rewriter, loc, op.getValue()),
              oType.getElementType());
          Value st;
          RankedTensorType stType;
          if (Value fs = op.getFinalState()) {
            stType = cast<RankedTensorType>(fs.getType());
            st = tensor::EmptyOp::create(
                rewriter, loc,
                ArrayRef<OpFoldResult>{
                    tensor::getMixedSize(rewriter, loc, op.getQuery(), 0),
                    tensor::getMixedSize(rewriter, loc, op.getQuery(), 1),
                    rewriter.getIndexAttr(shape.dk),
                    rewriter.getIndexAttr(shape.dv)},
                stType.getElementType());
          }
          LinearScanEmitter emitter(rewriter, loc, op, shape,
                                    target->hasAvx512f);
          auto [oRes, stRes] = emitter.build(out, st);
          replaceScan(rewriter, op, oRes, stRes);
        });
  }

  std::optional<LinearScanShape>
  analyze(tok::LinearScanOp op, const CpuTarget &target, std::string &why) {
    LinearScanShape s;
    LinearScanTiles chosen = chooseLinearScanTiles(target);
    int64_t lanes = target.f32Lanes();
    s.lanes = lanes;
    s.tileRows = chosen.rows;
    s.tileVectors = chosen.vectors;
    for (Value v : op->getOperands())
      if (!isa<Float32Type, Float16Type, BFloat16Type>(
              cast<RankedTensorType>(v.getType()).getElementType())) {
        why = "an operand is not f32, f16 or bf16";
        return std::nullopt;
      }
    auto qType = cast<RankedTensorType>(op.getQuery().getType());
    auto kType = cast<RankedTensorType>(op.getKey().getType());
    auto vType = cast<RankedTensorType>(op.getValue().getType());
    s.dk = ShapedType::isStatic(qType.getDimSize(3)) ? qType.getDimSize(3)
                                                     : kType.getDimSize(3);
    s.dv = vType.getDimSize(3);
    if (ShapedType::isDynamic(s.dk) || ShapedType::isDynamic(s.dv) ||
        s.dk < 1 || s.dv < 1 || s.dk > 256 || s.dv > 256) {
      why = "the head dims must be static and at most 256";
      return std::nullopt;
    }
    s.dkp = (s.dk + lanes - 1) / lanes * lanes;
    s.dvp = (s.dv + lanes - 1) / lanes * lanes;
    s.delta = op.isDelta();
    // The delta rule's forward substitution grows with the chunk too.
    s.chunk = chunkSize ? chunkSize : chosen.chunk;
    if (Value g = op.getDecay())
      s.decay = cast<RankedTensorType>(g.getType()).getRank() == 4
                    ? Decay::Channel
                    : Decay::Scalar;
    s.reverse = op.getReverse();
    if (FloatAttr scale = op.getScaleAttr())
      s.scale = scale.getValueAsDouble();
    // The task's buffers live on its stack.
    int64_t c = s.chunk;
    int64_t floats = s.dkp * s.dvp + 4 * c * s.dkp + 2 * c * s.dvp + 2 * c * c +
                     2 * c * s.dkp + 4 * c + s.dkp;
    if (floats * 4 > kMaxScratchBytes) {
      why = "a chunk's buffers would exceed the task's stack budget";
      return std::nullopt;
    }
    return s;
  }
};

} // namespace
