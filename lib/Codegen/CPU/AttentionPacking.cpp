//===- AttentionPacking.cpp - Operand packing of attention tiles ----------===//
//
// Part of the Tokamak project. How the operands of an attention tile reach
// f32 scratch: the scaled query rows (rotated on the way by a fused rope),
// the key block as a transposed [D, Bk] panel (L x L register transposes,
// L the target's f32 lanes), the value block, and the gathers of paged
// caches through the block table.
//
//===----------------------------------------------------------------------===//

#include "AttentionEmitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>

using namespace mlir;
using namespace tokamak::cpu;
using namespace tokamak::cpu::attention;

using P = arith::CmpIPredicate;

//===----------------------------------------------------------------------===//
// Queries
//===----------------------------------------------------------------------===//

Value Emitter::packQuery(const TileCoords &c) {
  Value qs = allocTensor({paddedRows, headDim}, f32);
  Value scaleVec = bcast(scale, headDim);
  // Row r = g * Tq + t holds query t of head g (zeros past the valid ones).
  return loop(
      cst(0), cst(paddedRows), 1, ValueRange{qs},
      [&](Value r, ValueRange args) -> Values {
        Value g = arith::DivUIOp::create(b, loc, r, idx(tileQueries));
        Value tq = arith::RemUIOp::create(b, loc, r, idx(tileQueries));
        Value valid = arith::AndIOp::create(b, loc, cmp(P::slt, g, cst(groups)),
                                            cmp(P::slt, tq, c.numQueries));
        Value row = ifElse(
            valid, TypeRange{vecType(headDim)},
            [&]() -> Values {
              Value head = val(add(mul(c.kvHead, cst(groups)), g));
              Value pos = val(add(c.firstQuery, tq));
              Value q;
              if (p.queryRope) {
                q = read(p.queryRope->input, {c.batch, head, pos, idx(0)},
                         headDim, true);
                q = rotate(q, c.batch, pos);
              } else {
                q = read(p.query, {c.batch, head, pos, idx(0)}, headDim, true);
              }
              return {mulf(q, scaleVec)};
            },
            [&]() -> Values { return {cstF(0.0, headDim)}; })[0];
        return {write(row, args[0], {r, idx(0)}, {true})};
      })[0];
}

Value Emitter::rotate(Value row, Value batch, Value pos) {
  // tok.rope on one row (DESIGN 4.7): pairs (i, i + R/2) (NeoX) or
  // (2i, 2i + 1) (GPT-J) of the first R channels turn by pos * theta_i,
  // theta_i = theta^(-2i/R); the channels past R pass through.
  const QueryRope &rope = *p.queryRope;
  int64_t rotary = rope.rotaryDim, half = rotary / 2;
  if (half == 0)
    return row;
  SmallVector<int64_t> first, second, merge;
  for (int64_t i = 0; i < half; ++i) {
    first.push_back(rope.interleaved ? 2 * i : i);
    second.push_back(rope.interleaved ? 2 * i + 1 : half + i);
  }
  // Lanes of (o1, o2) back into the row order.
  for (int64_t i = 0; i < rotary; ++i)
    merge.push_back(rope.interleaved ? (i % 2) * half + i / 2 : i);
  SmallVector<float> freqs;
  for (int64_t i = 0; i < half; ++i)
    freqs.push_back(static_cast<float>(
        std::pow(rope.theta,
                 -2.0 * static_cast<double>(i) / static_cast<double>(rotary))));
  Value invFreq = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(vecType(half), ArrayRef<float>(freqs)));
  Value at = extractElement(rope.positions, {batch, pos});
  Value posF = arith::SIToFPOp::create(b, loc, f32, at);
  Value angle = mulf(bcast(posF, half), invFreq);
  Value cosV = math::CosOp::create(b, loc, angle);
  Value sinV = math::SinOp::create(b, loc, angle);
  Value x1 = vector::ShuffleOp::create(b, loc, row, row, first);
  Value x2 = vector::ShuffleOp::create(b, loc, row, row, second);
  Value o1 = subf(mulf(x1, cosV), mulf(x2, sinV));
  Value o2 = addf(mulf(x2, cosV), mulf(x1, sinV));
  Value rotated = vector::ShuffleOp::create(b, loc, o1, o2, merge);
  if (rotary == headDim)
    return rotated;
  SmallVector<int64_t> tail;
  for (int64_t i = 0; i < headDim; ++i)
    tail.push_back(i < rotary ? i : rotary + i);
  return vector::ShuffleOp::create(b, loc, rotated, row, tail);
}

//===----------------------------------------------------------------------===//
// Key and value blocks
//===----------------------------------------------------------------------===//

Value Emitter::pagedKeyEnd(Value batch, Value kvHead) {
  if (!p.isPaged())
    return keySize;
  if (p.perHeadLens())
    return toIndex(extractElement(p.lens, {batch, kvHead}));
  return toIndex(extractElement(p.lens, {batch}));
}

SmallVector<Value> Emitter::kvRow(const TileCoords &c, Value j, Value d) {
  Value jc = val(max(min(j, sub(c.keyEnd, cst(1))), cst(0)));
  if (!p.isPaged())
    return {c.batch, c.kvHead, jc, d};
  Value logical = arith::DivUIOp::create(b, loc, jc, pageSize);
  Value slot = arith::RemUIOp::create(b, loc, jc, pageSize);
  Value page =
      toIndex(p.headTables()
                  ? extractElement(p.blockTable, {c.batch, c.kvHead, logical})
                  : extractElement(p.blockTable, {c.batch, logical}));
  // A garbage table entry must not read out of bounds.
  Value ok = arith::AndIOp::create(b, loc, cmp(P::sge, page, cst(0)),
                                   cmp(P::slt, page, numPages));
  page = select(ok, page, idx(0));
  return {page, slot, p.oneHeadBlocks() ? idx(0) : c.kvHead, d};
}

