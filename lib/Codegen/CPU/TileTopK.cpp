//===- TileTopK.cpp - Vectorized top-k selection
//---------------------------===//
//
// Part of the Tokamak project. Replaces tok.topk along the last dim with a
// filter-and-compress kernel, one row per task:
//
//   scf.forall (rows):
//     key_j = the score as an order-preserving i32 (sign-magnitude flip,
//             −0 as +0, NaN below −inf; the sum over a group first)
//     for each vector of L keys:                    (L = the target's lanes)
//       m = key > thr                               (one vector compare)
//       if any(m): compress-store (key << 32 | ~j) of the lanes of m into
//                  the row's candidate buffer; when it holds more than
//                  BUF − L, sort it and keep the best k: thr = the k-th key
//     sort the candidates (descending 64-bit (key, ~index): value order,
//     ties by lower index), apply budget and mass, write k values and
//     indices per vector (fill past the count).
//
// Before the buffer first fills, thr admits everything; afterwards an entry
// enters only if it beats the current k-th best, so for most rows a vector
// costs a load, the key arithmetic, a compare and a mask test. A later
// entry equal to the k-th key has a higher index and cannot enter, which is
// why the compare is strict. The sort is a branch-free bottom-up merge sort
// over two stack buffers (BUF = 2·max(k, L) 64-bit entries each). Selections
// along another dim, rank-1 inputs, k = 0 and k too large for the stack
// buffers stay for convert-tok-to-linalg.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "PassTarget.h"

#include "dialects/Tok/IR/TokOps.h"
#include "tokamak/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

#include <limits>

namespace tokamak::cpu {
#define GEN_PASS_DEF_TILETOPK
#include "tokamak/Codegen/CPU/Passes.h.inc"
} // namespace tokamak::cpu

using namespace mlir;
using namespace tokamak::cpu;

namespace {

/// The static facts of one selection.
struct TopKPlan {
  int64_t rank = 0, k = 0, lanes = 0;
  /// Group size (1 without `group`) and the grouped dim (-1 without).
  int64_t group = 1, groupDim = -1;
  /// Entries of each candidate buffer (a multiple of `lanes`, ≥ k + lanes).
  int64_t buffer = 0;
  bool smallest = false;
  std::optional<double> mass;
};

/// The key of an f32 entry: larger number ⇔ larger key (signed i32).
constexpr int32_t kNanKey = std::numeric_limits<int32_t>::min() + 1;
constexpr int32_t kNoKey = std::numeric_limits<int32_t>::min();

class TopKEmitter {
public:
  TopKEmitter(OpBuilder &b, Location loc, tok::TopKOp op, const TopKPlan &plan)
      : kb(b, loc, plan.lanes), op(op), p(plan), lanes(plan.lanes),
        i32(b.getI32Type()), i64(b.getI64Type()) {}

  /// The op's results.
  SmallVector<Value> emit();

private:
  Value intVec(Type elem, int64_t value) {
    auto type = VectorType::get({lanes}, elem);
    return arith::ConstantOp::create(
        kb.b, kb.loc, type,
        DenseElementsAttr::get(type, kb.b.getIntegerAttr(elem, value)));
  }
  Value intCst(Type elem, int64_t value) {
    return arith::ConstantOp::create(kb.b, kb.loc,
                                     kb.b.getIntegerAttr(elem, value));
  }
  /// [0, 1, ..., L-1] as i32.
  Value iota() {
    auto type = VectorType::get({lanes}, i32);
    SmallVector<int32_t> v(lanes);
    for (int64_t i = 0; i < lanes; ++i)
      v[i] = static_cast<int32_t>(i);
    return arith::ConstantOp::create(kb.b, kb.loc, type,
                                     DenseElementsAttr::get(type, ArrayRef(v)));
  }
  /// The order-preserving i32 key of f32 values (scalar or vector): flips
  /// the magnitude bits of negatives; the flip is its own inverse.
  Value flip(Value bits, bool vec) {
    Value sign = arith::ShRSIOp::create(
        kb.b, kb.loc, bits, vec ? intVec(i32, 31) : intCst(i32, 31));
    Value mask = arith::AndIOp::create(kb.b, kb.loc, sign,
                                       vec ? intVec(i32, 0x7FFFFFFF)
                                           : intCst(i32, 0x7FFFFFFF));
    return arith::XOrIOp::create(kb.b, kb.loc, bits, mask);
  }
  /// The f32 value and the index of packed candidates `(key << 32) | ~j`.
  std::pair<Value, Value> unpack(Value packed, bool vec);

