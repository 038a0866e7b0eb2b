//===- AttentionBounds.cpp - Visible key ranges of attention tiles --------===//
//
// Part of the Tokamak project. Which keys each query row of a tile sees
// (causal, window, sinks, packed sequences, paged lengths), the key-block
// loops those ranges bound (masked boundary blocks, unmasked interior
// blocks) and the mask of the boundary blocks.
//
//===----------------------------------------------------------------------===//

#include "AttentionEmitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace tokamak::cpu;
using namespace tokamak::cpu::attention;

using P = arith::CmpIPredicate;

std::tuple<Value, Value, Value, Value, Value>
Emitter::rowBounds(const TileCoords &c, Value tq, bool knownInTile) {
  Value pos = val(add(c.firstQuery, tq));
  // `inTile`: the row is one of the tile's queries; `valid`: it may also
  // see keys (packed rows outside every sequence see none).
  Value inTile = knownInTile ? Value() : cmp(P::slt, tq, c.numQueries);
  Value valid = inTile;
  auto andValid = [&](Value cond) {
    valid =
        valid ? arith::AndIOp::create(b, loc, valid, cond).getResult() : cond;
  };
  OpFoldResult lo = cst(0), hi, hiUnclamped, sinkBase = cst(0);
  OpFoldResult lastKey = sub(c.keyEnd, cst(1));
  if (p.seqStarts) {
    // The sequence holding `pos`: count = #{k : cu[k] <= pos}.
    OpFoldResult numOffsets = dim(p.seqStarts, 0);
    Value n = loop(cst(0), numOffsets, 1, ValueRange{idx(0)},
                   [&](Value k, ValueRange args) -> Values {
                     Value start = toIndex(extractElement(p.seqStarts, {k}));
                     Value inc = val(add(args[0], cst(1)));
                     return {select(cmp(P::sle, start, pos), inc, args[0])};
                   })[0];
    andValid(arith::AndIOp::create(b, loc, cmp(P::sge, n, cst(1)),
                                   cmp(P::sle, n, numSeqs)));
    Value seq = val(max(min(sub(n, cst(1)), sub(numSeqs, cst(1))), cst(0)));
    Value start = toIndex(extractElement(p.seqStarts, {seq}));
    Value endIdx = val(min(add(seq, cst(1)), sub(numOffsets, cst(1))));
    Value end = toIndex(extractElement(p.seqStarts, {endIdx}));
    hiUnclamped = p.causal ? OpFoldResult(pos) : sub(end, cst(1));
    hi = min(min(hiUnclamped, sub(end, cst(1))), lastKey);
    lo = start;
    sinkBase = start;
  } else if (p.isPaged()) {
    // Query i of sequence b sits at lens[b] - Sq + i.
    hiUnclamped = add(sub(c.keyEnd, querySize), pos);
    hi = min(hiUnclamped, lastKey);
  } else {
    hiUnclamped =
        p.causal ? add(pos, sub(keySize, querySize)) : sub(keySize, cst(1));
    hi = min(hiUnclamped, lastKey);
  }
  if (p.window)
    lo = max(lo, sub(hiUnclamped, cst(*p.window - 1)));
  OpFoldResult sinkLo = cst(1), sinkHi = cst(0);
  if (p.window && p.sinks && *p.sinks > 0) {
    sinkLo = sinkBase;
    sinkHi = min(add(sinkBase, cst(*p.sinks - 1)), hi);
  }
  if (valid) {
    lo = select(valid, val(lo), idx(1));
    hi = select(valid, val(hi), idx(0));
    sinkLo = select(valid, val(sinkLo), idx(1));
    sinkHi = select(valid, val(sinkHi), idx(0));
  }
  if (!inTile)
    inTile = arith::ConstantIntOp::create(b, loc, 1, 1);
  return {inTile, val(lo), val(hi), val(sinkLo), val(sinkHi)};
}

TileBounds Emitter::computeBounds(const TileCoords &c) {
  if (!p.seqStarts) {
    // Without packed sequences, lo and hi grow with the query position: the
    // union is [lo(first), hi(last)], the intersection [lo(last), hi(first)]
    // (empty when a row sees nothing) and the sink hull ends at sHi(last).
    Value last = val(sub(c.numQueries, cst(1)));
    auto [inFirst, loFirst, hiFirst, sLoFirst, sHiFirst] =
        rowBounds(c, idx(0), /*knownInTile=*/true);
    auto [inLast, loLast, hiLast, sLoLast, sHiLast] =
        rowBounds(c, last, /*knownInTile=*/true);
    (void)inFirst;
    (void)inLast;
    (void)sHiFirst;
    TileBounds bd;
    bd.unionLo = loFirst;
    bd.unionHi = hiLast;
    bd.interLo = loLast;
    bd.interHi = hiFirst;
    bd.sinkMin = sLoFirst;
    bd.sinkMax = sHiLast;
    return bd;
  }
  Type i32Type = b.getI32Type();
  SmallVector<Value> inits = {allocTensor({tileQueries}, i32Type),
                              allocTensor({tileQueries}, i32Type),
                              allocTensor({tileQueries}, i32Type),
                              allocTensor({tileQueries}, i32Type),
                              idx(kBig),
                              idx(-kBig), // union
                              idx(-kBig),
                              idx(kBig), // intersection
                              idx(kBig),
                              idx(-kBig)}; // sink hull
  auto minI = [&](Value x, Value y) { return val(min(x, y)); };
  auto maxI = [&](Value x, Value y) { return val(max(x, y)); };
  Values r =
      loop(cst(0), cst(tileQueries), 1, inits,
           [&](Value tq, ValueRange a) -> Values {
             auto [valid, lo, hi, sLo, sHi] = rowBounds(c, tq);
             Value nonEmpty =
                 arith::AndIOp::create(b, loc, valid, cmp(P::sle, lo, hi));
             Value sinkNonEmpty =
                 arith::AndIOp::create(b, loc, valid, cmp(P::sle, sLo, sHi));
             return {insertElement(toI32(lo), a[0], {tq}),
                     insertElement(toI32(hi), a[1], {tq}),
                     insertElement(toI32(sLo), a[2], {tq}),
                     insertElement(toI32(sHi), a[3], {tq}),
                     select(nonEmpty, minI(a[4], lo), a[4]),
                     select(nonEmpty, maxI(a[5], hi), a[5]),
                     select(valid, maxI(a[6], lo), a[6]),
                     select(valid, minI(a[7], hi), a[7]),
                     select(sinkNonEmpty, minI(a[8], sLo), a[8]),
                     select(sinkNonEmpty, maxI(a[9], sHi), a[9])};
           });
  return {r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9]};
}

