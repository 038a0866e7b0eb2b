//===- AttentionKernels.cpp - FlashAttention-style tiles on tensors -------===//
//
// Part of the Tokamak project. The body of one attention tile, in the
// vector dialect on static shapes so that it becomes AVX-512 code:
//
//   rows r = g * Tq + t (G heads of a kv group x Tq query positions):
//   Qs[Rpad, D]  = scale * Q rows (f32), packed once per tile
//   per query position t: the visible key range [lo_t, hi_t] and the sink
//     range [sLo_t, sHi_t]; their union and intersection over the tile give
//     the key blocks to visit and the ones that need no mask
//   for each key block (masked boundary blocks, unmasked interior blocks):
//     Kt[D, Bk]  = K block transposed (16x16 transposes; gathered through the
//                  block table for paged caches), f32
//     for each block of 4 rows:
//       S[4, Bk] = sum_d bcast(Qs[r, d]) * Kt[d, :]            (FMA)
//       softcap, score_mod, bias, mask (boundary blocks only)
//       online softmax: m, l per row, P = exp(S - m), alpha = exp(m' - m)
//       Acc[r, :] = alpha * Acc[r, :] + sum_j bcast(P[r, j]) * V[j, :] (FMA)
//
// Everything is on tensors (scratch tensors are loop-carried and updated in
// place), so one-shot bufferization turns them into per-tile buffers.
//
//===----------------------------------------------------------------------===//

#include "AttentionKernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace tokamak::cpu;

namespace {

/// Value columns per vector op of the final normalization and the lse
/// merge (elementwise, so any width; legalized to the target's registers).
constexpr int64_t kValueChunk = 256;
/// "No bound" for index arithmetic on key positions.
constexpr int64_t kBig = int64_t(1) << 40;
/// How far ahead (in keys) decode prefetches K rows.
constexpr int64_t kPrefetchKeys = 64;
/// Paged decode prefetches K and V rows further ahead, into L2 (locality 2):
/// a page's rows of one kv head sit Hkv * D elements apart, one 4 KB page
/// each at Hkv 8 / D 128 f32, which the hardware prefetchers do not follow.
constexpr int64_t kPagedPrefetchKeys = 128;
constexpr int64_t kPagedPrefetchLocality = 2;
constexpr double kNegInf = -std::numeric_limits<double>::infinity();

/// The loop-carried scratch of a tile.
struct TileState {
  Value ks;    ///< [Bk, D] f32: the key block, row by row.
  Value kt;    ///< [Dp, Bk] f32: the key block, transposed.
  Value vs;    ///< [Bk, Dv] f32: the value block (paged or not f32), else null.
  Value ps;    ///< [Rpad, Bk] f32: probabilities of the current block.
  Value alpha; ///< [Rpad] f32: accumulator rescale of the current block.
  Value acc;   ///< [Rpad, Dv] f32: unnormalized output.
  Value m;     ///< [Rpad] f32: running max.
  Value l;     ///< [Rpad] f32: running sum.

  SmallVector<Value> values() const {
    SmallVector<Value> v{ks, kt, ps, alpha, acc, m, l};
    if (vs)
      v.push_back(vs);
    return v;
  }
  static TileState from(ValueRange v, bool withVs) {
    TileState s{v[0], v[1], Value(), v[2], v[3], v[4], v[5], v[6]};
    if (withVs)
      s.vs = v[7];
    return s;
  }
};

/// Where one tile sits.
struct TileCoords {
  Value batch, kvHead;
  /// First query position and the number of valid ones (<= Tq).
  Value firstQuery, numQueries;
  /// One past the last key of this batch entry (Skv or lens[b]).
  Value keyEnd;
  /// The key blocks this tile may visit: [blockLo, blockHi).
  Value blockLo, blockHi;
};

/// Builds the tiled attention of one problem.
class Emitter {
public:
  Emitter(OpBuilder &b, Location loc, const AttentionProblem &p,
          const AttentionTiling &t)
      : b(b), loc(loc), p(p), t(t) {}

  FailureOr<SmallVector<Value>> emit();

private:
  // Constants and small helpers.
  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Type f32Type() { return b.getF32Type(); }
  /// The tensor whose sizes are the query's: the rope input when fused, so
  /// that nothing reads the rotated query.
  Value queryShape() const {
    return p.queryRope ? p.queryRope->input : p.query;
  }
  Value f32(double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  Value i32(int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(v));
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value minI(Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); }
  Value maxI(Value x, Value y) { return arith::MaxSIOp::create(b, loc, x, y); }
  Value floorDiv(Value x, int64_t d) {
    return arith::FloorDivSIOp::create(b, loc, x, idx(d));
  }
  Value ceilDiv(Value x, int64_t d) {
    return arith::CeilDivSIOp::create(b, loc, x, idx(d));
  }
  Value cmp(arith::CmpIPredicate pred, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, pred, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  Value toIndex(Value v) {
    if (v.getType().isIndex())
      return v;
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
  }
  Value toI32(Value v) {
    return arith::IndexCastOp::create(b, loc, b.getI32Type(), v);
  }
  Value dim(Value v, int64_t d) {
    return tensor::DimOp::create(b, loc, v, d).getResult();
  }
  /// The size of dim `d` of `v` as an attribute when static.
  OpFoldResult mixedDim(Value v, int64_t d) {
    return tensor::getMixedSize(b, loc, v, d);
  }
  Value extract(Value t, ValueRange indices) {
    return tensor::ExtractOp::create(b, loc, t, indices);
  }
  Value insert(Value v, Value t, ValueRange indices) {
    return tensor::InsertOp::create(b, loc, v, t, indices);
  }
  Value splat(Value scalar, int64_t n) {
    return vector::BroadcastOp::create(
        b, loc, VectorType::get({n}, scalar.getType()), scalar);
  }
  Value constVec(double v, int64_t n) {
    auto type = VectorType::get({n}, b.getF32Type());
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, b.getF32FloatAttr(v)));
  }
  /// `vector<n x f32>` read of `src[indices...]` along its last dim,
  /// converted from the source element type; out-of-bounds lanes read 0.
  Value read(Value src, ValueRange indices, int64_t n, bool inBounds = true);
  /// Writes the f32 vector `v` (converted to the element type of `dst`).
  Value write(Value v, Value dst, ValueRange indices, bool inBounds = true);
  /// A new scratch tensor. `bufferization.alloc_tensor`, unlike
  /// `tensor.empty`, is never merged by CSE, so scratch tensors that are
  /// carried side by side through loops get distinct buffers.
  Value emptyTensor(ArrayRef<int64_t> shape, Type elementType) {
    return bufferization::AllocTensorOp::create(
        b, loc, RankedTensorType::get(shape, elementType), ValueRange{});
  }
  /// A [rows, cols] f32 tensor filled with `value` by vector writes.
  Value filled2d(int64_t rows, int64_t cols, double value);
  /// A [n] f32 tensor filled with `value`.
  Value filled1d(int64_t n, double value);

  // The pieces of a tile.
  Value packQuery(const TileCoords &c);
  /// Applies the fused query rope to the f32 `row` of position `pos`.
  Value rotate(Value row, Value batch, Value pos);
  /// Row bounds of every query position (four i32 tensors [Tq]) and the
  /// union, intersection and sink hull of the tile (index scalars).
  struct TileBounds {
    Value lo, hi, sinkLo, sinkHi; // tensors<Tq x i32>
    Value unionLo, unionHi, interLo, interHi, sinkMin, sinkMax;
  };
  TileBounds computeBounds(const TileCoords &c);
  /// (inTile, lo, hi, sinkLo, sinkHi) of query position `t` of the tile;
  /// `knownInTile` when `t` is known to be one of the tile's queries.
  std::tuple<Value, Value, Value, Value, Value>
  rowBounds(const TileCoords &c, Value t, bool knownInTile = false);
  /// Emits the four key-block loops and returns the final state.
  TileState keyLoops(const TileCoords &c, const TileBounds &bounds, Value qs,
                     TileState st);
  TileState processBlock(const TileCoords &c, const TileBounds &bounds,
                         Value qs, Value kb, bool masked, TileState st);
  /// Packs the key block at `j0` into `kt` through the row buffer `stage`.
  std::pair<Value, Value> packKeys(const TileCoords &c, Value stage, Value kt,
                                   Value j0);
  Value packValues(const TileCoords &c, Value vs, Value j0, Value count,
                   bool masked);
  /// Decode scores: S[r, :] = Qs[r, :] . K rows of the block at `j0`, read
  /// in place (no transposed panel), written into `ps`.
  Value rowDotScores(const TileCoords &c, Value qs, Value ps, Value j0,
                     bool masked);
  /// Prefetches one K row (`at` without the last index) into L1.
  /// Prefetches one K or V row (all of its 64-byte lines) of `buffer`.
  void prefetchRow(Value buffer, SmallVector<Value> at, int64_t locality = 3);
  /// The source location of key/value row `j` (clamped into range).
  SmallVector<Value> kvRow(const TileCoords &c, Value j, Value d);
  Value modifyScores(const TileCoords &c, Value s, Value head, Value query,
                     Value j0);
  Value applyScoreMod(const TileCoords &c, Value s, Value head, Value query,
                      Value j0);
  Value maskScores(const TileCoords &c, const TileBounds &bounds, Value s,
                   Value t, Value j0);
  /// The tile as a whole: returns (acc, m, l).
  TileState emitTile(const TileCoords &c);

