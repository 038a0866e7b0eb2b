//===- AttentionPrefill.cpp - One key block of an attention tile ----------===//
//
// Part of the Tokamak project. The work of a tile on one key block — the
// scores S = Q.Kᵀ in register blocks, their modifications and mask, the
// online softmax and the P.V accumulation — and the tile and prefill
// driver around it: an scf.forall over (batch, kv head, query tile).
//
// Register blocks (chooseAttentionTiles): S is `rowBlock` rows x `qkKeys`
// keys of accumulators, P.V `pvRows` rows x `pvCols` value columns; each
// Kᵀ or V vector loaded in a step is shared by the rows of the block, each
// broadcast Q or P value by its columns.
//
//===----------------------------------------------------------------------===//

#include "AttentionEmitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>

using namespace mlir;
using namespace tokamak::cpu;
using namespace tokamak::cpu::attention;

// exp(x) for f32 x <= 0 (see AttentionEmitter.h): t is clamped at -127 (so
// -inf gives exactly 0), 2^frac(t) comes from the Cephes exp2f polynomial on
// [-0.5, 0.5] (relative error ~2e-7) and 2^n is built in the exponent bits.
Value attention::expNonPositive(OpBuilder &b, Location loc, Value a, Value c) {
  Type type = a.getType();
  auto vecType = dyn_cast<VectorType>(type);
  auto cst = [&](double v) -> Value {
    Attribute attr = b.getF32FloatAttr(v);
    if (vecType)
      attr = DenseElementsAttr::get(vecType, attr);
    return arith::ConstantOp::create(b, loc, cast<TypedAttr>(attr));
  };
  Type intType = b.getI32Type();
  if (vecType)
    intType = VectorType::get(vecType.getShape(), intType);
  auto icst = [&](int32_t v) -> Value {
    Attribute attr = b.getI32IntegerAttr(v);
    if (vecType)
      attr = DenseElementsAttr::get(cast<ShapedType>(intType), attr);
    return arith::ConstantOp::create(b, loc, cast<TypedAttr>(attr));
  };
  Value t = math::FmaOp::create(b, loc, a, cst(M_LOG2E), c);
  t = arith::MaxNumFOp::create(b, loc, t, cst(-127.0),
                               arith::FastMathFlags::nnan);
  Value n = math::RoundEvenOp::create(b, loc, t);
  Value f = arith::SubFOp::create(b, loc, t, n);
  static const double coeffs[] = {1.535336188319500e-4, 1.339887440266574e-3,
                                  9.618437357674640e-3, 5.550332471162809e-2,
                                  2.402264791363012e-1, 6.931472028550421e-1};
  Value poly = cst(coeffs[0]);
  for (double k : ArrayRef(coeffs).drop_front())
    poly = math::FmaOp::create(b, loc, poly, f, cst(k));
  poly = math::FmaOp::create(b, loc, poly, f, cst(1.0));
  Value e = arith::FPToSIOp::create(b, loc, intType, n);
  e = arith::ShLIOp::create(b, loc, arith::AddIOp::create(b, loc, e, icst(127)),
                            icst(23));
  Value scale = arith::BitcastOp::create(b, loc, type, e);
  return arith::MulFOp::create(b, loc, poly, scale);
}

//===----------------------------------------------------------------------===//
// Register blocks
//===----------------------------------------------------------------------===//

SmallVector<Value> Emitter::panelScores(Value qs, Value kt, Value &ps,
                                        Value r0) {
  int64_t n = blockKeys;
  // S[k, k0 : k0 + w] for the rows k of the block: rowBlock x w / lanes
  // accumulators, one Kt vector per lane group shared by the rows.
  auto qkBlock = [&](int64_t k0, int64_t w) {
    SmallVector<Value> zeros(rowBlock, cstF(0.0, w));
    return loop(cst(0), cst(headDim), 1, zeros,
                [&](Value d, ValueRange s) -> Values {
                  Value ktRow = read(kt, {d, idx(k0)}, w, true);
                  Values next;
                  for (int64_t k = 0; k < rowBlock; ++k) {
                    Value q = extract(qs, {val(add(r0, cst(k))), d});
                    next.push_back(fma(bcast(q, w), ktRow, s[k]));
                  }
                  return next;
                });
  };
  int64_t qkKeys = std::min(n, t.tiles.qkKeys);
  // The whole block fits the register tile: the scores stay in registers.
  if (qkKeys == n)
    return qkBlock(0, n);
  // Else key slices of the block, each through the P scratch, from which
  // the softmax reads one row at a time (no score rows are returned).
  for (int64_t k0 = 0; k0 < n; k0 += qkKeys) {
    Values part = qkBlock(k0, std::min(qkKeys, n - k0));
    for (int64_t k = 0; k < rowBlock; ++k)
      ps = write(part[k], ps, {val(add(r0, cst(k))), idx(k0)}, {true});
  }
  return {};
}

