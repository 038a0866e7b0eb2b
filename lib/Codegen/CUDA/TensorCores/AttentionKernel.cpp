//===- AttentionKernel.cpp - FlashAttention-2 forward on mma.sync ---------===//
//
// Part of the Tokamak project. One CTA holds a tile of 16·numWarps query rows
// of one (batch, query head); each warp owns 16 rows as mma C fragments.
// Q is loaded once into A fragments. Key blocks [first, end) — the blocks
// the causal/window masks leave visible, all others are never visited —
// stream through two shared stages with cp.async (the next block is copied
// while this one is computed). Per block: S = Q·Kᵀ (ldmatrix.x4 of K, two
// n-tiles per load), scale or softcap into the log2 domain, the mask only
// in blocks that cross the diagonal, window edge or the end of the keys
// (`scf.if`), the online softmax on registers (row max by thread-local
// reduction and quad shuffles, exp2, rescale of O by alpha), and O += P·V
// with P reused from the C fragments as A operands (C -> A identity) and V
// read by ldmatrix.x4.trans. The row sums stay per-thread partials until
// the epilogue.
//
//===----------------------------------------------------------------------===//

#include "Fragments.h"
#include "Kernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace tokamak::cuda::tc {

namespace {

/// The attention kernel body under construction.
class AttentionEmitter {
public:
  AttentionEmitter(OpBuilder &b, Location loc,
                   const AttentionKernelConfig &config)
      : fb(b, loc, config.elemType), b(b), loc(loc), cfg(config) {}

  void emitBody(gpu::LaunchOp launch, Value query, Value key, Value value,
                Value output, Value lse);

private:
  /// Scales raw scores into the log2 domain (with the softcap if any).
  Value scaleRow(Value row);
  /// The masked scores of one key block (an `scf.if` on `needsMask`).
  SmallVector<Value> maskScores(ArrayRef<Value> scores, BoolExpr needsMask,
                                const MaskParams<IndexExpr> &mask, IndexExpr q0,
                                IndexExpr warpRow, IndexExpr j0,
                                IndexExpr lane);

  FragmentBuilder fb;
  OpBuilder &b;
  Location loc;
  const AttentionKernelConfig &cfg;
};

} // namespace

Value AttentionEmitter::scaleRow(Value row) {
  constexpr double log2e = 1.4426950408889634;
  if (!cfg.softcap)
    return arith::MulFOp::create(b, loc, row,
                                 fb.splat(fb.f32(cfg.scale * log2e)));
  // s = c · tanh(scale · s / c), then · log2 e.
  double c = *cfg.softcap;
  Value t = arith::MulFOp::create(b, loc, row, fb.splat(fb.f32(cfg.scale / c)));
  t = math::TanhOp::create(b, loc, t);
  return arith::MulFOp::create(b, loc, t, fb.splat(fb.f32(c * log2e)));
}

SmallVector<Value>
AttentionEmitter::maskScores(ArrayRef<Value> scores, BoolExpr needsMask,
                             const MaskParams<IndexExpr> &mask, IndexExpr q0,
                             IndexExpr warpRow, IndexExpr j0, IndexExpr lane) {
  SmallVector<Type> types(scores.size(), fb.cType());
  auto ifOp = scf::IfOp::create(b, loc, types, needsMask.value,
                                /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&ifOp.getElseRegion().front());
  scf::YieldOp::create(b, loc, scores);

  b.setInsertionPointToStart(&ifOp.getThenRegion().front());
  Value ninf = fb.splat(fb.f32(-std::numeric_limits<double>::infinity()));
  auto maskType = VectorType::get({2}, b.getI1Type());
  SmallVector<Value> masked;
  for (auto [nt, s] : llvm::enumerate(scores)) {
    Value frag = s;
    for (int reg = 0; reg < 2; ++reg) {
      SmallVector<Value> visible;
      for (int e = 0; e < 2; ++e) {
        RowCol<IndexExpr> rc = mmaCElement(lane, reg, e);
        IndexExpr i = packedRowPosition(q0, warpRow + rc.row,
                                        static_cast<int>(cfg.headsPerTile),
                                        static_cast<int>(cfg.blockRows()));
        IndexExpr j = j0 + (8 * static_cast<int64_t>(nt)) + rc.col;
        visible.push_back(keyVisible(mask, i, j, fb.boolean(true)).value);
      }
      Value pred = vector::FromElementsOp::create(b, loc, maskType, visible);
      Value row =
          arith::SelectOp::create(b, loc, pred, fb.cRow(frag, reg), ninf);
      frag = fb.withCRow(frag, reg, row);
    }
    masked.push_back(frag);
  }
  scf::YieldOp::create(b, loc, masked);
  return SmallVector<Value>(ifOp.getResults());
}