  // Drivers.
  FailureOr<SmallVector<Value>> emitPrefill();
  FailureOr<SmallVector<Value>> emitSplitKv();
  /// Normalizes row `r` of the final state: (out chunks as f32 vectors, lse).
  Value rowLse(const TileState &st, Value r, Value &inv);

  OpBuilder &b;
  Location loc;
  const AttentionProblem &p;
  const AttentionTiling &t;

  // Static geometry.
  /// f32 lanes of the target's vector registers (t.tiles.lanes).
  int64_t lanes = 16;
  int64_t numHeads = 0, numKvHeads = 0, groups = 0, headDim = 0, valueDim = 0,
          paddedHeadDim = 0, tileQueries = 0, rows = 0, rowBlock = 0,
          paddedRows = 0, blockKeys = 0;
  bool directValues = false;
  /// Scores by row dot products (few rows: decode) instead of a K panel.
  bool rowDot = false;
  /// One tile covers every kv head (paged decode): the state holds
  /// numKvHeads blocks of paddedRows rows, and each key block is visited
  /// for all kv heads in turn, so the pages of a block are read together.
  bool allHeads = false;
  /// Rows of the tile state: paddedRows, times numKvHeads with allHeads.
  int64_t stateRows() const {
    return allHeads ? numKvHeads * paddedRows : paddedRows;
  }
  /// Rows [off, off + n) of the 2-D (or 1-D) f32 tensor `t`, and back.
  Value rowSlice(Value t, Value off, int64_t n) {
    auto type = cast<RankedTensorType>(t.getType());
    SmallVector<OpFoldResult> offsets = {off}, sizes = {b.getIndexAttr(n)};
    SmallVector<int64_t> shape = {n};
    if (type.getRank() == 2) {
      offsets.push_back(b.getIndexAttr(0));
      sizes.push_back(b.getIndexAttr(type.getDimSize(1)));
      shape.push_back(type.getDimSize(1));
    }
    SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
    return tensor::ExtractSliceOp::create(
        b, loc, RankedTensorType::get(shape, type.getElementType()), t, offsets,
        sizes, strides);
  }
  Value insertRows(Value src, Value dst, Value off) {
    auto type = cast<RankedTensorType>(src.getType());
    SmallVector<OpFoldResult> offsets = {off}, sizes;
    for (int64_t d : type.getShape())
      sizes.push_back(b.getIndexAttr(d));
    if (type.getRank() == 2)
      offsets.push_back(b.getIndexAttr(0));
    SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
    return tensor::InsertSliceOp::create(b, loc, src, dst, offsets, sizes,
                                         strides);
  }
  /// The keys and values as buffers, for prefetches (decode, passed in).
  Value keyBuffer, valueBuffer;
  /// The page size of a paged cache when static, else 0.
  int64_t staticPageSize = 0;
  Type queryType, keyType, valueType;
  // Loop-invariant values defined before the forall.
  Value batchSize, querySize, keySize, pageSize, numPages, numSeqs, scale;
  Value keyIota; // vector<Bk x i32> [0, Bk)
};

} // namespace

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

Value Emitter::read(Value src, ValueRange indices, int64_t n, bool inBounds) {
  Type elementType = cast<ShapedType>(src.getType()).getElementType();
  Value pad = arith::ConstantOp::create(b, loc, b.getZeroAttr(elementType));
  Value v = vector::TransferReadOp::create(
      b, loc, VectorType::get({n}, elementType), src, indices, pad,
      ArrayRef<bool>{inBounds});
  if (elementType.isF32())
    return v;
  return arith::ExtFOp::create(b, loc, VectorType::get({n}, b.getF32Type()), v);
}

Value Emitter::write(Value v, Value dst, ValueRange indices, bool inBounds) {
  Type elementType = cast<ShapedType>(dst.getType()).getElementType();
  auto vType = cast<VectorType>(v.getType());
  if (!elementType.isF32())
    v = arith::TruncFOp::create(
        b, loc, VectorType::get(vType.getShape(), elementType), v);
  return vector::TransferWriteOp::create(b, loc, v, dst, indices,
                                         ArrayRef<bool>{inBounds})
      .getResult();
}

Value Emitter::filled2d(int64_t numRows, int64_t cols, double value) {
  Value tensor = emptyTensor({numRows, cols}, b.getF32Type());
  Value row = constVec(value, cols);
  auto loop = scf::ForOp::create(
      b, loc, idx(0), idx(numRows), idx(1), ValueRange{tensor},
      [&](OpBuilder &nb, Location, Value r, ValueRange args) {
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
        Value w = write(row, args[0], {r, idx(0)});
        scf::YieldOp::create(b, loc, w);
      });
  return loop.getResult(0);
}

Value Emitter::filled1d(int64_t n, double value) {
  Value tensor = emptyTensor({n}, b.getF32Type());
  return write(constVec(value, n), tensor, {idx(0)});
}

/// Runs `body` at the start of a new scf.for body, with the emitter's
/// builder positioned there; `body` returns the values to yield.
template <typename Fn>
static scf::ForOp buildFor(OpBuilder &b, Location loc, Value lb, Value ub,
                           Value step, ValueRange inits, Fn body) {
  return scf::ForOp::create(
      b, loc, lb, ub, step, inits,
      [&](OpBuilder &nb, Location nl, Value iv, ValueRange args) {
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
        SmallVector<Value> results = body(iv, args);
        scf::YieldOp::create(b, nl, results);
      });
}

//===----------------------------------------------------------------------===//
// Query packing and bounds
//===----------------------------------------------------------------------===//

Value Emitter::packQuery(const TileCoords &c) {
  using P = arith::CmpIPredicate;
  Value qs = emptyTensor({paddedRows, headDim}, b.getF32Type());
  Value scaleVec = splat(scale, headDim);
  auto rowType = VectorType::get({headDim}, b.getF32Type());
  // Row r = g * Tq + t holds query t of head g (zeros past the valid ones).
  auto loop = buildFor(
      b, loc, idx(0), idx(paddedRows), idx(1), ValueRange{qs},
      [&](Value r, ValueRange args) -> SmallVector<Value> {
        Value g = arith::DivUIOp::create(b, loc, r, idx(tileQueries));
        Value tq = arith::RemUIOp::create(b, loc, r, idx(tileQueries));
        Value valid = arith::AndIOp::create(b, loc, cmp(P::slt, g, idx(groups)),
                                            cmp(P::slt, tq, c.numQueries));
        auto ifOp = scf::IfOp::create(b, loc, TypeRange{rowType}, valid,
                                      /*withElseRegion=*/true);
        {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(ifOp.thenBlock());
          Value head = add(mul(c.kvHead, idx(groups)), g);
          Value pos = add(c.firstQuery, tq);
          Value row;
          if (p.queryRope) {
            row =
                read(p.queryRope->input, {c.batch, head, pos, idx(0)}, headDim);
            row = rotate(row, c.batch, pos);
          } else {
            row = read(p.query, {c.batch, head, pos, idx(0)}, headDim);
          }
          row = arith::MulFOp::create(b, loc, row, scaleVec);
          scf::YieldOp::create(b, loc, row);
          b.setInsertionPointToStart(ifOp.elseBlock());
          scf::YieldOp::create(b, loc, constVec(0.0, headDim));
        }
        return {write(ifOp.getResult(0), args[0], {r, idx(0)})};
      });
  return loop.getResult(0);
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
  auto halfType = VectorType::get({half}, b.getF32Type());
  Value invFreq = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(halfType, ArrayRef<float>(freqs)));
  Value at = extract(rope.positions, {batch, pos});
  Value posF = arith::SIToFPOp::create(b, loc, b.getF32Type(), at);
  Value angle = arith::MulFOp::create(b, loc, splat(posF, half), invFreq);
  Value cosV = math::CosOp::create(b, loc, angle);
  Value sinV = math::SinOp::create(b, loc, angle);
  Value x1 = vector::ShuffleOp::create(b, loc, row, row, first);
  Value x2 = vector::ShuffleOp::create(b, loc, row, row, second);
  auto mulF = [&](Value x, Value y) {
    return arith::MulFOp::create(b, loc, x, y).getResult();
  };
  Value o1 = arith::SubFOp::create(b, loc, mulF(x1, cosV), mulF(x2, sinV));
  Value o2 = arith::AddFOp::create(b, loc, mulF(x2, cosV), mulF(x1, sinV));
  Value rotated = vector::ShuffleOp::create(b, loc, o1, o2, merge);
  if (rotary == headDim)
    return rotated;
  SmallVector<int64_t> tail;
  for (int64_t i = 0; i < headDim; ++i)
    tail.push_back(i < rotary ? i : rotary + i);
  return vector::ShuffleOp::create(b, loc, rotated, row, tail);
}