/// Transposes the L x L matrix held in `rows` (L vectors of L f32, L a
/// power of two: the target's lanes) in registers: log2(L) butterfly stages
/// that swap the off-diagonal k x k blocks (k = L/2, ..., 1), each a
/// two-source shuffle per row (vshuff64x2, vshuff32x4, vunpck{l,h}pd,
/// vunpck{l,h}ps for 16x16 on AVX-512; vperm2f128, vshufps, vunpck{l,h}ps
/// for 8x8 on AVX2).
static SmallVector<Value> transposeSquare(OpBuilder &b, Location loc,
                                          SmallVector<Value> rows) {
  const int64_t lanes = static_cast<int64_t>(rows.size());
  for (int64_t k = lanes / 2; k >= 1; k /= 2) {
    SmallVector<int64_t> lower, upper;
    for (int64_t c = 0; c < lanes; ++c) {
      int64_t group = c / (2 * k) * (2 * k), w = c % (2 * k);
      lower.push_back(w < k ? group + w : lanes + group + w - k);
      upper.push_back(w < k ? group + k + w : lanes + group + w);
    }
    SmallVector<Value> next(rows.size());
    for (int64_t i = 0; i < lanes; ++i) {
      if ((i / k) % 2 != 0)
        continue;
      next[i] = vector::ShuffleOp::create(b, loc, rows[i], rows[i + k], lower);
      next[i + k] =
          vector::ShuffleOp::create(b, loc, rows[i], rows[i + k], upper);
    }
    rows = std::move(next);
  }
  return rows;
}

std::pair<Value, Value> Emitter::packKeys(const TileCoords &c, Value stage,
                                          Value kt, Value j0) {
  // Rows front to back (a sequential stream, converted to f32), then L x L
  // transposes out of L1.
  stage = loop(cst(0), cst(blockKeys), 1, ValueRange{stage},
               [&](Value j, ValueRange args) -> Values {
                 SmallVector<Value> at = kvRow(c, val(add(j0, j)), idx(0));
                 return {write(read(p.key, at, headDim, true), args[0],
                               {j, idx(0)}, {true})};
               })[0];
  kt = loop(cst(0), cst(blockKeys), lanes, ValueRange{kt},
            [&](Value jj, ValueRange args) -> Values {
              // One L x L tile per iteration of an scf.for over D (the tail
              // tile, past the last multiple of L, unrolled after it): long
              // chains of tensor writes make one-shot bufferization's analysis
              // superlinear (seconds per kernel when D = 128 was unrolled).
              auto transposeTile = [&](Value cur, Value d0, bool inBounds) {
                SmallVector<Value> tile;
                for (int64_t x = 0; x < lanes; ++x)
                  tile.push_back(
                      read(stage, {val(add(jj, cst(x))), d0}, lanes, inBounds));
                SmallVector<Value> cols = transposeSquare(b, loc, tile);
                for (int64_t y = 0; y < lanes; ++y)
                  cur = write(cols[y], cur, {val(add(d0, cst(y))), jj}, {true});
                return cur;
              };
              int64_t fullDim = headDim / lanes * lanes;
              Value cur =
                  loop(cst(0), cst(fullDim), lanes, ValueRange{args[0]},
                       [&](Value d0, ValueRange a) -> Values {
                         return {transposeTile(a[0], d0, /*inBounds=*/true)};
                       })[0];
              if (fullDim < paddedHeadDim)
                cur = transposeTile(cur, idx(fullDim), /*inBounds=*/false);
              return {cur};
            })[0];
  return {stage, kt};
}

Value Emitter::packValues(const TileCoords &c, Value vs, Value j0, Value count,
                          bool masked) {
  if (!masked && p.isPaged() && groupedPages() && blockKeys % lanes == 0) {
    // A full block of pages holding L-row groups: one table lookup per L
    // rows.
    return loop(
        cst(0), cst(blockKeys), lanes, ValueRange{vs},
        [&](Value jj, ValueRange args) -> Values {
          SmallVector<Value> base = kvRow(c, val(add(j0, jj)), idx(0));
          Value cur = args[0];
          for (int64_t x = 0; x < lanes; ++x) {
            Value row = read(
                p.value, {base[0], val(add(base[1], cst(x))), base[2], idx(0)},
                valueDim, true);
            cur = write(row, cur, {val(add(jj, cst(x))), idx(0)}, {true});
          }
          return {cur};
        })[0];
  }
  return loop(cst(0), count, 1, ValueRange{vs},
              [&](Value j, ValueRange args) -> Values {
                SmallVector<Value> at = kvRow(c, val(add(j0, j)), idx(0));
                Value row = read(p.value, at, valueDim, true);
                return {write(row, args[0], {j, idx(0)}, {true})};
              })[0];
}

void Emitter::prefetchRow(Value buffer, SmallVector<Value> at,
                          int64_t locality) {
  auto type = cast<MemRefType>(buffer.getType());
  at.push_back(idx(0));
  // One prefetch per 64-byte line.
  int64_t perLine = std::max<int64_t>(
      1, 512 / static_cast<int64_t>(type.getElementTypeBitWidth()));
  for (int64_t d = 0; d < type.getShape().back(); d += perLine) {
    at.back() = idx(d);
    memref::PrefetchOp::create(b, loc, buffer, at, b.getBoolAttr(false),
                               b.getI32IntegerAttr(locality),
                               b.getBoolAttr(true));
  }
}