  /// The scores of row `row` (input indices but the last) at [c, c + L),
  /// summed over the group, negated for `smallest`; lanes past the row read
  /// zeros when `!inBounds`.
  Value scores(ArrayRef<Value> row, Value c, bool inBounds);
  /// Sorts buffer[0, n) descending (in place, through `tmp`).
  void sort(Value buffer, Value tmp, Value n);

  KernelBuilder kb;
  tok::TopKOp op;
  const TopKPlan &p;
  const int64_t lanes;
  Type i32, i64;
};

std::pair<Value, Value> TopKEmitter::unpack(Value packed, bool vec) {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  Type keyType = vec ? Type(VectorType::get({lanes}, i32)) : i32;
  Type f32Type = vec ? Type(kb.vecType()) : Type(kb.f32);
  Value hi = arith::ShRSIOp::create(b, loc, packed,
                                    vec ? intVec(i64, 32) : intCst(i64, 32));
  Value key = arith::TruncIOp::create(b, loc, keyType, hi);
  Value value =
      arith::BitcastOp::create(b, loc, f32Type, flip(key, vec)).getResult();
  if (p.smallest)
    value = arith::NegFOp::create(b, loc, value);
  Value low = arith::TruncIOp::create(b, loc, keyType, packed);
  Value index = arith::XOrIOp::create(b, loc, low,
                                      vec ? intVec(i32, -1) : intCst(i32, -1));
  return {value, index};
}

Value TopKEmitter::scores(ArrayRef<Value> row, Value c, bool inBounds) {
  Value x = op.getInput();
  SmallVector<Value> idx(row.begin(), row.end());
  idx.push_back(c);
  Value sum;
  for (int64_t g = 0; g < p.group; ++g) {
    SmallVector<Value> at(idx);
    if (p.groupDim >= 0)
      at[p.groupDim] =
          kb.val(kb.add(kb.mul(row[p.groupDim], kb.cst(p.group)), kb.cst(g)));
    Value v = kb.read(x, at, lanes, inBounds);
    sum = sum ? kb.addf(sum, v) : v;
  }
  if (p.smallest)
    sum = arith::NegFOp::create(kb.b, kb.loc, sum);
  return sum;
}

void TopKEmitter::sort(Value buffer, Value tmp, Value n) {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  Type index = b.getIndexType();
  // ceil(log2(n)) passes, rounded up to an even count so that the result
  // lands in `buffer` (an extra pass with runs ≥ n is a copy).
  Value n64 =
      arith::IndexCastOp::create(b, loc, i64, kb.val(kb.max(n, kb.cst(1))));
  Value lz = math::CountLeadingZerosOp::create(
      b, loc, arith::SubIOp::create(b, loc, n64, intCst(i64, 1)));
  Value passes = arith::SubIOp::create(b, loc, intCst(i64, 65), lz);
  passes = arith::AndIOp::create(b, loc, passes, intCst(i64, ~int64_t(1)));
  passes = arith::IndexCastOp::create(b, loc, index, passes);

  auto outer = scf::ForOp::create(
      b, loc, kb.idx(0), passes, kb.idx(1), ValueRange{buffer, tmp},
      [&](OpBuilder &ob, Location ol, Value pass, ValueRange bufs) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToEnd(ob.getInsertionBlock());
        Value src = bufs[0], dst = bufs[1];
        Value width = arith::ShLIOp::create(b, loc, kb.idx(1), pass);
        Value step = arith::ShLIOp::create(b, loc, width, kb.idx(1));
        scf::ForOp::create(
            b, loc, kb.idx(0), n, step, ValueRange{},
            [&](OpBuilder &rb, Location, Value lo, ValueRange) {
              OpBuilder::InsertionGuard guard2(b);
              b.setInsertionPointToEnd(rb.getInsertionBlock());
              Value mid = kb.val(kb.min(kb.add(lo, width), n));
              Value hi = kb.val(kb.min(kb.add(lo, step), n));
              Value midLast = kb.val(kb.sub(mid, kb.cst(1)));
              Value hiLast = kb.val(kb.sub(hi, kb.cst(1)));
              // Branch-free merge of [lo, mid) and [mid, hi).
              scf::ForOp::create(
                  b, loc, lo, hi, kb.idx(1), ValueRange{lo, mid},
                  [&](OpBuilder &mb, Location, Value o, ValueRange ij) {
                    OpBuilder::InsertionGuard guard3(b);
                    b.setInsertionPointToEnd(mb.getInsertionBlock());
                    Value i = ij[0], j = ij[1];
                    Value a = kb.loadScalar(src, {kb.val(kb.min(i, midLast))});
                    Value c = kb.loadScalar(src, {kb.val(kb.min(j, hiLast))});
                    Value leftLeft = kb.cmp(arith::CmpIPredicate::slt, i, mid);
                    Value rightDone = kb.cmp(arith::CmpIPredicate::sge, j, hi);
                    Value larger = arith::CmpIOp::create(
                        b, loc, arith::CmpIPredicate::sgt, a, c);
                    Value take = arith::AndIOp::create(
                        b, loc, leftLeft,
                        arith::OrIOp::create(b, loc, rightDone, larger));
                    kb.storeScalar(arith::SelectOp::create(b, loc, take, a, c),
                                   dst, {o});
                    Value one = kb.idx(1), zero = kb.idx(0);
                    Value di = arith::SelectOp::create(b, loc, take, one, zero);
                    Value dj = arith::SelectOp::create(b, loc, take, zero, one);
                    scf::YieldOp::create(
                        b, loc,
                        ValueRange{arith::AddIOp::create(b, loc, i, di),
                                   arith::AddIOp::create(b, loc, j, dj)});
                  });
              scf::YieldOp::create(b, loc);
            });
        scf::YieldOp::create(b, loc, ValueRange{dst, src});
      });
  (void)outer;
}