std::tuple<Value, Value, Value, Value, Value>
Emitter::rowBounds(const TileCoords &c, Value tq, bool knownInTile) {
  using P = arith::CmpIPredicate;
  Value pos = add(c.firstQuery, tq);
  // `inTile`: the row is one of the tile's queries; `valid`: it may also
  // see keys (packed rows outside every sequence see none).
  Value inTile = knownInTile ? Value() : cmp(P::slt, tq, c.numQueries);
  Value valid = inTile;
  auto andValid = [&](Value cond) {
    valid =
        valid ? arith::AndIOp::create(b, loc, valid, cond).getResult() : cond;
  };
  Value lo = idx(0), hi, hiUnclamped, sinkBase = idx(0);
  Value lastKey = sub(c.keyEnd, idx(1));
  if (p.seqStarts) {
    // The sequence holding `pos`: count = #{k : cu[k] <= pos}.
    Value numOffsets = dim(p.seqStarts, 0);
    auto count =
        buildFor(b, loc, idx(0), numOffsets, idx(1), ValueRange{idx(0)},
                 [&](Value k, ValueRange args) -> SmallVector<Value> {
                   Value start = toIndex(extract(p.seqStarts, {k}));
                   Value inc = add(args[0], idx(1));
                   return {select(cmp(P::sle, start, pos), inc, args[0])};
                 });
    Value n = count.getResult(0);
    andValid(arith::AndIOp::create(b, loc, cmp(P::sge, n, idx(1)),
                                   cmp(P::sle, n, numSeqs)));
    Value seq = maxI(minI(sub(n, idx(1)), sub(numSeqs, idx(1))), idx(0));
    Value start = toIndex(extract(p.seqStarts, {seq}));
    Value endIdx = minI(add(seq, idx(1)), sub(numOffsets, idx(1)));
    Value end = toIndex(extract(p.seqStarts, {endIdx}));
    hiUnclamped = p.causal ? pos : sub(end, idx(1));
    hi = minI(minI(hiUnclamped, sub(end, idx(1))), lastKey);
    lo = start;
    sinkBase = start;
  } else if (p.isPaged()) {
    // Query i of sequence b sits at lens[b] - Sq + i.
    hiUnclamped = add(sub(c.keyEnd, querySize), pos);
    hi = minI(hiUnclamped, lastKey);
  } else {
    hiUnclamped =
        p.causal ? add(pos, sub(keySize, querySize)) : sub(keySize, idx(1));
    hi = minI(hiUnclamped, lastKey);
  }
  if (p.window)
    lo = maxI(lo, sub(hiUnclamped, idx(*p.window - 1)));
  Value sinkLo = idx(1), sinkHi = idx(0);
  if (p.window && p.sinks && *p.sinks > 0) {
    sinkLo = sinkBase;
    sinkHi = minI(add(sinkBase, idx(*p.sinks - 1)), hi);
  }
  if (valid) {
    lo = select(valid, lo, idx(1));
    hi = select(valid, hi, idx(0));
    sinkLo = select(valid, sinkLo, idx(1));
    sinkHi = select(valid, sinkHi, idx(0));
  }
  if (!inTile)
    inTile = arith::ConstantIntOp::create(b, loc, 1, 1);
  return {inTile, lo, hi, sinkLo, sinkHi};
}

Emitter::TileBounds Emitter::computeBounds(const TileCoords &c) {
  using P = arith::CmpIPredicate;
  if (!p.seqStarts) {
    // Without packed sequences, lo and hi grow with the query position: the
    // union is [lo(first), hi(last)], the intersection [lo(last), hi(first)]
    // (empty when a row sees nothing) and the sink hull ends at sHi(last).
    Value last = sub(c.numQueries, idx(1));
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
  SmallVector<Value> inits = {emptyTensor({tileQueries}, i32Type),
                              emptyTensor({tileQueries}, i32Type),
                              emptyTensor({tileQueries}, i32Type),
                              emptyTensor({tileQueries}, i32Type),
                              idx(kBig),
                              idx(-kBig), // union
                              idx(-kBig),
                              idx(kBig), // intersection
                              idx(kBig),
                              idx(-kBig)}; // sink hull
  auto loop = buildFor(b, loc, idx(0), idx(tileQueries), idx(1), inits,
                       [&](Value tq, ValueRange a) -> SmallVector<Value> {
                         auto [valid, lo, hi, sLo, sHi] = rowBounds(c, tq);
                         Value nonEmpty = arith::AndIOp::create(
                             b, loc, valid, cmp(P::sle, lo, hi));
                         Value sinkNonEmpty = arith::AndIOp::create(
                             b, loc, valid, cmp(P::sle, sLo, sHi));
                         return {insert(toI32(lo), a[0], {tq}),
                                 insert(toI32(hi), a[1], {tq}),
                                 insert(toI32(sLo), a[2], {tq}),
                                 insert(toI32(sHi), a[3], {tq}),
                                 select(nonEmpty, minI(a[4], lo), a[4]),
                                 select(nonEmpty, maxI(a[5], hi), a[5]),
                                 select(valid, maxI(a[6], lo), a[6]),
                                 select(valid, minI(a[7], hi), a[7]),
                                 select(sinkNonEmpty, minI(a[8], sLo), a[8]),
                                 select(sinkNonEmpty, maxI(a[9], sHi), a[9])};
                       });
  ValueRange r = loop.getResults();
  return {r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9]};
}

//===----------------------------------------------------------------------===//
// Key and value blocks
//===----------------------------------------------------------------------===//

SmallVector<Value> Emitter::kvRow(const TileCoords &c, Value j, Value d) {
  Value jc = maxI(minI(j, sub(c.keyEnd, idx(1))), idx(0));
  if (!p.isPaged())
    return {c.batch, c.kvHead, jc, d};
  using P = arith::CmpIPredicate;
  Value logical = arith::DivUIOp::create(b, loc, jc, pageSize);
  Value slot = arith::RemUIOp::create(b, loc, jc, pageSize);
  Value page = toIndex(extract(p.blockTable, {c.batch, logical}));
  // A garbage table entry must not read out of bounds.
  Value ok = arith::AndIOp::create(b, loc, cmp(P::sge, page, idx(0)),
                                   cmp(P::slt, page, numPages));
  page = select(ok, page, idx(0));
  return {page, slot, c.kvHead, d};
}

/// Transposes the L x L matrix held in `rows` (L vectors of L f32, L a
/// power of two: the target's lanes) in registers: log2(L) butterfly stages
/// that swap the off-diagonal k x k blocks (k = L/2, ..., 1), each a
/// two-source shuffle per row (vshuff64x2, vshuff32x4, vunpck{l,h}pd,
/// vunpck{l,h}ps for 16x16 on AVX-512; vperm2f128, vunpck* for 8x8 on AVX2).
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

std::pair<Value, Value> Emitter::packKeys(const TileCoords &c, Value stage,
                                          Value kt, Value j0) {
  // Rows front to back (a sequential stream, converted to f32), then 16x16
  // transposes out of L1.
  auto copy =
      buildFor(b, loc, idx(0), idx(blockKeys), idx(1), ValueRange{stage},
               [&](Value j, ValueRange args) -> SmallVector<Value> {
                 SmallVector<Value> at = kvRow(c, add(j0, j), idx(0));
                 return {write(read(p.key, at, headDim), args[0], {j, idx(0)})};
               });
  stage = copy.getResult(0);
  auto loop = buildFor(
      b, loc, idx(0), idx(blockKeys), idx(lanes), ValueRange{kt},
      [&](Value jj, ValueRange args) -> SmallVector<Value> {
        // One 16x16 tile per iteration of an scf.for over D (the tail
        // tile, past the last multiple of 16, unrolled after it): long
        // chains of tensor writes make one-shot bufferization's analysis
        // superlinear (seconds per kernel when D = 128 was unrolled).
        auto transposeTile = [&](Value cur, Value d0, bool inBounds) {
          SmallVector<Value> tile;
          for (int64_t x = 0; x < lanes; ++x)
            tile.push_back(read(stage, {add(jj, idx(x)), d0}, lanes, inBounds));
          SmallVector<Value> cols = transposeSquare(b, loc, tile);
          for (int64_t y = 0; y < lanes; ++y)
            cur = write(cols[y], cur, {add(d0, idx(y)), jj});
          return cur;
        };
        int64_t fullDim = headDim / lanes * lanes;
        auto dLoop = buildFor(
            b, loc, idx(0), idx(fullDim), idx(lanes), ValueRange{args[0]},
            [&](Value d0, ValueRange a) -> SmallVector<Value> {
              return {transposeTile(a[0], d0, /*inBounds=*/true)};
            });
        Value cur = dLoop.getResult(0);
        if (fullDim < paddedHeadDim)
          cur = transposeTile(cur, idx(fullDim), /*inBounds=*/false);
        return {cur};
      });
  return {stage, loop.getResult(0)};
}

