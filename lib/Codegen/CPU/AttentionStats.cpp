//===- AttentionStats.cpp - Probability column sums of attention ----------===//
//
// Part of the Tokamak project. The stats result of tok.attention (SnapKV's
// observation window, H2O's per-step column sums): for the last W query
// rows i of every query head h,
//
//   stats[b, hs, j] += p_ij = exp(s_ij - lse_i)     (0 for masked keys)
//
// with hs = h (per query head) or h / G (summed per kv head). A row's
// probabilities need its final max and sum, which the flash sweep only knows
// at the end, so the kernel makes a second sweep after it: in parallel over
// (batch, kv head, key block), pack the key block once (the same transposed
// panel as the main sweep), recompute the W x G score rows of the block with
// the same softcap / score_mod / bias / mask code, turn them into
// probabilities with the main sweep's lse and add them up in registers. The
// cost is W * G * Skv * D FMAs (W small), and the blocks write disjoint
// slices of the result, so no reduction crosses tasks. With packed
// sequences (seq_starts) the window is the last W rows of each sequence,
// and a key block visits only the sequences its keys belong to.
//
//===----------------------------------------------------------------------===//

#include "AttentionEmitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace tokamak::cpu;
using namespace tokamak::cpu::attention;

Value Emitter::emitStats(Value lse) {
  int64_t n = blockKeys;
  // Result rows per kv head: its G query heads, or their sum.
  int64_t statRows = p.statsPerQueryHead ? groups : 1;
  int64_t statHeads = numKvHeads * statRows;
  OpFoldResult batchOfr = dim(queryShape(), 0);
  OpFoldResult keyOfr = dim(p.key, 2);
  Value stats = tensor::EmptyOp::create(
      b, loc,
      ArrayRef<OpFoldResult>{batchOfr, b.getIndexAttr(statHeads), keyOfr}, f32);
  OpFoldResult numBlocks = ceilDiv(keySize, cst(n));
  auto forall = scf::ForallOp::create(
      b, loc,
      ArrayRef<OpFoldResult>{batchOfr, b.getIndexAttr(numKvHeads), numBlocks},
      ValueRange{stats}, std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());

  // The counted rows [first, Sq): first = max(Sq - W, 0).
  TileCoords c;
  c.batch = forall.getInductionVar(0);
  c.kvHead = forall.getInductionVar(1);
  // Packed sequences count rows per sequence below; c covers every row.
  c.firstQuery = p.statsWindow && !p.seqStarts
                     ? val(max(sub(querySize, cst(*p.statsWindow)), cst(0)))
                     : idx(0);
  c.numQueries = val(sub(querySize, c.firstQuery));
  c.keyEnd = keySize;
  c.blockLo = idx(0);
  c.blockHi = idx(kBig);
  Value j0 = val(mul(forall.getInductionVar(2), cst(n)));
  Value count = val(min(cst(n), sub(keySize, j0)));

  Value kt = packKeys(c, allocTensor({n, headDim}, f32),
                      allocTensor({paddedHeadDim, n}, f32), j0)
                 .second;
  // Bounds recomputed per row by maskScores (no stored bounds).
  TileBounds bounds;
  // Adds the probabilities of query position `pos` (row `tq` of `c`) for
  // the G query heads of the kv head to `acc`.
  auto addRow = [&](Value pos, Value tq, Value acc) -> Value {
    return loop(
        cst(0), cst(groups), 1, ValueRange{acc},
        [&](Value g, ValueRange cur) -> Values {
          Value head = val(add(mul(c.kvHead, cst(groups)), g));
          // S[j] = scale * sum_d q[d] Kt[d, j].
          Value s =
              loop(cst(0), cst(headDim), 1, ValueRange{cstF(0.0, n)},
                   [&](Value d, ValueRange sa) -> Values {
                     Value q = extract(p.query, {c.batch, head, pos, d});
                     Value k = read(kt, {d, idx(0)}, n, true);
                     return {math::FmaOp::create(b, loc, bcast(q, n), k, sa[0])
                                 .getResult()};
                   })[0];
          s = mulf(s, bcast(scale, n));
          if (p.softcap || p.scoreMod || p.bias)
            s = modifyScores(c, s, head, pos, j0);
          s = maskScores(c, bounds, s, tq, j0);
          // p = exp(s - lse); a row without a visible key has lse = -inf
          // and only -inf scores, which give 0.
          Value l = extract(lse, {c.batch, head, pos});
          Value empty = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                              l, cstF(kNegInf));
          Value shift = mulf(select(empty, cstF(0.0), l), cstF(-M_LOG2E));
          Value prob = expNonPositive(b, loc, s, bcast(shift, n));
          Value row = p.statsPerQueryHead ? g : idx(0);
          Value sum = addf(read(cur[0], {row, idx(0)}, n, true), prob);
          return {write(sum, cur[0], {row, idx(0)}, {true})};
        })[0];
  };
  Value acc = filled2d(statRows, n, 0.0);
  if (!p.seqStarts) {
    acc = loop(cst(0), c.numQueries, 1, ValueRange{acc},
               [&](Value tq, ValueRange a) -> Values {
                 return {addRow(val(add(c.firstQuery, tq)), tq, a[0])};
               })[0];
  } else {
    // Packed sequences (Sq = Skv): the rows of sequence k are
    // [cu[k], cu[k+1]) and see only its keys, so only the sequences whose
    // keys meet [j0, j0 + n) contribute, each with its last W rows.
    auto offset = [&](Value k) {
      Value o = toIndex(extractElement(p.seqStarts, {k}));
      return val(min(max(o, cst(0)), querySize));
    };
    acc = loop(cst(0), numSeqs, 1, ValueRange{acc},
               [&](Value k, ValueRange a) -> Values {
                 Value first = offset(k);
                 Value end = val(max(offset(val(add(k, cst(1)))), first));
                 if (p.statsWindow)
                   first = val(max(first, sub(end, cst(*p.statsWindow))));
                 Value meets = arith::AndIOp::create(
                     b, loc,
                     cmp(arith::CmpIPredicate::slt, offset(k), add(j0, cst(n))),
                     cmp(arith::CmpIPredicate::sgt, end, j0));
                 Value last = select(meets, end, first);
                 return loop(first, last, 1, a,
                             [&](Value pos, ValueRange cur) -> Values {
                               return {addRow(pos, pos, cur[0])};
                             });
               })[0];
  }

  // Rows [kvHead * statRows, +statRows), keys [j0, j0 + count).
  SmallVector<OpFoldResult> offsets = {c.batch, mul(c.kvHead, cst(statRows)),
                                       j0};
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1),
                                     b.getIndexAttr(statRows), count};
  SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
  Value shared = forall.getRegionIterArgs()[0];
  Value slice = tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get({1, statRows, ShapedType::kDynamic}, f32),
      shared, offsets, sizes, strides);
  for (int64_t r = 0; r < statRows; ++r)
    slice = write(read(acc, {idx(r), idx(0)}, n, true), slice,
                  {idx(0), idx(r), idx(0)}, {false});
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loc, slice, shared, offsets, sizes,
                                        strides);
  return forall.getResult(0);
}