SmallVector<Value> TopKEmitter::emit() {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  Value x = op.getInput();
  auto valuesType = cast<RankedTensorType>(op.getValues().getType());
  auto indicesType = cast<RankedTensorType>(op.getIndices().getType());
  Type elemType = valuesType.getElementType();
  Type idxType = indicesType.getElementType();
  int64_t rows = p.rank - 1;
  int64_t k = p.k;
  double inf = std::numeric_limits<double>::infinity();

  // The row space: the input's dims but the last, the grouped one / G.
  SmallVector<OpFoldResult> rowSizes;
  for (int64_t i = 0; i < rows; ++i) {
    OpFoldResult size = kb.dim(x, i);
    if (i == p.groupDim)
      size = kb.floorDiv(size, kb.cst(p.group));
    rowSizes.push_back(size);
  }
  OpFoldResult len = kb.dim(x, rows);
  SmallVector<OpFoldResult> resSizes(rowSizes);
  resSizes.push_back(kb.cst(k));
  SmallVector<Value> outs = {
      tensor::EmptyOp::create(b, loc, resSizes, elemType),
      tensor::EmptyOp::create(b, loc, resSizes, idxType)};
  if (op.getCount())
    outs.push_back(tensor::EmptyOp::create(b, loc, rowSizes, i32));

  auto forall = scf::ForallOp::create(b, loc, rowSizes, outs,
                                      /*mapping=*/std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  SmallVector<Value> row = llvm::to_vector(forall.getInductionVars());

  // The candidate buffers of this row.
  auto bufType = MemRefType::get({p.buffer}, i64);
  Value buffer =
      memref::AllocaOp::create(b, loc, bufType, b.getI64IntegerAttr(64));
  Value tmp =
      memref::AllocaOp::create(b, loc, bufType, b.getI64IntegerAttr(64));

  // The filter pass: (count, threshold, mass accumulator).
  auto chunk = [&](Value c, ValueRange st, bool tail) -> KernelBuilder::Values {
    Value count = st[0], thr = st[1];
    Value v = scores(row, c, /*inBounds=*/!tail);
    KernelBuilder::Values next(st.begin(), st.end());
    if (p.mass)
      next[2] = kb.addf(
          st[2], arith::MaxNumFOp::create(b, loc, v, kb.cstF(0.0, lanes)));
    // −0 + 0 = +0, so that −0 and +0 get one key.
    Value z = kb.addf(v, kb.cstF(0.0, lanes));
    Value key =
        flip(arith::BitcastOp::create(b, loc, VectorType::get({lanes}, i32), z),
             /*vec=*/true);
    Value nan = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, v, v);
    key = arith::SelectOp::create(b, loc, nan, intVec(i32, kNanKey), key);
    Value c32 = kb.toI32(c);
    Value lane = arith::AddIOp::create(b, loc, iota(), kb.splat(c32, lanes));
    if (tail) {
      Value live =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, lane,
                                kb.splat(kb.toI32(kb.val(len)), lanes));
      key = arith::SelectOp::create(b, loc, live, key, intVec(i32, kNoKey));
    }
    Value pass = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, key,
                                       kb.splat(thr, lanes));
    Value any =
        vector::ReductionOp::create(b, loc, vector::CombiningKind::OR, pass);
    KernelBuilder::Values kept = kb.ifElse(
        any, TypeRange{count.getType(), thr.getType()},
        [&]() -> KernelBuilder::Values {
          auto v64 = VectorType::get({lanes}, i64);
          Value hi = arith::ShLIOp::create(
              b, loc, arith::ExtSIOp::create(b, loc, v64, key),
              intVec(i64, 32));
          Value lo = arith::ExtUIOp::create(
              b, loc, v64,
              arith::XOrIOp::create(b, loc, lane, intVec(i32, -1)));
          Value packed = arith::OrIOp::create(b, loc, hi, lo);
          // The generated builder (with the alignment attribute): LLVM 22's
          // MaybeAlign convenience builder swaps mask and value.
          vector::CompressStoreOp::create(b, loc, buffer, ValueRange{count},
                                          pass, packed, IntegerAttr());
          Value ones = arith::ExtUIOp::create(
              b, loc, VectorType::get({lanes}, i32), pass);
          Value pop = vector::ReductionOp::create(
              b, loc, vector::CombiningKind::ADD, ones);
          Value grown = kb.val(kb.add(count, kb.toIndex(pop)));
          Value full = kb.cmp(arith::CmpIPredicate::sgt, grown,
                              kb.cst(p.buffer - lanes));
          return kb.ifElse(
              full, TypeRange{count.getType(), thr.getType()},
              [&]() -> KernelBuilder::Values {
                sort(buffer, tmp, grown);
                Value kth = kb.loadScalar(buffer, {kb.idx(k - 1)});
                Value top =
                    arith::ShRSIOp::create(b, loc, kth, intCst(i64, 32));
                return {kb.idx(k), arith::TruncIOp::create(b, loc, i32, top)};
              },
              [&]() -> KernelBuilder::Values { return {grown, thr}; });
        },
        [&]() -> KernelBuilder::Values { return {count, thr}; });
    next[0] = kept[0];
    next[1] = kept[1];
    return next;
  };
  KernelBuilder::Values state = {kb.idx(0), intCst(i32, kNoKey)};
  if (p.mass)
    state.push_back(kb.cstF(0.0, lanes));
  OpFoldResult full = kb.roundDown(len, lanes);
  state = kb.loop(kb.cst(0), full, lanes, state,
                  [&](Value c, ValueRange st) { return chunk(c, st, false); });
  std::optional<int64_t> staticLen = getConstantIntValue(len);
  if (!staticLen || *staticLen % lanes != 0)
    state = chunk(kb.val(full), state, /*tail=*/true);
  Value count = state[0];

  // The sorted candidates; how many of them each row keeps.
  sort(buffer, tmp, count);
  Value limit = kb.val(kb.min(count, kb.cst(k)));
  if (Value budget = op.getBudget()) {
    Value bud = tensor::ExtractOp::create(b, loc, budget, row);
    bud = arith::MaxSIOp::create(b, loc, bud, intCst(i32, 0));
    limit = kb.val(kb.min(limit, kb.toIndex(bud)));
  }
  if (p.mass) {
    Value total = vector::ReductionOp::create(
        b, loc, vector::CombiningKind::ADD, state[2]);
    Value bound = kb.mulf(total, kb.cstF(*p.mass));
    KernelBuilder::Values prefix = kb.loop(
        kb.cst(0), limit, 1, ValueRange{kb.cstF(0.0), kb.idx(0)},
        [&](Value j, ValueRange st) -> KernelBuilder::Values {
          Value value = unpack(kb.loadScalar(buffer, {j}), false).first;
          Value below = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT,
                                              st[0], bound);
          Value add =
              arith::SelectOp::create(b, loc, below, kb.idx(1), kb.idx(0));
          Value mass = arith::MaxNumFOp::create(b, loc, value, kb.cstF(0.0));
          return {kb.addf(st[0], mass),
                  arith::AddIOp::create(b, loc, st[1], add)};
        });
    limit = prefix[1];
  }

  // Write the row: k values and indices, fill past `limit`.
  SmallVector<OpFoldResult> offsets(row.begin(), row.end());
  offsets.push_back(kb.cst(0));
  SmallVector<OpFoldResult> sizes(rows, kb.cst(1));
  sizes.push_back(kb.cst(k));
  SmallVector<OpFoldResult> strides(p.rank, kb.cst(1));
  ValueRange shared = forall.getRegionIterArgs();
  Value valsTile = tensor::ExtractSliceOp::create(b, loc, shared[0], offsets,
                                                  sizes, strides);
  Value idxsTile = tensor::ExtractSliceOp::create(b, loc, shared[1], offsets,
                                                  sizes, strides);
  Value limit32 = kb.toI32(limit);
  auto writeAt = [&](Value j0, ValueRange tiles,
                     bool inBounds) -> KernelBuilder::Values {
    Value packed = vector::LoadOp::create(b, loc, VectorType::get({lanes}, i64),
                                          buffer, ValueRange{j0});
    auto [value, index] = unpack(packed, true);
    Value lane =
        arith::AddIOp::create(b, loc, iota(), kb.splat(kb.toI32(j0), lanes));
    Value keep = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, lane,
                                       kb.splat(limit32, lanes));
    value = arith::SelectOp::create(b, loc, keep, value,
                                    kb.cstF(p.smallest ? inf : -inf, lanes));
    index = arith::SelectOp::create(b, loc, keep, index, intVec(i32, -1));
    if (!idxType.isInteger(32))
      index = arith::ExtSIOp::create(b, loc, VectorType::get({lanes}, idxType),
                                     index);
    SmallVector<Value> at(rows, kb.idx(0));
    at.push_back(j0);
    Value vals = kb.write(value, tiles[0], at, {inBounds});
    Value idxs = vector::TransferWriteOp::create(b, loc, index, tiles[1], at,
                                                 ArrayRef<bool>{inBounds})
                     .getResult();
    return {vals, idxs};
  };
  int64_t kFull = k / lanes * lanes;
  KernelBuilder::Values tiles =
      kb.loop(kb.cst(0), kb.cst(kFull), lanes, ValueRange{valsTile, idxsTile},
              [&](Value j0, ValueRange t) { return writeAt(j0, t, true); });
  if (kFull != k)
    tiles = writeAt(kb.idx(kFull), tiles, /*inBounds=*/false);
  Value countTile;
  SmallVector<OpFoldResult> rowOffsets(row.begin(), row.end());
  SmallVector<OpFoldResult> rowOnes(rows, kb.cst(1));
  SmallVector<OpFoldResult> rowStrides(rows, kb.cst(1));
  if (op.getCount()) {
    countTile = tensor::ExtractSliceOp::create(b, loc, shared[2], rowOffsets,
                                               rowOnes, rowStrides);
    SmallVector<Value> zeros(rows, kb.idx(0));
    countTile = kb.insertElement(limit32, countTile, zeros);
  }

  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loc, tiles[0], shared[0], offsets,
                                        sizes, strides);
  tensor::ParallelInsertSliceOp::create(b, loc, tiles[1], shared[1], offsets,
                                        sizes, strides);
  if (countTile)
    tensor::ParallelInsertSliceOp::create(b, loc, countTile, shared[2],
                                          rowOffsets, rowOnes, rowStrides);
  return SmallVector<Value>(forall.getResults());
}

