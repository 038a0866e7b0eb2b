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
// tok.paged_attention: the keys are the rows of the (head's) cache in table
// order, [0, MaxBlocks * BlockSize), gathered like the main sweep's; a key
// block at or past the length, or (block lists) whose listed block is not
// in the kv head's list, is not computed and gets zeros. Paged decode (row
// dot scores) takes the block's scores from rowDotScores, the decode
// sweep's in-place row dot products, instead of a transposed K panel.
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
  OpFoldResult keyOfr = p.isPaged() ? OpFoldResult(keySize) : dim(p.key, 2);
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
  c.keyEnd = pagedKeyEnd(c.batch, c.kvHead);
  c.blockLo = idx(0);
  c.blockHi = idx(kBig);
  Value j0 = val(mul(forall.getInductionVar(2), cst(n)));
  Value count = val(min(cst(n), sub(keySize, j0)));

  // Paged: only key blocks below the length (and listed) hold
  // probabilities.
  Value computed;
  if (p.isPaged()) {
    computed = cmp(arith::CmpIPredicate::slt, j0, c.keyEnd);
    if (p.blockIndices)
      computed = arith::AndIOp::create(b, loc, computed, listed(c, j0));
  }
  Value kt;
  auto pack = [&]() {
    kt = packKeys(c, allocTensor({n, headDim}, f32),
                  allocTensor({paddedHeadDim, n}, f32), j0)
             .second;
  };
  if (!computed)
    pack();
  // Bounds recomputed per row by maskScores (no stored bounds).
  TileBounds bounds;
  // Adds the probabilities of query head `g` of the kv head at position
  // `pos` (row `tq` of `c`), from its scaled scores `s`, to `acc`.
  auto addProbs = [&](Value s, Value g, Value pos, Value tq,
                      Value acc) -> Value {
    Value head = val(add(mul(c.kvHead, cst(groups)), g));
    if (p.softcap || p.scoreMod || p.bias)
      s = modifyScores(c, s, head, pos, j0);
    s = maskScores(c, bounds, s, tq, j0);
    // p = exp(s - lse); a row without a visible key has lse = -inf
    // and only -inf scores, which give 0.
    Value l = extract(lse, {c.batch, head, pos});
    Value empty = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, l,
                                        cstF(kNegInf));
    Value shift = mulf(select(empty, cstF(0.0), l), cstF(-M_LOG2E));
    Value prob = expNonPositive(b, loc, s, bcast(shift, n));
    Value row = p.statsPerQueryHead ? g : idx(0);
    Value sum = addf(read(acc, {row, idx(0)}, n, true), prob);
    return write(sum, acc, {row, idx(0)}, {true});
  };
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
          return {addProbs(mulf(s, bcast(scale, n)), g, pos, tq, cur[0])};
        })[0];
  };
  // Paged decode (few rows, row dot products): the scores of the block for
  // every row of the kv head's group by the decode sweep's row dots (the K
  // rows read in place, no transposed panel), then their probabilities.
  auto addRowDots = [&](Value acc) -> Value {
    Value qs = packQuery(c);
    Value ps = rowDotScores(c, qs, allocTensor({paddedRows, n}, f32), j0,
                            /*masked=*/true);
    return loop(cst(0), cst(rows), 1, ValueRange{acc},
                [&](Value r, ValueRange a) -> Values {
                  Value g = arith::DivUIOp::create(b, loc, r, idx(tileQueries));
                  Value tq =
                      arith::RemUIOp::create(b, loc, r, idx(tileQueries));
                  Value s = read(ps, {r, idx(0)}, n, true);
                  return {addProbs(s, g, val(add(c.firstQuery, tq)), tq, a[0])};
                })[0];
  };
  Value acc = filled2d(statRows, n, 0.0);
  if (computed) {
    acc = ifElse(
        computed, TypeRange{acc.getType()},
        [&]() -> Values {
          // rowDot: decode, whose one tile of Sq queries are all valid.
          if (rowDot)
            return {addRowDots(acc)};
          pack();
          return {loop(cst(0), c.numQueries, 1, ValueRange{acc},
                       [&](Value tq, ValueRange a) -> Values {
                         return {addRow(tq, tq, a[0])};
                       })[0]};
        },
        [&]() -> Values { return {acc}; })[0];
  } else if (!p.seqStarts) {
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

Value Emitter::listed(const TileCoords &c, Value j0) {
  // The key block of j0 (kernel blocks split listed blocks) is in the
  // first clamp(cnt[b, h], 0, MaxSel) entries of the list of (b, h).
  Value id32 = toI32(val(floorDiv(j0, cst(p.blockK))));
  Value maxSel = val(dim(p.blockIndices, 2));
  Value count = maxSel;
  if (p.blockCounts)
    count =
        val(max(min(toIndex(extractElement(p.blockCounts, {c.batch, c.kvHead})),
                    maxSel),
                cst(0)));
  Value falseI1 = arith::ConstantIntOp::create(b, loc, 0, 1);
  return loop(
      cst(0), count, 1, ValueRange{falseI1},
      [&](Value s, ValueRange f) -> Values {
        Value id = extractElement(p.blockIndices, {c.batch, c.kvHead, s});
        return {arith::OrIOp::create(
            b, loc, f[0],
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, id, id32))};
      })[0];
}