Value Emitter::packValues(const TileCoords &c, Value vs, Value j0, Value count,
                          bool masked) {
  if (!masked && p.isPaged() && staticPageSize > 0 &&
      staticPageSize % lanes == 0 && blockKeys % lanes == 0) {
    // A full block of pages holding 16-row groups: one table lookup per 16
    // rows.
    auto loop = buildFor(
        b, loc, idx(0), idx(blockKeys), idx(lanes), ValueRange{vs},
        [&](Value jj, ValueRange args) -> SmallVector<Value> {
          SmallVector<Value> base = kvRow(c, add(j0, jj), idx(0));
          Value cur = args[0];
          for (int64_t x = 0; x < lanes; ++x) {
            Value row =
                read(p.value, {base[0], add(base[1], idx(x)), base[2], idx(0)},
                     valueDim);
            cur = write(row, cur, {add(jj, idx(x)), idx(0)});
          }
          return {cur};
        });
    return loop.getResult(0);
  }
  auto loop = buildFor(b, loc, idx(0), count, idx(1), ValueRange{vs},
                       [&](Value j, ValueRange args) -> SmallVector<Value> {
                         SmallVector<Value> at = kvRow(c, add(j0, j), idx(0));
                         Value row = read(p.value, at, valueDim);
                         return {write(row, args[0], {j, idx(0)})};
                       });
  return loop.getResult(0);
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

Value Emitter::rowDotScores(const TileCoords &c, Value qs, Value ps, Value j0,
                            bool masked) {
  // Per group of 16 keys and per row: 16 partial vectors over D, one per
  // key, then one transpose-reduction. Each K row is read from its source
  // by the first row and from L1 by the others.
  auto groupLoop = buildFor(
      b, loc, idx(0), idx(blockKeys), idx(lanes), ValueRange{ps},
      [&](Value jj, ValueRange ga) -> SmallVector<Value> {
        // Row locations. Unmasked blocks lie inside [0, keyEnd), so their
        // 16 rows are one base plus constant strides (dense, or one page
        // when the page size is a static multiple of 16): one address
        // register instead of 16.
        SmallVector<SmallVector<Value>> at;
        Value first = add(j0, jj);
        bool groupedPages = staticPageSize > 0 && staticPageSize % lanes == 0;
        if (!masked && !p.isPaged()) {
          for (int64_t x = 0; x < lanes; ++x)
            at.push_back({c.batch, c.kvHead, add(first, idx(x)), idx(0)});
          if (keyBuffer) {
            // The first row of each group reads its 16 K rows column by
            // column (16 interleaved streams): prefetch the rows of a group
            // kPrefetchKeys ahead, one line at a time.
            Value ahead = maxI(
                minI(add(first, idx(kPrefetchKeys)), sub(c.keyEnd, idx(lanes))),
                idx(0));
            for (int64_t x = 0; x < lanes; ++x)
              prefetchRow(keyBuffer, {c.batch, c.kvHead, add(ahead, idx(x))});
          }
        } else if (!masked && groupedPages) {
          SmallVector<Value> base = kvRow(c, first, idx(0));
          for (int64_t x = 0; x < lanes; ++x)
            at.push_back({base[0], add(base[1], idx(x)), base[2], idx(0)});
          if (keyBuffer) {
            SmallVector<Value> next =
                kvRow(c, add(first, idx(kPagedPrefetchKeys)), idx(0));
            Value slot0 = mul(floorDiv(next[1], lanes), idx(lanes));
            for (int64_t x = 0; x < lanes; ++x) {
              SmallVector<Value> row = {next[0], add(slot0, idx(x)), next[2]};
              prefetchRow(keyBuffer, row, kPagedPrefetchLocality);
              if (valueBuffer)
                prefetchRow(valueBuffer, row, kPagedPrefetchLocality);
            }
          }
        } else {
          for (int64_t x = 0; x < lanes; ++x)
            at.push_back(kvRow(c, add(first, idx(x)), idx(0)));
        }
        auto rowLoop =
            buildFor(b, loc, idx(0), idx(paddedRows), idx(1), ga,
                     [&](Value r, ValueRange ra) -> SmallVector<Value> {
                       SmallVector<Value> zeros(lanes, constVec(0.0, lanes));
                       auto dLoop = buildFor(
                           b, loc, idx(0), idx(headDim), idx(lanes), zeros,
                           [&](Value d, ValueRange acc) -> SmallVector<Value> {
                             Value q = read(qs, {r, d}, lanes);
                             SmallVector<Value> next;
                             for (int64_t x = 0; x < lanes; ++x) {
                               SmallVector<Value> idxs = at[x];
                               idxs.back() = d;
                               Value k = read(p.key, idxs, lanes);
                               next.push_back(
                                   vector::FMAOp::create(b, loc, q, k, acc[x]));
                             }
                             return next;
                           });
                       Value sv = reduceTransposed(
                           b, loc, SmallVector<Value>(dLoop.getResults()));
                       return {write(sv, ra[0], {r, jj})};
                     });
        return {rowLoop.getResult(0)};
      });
  return groupLoop.getResult(0);
}

//===----------------------------------------------------------------------===//
// Score modifications and masks
//===----------------------------------------------------------------------===//

/// Whether the score_mod body can run on vectors: every op that depends on
/// the score or the key index is elementwise-mappable.
static bool isVectorizableScoreMod(Region &region) {
  Block &block = region.front();
  llvm::SmallPtrSet<Value, 16> varying = {block.getArgument(0),
                                          block.getArgument(4)};
  for (Operation &op : block.without_terminator()) {
    bool dependsOnLanes = llvm::any_of(
        op.getOperands(), [&](Value v) { return varying.contains(v); });
    if (!dependsOnLanes) {
      if (op.getNumRegions() != 0)
        return false;
      continue;
    }
    if (op.getNumRegions() != 0 || op.getNumResults() != 1 ||
        !op.hasTrait<OpTrait::Elementwise>() ||
        !op.hasTrait<OpTrait::Vectorizable>())
      return false;
    varying.insert(op.getResult(0));
  }
  return true;
}

Value Emitter::applyScoreMod(const TileCoords &c, Value s, Value head,
                             Value query, Value j0) {
  Region &region = *p.scoreMod;
  Block &block = region.front();
  int64_t n = blockKeys;
  // Key indices clamped into range: lanes past the end are masked later but
  // must not make a captured tensor read out of bounds.
  Value lastKey = sub(c.keyEnd, idx(1));
  if (isVectorizableScoreMod(region)) {
    auto indexVec = VectorType::get({n}, b.getIndexType());
    Value keys = vector::StepOp::create(b, loc, indexVec);
    keys = arith::AddIOp::create(b, loc, keys, splat(j0, n));
    keys = arith::MinSIOp::create(b, loc, keys, splat(lastKey, n));
    IRMapping scalars;
    scalars.map(block.getArgument(1), c.batch);
    scalars.map(block.getArgument(2), head);
    scalars.map(block.getArgument(3), query);
    llvm::DenseMap<Value, Value> vectors;
    vectors[block.getArgument(0)] = s;
    vectors[block.getArgument(4)] = keys;
    for (Operation &op : block.without_terminator()) {
      bool dependsOnLanes = llvm::any_of(
          op.getOperands(), [&](Value v) { return vectors.count(v); });
      if (!dependsOnLanes) {
        b.clone(op, scalars);
        continue;
      }
      SmallVector<Value> operands;
      for (Value v : op.getOperands()) {
        if (auto it = vectors.find(v); it != vectors.end())
          operands.push_back(it->second);
        else
          operands.push_back(splat(scalars.lookupOrDefault(v), n));
      }
      Type resultType = VectorType::get({n}, op.getResult(0).getType());
      Operation *vecOp = b.create(loc, op.getName().getIdentifier(), operands,
                                  TypeRange{resultType}, op.getAttrs());
      vectors[op.getResult(0)] = vecOp->getResult(0);
    }
    Value yielded = block.getTerminator()->getOperand(0);
    if (auto it = vectors.find(yielded); it != vectors.end())
      return it->second;
    return splat(scalars.lookupOrDefault(yielded), n);
  }

  // General bodies run lane by lane.
  auto loop = buildFor(
      b, loc, idx(0), idx(n), idx(1), ValueRange{s},
      [&](Value lane, ValueRange args) -> SmallVector<Value> {
        Value score = vector::ExtractOp::create(b, loc, args[0],
                                                ArrayRef<OpFoldResult>{lane});
        Value key = minI(add(j0, lane), lastKey);
        IRMapping mapping;
        mapping.map(block.getArgument(0), score);
        mapping.map(block.getArgument(1), c.batch);
        mapping.map(block.getArgument(2), head);
        mapping.map(block.getArgument(3), query);
        mapping.map(block.getArgument(4), key);
        for (Operation &op : block.without_terminator())
          b.clone(op, mapping);
        Value r = mapping.lookupOrDefault(block.getTerminator()->getOperand(0));
        return {vector::InsertOp::create(b, loc, r, args[0],
                                         ArrayRef<OpFoldResult>{lane})};
      });
  return loop.getResult(0);
}

Value Emitter::modifyScores(const TileCoords &c, Value s, Value head,
                            Value query, Value j0) {
  int64_t n = blockKeys;
  if (p.softcap) {
    Value inv = splat(f32(1.0 / *p.softcap), n);
    Value cap = splat(f32(*p.softcap), n);
    Value th =
        math::TanhOp::create(b, loc, arith::MulFOp::create(b, loc, s, inv));
    s = arith::MulFOp::create(b, loc, cap, th);
  }
  if (p.scoreMod)
    s = applyScoreMod(c, s, head, query, j0);
  if (p.bias) {
    // Trailing alignment with [B, Hq, Sq, Skv]; size-1 dims broadcast.
    auto biasType = cast<RankedTensorType>(p.bias.getType());
    int64_t rank = biasType.getRank();
    Value full[4] = {c.batch, head, query, j0};
    SmallVector<Value> at;
    for (int64_t k = 0; k < rank; ++k)
      at.push_back(biasType.getDimSize(k) == 1 ? idx(0) : full[4 - rank + k]);
    Value row;
    if (biasType.getDimSize(rank - 1) == 1) {
      Value v = extract(p.bias, at);
      if (!v.getType().isF32())
        v = arith::ExtFOp::create(b, loc, b.getF32Type(), v);
      row = splat(v, n);
    } else {
      row = read(p.bias, at, n, /*inBounds=*/false);
    }
    s = arith::AddFOp::create(b, loc, s, row);
  }
  return s;
}

Value Emitter::maskScores(const TileCoords &c, const TileBounds &bounds,
                          Value s, Value tq, Value j0) {
  using P = arith::CmpIPredicate;
  int64_t n = blockKeys;
  Value keys = arith::AddIOp::create(b, loc, keyIota, splat(toI32(j0), n));
  // Per-row bounds: stored for packed sequences, else recomputed.
  Value lo, hi, sinkLo, sinkHi;
  if (bounds.lo) {
    lo = extract(bounds.lo, {tq});
    hi = extract(bounds.hi, {tq});
    sinkLo = extract(bounds.sinkLo, {tq});
    sinkHi = extract(bounds.sinkHi, {tq});
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
  return arith::SelectOp::create(b, loc, visible, s, constVec(kNegInf, n));
}

//===----------------------------------------------------------------------===//
// One key block
//===----------------------------------------------------------------------===//

/// exp(x) for f32 x <= 0 (scalar or vector), as 2^t with t = x log2(e):
/// t is clamped at -127 (so -inf gives exactly 0), 2^frac(t) comes from the
/// Cephes exp2f polynomial on [-0.5, 0.5] (relative error ~2e-7) and 2^n is
/// built in the exponent bits. `x` is given as `a * log2(e) + c` to fuse the
/// subtraction of the row max.
static Value expNonPositive(OpBuilder &b, Location loc, Value a, Value c) {
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

TileState Emitter::processBlock(const TileCoords &c, const TileBounds &bounds,
                                Value qs, Value kb, bool masked, TileState st) {
  int64_t n = blockKeys;
  Value j0 = mul(kb, idx(n));
  Value count = masked ? maxI(minI(idx(n), sub(c.keyEnd, j0)), idx(0)) : idx(n);
  if (rowDot)
    st.ps = rowDotScores(c, qs, st.ps, j0, masked);
  else
    std::tie(st.ks, st.kt) = packKeys(c, st.ks, st.kt, j0);
  // Unmasked blocks of pages holding 16-row groups read V in place, one
  // table lookup per 16 rows, instead of through the scratch copy.
  bool inPlaceValues = !masked && p.isPaged() && staticPageSize > 0 &&
                       staticPageSize % lanes == 0 && n % lanes == 0;
  if (st.vs && !inPlaceValues)
    st.vs = packValues(c, st.vs, j0, count, masked);
  auto fm = arith::FastMathFlags::nnan;

  // Phase 1, per block of rows: S = Qs . Kt, modifications, mask, online
  // softmax; P and the rescale factors go to scratch. The softmax of one
  // row block (latency-bound) overlaps the QK FMAs of the next.
  SmallVector<Value> inits = {st.ps, st.alpha, st.m, st.l};
  auto softmaxLoop = buildFor(
      b, loc, idx(0), idx(paddedRows), idx(rowBlock), inits,
      [&](Value r0, ValueRange a) -> SmallVector<Value> {
        Value ps = a[0], alphas = a[1], m = a[2], l = a[3];
        SmallVector<Value> scores;
        // S = Qs . Kt for `rowBlock` rows, `qkKeys` keys (a register block
        // of rowBlock x qkKeys / lanes accumulators) at a time.
        auto qkBlock = [&](int64_t k0, int64_t w) {
          SmallVector<Value> zeros(rowBlock, constVec(0.0, w));
          auto qk = buildFor(b, loc, idx(0), idx(headDim), idx(1), zeros,
                             [&](Value d, ValueRange s) -> SmallVector<Value> {
                               Value ktRow = read(st.kt, {d, idx(k0)}, w);
                               SmallVector<Value> next;
                               for (int64_t k = 0; k < rowBlock; ++k) {
                                 Value q = extract(qs, {add(r0, idx(k)), d});
                                 next.push_back(vector::FMAOp::create(
                                     b, loc, splat(q, w), ktRow, s[k]));
                               }
                               return next;
                             });
          return SmallVector<Value>(qk.getResults());
        };
        int64_t qkKeys = std::min(n, t.tiles.qkKeys);
        if (!rowDot && qkKeys == n) {
          // The whole block fits: the scores stay in registers.
          scores = qkBlock(0, n);
        } else {
          if (!rowDot) {
            // Key slices of the block through the P scratch.
            for (int64_t k0 = 0; k0 < n; k0 += qkKeys) {
              int64_t w = std::min(qkKeys, n - k0);
              SmallVector<Value> part = qkBlock(k0, w);
              for (int64_t k = 0; k < rowBlock; ++k)
                ps = write(part[k], ps, {add(r0, idx(k)), idx(k0)});
            }
          }
          for (int64_t k = 0; k < rowBlock; ++k)
            scores.push_back(read(ps, {add(r0, idx(k)), idx(0)}, n));
        }
        for (int64_t k = 0; k < rowBlock; ++k) {
          Value r = add(r0, idx(k));
          Value s = scores[k];
          Value tq = arith::RemUIOp::create(b, loc, r, idx(tileQueries));
          if (p.softcap || p.scoreMod || p.bias) {
            Value g = minI(arith::DivUIOp::create(b, loc, r, idx(tileQueries)),
                           idx(groups - 1));
            Value head = add(mul(c.kvHead, idx(groups)), g);
            Value query = minI(add(c.firstQuery, tq), sub(querySize, idx(1)));
            s = modifyScores(c, s, head, query, j0);
          }
          if (masked)
            s = maskScores(c, bounds, s, tq, j0);
          Value mOld = extract(m, {r});
          Value blockMax = vector::ReductionOp::create(
              b, loc, vector::CombiningKind::MAXNUMF, s, fm);
          Value mNew = arith::MaxNumFOp::create(b, loc, mOld, blockMax, fm);
          Value isEmpty = arith::CmpFOp::create(
              b, loc, arith::CmpFPredicate::OEQ, mNew, f32(kNegInf));
          Value mSafe = select(isEmpty, f32(0.0), mNew);
          // exp(x - mSafe) = 2^(x log2e - mSafe log2e).
          Value shift = arith::MulFOp::create(b, loc, mSafe, f32(-M_LOG2E));
          Value alpha = expNonPositive(b, loc, mOld, shift);
          Value prob = expNonPositive(b, loc, s, splat(shift, n));
          Value rowSum = vector::ReductionOp::create(
              b, loc, vector::CombiningKind::ADD, prob, fm);
          Value lNew = arith::AddFOp::create(
              b, loc, arith::MulFOp::create(b, loc, extract(l, {r}), alpha),
              rowSum);
          m = insert(mNew, m, {r});
          l = insert(lNew, l, {r});
          alphas = insert(alpha, alphas, {r});
          ps = write(prob, ps, {r, idx(0)});
        }
        return {ps, alphas, m, l};
      });
  st.ps = softmaxLoop.getResult(0);
  st.alpha = softmaxLoop.getResult(1);
  st.m = softmaxLoop.getResult(2);
  st.l = softmaxLoop.getResult(3);

  // Phase 2: Acc[r] = alpha[r] * Acc[r] + P[r] . V. A register block is
  // `pvRows` rows x `chunk` value columns (t.tiles: at most pvRows x pvCols
  // / lanes accumulators, wider when the tile has fewer rows), so that each
  // value row is read once per block of rows, front to back.
  int64_t accumulators = t.tiles.pvRows * t.tiles.pvCols / lanes;
  int64_t maxRows = std::min(rowBlock, t.tiles.pvRows);
  int64_t chunk =
      std::min(valueDim, std::max<int64_t>(1, accumulators / maxRows) * lanes);
  int64_t pvRows = std::min(
      maxRows,
      std::max<int64_t>(1, accumulators / llvm::divideCeil(chunk, lanes)));
  while (paddedRows % pvRows != 0)
    --pvRows;
  auto pvLoop = buildFor(
      b, loc, idx(0), idx(paddedRows), idx(pvRows), ValueRange{st.acc},
      [&](Value r0, ValueRange a) -> SmallVector<Value> {
        Value acc = a[0];
        for (int64_t e0 = 0; e0 < valueDim; e0 += chunk) {
          int64_t w = std::min(chunk, valueDim - e0);
          SmallVector<Value> accs;
          for (int64_t k = 0; k < pvRows; ++k) {
            Value r = add(r0, idx(k));
            Value a0 = read(acc, {r, idx(e0)}, w);
            Value alpha = extract(st.alpha, {r});
            accs.push_back(arith::MulFOp::create(b, loc, a0, splat(alpha, w)));
          }
          auto fmas = [&](Value v, Value j, ValueRange av) {
            SmallVector<Value> next;
            for (int64_t k = 0; k < pvRows; ++k) {
              Value pk = extract(st.ps, {add(r0, idx(k)), j});
              next.push_back(
                  vector::FMAOp::create(b, loc, splat(pk, w), v, av[k]));
            }
            return next;
          };
          scf::ForOp pv;
          if (inPlaceValues) {
            pv = buildFor(
                b, loc, idx(0), idx(n), idx(lanes), accs,
                [&](Value g, ValueRange ag) -> SmallVector<Value> {
                  SmallVector<Value> base = kvRow(c, add(j0, g), idx(0));
                  auto group = buildFor(
                      b, loc, idx(0), idx(lanes), idx(1), ag,
                      [&](Value x, ValueRange av) -> SmallVector<Value> {
                        Value v = read(
                            p.value,
                            {base[0], add(base[1], x), base[2], idx(e0)}, w);
                        return fmas(v, add(g, x), av);
                      });
                  return SmallVector<Value>(group.getResults());
                });
          } else {
            pv = buildFor(
                b, loc, idx(0), count, idx(1), accs,
                [&](Value j, ValueRange av) -> SmallVector<Value> {
                  Value v =
                      st.vs ? read(st.vs, {j, idx(e0)}, w)
                            : read(p.value,
                                   {c.batch, c.kvHead, add(j0, j), idx(e0)}, w);
                  return fmas(v, j, av);
                });
          }
          for (int64_t k = 0; k < pvRows; ++k)
            acc = write(pv.getResult(k), acc, {add(r0, idx(k)), idx(e0)});
        }
        return {acc};
      });
  st.acc = pvLoop.getResult(0);
  return st;
}

//===----------------------------------------------------------------------===//
// The key loops of a tile
//===----------------------------------------------------------------------===//

TileState Emitter::keyLoops(const TileCoords &c, const TileBounds &bd, Value qs,
                            TileState st) {
  using P = arith::CmpIPredicate;
  int64_t n = blockKeys;
  // Blocks touching the union of the rows' ranges, clamped to the chunk.
  Value first = maxI(floorDiv(bd.unionLo, n), c.blockLo);
  Value end = minI(add(floorDiv(bd.unionHi, n), idx(1)), c.blockHi);
  end = select(cmp(P::sle, bd.unionLo, bd.unionHi), end, first);
  end = maxI(end, first);
  // Blocks inside the intersection need no mask.
  Value interFirst = ceilDiv(bd.interLo, n);
  Value interEnd = floorDiv(add(bd.interHi, idx(1)), n);
  Value e1 = minI(maxI(interFirst, first), end);
  Value e2 = minI(maxI(interEnd, e1), end);

  bool withVs = static_cast<bool>(st.vs);
  auto loopOver = [&](Value lb, Value ub, bool masked, TileState in,
                      StringRef tag) {
    auto loop =
        buildFor(b, loc, lb, ub, idx(1), in.values(),
                 [&](Value kb, ValueRange a) -> SmallVector<Value> {
                   TileState cur = TileState::from(a, withVs);
                   if (!allHeads)
                     return processBlock(c, bd, qs, kb, masked, cur).values();
                   // Every kv head of this key block in turn, on its rows
                   // of the state.
                   auto heads = buildFor(
                       b, loc, idx(0), idx(numKvHeads), idx(1), cur.values(),
                       [&](Value h, ValueRange ha) -> SmallVector<Value> {
                         TileState all = TileState::from(ha, withVs);
                         TileCoords ch = c;
                         ch.kvHead = h;
                         Value off = mul(h, idx(paddedRows));
                         TileState one = all;
                         one.acc = rowSlice(all.acc, off, paddedRows);
                         one.m = rowSlice(all.m, off, paddedRows);
                         one.l = rowSlice(all.l, off, paddedRows);
                         one =
                             processBlock(ch, bd, rowSlice(qs, off, paddedRows),
                                          kb, masked, one);
                         TileState out = one;
                         out.acc = insertRows(one.acc, all.acc, off);
                         out.m = insertRows(one.m, all.m, off);
                         out.l = insertRows(one.l, all.l, off);
                         return out.values();
                       });
                   return SmallVector<Value>(heads.getResults());
                 });
    loop->setAttr("tok.key_blocks", b.getStringAttr(tag));
    return TileState::from(loop.getResults(), withVs);
  };
  if (p.window && p.sinks && *p.sinks > 0) {
    // Sink blocks before the window.
    Value s0 = maxI(floorDiv(bd.sinkMin, n), c.blockLo);
    Value s1 =
        minI(minI(add(floorDiv(bd.sinkMax, n), idx(1)), first), c.blockHi);
    st = loopOver(s0, maxI(s1, s0), /*masked=*/true, st, "sink");
  }
  st = loopOver(first, e1, /*masked=*/true, st, "leading");
  st = loopOver(e1, e2, /*masked=*/false, st, "interior");
  st = loopOver(e2, end, /*masked=*/true, st, "trailing");
  return st;
}

TileState Emitter::emitTile(const TileCoords &c) {
  Value qs;
  if (allHeads) {
    // The scaled queries of every kv head, one block of rows each.
    auto pack = buildFor(
        b, loc, idx(0), idx(numKvHeads), idx(1),
        ValueRange{emptyTensor({stateRows(), headDim}, b.getF32Type())},
        [&](Value h, ValueRange a) -> SmallVector<Value> {
          TileCoords ch = c;
          ch.kvHead = h;
          return {insertRows(packQuery(ch), a[0], mul(h, idx(paddedRows)))};
        });
    qs = pack.getResult(0);
  } else {
    qs = packQuery(c);
  }
  TileBounds bounds = computeBounds(c);
  TileState st;
  st.ks = emptyTensor({blockKeys, headDim}, b.getF32Type());
  st.kt = emptyTensor({paddedHeadDim, blockKeys}, b.getF32Type());
  if (!directValues)
    st.vs = emptyTensor({blockKeys, valueDim}, b.getF32Type());
  st.ps = emptyTensor({paddedRows, blockKeys}, b.getF32Type());
  st.alpha = emptyTensor({paddedRows}, b.getF32Type());
  st.acc = filled2d(stateRows(), valueDim, 0.0);
  st.m = filled1d(stateRows(), kNegInf);
  st.l = filled1d(stateRows(), 0.0);
  return keyLoops(c, bounds, qs, st);
}

Value Emitter::rowLse(const TileState &st, Value r, Value &inv) {
  Value l = extract(st.l, {r});
  Value m = extract(st.m, {r});
  Value empty =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, l, f32(0.0));
  inv = select(empty, f32(0.0), arith::DivFOp::create(b, loc, f32(1.0), l));
  Value lse = arith::AddFOp::create(b, loc, m, math::LogOp::create(b, loc, l));
  return select(empty, f32(kNegInf), lse);
}

//===----------------------------------------------------------------------===//
// Drivers
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Value>> Emitter::emitPrefill() {
  int64_t tileQ = tileQueries;
  Value numTiles = ceilDiv(querySize, tileQ);
  Type outType = p.outputElementType;
  OpFoldResult batchOfr = mixedDim(queryShape(), 0);
  OpFoldResult queryOfr = mixedDim(queryShape(), 2);
  SmallVector<Value> outs = {tensor::EmptyOp::create(
      b, loc,
      ArrayRef<OpFoldResult>{batchOfr, b.getIndexAttr(numHeads), queryOfr,
                             b.getIndexAttr(valueDim)},
      outType)};
  if (p.withLse)
    outs.push_back(tensor::EmptyOp::create(
        b, loc,
        ArrayRef<OpFoldResult>{batchOfr, b.getIndexAttr(numHeads), queryOfr},
        b.getF32Type()));
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
    Value odd = cmp(arith::CmpIPredicate::ne,
                    arith::RemUIOp::create(b, loc, tile, idx(2)), idx(0));
    tile = select(odd, sub(sub(numTiles, idx(1)), half), half);
  }
  TileCoords c;
  c.batch = bIdx;
  c.kvHead = kvh;
  c.firstQuery = mul(tile, idx(tileQ));
  c.numQueries = minI(idx(tileQ), sub(querySize, c.firstQuery));
  c.keyEnd = p.isPaged() ? toIndex(extract(p.lens, {bIdx})) : keySize;
  c.blockLo = idx(0);
  c.blockHi = idx(kBig);
  TileState st = emitTile(c);

  // Normalize and write the rows of the G heads.
  Value head0 = mul(kvh, idx(groups));
  SmallVector<OpFoldResult> offsets = {bIdx, head0, c.firstQuery,
                                       b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(groups),
                                     c.numQueries, b.getIndexAttr(valueDim)};
  SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
  auto outSliceType =
      RankedTensorType::get({groups, ShapedType::kDynamic, valueDim}, outType);
  auto lseSliceType =
      RankedTensorType::get({groups, ShapedType::kDynamic}, b.getF32Type());
  ValueRange shared = forall.getRegionIterArgs();
  SmallVector<Value> slices = {tensor::ExtractSliceOp::create(
      b, loc, outSliceType, shared[0], offsets, sizes, strides)};
  ArrayRef<OpFoldResult> lseOffsets = ArrayRef(offsets).drop_back();
  ArrayRef<OpFoldResult> lseSizes = ArrayRef(sizes).drop_back();
  ArrayRef<OpFoldResult> lseStrides = ArrayRef(strides).drop_back();
  if (p.withLse)
    slices.push_back(tensor::ExtractSliceOp::create(
        b, loc, lseSliceType, shared[1], lseOffsets, lseSizes, lseStrides));
  auto groupLoop =
      buildFor(b, loc, idx(0), idx(groups), idx(1), slices,
               [&](Value g, ValueRange a) -> SmallVector<Value> {
                 auto rowLoop = buildFor(
                     b, loc, idx(0), c.numQueries, idx(1), a,
                     [&](Value tq, ValueRange cur) -> SmallVector<Value> {
                       Value r = add(mul(g, idx(tileQueries)), tq);
                       Value inv;
                       Value lse = rowLse(st, r, inv);
                       SmallVector<Value> next(cur.begin(), cur.end());
                       for (int64_t e0 = 0; e0 < valueDim; e0 += kValueChunk) {
                         int64_t w = std::min(kValueChunk, valueDim - e0);
                         Value o = read(st.acc, {r, idx(e0)}, w);
                         o = arith::MulFOp::create(b, loc, o, splat(inv, w));
                         next[0] = write(o, next[0], {g, tq, idx(e0)});
                       }
                       if (p.withLse)
                         next[1] = insert(lse, next[1], {g, tq});
                       return next;
                     });
                 return SmallVector<Value>(rowLoop.getResults());
               });
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loc, groupLoop.getResult(0),
                                        shared[0], offsets, sizes, strides);
  if (p.withLse)
    tensor::ParallelInsertSliceOp::create(b, loc, groupLoop.getResult(1),
                                          shared[1], lseOffsets, lseSizes,
                                          lseStrides);
  return SmallVector<Value>(forall.getResults());
}