void AttentionEmitter::emitBody(gpu::LaunchOp launch, Value query, Value key,
                                Value value, Value output, Value lse) {
  const int64_t d = cfg.headDim, bm = cfg.blockRows(), bn = cfg.blockKeys;
  const int threads = static_cast<int>(cfg.numThreads());
  const int64_t group = cfg.numQueryHeads / cfg.numKvHeads;

  IndexExpr tid = fb.wrap(launch.getThreadIds().x);
  IndexExpr lane = tid % 32, warp = tid / 32;
  IndexExpr qBlock = fb.wrap(launch.getBlockIds().x);
  const int hpt = static_cast<int>(cfg.headsPerTile);
  const int64_t positions = cfg.positionsPerTile();
  IndexExpr headBase = fb.wrap(launch.getBlockIds().y) * hpt;
  IndexExpr batch = fb.wrap(launch.getBlockIds().z);
  IndexExpr kvHead = headBase / group;
  IndexExpr numQueries = fb.wrap(b.createOrFold<memref::DimOp>(loc, query, 2));
  IndexExpr numKeys = fb.wrap(b.createOrFold<memref::DimOp>(loc, key, 2));
  IndexExpr q0 = qBlock * positions;
  IndexExpr zero = fb.index(0);

  // Shared memory: Q [1, BM, D], K and V [2, BN, D], all swizzled.
  auto space =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  Value smem = gpu::DynamicSharedMemoryOp::create(
      b, loc,
      MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                      MemRefLayoutAttrInterface(), space));
  SharedTile sQ = fb.sharedTile(smem, 0, 1, bm, d);
  SharedTile sK = fb.sharedTile(smem, sQ.bytes(), 2, bn, d);
  SharedTile sV = fb.sharedTile(smem, sQ.bytes() + sK.bytes(), 2, bn, d);

  MaskParams<IndexExpr> mask{numKeys, numKeys - numQueries, cfg.causal,
                             cfg.window};
  RowCol<IndexExpr> range =
      keyBlockRange(mask, q0, static_cast<int>(positions), static_cast<int>(bn),
                    zero, minExpr, maxExpr);
  IndexExpr first = range.row, numBlocks = range.col - range.row;

  // Prologue: the Q tile and K of block `first` (one group), V of block
  // `first` (a second group), into stage 0.
  SmallVector<Value> tokens;
  // Tile row r of Q: head packedRowHead(r), position packedRowPosition(r).
  auto rowHead = [&](IndexExpr r) {
    return packedRowHead(headBase, r, hpt, static_cast<int>(bm));
  };
  auto rowPosition = [&](IndexExpr r) {
    return packedRowPosition(q0, r, hpt, static_cast<int>(bm));
  };
  auto queryRow = [&](IndexExpr r) {
    IndexExpr position = rowPosition(r);
    SmallVector<Value> idx{batch, rowHead(r), position};
    return std::make_pair(idx, position < numQueries);
  };
  fb.copyTileRows(sQ, zero, query, queryRow, zero, std::nullopt, tid, threads,
                  tokens);
  IndexExpr kRow0 = first * bn;
  fb.copyTile(sK, zero, key, ValueRange{batch, kvHead}, kRow0, numKeys, zero,
              std::nullopt, tid, threads, tokens);
  Value prologue = fb.commitGroup(tokens);
  tokens.clear();
  fb.copyTile(sV, zero, value, ValueRange{batch, kvHead}, kRow0, numKeys, zero,
              std::nullopt, tid, threads, tokens);
  fb.commitGroup(tokens);
  fb.waitGroups(prologue, 1);
  fb.barrier();

  IndexExpr warpRow = warp * 16;
  SmallVector<Value> qFrags;
  for (int64_t kk = 0; kk < d / kMmaK; ++kk)
    qFrags.push_back(fb.ldmatrixX4(sQ, zero, warpRow, fb.index(kk * kMmaK),
                                   lane, X4Order::RowsFirst,
                                   /*transpose=*/false));

  // Loop state: m (log2 domain) and the thread's partial l for rows g and
  // g + 8, and the D/8 output fragments.
  const int64_t nTilesS = bn / kMmaN, nTilesO = d / kMmaN;
  double inf = std::numeric_limits<double>::infinity();
  Value ninfRow = fb.splat(fb.f32(-inf));
  Value zeroRow = fb.splat(fb.f32(0.0));
  Value zeroC = arith::ConstantOp::create(
      b, loc, fb.cType(), DenseElementsAttr::get(fb.cType(), 0.0f));
  SmallVector<Value> init{ninfRow, zeroRow};
  init.append(nTilesO, zeroC);
  auto loop = scf::ForOp::create(b, loc, zero, numBlocks, fb.index(1), init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    IndexExpr it = fb.wrap(loop.getInductionVar());
    Value mOld = loop.getRegionIterArgs()[0];
    Value lOld = loop.getRegionIterArgs()[1];
    SmallVector<Value> acc(loop.getRegionIterArgs().drop_front(2));
    IndexExpr stage = it % 2, nextStage = (it + 1) % 2;
    IndexExpr block = first + it;

    // K and V of each block are separate cp.async groups, so that V of
    // this block and K of the next land while S and the softmax run. Here
    // K of this block has landed (only V may still be in flight); after the
    // barrier every thread is done with the previous block's K stage, which
    // takes K of the next block (nothing is read past the last visited
    // block: its row limit is 0).
    fb.waitGroups(prologue, 1);
    fb.barrier();
    IndexExpr nextRow0 = (block + 1) * bn;
    IndexExpr nextLimit = selectExpr(it + 1 < numBlocks, numKeys, zero);
    SmallVector<Value> nextK;
    fb.copyTile(sK, nextStage, key, ValueRange{batch, kvHead}, nextRow0,
                nextLimit, zero, std::nullopt, tid, threads, nextK);
    Value nextKGroup = fb.commitGroup(nextK);

    // S = Q·Kᵀ.
    SmallVector<Value> s(nTilesS, zeroC);
    for (int64_t kk = 0; kk < d / kMmaK; ++kk)
      for (int64_t np = 0; np < nTilesS / 2; ++np) {
        Value x4 =
            fb.ldmatrixX4(sK, stage, fb.index(np * 16), fb.index(kk * kMmaK),
                          lane, X4Order::ColsFirst, /*transpose=*/false);
        s[2 * np] = fb.mma(qFrags[kk], fb.bHalf(x4, 0), s[2 * np]);
        s[2 * np + 1] = fb.mma(qFrags[kk], fb.bHalf(x4, 1), s[2 * np + 1]);
      }
    for (Value &frag : s)
      frag =
          fb.cFromRows(scaleRow(fb.cRow(frag, 0)), scaleRow(fb.cRow(frag, 1)));

    IndexExpr j0 = block * bn;
    BoolExpr needsMask =
        keyBlockNeedsMask(mask, q0, static_cast<int>(positions),
                          static_cast<int>(bn), j0, fb.boolean(false));
    s = maskScores(s, needsMask, mask, q0, warpRow, j0, lane);

    // Online softmax.
    Value mx0 = fb.rowReduce(s, 0, /*isMax=*/true, /*quad=*/true);
    Value mx1 = fb.rowReduce(s, 1, /*isMax=*/true, /*quad=*/true);
    Value mBlock = vector::FromElementsOp::create(b, loc, fb.rowType(),
                                                  ValueRange{mx0, mx1});
    Value mNew = arith::MaxNumFOp::create(b, loc, mOld, mBlock);
    // Rows that saw no key yet keep m = -inf; subtract 0 there (no NaN).
    Value isEmpty =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, mNew, ninfRow);
    Value mUse = arith::SelectOp::create(b, loc, isEmpty, zeroRow, mNew);
    Value alpha = fb.exp2(arith::SubFOp::create(b, loc, mOld, mUse));
    Value mRow[2], alphaRow[2];
    for (int r = 0; r < 2; ++r) {
      mRow[r] = fb.splat(vector::ExtractOp::create(b, loc, mUse, r));
      alphaRow[r] = fb.splat(vector::ExtractOp::create(b, loc, alpha, r));
    }
    SmallVector<Value> p;
    for (Value frag : s) {
      Value rows[2];
      for (int r = 0; r < 2; ++r)
        rows[r] =
            fb.exp2(arith::SubFOp::create(b, loc, fb.cRow(frag, r), mRow[r]));
      p.push_back(fb.cFromRows(rows[0], rows[1]));
    }
    Value sum0 = fb.rowReduce(p, 0, /*isMax=*/false, /*quad=*/false);
    Value sum1 = fb.rowReduce(p, 1, /*isMax=*/false, /*quad=*/false);
    Value rowSum = vector::FromElementsOp::create(b, loc, fb.rowType(),
                                                  ValueRange{sum0, sum1});
    Value lNew = arith::AddFOp::create(
        b, loc, arith::MulFOp::create(b, loc, lOld, alpha), rowSum);
    for (Value &frag : acc) {
      Value r0 = arith::MulFOp::create(b, loc, fb.cRow(frag, 0), alphaRow[0]);
      Value r1 = arith::MulFOp::create(b, loc, fb.cRow(frag, 1), alphaRow[1]);
      frag = fb.cFromRows(r0, r1);
    }

    // V of this block has landed once only K of the next block may be in
    // flight; after the barrier the previous block's V stage is free.
    fb.waitGroups(nextKGroup, 1);
    fb.barrier();
    SmallVector<Value> nextV;
    fb.copyTile(sV, nextStage, value, ValueRange{batch, kvHead}, nextRow0,
                nextLimit, zero, std::nullopt, tid, threads, nextV);
    fb.commitGroup(nextV);

    // O += P·V: P's C fragments are the A fragments of P·V.
    for (int64_t kk = 0; kk < nTilesS / 2; ++kk) {
      Value a = fb.aFromC(p[cToANTile(static_cast<int>(kk), 0)],
                          p[cToANTile(static_cast<int>(kk), 2)]);
      for (int64_t np = 0; np < nTilesO / 2; ++np) {
        Value x4 = fb.ldmatrixX4(sV, stage, fb.index(kk * kMmaK),
                                 fb.index(np * 16), lane, X4Order::RowsFirst,
                                 /*transpose=*/true);
        acc[2 * np] = fb.mma(a, fb.bHalf(x4, 0), acc[2 * np]);
        acc[2 * np + 1] = fb.mma(a, fb.bHalf(x4, 1), acc[2 * np + 1]);
      }
    }
    SmallVector<Value> yield{mNew, lNew};
    yield.append(acc);
    scf::YieldOp::create(b, loc, yield);
  }

  // Epilogue: l across the quad, O / l (0 for rows without keys), lse.
  Value mFinal = loop.getResult(0), lPart = loop.getResult(1);
  Value one = fb.f32(1.0), zeroF = fb.f32(0.0), ninf = fb.f32(-inf);
  for (int r = 0; r < 2; ++r) {
    Value l = fb.quadReduce(vector::ExtractOp::create(b, loc, lPart, r),
                            /*isMax=*/false);
    Value positive =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, l, zeroF);
    Value inv = arith::SelectOp::create(
        b, loc, positive, arith::DivFOp::create(b, loc, one, l), zeroF);
    Value invRow = fb.splat(inv);
    RowCol<IndexExpr> rc = mmaCElement(lane, r, 0);
    IndexExpr tileRow = warpRow + rc.row;
    IndexExpr row = rowPosition(tileRow), head = rowHead(tileRow);
    auto inRange = scf::IfOp::create(b, loc, (row < numQueries).value,
                                     /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&inRange.getThenRegion().front());
    auto outRowType = VectorType::get({2}, cfg.elemType);
    for (int64_t n = 0; n < nTilesO; ++n) {
      Value o = arith::MulFOp::create(b, loc, fb.cRow(loop.getResult(2 + n), r),
                                      invRow);
      Value h = arith::TruncFOp::create(b, loc, outRowType, o);
      IndexExpr col = fb.index(n * kMmaN) + rc.col;
      vector::StoreOp::create(b, loc, h, output,
                              ValueRange{batch, head, row, col});
    }
    if (lse) {
      // lse = ln(Σ exp(s)) = (m + log2 l) · ln 2; -inf without keys.
      auto leader = scf::IfOp::create(b, loc, (lane % 4 < fb.index(1)).value,
                                      /*withElseRegion=*/false);
      b.setInsertionPointToStart(&leader.getThenRegion().front());
      Value m = vector::ExtractOp::create(b, loc, mFinal, r);
      Value log2l = math::Log2Op::create(b, loc, l);
      Value v =
          arith::MulFOp::create(b, loc, arith::AddFOp::create(b, loc, m, log2l),
                                fb.f32(0.69314718055994531));
      v = arith::SelectOp::create(b, loc, positive, v, ninf);
      memref::StoreOp::create(b, loc, v, lse, ValueRange{batch, head, row});
    }
  }
}

void emitFlashAttention(OpBuilder &b, Location loc,
                        const AttentionKernelConfig &config, Value query,
                        Value key, Value value, Value output, Value lse) {
  auto idx = [&](int64_t c) -> Value {
    return arith::ConstantIndexOp::create(b, loc, c);
  };
  Value numQueries = b.createOrFold<memref::DimOp>(loc, query, 2);
  Value batch = b.createOrFold<memref::DimOp>(loc, query, 0);
  int64_t positions = config.positionsPerTile();
  Value gridX = b.createOrFold<arith::DivUIOp>(
      loc, b.createOrFold<arith::AddIOp>(loc, numQueries, idx(positions - 1)),
      idx(positions));
  Value smemBytes =
      arith::ConstantIntOp::create(b, loc, config.sharedBytes(), 32);
  auto launch = gpu::LaunchOp::create(
      b, loc, gridX, idx(config.numQueryHeads / config.headsPerTile), batch,
      idx(config.numThreads()), idx(1), idx(1), smemBytes);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());
  AttentionEmitter emitter(b, loc, config);
  emitter.emitBody(launch, query, key, value, output, lse);
  gpu::TerminatorOp::create(b, loc);
}

} // namespace tokamak::cuda::tc