Value Emitter::accumulateValues(const TileCoords &c, const TileState &st,
                                Value j0, Value count, bool inPlaceValues) {
  int64_t n = blockKeys;
  // A register block is `pvRows` rows x `chunk` value columns, at most
  // pvRows x pvCols / lanes accumulators, so that each value row is read
  // once per block of rows, front to back. Prefill tiles (many rows, V from
  // cache after its first block of rows) take the rows first (4 x 64 on
  // AVX-512, 4 x 16 on AVX2); decode tiles (few rows, V streamed from
  // memory) the columns first, so that each pass reads whole rows or long
  // pieces of them (2 x 128 on AVX-512, 1 x 64 on AVX2 at Dv = 128).
  int64_t accumulators = t.tiles.pvRows * t.tiles.pvCols / lanes;
  int64_t maxRows = std::min(rowBlock, t.tiles.pvRows);
  int64_t chunk =
      rowDot ? std::min(valueDim, accumulators * lanes)
             : std::min(valueDim,
                        std::max<int64_t>(1, accumulators / maxRows) * lanes);
  int64_t pvRows = std::min(
      maxRows,
      std::max<int64_t>(1, accumulators / llvm::divideCeil(chunk, lanes)));
  while (paddedRows % pvRows != 0)
    --pvRows;
  return loop(
      cst(0), cst(paddedRows), pvRows, ValueRange{st.acc},
      [&](Value r0, ValueRange a) -> Values {
        Value acc = a[0];
        for (int64_t e0 = 0; e0 < valueDim; e0 += chunk) {
          int64_t w = std::min(chunk, valueDim - e0);
          Values accs;
          for (int64_t k = 0; k < pvRows; ++k) {
            Value r = val(add(r0, cst(k)));
            Value a0 = read(acc, {r, idx(e0)}, w, true);
            accs.push_back(mulf(a0, bcast(extract(st.alpha, {r}), w)));
          }
          auto fmas = [&](Value v, Value j, ValueRange av) {
            Values next;
            for (int64_t k = 0; k < pvRows; ++k) {
              Value pk = extract(st.ps, {val(add(r0, cst(k))), j});
              next.push_back(fma(bcast(pk, w), v, av[k]));
            }
            return next;
          };
          Values pv;
          if (inPlaceValues) {
            pv = loop(cst(0), cst(n), lanes, accs,
                      [&](Value g, ValueRange ag) -> Values {
                        SmallVector<Value> base =
                            kvRow(c, val(add(j0, g)), idx(0));
                        return loop(cst(0), cst(lanes), 1, ag,
                                    [&](Value x, ValueRange av) -> Values {
                                      Value v =
                                          read(p.value,
                                               {base[0], val(add(base[1], x)),
                                                base[2], idx(e0)},
                                               w, true);
                                      return fmas(v, val(add(g, x)), av);
                                    });
                      });
          } else {
            pv = loop(cst(0), count, 1, accs,
                      [&](Value j, ValueRange av) -> Values {
                        Value v = st.vs ? read(st.vs, {j, idx(e0)}, w, true)
                                        : read(p.value,
                                               {c.batch, c.kvHead,
                                                val(add(j0, j)), idx(e0)},
                                               w, true);
                        return fmas(v, j, av);
                      });
          }
          for (int64_t k = 0; k < pvRows; ++k)
            acc = write(pv[k], acc, {val(add(r0, cst(k))), idx(e0)}, {true});
        }
        return {acc};
      })[0];
}

//===----------------------------------------------------------------------===//
// One key block
//===----------------------------------------------------------------------===//