FailureOr<SmallVector<Value>> Emitter::emitSplitKv() {
  int64_t n = blockKeys;
  // Keys to split: Skv, or the table width for paged caches.
  Value numBlocks = ceilDiv(keySize, n);
  // Paged decode: one tile per (batch, key chunk) covering every kv head
  // (see below), so a chunk needs numKvHeads times fewer keys for the same
  // work per tile.
  allHeads = p.isPaged() && rowDot;
  int64_t minChunk = std::max<int64_t>(1, t.minSplitKeys / n);
  if (allHeads)
    minChunk = std::max<int64_t>(1, minChunk / numKvHeads);
  Value chunk =
      maxI(ceilDiv(numBlocks, std::max<int64_t>(1, t.kvSplits)), idx(minChunk));
  Value numSplits =
      maxI(arith::CeilDivSIOp::create(b, loc, numBlocks, chunk), idx(1));
  auto f32Type = b.getF32Type();
  OpFoldResult batchOfr = mixedDim(queryShape(), 0);
  SmallVector<Value> outs = {
      tensor::EmptyOp::create(
          b, loc,
          ArrayRef<OpFoldResult>{batchOfr, b.getIndexAttr(numKvHeads),
                                 numSplits, b.getIndexAttr(rows),
                                 b.getIndexAttr(valueDim)},
          f32Type),
      tensor::EmptyOp::create(
          b, loc,
          ArrayRef<OpFoldResult>{batchOfr, b.getIndexAttr(numKvHeads),
                                 numSplits, b.getIndexAttr(rows)},
          f32Type)};
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
    c.keyEnd = p.isPaged() ? toIndex(extract(p.lens, {bIdx})) : keySize;
    c.blockLo = mul(split, chunk);
    c.blockHi = add(c.blockLo, chunk);
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
    auto oType = RankedTensorType::get(oShape, f32Type);
    auto lType = RankedTensorType::get(lShape, f32Type);
    ArrayRef<OpFoldResult> lOffsets = ArrayRef(offsets).drop_back();
    ArrayRef<OpFoldResult> lSizes = ArrayRef(sizes).drop_back();
    ArrayRef<OpFoldResult> lStrides = ArrayRef(strides).drop_back();
    SmallVector<Value> slices = {
        tensor::ExtractSliceOp::create(b, loc, oType, shared[0], offsets, sizes,
                                       strides),
        tensor::ExtractSliceOp::create(b, loc, lType, shared[1], lOffsets,
                                       lSizes, lStrides)};
    auto rowLoop =
        buildFor(b, loc, idx(0), idx(tileHeads * rows), idx(1), slices,
                 [&](Value hr, ValueRange cur) -> SmallVector<Value> {
                   // State row and output indices of row hr.
                   Value h = arith::DivUIOp::create(b, loc, hr, idx(rows));
                   Value r = arith::RemUIOp::create(b, loc, hr, idx(rows));
                   Value sr = add(mul(h, idx(paddedRows)), r);
                   auto at = [&](SmallVector<Value> tail) {
                     if (allHeads)
                       tail.insert(tail.begin(), h);
                     return tail;
                   };
                   Value inv;
                   Value lse = rowLse(st, sr, inv);
                   Value o = cur[0];
                   for (int64_t e0 = 0; e0 < valueDim; e0 += kValueChunk) {
                     int64_t w = std::min(kValueChunk, valueDim - e0);
                     Value a = read(st.acc, {sr, idx(e0)}, w);
                     a = arith::MulFOp::create(b, loc, a, splat(inv, w));
                     o = write(a, o, at({r, idx(e0)}));
                   }
                   return {o, insert(lse, cur[1], at({r}))};
                 });
    b.setInsertionPointToStart(forall.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(b, loc, rowLoop.getResult(0),
                                          shared[0], offsets, sizes, strides);
    tensor::ParallelInsertSliceOp::create(
        b, loc, rowLoop.getResult(1), shared[1], lOffsets, lSizes, lStrides);
  }
  Value parts = forall.getResult(0), partLse = forall.getResult(1);

  // Merge the chunks (tok.lse_merge semantics over numSplits partials), in
  // parallel over (batch, kv head), one row at a time: L = log sum_s
  // exp(l_s), O = sum_s exp(l_s - L) O_s, with one exp per (row, chunk).
  Type outType = p.outputElementType;
  SmallVector<OpFoldResult> rowDims = {batchOfr, b.getIndexAttr(numKvHeads),
                                       b.getIndexAttr(rows)};
  SmallVector<OpFoldResult> outDims = rowDims;
  outDims.push_back(b.getIndexAttr(valueDim));
  SmallVector<Value> mergeOuts = {
      tensor::EmptyOp::create(b, loc, outDims, outType),
      tensor::EmptyOp::create(b, loc, rowDims, f32Type)};
  auto mergeLoop = scf::ForallOp::create(
      b, loc, ArrayRef<OpFoldResult>{batchOfr, b.getIndexAttr(numKvHeads)},
      mergeOuts, std::nullopt);
  {
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
    auto lType = RankedTensorType::get({rows}, f32Type);
    ArrayRef<OpFoldResult> lOffsets = ArrayRef(offsets).drop_back();
    ArrayRef<OpFoldResult> lSizes = ArrayRef(sizes).drop_back();
    ArrayRef<OpFoldResult> lStrides = ArrayRef(strides).drop_back();
    SmallVector<Value> slices = {
        tensor::ExtractSliceOp::create(b, loc, oType, shared[0], offsets, sizes,
                                       strides),
        tensor::ExtractSliceOp::create(b, loc, lType, shared[1], lOffsets,
                                       lSizes, lStrides)};
    Value negInf = f32(kNegInf);
    auto rowLoop = buildFor(
        b, loc, idx(0), idx(rows), idx(1), slices,
        [&](Value r, ValueRange cur) -> SmallVector<Value> {
          auto lseOf = [&](Value split) {
            return extract(partLse, {bIdx, kvh, split, r});
          };
          auto maxLoop = buildFor(
              b, loc, idx(0), numSplits, idx(1), ValueRange{negInf},
              [&](Value sIdx, ValueRange a) -> SmallVector<Value> {
                return {arith::MaxNumFOp::create(b, loc, a[0], lseOf(sIdx))};
              });
          Value m = maxLoop.getResult(0);
          Value dead = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                             m, negInf);
          Value mSafe = select(dead, f32(0.0), m);
          auto sumLoop = buildFor(
              b, loc, idx(0), numSplits, idx(1), ValueRange{f32(0.0)},
              [&](Value sIdx, ValueRange a) -> SmallVector<Value> {
                Value e = math::ExpOp::create(
                    b, loc, arith::SubFOp::create(b, loc, lseOf(sIdx), mSafe));
                return {arith::AddFOp::create(b, loc, a[0], e)};
              });
          Value lse = arith::AddFOp::create(
              b, loc, mSafe, math::LogOp::create(b, loc, sumLoop.getResult(0)));
          lse = select(dead, negInf, lse);
          Value o = cur[0];
          for (int64_t e0 = 0; e0 < valueDim; e0 += kValueChunk) {
            int64_t w = std::min(kValueChunk, valueDim - e0);
            auto accLoop = buildFor(
                b, loc, idx(0), numSplits, idx(1), ValueRange{constVec(0.0, w)},
                [&](Value sIdx, ValueRange a) -> SmallVector<Value> {
                  Value wt = math::ExpOp::create(
                      b, loc, arith::SubFOp::create(b, loc, lseOf(sIdx), lse));
                  wt = select(dead, f32(0.0), wt);
                  Value part = read(parts, {bIdx, kvh, sIdx, r, idx(e0)}, w);
                  return {
                      vector::FMAOp::create(b, loc, splat(wt, w), part, a[0])};
                });
            o = write(accLoop.getResult(0), o, {r, idx(e0)});
          }
          return {o, insert(lse, cur[1], {r})};
        });
    b.setInsertionPointToStart(mergeLoop.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(b, loc, rowLoop.getResult(0),
                                          shared[0], offsets, sizes, strides);
    tensor::ParallelInsertSliceOp::create(
        b, loc, rowLoop.getResult(1), shared[1], lOffsets, lSizes, lStrides);
  }
  Value merged = mergeLoop.getResult(0), lse = mergeLoop.getResult(1);

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

FailureOr<SmallVector<Value>> Emitter::emit() {
  auto qType = cast<RankedTensorType>(p.query.getType());
  auto kType = cast<RankedTensorType>(p.key.getType());
  auto vType = cast<RankedTensorType>(p.value.getType());
  numHeads = qType.getDimSize(1);
  numKvHeads = p.isPaged() ? kType.getDimSize(2) : kType.getDimSize(1);
  groups = numHeads / numKvHeads;
  headDim = qType.getDimSize(3);
  valueDim = vType.getDimSize(3);
  lanes = t.tiles.lanes;
  paddedHeadDim = llvm::alignTo(headDim, lanes);
  blockKeys = t.blockKeys;
  queryType = qType.getElementType();
  keyType = kType.getElementType();
  valueType = vType.getElementType();
  directValues = !p.isPaged() && valueType.isF32();

  batchSize = dim(queryShape(), 0);
  querySize = dim(queryShape(), 2);
  if (p.isPaged()) {
    pageSize = dim(p.key, 1);
    if (!kType.isDynamicDim(1))
      staticPageSize = kType.getDimSize(1);
    numPages = dim(p.key, 0);
    keySize = mul(dim(p.blockTable, 1), pageSize);
  } else {
    keySize = dim(p.key, 2);
  }
  if (p.seqStarts)
    numSeqs = sub(dim(p.seqStarts, 0), idx(1));
  scale =
      f32(p.scale ? *p.scale : 1.0 / std::sqrt(static_cast<double>(headDim)));
  SmallVector<int32_t> iota(blockKeys);
  for (int64_t k = 0; k < blockKeys; ++k)
    iota[k] = static_cast<int32_t>(k);
  keyIota = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(VectorType::get({blockKeys}, b.getI32Type()),
                             ArrayRef<int32_t>(iota)));

  // Decode: a static, small number of query rows per kv group.
  int64_t sq = qType.getDimSize(2);
  bool decode =
      !ShapedType::isDynamic(sq) && !p.seqStarts && sq * groups <= t.decodeRows;
  if (decode) {
    tileQueries = sq;
  } else {
    tileQueries = std::max<int64_t>(1, t.blockRows / groups);
    if (!ShapedType::isDynamic(sq))
      tileQueries = std::min(tileQueries, std::max<int64_t>(sq, 1));
  }
  rows = groups * tileQueries;
  rowDot = decode && headDim % lanes == 0;
  // A function argument bufferizes to an identity-layout buffer.
  auto asBuffer = [&](Value v) -> Value {
    if (!rowDot || !isa<BlockArgument>(v))
      return Value();
    auto type = cast<RankedTensorType>(v.getType());
    return bufferization::ToBufferOp::create(
        b, loc, MemRefType::get(type.getShape(), type.getElementType()), v,
        b.getUnitAttr());
  };
  keyBuffer = asBuffer(p.key);
  if (p.isPaged())
    valueBuffer = asBuffer(p.value);
  rowBlock = std::min(t.tiles.rowBlock, rows);
  paddedRows = llvm::alignTo(rows, rowBlock);
  return decode ? emitSplitKv() : emitPrefill();
}