TileState Emitter::keyLoops(const TileCoords &c, const TileBounds &bd, Value qs,
                            TileState st) {
  if (p.blockIndices)
    return blockListLoop(c, bd, qs, st);
  int64_t n = blockKeys;
  OpFoldResult bk = cst(n);
  // Blocks touching the union of the rows' ranges, clamped to the chunk.
  Value first = val(max(floorDiv(bd.unionLo, bk), c.blockLo));
  Value end = val(min(add(floorDiv(bd.unionHi, bk), cst(1)), c.blockHi));
  end = select(cmp(P::sle, bd.unionLo, bd.unionHi), end, first);
  end = val(max(end, first));
  // Blocks inside the intersection need no mask.
  OpFoldResult interFirst = ceilDiv(bd.interLo, bk);
  OpFoldResult interEnd = floorDiv(add(bd.interHi, cst(1)), bk);
  Value e1 = val(min(max(interFirst, first), end));
  Value e2 = val(min(max(interEnd, e1), end));

  bool withVs = static_cast<bool>(st.vs);
  auto loopOver = [&](Value lb, Value ub, bool masked, TileState in,
                      StringRef tag) {
    Values out =
        loop(lb, ub, 1, in.values(), [&](Value kb, ValueRange a) -> Values {
          TileState cur = TileState::from(a, withVs);
          if (!allHeads)
            return processBlock(c, bd, qs, kb, masked, cur).values();
          // Every kv head of this key block in turn, on its rows of the
          // state.
          return loop(cst(0), cst(numKvHeads), 1, cur.values(),
                      [&](Value h, ValueRange ha) -> Values {
                        TileState all = TileState::from(ha, withVs);
                        TileCoords ch = c;
                        ch.kvHead = h;
                        Value off = val(mul(h, cst(paddedRows)));
                        TileState one = all;
                        one.acc = rowSlice(all.acc, off, paddedRows);
                        one.m = rowSlice(all.m, off, paddedRows);
                        one.l = rowSlice(all.l, off, paddedRows);
                        one =
                            processBlock(ch, bd, rowSlice(qs, off, paddedRows),
                                         kb, masked, one);
                        TileState merged = one;
                        merged.acc = insertRows(one.acc, all.acc, off);
                        merged.m = insertRows(one.m, all.m, off);
                        merged.l = insertRows(one.l, all.l, off);
                        return merged.values();
                      });
        });
    out.front().getDefiningOp()->setAttr("tok.key_blocks",
                                         b.getStringAttr(tag));
    return TileState::from(out, withVs);
  };
  if (p.window && p.sinks && *p.sinks > 0) {
    // Sink blocks before the window.
    Value s0 = val(max(floorDiv(bd.sinkMin, bk), c.blockLo));
    Value s1 =
        val(min(min(add(floorDiv(bd.sinkMax, bk), cst(1)), first), c.blockHi));
    st = loopOver(s0, val(max(s1, s0)), /*masked=*/true, st, "sink");
  }
  st = loopOver(first, e1, /*masked=*/true, st, "leading");
  st = loopOver(e1, e2, /*masked=*/false, st, "interior");
  st = loopOver(e2, end, /*masked=*/true, st, "trailing");
  return st;
}

Value Emitter::maskScores(const TileCoords &c, const TileBounds &bounds,
                          Value s, Value tq, Value j0) {
  int64_t n = blockKeys;
  Value keys = arith::AddIOp::create(b, loc, keyIota, splat(toI32(j0), n));
  // Per-row bounds: stored for packed sequences, else recomputed.
  Value lo, hi, sinkLo, sinkHi;
  if (bounds.lo) {
    lo = extractElement(bounds.lo, {tq});
    hi = extractElement(bounds.hi, {tq});
    sinkLo = extractElement(bounds.sinkLo, {tq});
    sinkHi = extractElement(bounds.sinkHi, {tq});
  } else {
    auto [inTile, l, h, sl, sh] = rowBounds(c, tq);
    lo = toI32(l);
    hi = toI32(h);
    sinkLo = toI32(sl);
    sinkHi = toI32(sh);
  }
  auto within = [&](Value l, Value h) -> Value {
    return arith::AndIOp::create(
        b, loc, arith::CmpIOp::create(b, loc, P::sge, keys, splat(l, n)),
        arith::CmpIOp::create(b, loc, P::sle, keys, splat(h, n)));
  };
  Value visible = within(lo, hi);
  if (p.window && p.sinks && *p.sinks > 0)
    visible = arith::OrIOp::create(b, loc, visible, within(sinkLo, sinkHi));
  return select(visible, s, cstF(kNegInf, n));
}
