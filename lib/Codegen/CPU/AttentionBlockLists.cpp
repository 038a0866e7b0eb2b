//===- AttentionBlockLists.cpp - Key-block loop over block lists ----------===//
//
// Part of the Tokamak project. Block-sparse attention (tok.attention with
// block_indices): a tile lies within one query block of `blockQ` rows
// (emit() makes the tile's query count divide blockQ; tok.paged_attention
// has one list per (b, kv head) for all its queries) and visits only the
// key blocks listed for it, each split into kernel blocks of `blockKeys`
// keys (kernelBlockKeys divides blockK):
//
//   for s in [0, count):                  count = clamp(cnt[b, g, qb], 0, S)
//     id = idx[b, g, qb, s]
//     skip ids outside [0, ceil(Skv / blockK)) and ids listed before s
//     for each kernel block kb of key block id (clipped to the blocks
//     before the last visible one):
//       skip kb where no row of the tile sees a key (the ranges of keyLoops:
//       causal, window, sinks), else visit it unmasked inside the rows'
//       common range, masked otherwise
//
// Unlisted key blocks are never loaded. A tile whose query block has no
// list (qb >= Nqb, sizes that differ at run time) visits nothing. A split-KV
// decode tile (paged) walks the whole list and visits only the kernel blocks
// inside its chunk [blockLo, blockHi).
//
//===----------------------------------------------------------------------===//

#include "AttentionEmitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace tokamak::cpu;
using namespace tokamak::cpu::attention;

using P = arith::CmpIPredicate;

TileState Emitter::blockListLoop(const TileCoords &c, const TileBounds &bd,
                                 Value qs, TileState st) {
  int64_t n = blockKeys;
  int64_t split = p.blockK / n;
  OpFoldResult bk = cst(n);
  auto both = [&](Value x, Value y) -> Value {
    return arith::AndIOp::create(b, loc, x, y);
  };
  auto inRange = [&](Value v, Value lo, Value hi) {
    return both(cmp(P::sge, v, lo), cmp(P::slt, v, hi));
  };

  // The kernel blocks keyLoops would visit: [first, end) touches the union
  // of the rows' ranges, [e1, e2) lies in their intersection (no mask),
  // [s0, s1) holds the sinks before the window.
  Value first = val(max(floorDiv(bd.unionLo, bk), cst(0)));
  Value end = val(add(floorDiv(bd.unionHi, bk), cst(1)));
  end = select(cmp(P::sle, bd.unionLo, bd.unionHi), end, first);
  end = val(max(end, first));
  Value e1 = val(min(max(ceilDiv(bd.interLo, bk), first), end));
  Value e2 = val(min(max(floorDiv(add(bd.interHi, cst(1)), bk), e1), end));
  bool withSinks = p.window && p.sinks && *p.sinks > 0;
  Value s0, s1, lowest = first;
  if (withSinks) {
    s0 = val(max(floorDiv(bd.sinkMin, bk), cst(0)));
    s1 = val(min(add(floorDiv(bd.sinkMax, bk), cst(1)), first));
    lowest = val(min(s0, first));
  }

  // The tile's query block and the length of its list. Paged attention has
  // one list per (b, kv head) ([B, Hkv, MaxSel]) that every query shares.
  bool paged = p.isPaged();
  Value qb = paged ? Value() : val(floorDiv(c.firstQuery, cst(p.blockQ)));
  auto listAt = [&](Value s) -> SmallVector<Value> {
    SmallVector<Value> at = {c.batch, c.kvHead};
    if (!paged)
      at.push_back(qb);
    if (s)
      at.push_back(s);
    return at;
  };
  Value maxSel = val(dim(p.blockIndices, paged ? 2 : 3));
  Value hasList = paged ? arith::ConstantIntOp::create(b, loc, 1, 1).getResult()
                        : cmp(P::slt, qb, val(dim(p.blockIndices, 2)));
  Value count = maxSel;
  if (p.blockCounts) {
    count = ifElse(
        hasList, {b.getIndexType()},
        [&]() -> Values {
          return {toIndex(extractElement(p.blockCounts, listAt(Value())))};
        },
        [&]() -> Values { return {idx(0)}; })[0];
    count = val(max(min(count, maxSel), cst(0)));
  }
  count = select(hasList, count, idx(0));
  Value numKeyBlocks = val(ceilDiv(c.keyEnd, cst(p.blockK)));

  bool withVs = static_cast<bool>(st.vs);
  SmallVector<Type> types;
  for (Value v : st.values())
    types.push_back(v.getType());
  Value falseI1 = arith::ConstantIntOp::create(b, loc, 0, 1);
  Values out =
      loop(cst(0), count, 1, st.values(), [&](Value s, ValueRange a) -> Values {
        Value id32 = extractElement(p.blockIndices, listAt(s));
        Value id = toIndex(id32);
        // A block in range whose kernel blocks meet the tile's key chunk
        // [blockLo, blockHi) (split-KV decode: every chunk walks the list).
        Value candidate =
            both(inRange(id, idx(0), numKeyBlocks),
                 both(cmp(P::slt, val(mul(id, cst(split))), c.blockHi),
                      cmp(P::sgt, val(mul(add(id, cst(1)), cst(split))),
                          c.blockLo)));
        // Each listed block counts once: skip an id listed before. Only
        // candidates look back, so a chunk pays for its own blocks.
        Value seen = ifElse(
            candidate, {b.getI1Type()},
            [&]() -> Values {
              return loop(
                  cst(0), s, 1, ValueRange{falseI1},
                  [&](Value e, ValueRange f) -> Values {
                    Value other = extractElement(p.blockIndices, listAt(e));
                    return {arith::OrIOp::create(
                        b, loc, f[0],
                        arith::CmpIOp::create(b, loc, P::eq, other, id32))};
                  });
            },
            [&]() -> Values { return {falseI1}; })[0];
        Value visit =
            both(candidate,
                 arith::XOrIOp::create(
                     b, loc, seen, arith::ConstantIntOp::create(b, loc, 1, 1)));
        auto visitBlock = [&]() -> Values {
          // The kernel blocks of the listed block, clipped to those some row
          // may see (a block_k far beyond Skv costs no empty iterations)
          // and to the tile's key chunk (split-KV decode).
          Value lo = val(max(max(mul(id, cst(split)), lowest), c.blockLo));
          Value hi =
              val(min(min(mul(add(id, cst(1)), cst(split)), end), c.blockHi));
          return loop(lo, val(max(hi, lo)), 1, a,
                      [&](Value kb, ValueRange ua) -> Values {
                        TileState cur = TileState::from(ua, withVs);
                        Value seesKeys = inRange(kb, first, end);
                        if (withSinks)
                          seesKeys = arith::OrIOp::create(b, loc, seesKeys,
                                                          inRange(kb, s0, s1));
                        auto process = [&]() -> Values {
                          return ifElse(
                              inRange(kb, e1, e2), types,
                              [&]() -> Values {
                                return processBlock(c, bd, qs, kb,
                                                    /*masked=*/false, cur)
                                    .values();
                              },
                              [&]() -> Values {
                                return processBlock(c, bd, qs, kb,
                                                    /*masked=*/true, cur)
                                    .values();
                              });
                        };
                        return ifElse(seesKeys, types, process,
                                      [&]() -> Values { return cur.values(); });
                      });
        };
        return ifElse(visit, types, visitBlock,
                      [&]() -> Values { return Values(a.begin(), a.end()); });
      });
  out.front().getDefiningOp()->setAttr("tok.key_blocks",
                                       b.getStringAttr("listed"));
  return TileState::from(out, withVs);
}