TileState Emitter::processBlock(const TileCoords &c, const TileBounds &bounds,
                                Value qs, Value kb, bool masked, TileState st) {
  int64_t n = blockKeys;
  Value j0 = val(mul(kb, cst(n)));
  Value count =
      masked ? val(max(min(cst(n), sub(c.keyEnd, j0)), cst(0))) : idx(n);
  if (rowDot)
    st.ps = rowDotScores(c, qs, st.ps, j0, masked);
  else
    std::tie(st.ks, st.kt) = packKeys(c, st.ks, st.kt, j0);
  // Unmasked blocks of pages holding L-row groups read V in place, one
  // table lookup per L rows, instead of through the scratch copy.
  bool inPlaceValues =
      !masked && p.isPaged() && groupedPages() && n % lanes == 0;
  if (st.vs && !inPlaceValues)
    st.vs = packValues(c, st.vs, j0, count, masked);
  auto fm = arith::FastMathFlags::nnan;

  // Phase 1, per block of rows: S = Qs . Kt, modifications, mask, online
  // softmax; P and the rescale factors go to scratch. The softmax of one
  // row block (latency-bound) overlaps the QK FMAs of the next.
  SmallVector<Value> inits = {st.ps, st.alpha, st.m, st.l};
  Values softmax = loop(
      cst(0), cst(paddedRows), rowBlock, inits,
      [&](Value r0, ValueRange a) -> Values {
        Value ps = a[0], alphas = a[1], m = a[2], l = a[3];
        // Score rows in registers, or else in `ps` (row dot products, key
        // slices), read row by row: the probabilities overwrite them.
        SmallVector<Value> scores;
        if (!rowDot)
          scores = panelScores(qs, st.kt, ps, r0);
        for (int64_t k = 0; k < rowBlock; ++k) {
          Value r = val(add(r0, cst(k)));
          Value s = scores.empty() ? read(ps, {r, idx(0)}, n, true) : scores[k];
          Value tq = arith::RemUIOp::create(b, loc, r, idx(tileQueries));
          if (p.softcap || p.scoreMod || p.bias) {
            Value g = val(min(
                arith::DivUIOp::create(b, loc, r, idx(tileQueries)).getResult(),
                cst(groups - 1)));
            Value head = val(add(mul(c.kvHead, cst(groups)), g));
            Value query =
                val(min(add(c.firstQuery, tq), sub(querySize, cst(1))));
            s = modifyScores(c, s, head, query, j0);
          }
          if (masked)
            s = maskScores(c, bounds, s, tq, j0);
          Value mOld = extract(m, {r});
          Value blockMax = vector::ReductionOp::create(
              b, loc, vector::CombiningKind::MAXNUMF, s, fm);
          Value mNew = arith::MaxNumFOp::create(b, loc, mOld, blockMax, fm);
          Value isEmpty = arith::CmpFOp::create(
              b, loc, arith::CmpFPredicate::OEQ, mNew, cstF(kNegInf));
          Value mSafe = select(isEmpty, cstF(0.0), mNew);
          // exp(x - mSafe) = 2^(x log2e - mSafe log2e).
          Value shift = mulf(mSafe, cstF(-M_LOG2E));
          Value alpha = expNonPositive(b, loc, mOld, shift);
          Value prob = expNonPositive(b, loc, s, bcast(shift, n));
          Value rowSum = vector::ReductionOp::create(
              b, loc, vector::CombiningKind::ADD, prob, fm);
          Value lNew = addf(mulf(extract(l, {r}), alpha), rowSum);
          m = insert(mNew, m, {r});
          l = insert(lNew, l, {r});
          alphas = insert(alpha, alphas, {r});
          ps = write(prob, ps, {r, idx(0)}, {true});
        }
        return {ps, alphas, m, l};
      });
  st.ps = softmax[0];
  st.alpha = softmax[1];
  st.m = softmax[2];
  st.l = softmax[3];

  // Phase 2: Acc[r] = alpha[r] * Acc[r] + P[r] . V.
  st.acc = accumulateValues(c, st, j0, count, inPlaceValues);
  return st;
}

//===----------------------------------------------------------------------===//
// The tile
//===----------------------------------------------------------------------===//

TileState Emitter::emitTile(const TileCoords &c) {
  Value qs;
  if (allHeads) {
    // The scaled queries of every kv head, one block of rows each.
    qs = loop(cst(0), cst(numKvHeads), 1,
              ValueRange{allocTensor({stateRows(), headDim}, f32)},
              [&](Value h, ValueRange a) -> Values {
                TileCoords ch = c;
                ch.kvHead = h;
                return {insertRows(packQuery(ch), a[0],
                                   val(mul(h, cst(paddedRows))))};
              })[0];
  } else {
    qs = packQuery(c);
  }
  TileBounds bounds = computeBounds(c);
  TileState st;
  st.ks = allocTensor({blockKeys, headDim}, f32);
  st.kt = allocTensor({paddedHeadDim, blockKeys}, f32);
  if (!directValues)
    st.vs = allocTensor({blockKeys, valueDim}, f32);
  st.ps = allocTensor({paddedRows, blockKeys}, f32);
  st.alpha = allocTensor({paddedRows}, f32);
  st.acc = filled2d(stateRows(), valueDim, 0.0);
  st.m = filled1d(stateRows(), kNegInf);
  st.l = filled1d(stateRows(), 0.0);
  return keyLoops(c, bounds, qs, st);
}

Value Emitter::rowLse(const TileState &st, Value r, Value &inv) {
  Value l = extract(st.l, {r});
  Value m = extract(st.m, {r});
  Value empty =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, l, cstF(0.0));
  inv = select(empty, cstF(0.0), divf(cstF(1.0), l));
  Value lse = addf(m, math::LogOp::create(b, loc, l));
  return select(empty, cstF(kNegInf), lse);
}