struct TileTopKPass : tokamak::cpu::impl::TileTopKBase<TileTopKPass> {
  using TileTopKBase::TileTopKBase;

  void runOnOperation() override {
    FailureOr<CpuTarget> target = resolvePassTarget(
        getOperation(), getArgument(), cpu, cpuFeatures, numThreads, remarks);
    if (failed(target))
      return signalPassFailure();
    tileEach<tok::TopKOp>(
        getOperation(), getArgument(), remarks,
        [&](tok::TopKOp op, std::string &why) {
          return analyze(op, *target, why);
        },
        [&](IRRewriter &rewriter, tok::TopKOp op, const TopKPlan &plan) {
          if (remarks)
            op.emitRemark()
                << "tok-tile-topk: " << plan.lanes
                << "-lane keys, candidate buffer " << plan.buffer << " x 2 ("
                << plan.buffer * 16 / 1024 << " KiB per row task)";
          TopKEmitter emitter(rewriter, op.getLoc(), op, plan);
          SmallVector<Value> results = emitter.emit();
          for (auto [result, value] : llvm::zip(op->getResults(), results))
            if (value.getType() != result.getType())
              value = tensor::CastOp::create(rewriter, op.getLoc(),
                                             result.getType(), value);
          rewriter.replaceOp(op, results);
        });
  }

  /// The static facts the kernel needs, or nothing for the selections left
  /// to the reference lowering.
  std::optional<TopKPlan> analyze(tok::TopKOp op, const CpuTarget &target,
                                  std::string &why) {
    TopKPlan p;
    p.rank = op.getInput().getType().getRank();
    p.k = op.getK();
    if (p.rank < 2 || op.getSelectedDim() != p.rank - 1) {
      why = "the kernel selects along the last dim of a rank >= 2 input";
      return std::nullopt;
    }
    if (p.k < 1) {
      why = "k = 0 selects nothing";
      return std::nullopt;
    }
    p.lanes = target.f32Lanes();
    p.buffer = 2 * std::max(p.k, p.lanes);
    p.buffer = (p.buffer + p.lanes - 1) / p.lanes * p.lanes;
    if (2 * p.buffer * 8 > kMaxScratchBytes) {
      why = "k is too large for the stack buffers of a row task";
      return std::nullopt;
    }
    if (op.getGroup()) {
      p.group = op.getGroupSize();
      p.groupDim = op.getGroupedDim();
    }
    p.smallest = op.getSmallest();
    if (std::optional<APFloat> mass = op.getMass())
      p.mass = mass->convertToDouble();
    return p;
  }
};

} // namespace
