//===- AttentionDecode.cpp - Split-KV decode attention --------------------===//
//
// Part of the Tokamak project. Decode (few query rows per kv group): the
// keys are split into chunks, one tile per (batch, kv head, chunk) — or
// per (batch, chunk) covering every kv head for paged caches — computes a
// partial output and lse, and a second scf.forall merges the chunks
// (tok.lse_merge semantics). With block lists (tok.paged_attention) every
// chunk walks its kv head's list and visits the listed blocks inside the
// chunk (blockListLoop), so unlisted blocks are loaded by no chunk. With so
// few rows the scores are row dot
// products with the K rows read in place: per group of L keys (L the
// target's f32 lanes) and per row, L partial vectors over D summed by one
// log2(L)-stage transpose-reduction.
//
//===----------------------------------------------------------------------===//

#include "AttentionEmitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace tokamak::cpu;
using namespace tokamak::cpu::attention;

/// Sums each of the L vectors in `parts` (L f32 lanes each, L a power of
/// two) into lane j of one vector: log2(L) stages that fold the lane groups
/// of two neighbours in half (two two-source shuffles and an add per pair),
/// so L keys cost L - 1 adds and 2(L - 1) shuffles instead of L horizontal
/// reductions.
static Value reduceTransposed(OpBuilder &b, Location loc,
                              SmallVector<Value> parts) {
  const int64_t lanes = static_cast<int64_t>(parts.size());
  for (int64_t g = lanes; g > 1; g /= 2) {
    // Each vector holds L/g lane groups of size g; the output of a pair
    // holds the groups of the first, then those of the second, halved.
    int64_t numGroups = lanes / g;
    SmallVector<int64_t> lower, upper;
    for (int64_t q = 0; q < 2 * numGroups; ++q) {
      int64_t base = (q < numGroups ? 0 : lanes) + (q % numGroups) * g;
      for (int64_t w = 0; w < g / 2; ++w) {
        lower.push_back(base + w);
        upper.push_back(base + g / 2 + w);
      }
    }
    SmallVector<Value> next;
    for (size_t i = 0; i + 1 < parts.size(); i += 2) {
      Value lo =
          vector::ShuffleOp::create(b, loc, parts[i], parts[i + 1], lower);
      Value hi =
          vector::ShuffleOp::create(b, loc, parts[i], parts[i + 1], upper);
      next.push_back(arith::AddFOp::create(b, loc, lo, hi));
    }
    parts = std::move(next);
  }
  return parts.front();
}

Value Emitter::rowDotScores(const TileCoords &c, Value qs, Value ps, Value j0,
                            bool masked) {
  // Per group of L keys and per row: L partial vectors over D, one per key,
  // then one transpose-reduction. Each K row is read from its source by the
  // first row and from L1 by the others.
  return loop(
      cst(0), cst(blockKeys), lanes, ValueRange{ps},
      [&](Value jj, ValueRange ga) -> Values {
        // Row locations. Unmasked blocks lie inside [0, keyEnd), so their
        // L rows are one base plus constant strides (dense, or one page
        // when the page size is a static multiple of L): one address
        // register instead of L.
        SmallVector<SmallVector<Value>> at;
        Value first = val(add(j0, jj));
        if (!masked && !p.isPaged()) {
          for (int64_t x = 0; x < lanes; ++x)
            at.push_back({c.batch, c.kvHead, val(add(first, cst(x))), idx(0)});
          if (keyBuffer) {
            // The first row of each group reads its L K rows column by
            // column (L interleaved streams): prefetch the rows of a group
            // kPrefetchKeys ahead, one line at a time.
            Value ahead = val(max(
                min(add(first, cst(kPrefetchKeys)), sub(c.keyEnd, cst(lanes))),
                cst(0)));
            for (int64_t x = 0; x < lanes; ++x)
              prefetchRow(keyBuffer,
                          {c.batch, c.kvHead, val(add(ahead, cst(x)))});
          }
        } else if (!masked && groupedPages()) {
          SmallVector<Value> base = kvRow(c, first, idx(0));
          for (int64_t x = 0; x < lanes; ++x)
            at.push_back({base[0], val(add(base[1], cst(x))), base[2], idx(0)});
          if (keyBuffer) {
            SmallVector<Value> next =
                kvRow(c, val(add(first, cst(kPagedPrefetchKeys))), idx(0));
            Value slot0 = val(roundDown(next[1], lanes));
            for (int64_t x = 0; x < lanes; ++x) {
              SmallVector<Value> row = {next[0], val(add(slot0, cst(x))),
                                        next[2]};
              prefetchRow(keyBuffer, row, kPagedPrefetchLocality);
              if (valueBuffer)
                prefetchRow(valueBuffer, row, kPagedPrefetchLocality);
            }
          }
        } else {
          for (int64_t x = 0; x < lanes; ++x)
            at.push_back(kvRow(c, val(add(first, cst(x))), idx(0)));
        }
        return loop(cst(0), cst(paddedRows), 1, ga,
                    [&](Value r, ValueRange ra) -> Values {
                      SmallVector<Value> zeros(lanes, cstF(0.0, lanes));
                      Values partial =
                          loop(cst(0), cst(headDim), lanes, zeros,
                               [&](Value d, ValueRange acc) -> Values {
                                 Value q = read(qs, {r, d}, lanes, true);
                                 Values next;
                                 for (int64_t x = 0; x < lanes; ++x) {
                                   SmallVector<Value> idxs = at[x];
                                   idxs.back() = d;
                                   Value k = read(p.key, idxs, lanes, true);
                                   next.push_back(fma(q, k, acc[x]));
                                 }
                                 return next;
                               });
                      Value sv = reduceTransposed(b, loc, partial);
                      return {write(sv, ra[0], {r, jj}, {true})};
                    });
      })[0];
}