//===----------------------------------------------------------------------===//
// Prefill driver
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Value>> Emitter::emitPrefill() {
  int64_t tileQ = tileQueries;
  Value numTiles = val(ceilDiv(querySize, cst(tileQ)));
  Type outType = p.outputElementType;
  OpFoldResult batchOfr = dim(queryShape(), 0);
  OpFoldResult queryOfr = dim(queryShape(), 2);
  SmallVector<Value> outs = {tensor::EmptyOp::create(
      b, loc,
      ArrayRef<OpFoldResult>{batchOfr, b.getIndexAttr(numHeads), queryOfr,
                             b.getIndexAttr(valueDim)},
      outType)};
  if (p.withLse)
    outs.push_back(tensor::EmptyOp::create(
        b, loc,
        ArrayRef<OpFoldResult>{batchOfr, b.getIndexAttr(numHeads), queryOfr},
        f32));
  SmallVector<OpFoldResult> ubs = {batchOfr, b.getIndexAttr(numKvHeads),
                                   numTiles};
  auto forall = scf::ForallOp::create(b, loc, ubs, outs, std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  Value bIdx = forall.getInductionVar(0), kvh = forall.getInductionVar(1);
  Value tile = forall.getInductionVar(2);
  if (p.causal) {
    // Pair light and heavy causal tiles so that contiguous chunks of the
    // iteration space carry the same work: 0, n-1, 1, n-2, ...
    Value half = arith::DivUIOp::create(b, loc, tile, idx(2));
    Value odd =
        cmp(arith::CmpIPredicate::ne,
            arith::RemUIOp::create(b, loc, tile, idx(2)).getResult(), cst(0));
    tile = select(odd, val(sub(sub(numTiles, cst(1)), half)), half);
  }
  TileCoords c;
  c.batch = bIdx;
  c.kvHead = kvh;
  c.firstQuery = val(mul(tile, cst(tileQ)));
  c.numQueries = val(min(cst(tileQ), sub(querySize, c.firstQuery)));
  c.keyEnd = pagedKeyEnd(bIdx, kvh);
  c.blockLo = idx(0);
  c.blockHi = idx(kBig);
  TileState st = emitTile(c);

  // Normalize and write the rows of the G heads.
  Value head0 = val(mul(kvh, cst(groups)));
  SmallVector<OpFoldResult> offsets = {bIdx, head0, c.firstQuery,
                                       b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(groups),
                                     c.numQueries, b.getIndexAttr(valueDim)};
  SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
  auto outSliceType =
      RankedTensorType::get({groups, ShapedType::kDynamic, valueDim}, outType);
  auto lseSliceType =
      RankedTensorType::get({groups, ShapedType::kDynamic}, f32);
  ValueRange shared = forall.getRegionIterArgs();
  SmallVector<Value> slices = {tensor::ExtractSliceOp::create(
      b, loc, outSliceType, shared[0], offsets, sizes, strides)};
  ArrayRef<OpFoldResult> lseOffsets = ArrayRef(offsets).drop_back();
  ArrayRef<OpFoldResult> lseSizes = ArrayRef(sizes).drop_back();
  ArrayRef<OpFoldResult> lseStrides = ArrayRef(strides).drop_back();
  if (p.withLse)
    slices.push_back(tensor::ExtractSliceOp::create(
        b, loc, lseSliceType, shared[1], lseOffsets, lseSizes, lseStrides));
  Values written = loop(
      cst(0), cst(groups), 1, slices, [&](Value g, ValueRange a) -> Values {
        return loop(cst(0), c.numQueries, 1, a,
                    [&](Value tq, ValueRange cur) -> Values {
                      Value r = val(add(mul(g, cst(tileQueries)), tq));
                      Value inv;
                      Value lse = rowLse(st, r, inv);
                      Values next(cur.begin(), cur.end());
                      for (int64_t e0 = 0; e0 < valueDim; e0 += valueChunk()) {
                        int64_t w = std::min(valueChunk(), valueDim - e0);
                        Value o = read(st.acc, {r, idx(e0)}, w, true);
                        o = mulf(o, bcast(inv, w));
                        next[0] = write(o, next[0], {g, tq, idx(e0)}, {true});
                      }
                      if (p.withLse)
                        next[1] = insert(lse, next[1], {g, tq});
                      return next;
                    });
      });
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loc, written[0], shared[0], offsets,
                                        sizes, strides);
  if (p.withLse)
    tensor::ParallelInsertSliceOp::create(b, loc, written[1], shared[1],
                                          lseOffsets, lseSizes, lseStrides);
  return SmallVector<Value>(forall.getResults());
}