LogicalResult tokamak::cpu::canTileAttention(const AttentionProblem &p,
                                             std::string &reason) {
  auto qType = cast<RankedTensorType>(p.query.getType());
  auto kType = cast<RankedTensorType>(p.key.getType());
  auto vType = cast<RankedTensorType>(p.value.getType());
  int64_t hq = qType.getDimSize(1);
  int64_t hkv = p.isPaged() ? kType.getDimSize(2) : kType.getDimSize(1);
  if (ShapedType::isDynamic(hq) || ShapedType::isDynamic(hkv) || hkv <= 0 ||
      hq % hkv != 0) {
    reason = "dynamic or mismatched head counts";
    return failure();
  }
  if (ShapedType::isDynamic(qType.getDimSize(3)) ||
      ShapedType::isDynamic(vType.getDimSize(3))) {
    reason = "dynamic head dims";
    return failure();
  }
  if (qType.getDimSize(2) == 0 || qType.getDimSize(3) == 0 ||
      vType.getDimSize(3) == 0) {
    reason = "empty queries or head dims";
    return failure();
  }
  if (p.scoreMod && !p.scoreMod->hasOneBlock()) {
    reason = "multi-block score_mod";
    return failure();
  }
  // Rows of the head dims live in vector registers and the query heads of a
  // kv head are unrolled: far beyond real models (issue 13: 2^30 never
  // finished compiling) the reference lowering's loops take over.
  constexpr int64_t kMaxTiledHeadDim = 4096, kMaxTiledGroups = 4096;
  if (qType.getDimSize(3) > kMaxTiledHeadDim ||
      vType.getDimSize(3) > kMaxTiledHeadDim || hq / hkv > kMaxTiledGroups) {
    reason = "head dims or query heads per kv head too large";
    return failure();
  }
  return success();
}

FailureOr<SmallVector<Value>>
tokamak::cpu::emitTiledAttention(OpBuilder &b, Location loc,
                                 const AttentionProblem &p,
                                 const AttentionTiling &t) {
  return Emitter(b, loc, p, t).emit();
}