//===----------------------------------------------------------------------===//
// Split-KV driver
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Value>> Emitter::emitSplitKv() {
  int64_t n = blockKeys;
  // Keys to split: Skv, or the table width for paged caches.
  OpFoldResult numBlocks = ceilDiv(keySize, cst(n));
  // Paged decode: one tile per (batch, key chunk) covering every kv head
  // (see below), so a chunk needs numKvHeads times fewer keys for the same
  // work per tile.
  // Per-head lens give every kv head its own key range, and block lists
  // every kv head its own blocks: one tile each.
  allHeads = p.isPaged() && rowDot && !p.perHeadLens() && !p.blockIndices;
  int64_t minChunk = std::max<int64_t>(1, t.minSplitKeys / n);
  if (allHeads)
    minChunk = std::max<int64_t>(1, minChunk / numKvHeads);
  Value chunk =
      val(max(ceilDiv(numBlocks, cst(std::max<int64_t>(1, t.kvSplits))),
              cst(minChunk)));
  Value numSplits = val(max(ceilDiv(numBlocks, chunk), cst(1)));
  OpFoldResult batchOfr = dim(queryShape(), 0);
  SmallVector<Value> outs = {
      tensor::EmptyOp::create(
          b, loc,
          ArrayRef<OpFoldResult>{batchOfr, b.getIndexAttr(numKvHeads),
                                 numSplits, b.getIndexAttr(rows),
                                 b.getIndexAttr(valueDim)},
          f32),
      tensor::EmptyOp::create(
          b, loc,
          ArrayRef<OpFoldResult>{batchOfr, b.getIndexAttr(numKvHeads),
                                 numSplits, b.getIndexAttr(rows)},
          f32)};
  // Paged caches interleave the kv heads of a token in one row. With row
  // dot scores one tile per (batch, key chunk) covers every kv head and
  // visits each key block for all of them in turn, so a block's pages are
  // read as a whole, close in time (TLB and DRAM page reuse); otherwise the
  // tiles of one chunk for all kv heads are neighbours in the iteration
  // space (and on one thread).
  bool headsInner = p.isPaged();
  SmallVector<OpFoldResult> ubs = {batchOfr, b.getIndexAttr(numKvHeads),
                                   numSplits};
  if (headsInner)
    std::swap(ubs[1], ubs[2]);
  if (allHeads)
    ubs.pop_back();
  auto forall = scf::ForallOp::create(b, loc, ubs, outs, std::nullopt);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(forall.getBody());
    Value bIdx = forall.getInductionVar(0);
    Value kvh = allHeads ? idx(0) : forall.getInductionVar(headsInner ? 2 : 1);
    Value split = forall.getInductionVar(headsInner ? 1 : 2);
    TileCoords c;
    c.batch = bIdx;
    c.kvHead = kvh;
    c.firstQuery = idx(0);
    c.numQueries = querySize;
    c.keyEnd = pagedKeyEnd(bIdx, kvh);
    c.blockLo = val(mul(split, chunk));
    c.blockHi = val(add(c.blockLo, chunk));
    TileState st = emitTile(c);

    ValueRange shared = forall.getRegionIterArgs();
    SmallVector<OpFoldResult> offsets = {bIdx, kvh, split, b.getIndexAttr(0),
                                         b.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(1),
                                       b.getIndexAttr(1), b.getIndexAttr(rows),
                                       b.getIndexAttr(valueDim)};
    SmallVector<OpFoldResult> strides(5, b.getIndexAttr(1));
    // Without allHeads the slices are [rows, Dv] and [rows] (one kv head);
    // with it [Hkv, rows, Dv] and [Hkv, rows].
    int64_t tileHeads = allHeads ? numKvHeads : 1;
    if (allHeads) {
      offsets[1] = b.getIndexAttr(0);
      sizes[1] = b.getIndexAttr(numKvHeads);
    }
    SmallVector<int64_t> oShape = {rows, valueDim}, lShape = {rows};
    if (allHeads) {
      oShape.insert(oShape.begin(), numKvHeads);
      lShape.insert(lShape.begin(), numKvHeads);
    }
    auto oType = RankedTensorType::get(oShape, f32);
    auto lType = RankedTensorType::get(lShape, f32);
    ArrayRef<OpFoldResult> lOffsets = ArrayRef(offsets).drop_back();
    ArrayRef<OpFoldResult> lSizes = ArrayRef(sizes).drop_back();
    ArrayRef<OpFoldResult> lStrides = ArrayRef(strides).drop_back();
    SmallVector<Value> slices = {
        tensor::ExtractSliceOp::create(b, loc, oType, shared[0], offsets, sizes,
                                       strides),
        tensor::ExtractSliceOp::create(b, loc, lType, shared[1], lOffsets,
                                       lSizes, lStrides)};
    Values written =
        loop(cst(0), cst(tileHeads * rows), 1, slices,
             [&](Value hr, ValueRange cur) -> Values {
               // State row and output indices of row hr.
               Value h = arith::DivUIOp::create(b, loc, hr, idx(rows));
               Value r = arith::RemUIOp::create(b, loc, hr, idx(rows));
               Value sr = val(add(mul(h, cst(paddedRows)), r));
               auto at = [&](SmallVector<Value> tail) {
                 if (allHeads)
                   tail.insert(tail.begin(), h);
                 return tail;
               };
               Value inv;
               Value lse = rowLse(st, sr, inv);
               Value o = cur[0];
               for (int64_t e0 = 0; e0 < valueDim; e0 += valueChunk()) {
                 int64_t w = std::min(valueChunk(), valueDim - e0);
                 Value a = read(st.acc, {sr, idx(e0)}, w, true);
                 o = write(mulf(a, bcast(inv, w)), o, at({r, idx(e0)}), {true});
               }
               return {o, insert(lse, cur[1], at({r}))};
             });
    b.setInsertionPointToStart(forall.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(b, loc, written[0], shared[0],
                                          offsets, sizes, strides);
    tensor::ParallelInsertSliceOp::create(b, loc, written[1], shared[1],
                                          lOffsets, lSizes, lStrides);
  }
  auto [merged, lse] =
      mergeSplits(forall.getResult(0), forall.getResult(1), numSplits);

  // [B, Hkv, G * Sq, Dv] -> [B, Hkv, G, Sq, Dv] -> [B, Hq, Sq, Dv].
  int64_t sq = rows / groups;
  auto expand = [&](Value v, ArrayRef<int64_t> tail) {
    auto type = cast<RankedTensorType>(v.getType());
    SmallVector<int64_t> shape = {type.getDimSize(0), numKvHeads, groups, sq};
    llvm::append_range(shape, tail);
    SmallVector<OpFoldResult> outShape = {batchOfr, b.getIndexAttr(numKvHeads),
                                          b.getIndexAttr(groups),
                                          b.getIndexAttr(sq)};
    for (int64_t d : tail)
      outShape.push_back(b.getIndexAttr(d));
    SmallVector<ReassociationIndices> expandMap = {{0}, {1}, {2, 3}};
    SmallVector<ReassociationIndices> collapseMap = {{0}, {1, 2}, {3}};
    if (!tail.empty()) {
      expandMap.push_back({4});
      collapseMap.push_back({4});
    }
    Value e = tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get(shape, type.getElementType()), v,
        expandMap, outShape);
    return tensor::CollapseShapeOp::create(b, loc, e, collapseMap).getResult();
  };
  SmallVector<Value> results = {expand(merged, {valueDim})};
  if (p.withLse)
    results.push_back(expand(lse, {}));
  return results;
}

//===----------------------------------------------------------------------===//
// Merge of the chunks
//===----------------------------------------------------------------------===//

std::pair<Value, Value> Emitter::mergeSplits(Value parts, Value partLse,
                                             Value numSplits) {
  // tok.lse_merge semantics over numSplits partials, in parallel over
  // (batch, kv head), one row at a time: L = log sum_s exp(l_s),
  // O = sum_s exp(l_s - L) O_s, with one exp per (row, chunk).
  Type outType = p.outputElementType;
  OpFoldResult batchOfr = dim(queryShape(), 0);
  SmallVector<OpFoldResult> rowDims = {batchOfr, b.getIndexAttr(numKvHeads),
                                       b.getIndexAttr(rows)};
  SmallVector<OpFoldResult> outDims = rowDims;
  outDims.push_back(b.getIndexAttr(valueDim));
  SmallVector<Value> mergeOuts = {
      tensor::EmptyOp::create(b, loc, outDims, outType),
      tensor::EmptyOp::create(b, loc, rowDims, f32)};
  auto mergeLoop = scf::ForallOp::create(
      b, loc, ArrayRef<OpFoldResult>{batchOfr, b.getIndexAttr(numKvHeads)},
      mergeOuts, std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(mergeLoop.getBody());
  Value bIdx = mergeLoop.getInductionVar(0);
  Value kvh = mergeLoop.getInductionVar(1);
  ValueRange shared = mergeLoop.getRegionIterArgs();
  SmallVector<OpFoldResult> offsets = {bIdx, kvh, b.getIndexAttr(0),
                                       b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(1),
                                     b.getIndexAttr(rows),
                                     b.getIndexAttr(valueDim)};
  SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
  auto oType = RankedTensorType::get({rows, valueDim}, outType);
  auto lType = RankedTensorType::get({rows}, f32);
  ArrayRef<OpFoldResult> lOffsets = ArrayRef(offsets).drop_back();
  ArrayRef<OpFoldResult> lSizes = ArrayRef(sizes).drop_back();
  ArrayRef<OpFoldResult> lStrides = ArrayRef(strides).drop_back();
  SmallVector<Value> slices = {
      tensor::ExtractSliceOp::create(b, loc, oType, shared[0], offsets, sizes,
                                     strides),
      tensor::ExtractSliceOp::create(b, loc, lType, shared[1], lOffsets, lSizes,
                                     lStrides)};
  Value negInf = cstF(kNegInf);
  Values written = loop(
      cst(0), cst(rows), 1, slices, [&](Value r, ValueRange cur) -> Values {
        auto lseOf = [&](Value split) {
          return extract(partLse, {bIdx, kvh, split, r});
        };
        Value m =
            loop(cst(0), numSplits, 1, ValueRange{negInf},
                 [&](Value sIdx, ValueRange a) -> Values {
                   return {arith::MaxNumFOp::create(b, loc, a[0], lseOf(sIdx))};
                 })[0];
        Value dead =
            arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, m, negInf);
        Value mSafe = select(dead, cstF(0.0), m);
        Value sum = loop(cst(0), numSplits, 1, ValueRange{cstF(0.0)},
                         [&](Value sIdx, ValueRange a) -> Values {
                           Value e = math::ExpOp::create(
                               b, loc, subf(lseOf(sIdx), mSafe));
                           return {addf(a[0], e)};
                         })[0];
        Value lse = addf(mSafe, math::LogOp::create(b, loc, sum));
        lse = select(dead, negInf, lse);
        Value o = cur[0];
        for (int64_t e0 = 0; e0 < valueDim; e0 += valueChunk()) {
          int64_t w = std::min(valueChunk(), valueDim - e0);
          Value acc =
              loop(cst(0), numSplits, 1, ValueRange{cstF(0.0, w)},
                   [&](Value sIdx, ValueRange a) -> Values {
                     Value wt =
                         math::ExpOp::create(b, loc, subf(lseOf(sIdx), lse));
                     wt = select(dead, cstF(0.0), wt);
                     Value part =
                         read(parts, {bIdx, kvh, sIdx, r, idx(e0)}, w, true);
                     return {fma(bcast(wt, w), part, a[0])};
                   })[0];
          o = write(acc, o, {r, idx(e0)}, {true});
        }
        return {o, insert(lse, cur[1], {r})};
      });
  b.setInsertionPointToStart(mergeLoop.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loc, written[0], shared[0], offsets,
                                        sizes, strides);
  tensor::ParallelInsertSliceOp::create(b, loc, written[1], shared[1], lOffsets,
                                        lSizes, lStrides);
  return {mergeLoop.getResult(0), mergeLoop.getResult(1)};
}
