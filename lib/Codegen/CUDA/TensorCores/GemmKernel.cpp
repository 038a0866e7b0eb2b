//===- GemmKernel.cpp - Tensor-core GEMM for tok.linear -------------------===//
//
// Part of the Tokamak project. `y = x·Wᵀ (+ bias)` with x `[M, K]` and W
// `[N, K]` (both K-contiguous, so W is the column-major B operand and its
// ldmatrix.x4 loads are untransposed, like K in attention). One CTA computes
// a blockM x blockN tile with warpsM x warpsN warps; a multi-stage ring of
// swizzled shared tiles is filled by cp.async, `stages - 1` K steps ahead,
// rows past M or N and columns past K zero-filled. Accumulators are f32 C
// fragments in registers; the epilogue adds the bias and rounds to the
// output type, storing only the elements inside [M, N].
//
//===----------------------------------------------------------------------===//

#include "Fragments.h"
#include "Kernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace tokamak::cuda::tc {

static void emitGemmBody(OpBuilder &b, Location loc,
                         const GemmKernelConfig &cfg, gpu::LaunchOp launch,
                         Value x, Value weight, Value bias, Value y) {
  FragmentBuilder fb(b, loc, cfg.elemType);
  const int threads = static_cast<int>(cfg.numThreads());
  const int64_t warpM = cfg.blockM / cfg.warpsM,
                warpN = cfg.blockN / cfg.warpsN;
  const int64_t mTiles = warpM / kMmaM, nTiles = warpN / kMmaN;

  IndexExpr tid = fb.wrap(launch.getThreadIds().x);
  IndexExpr lane = tid % 32, warp = tid / 32;
  IndexExpr warpRow = (warp / cfg.warpsN) * warpM;
  IndexExpr warpCol = (warp % cfg.warpsN) * warpN;
  IndexExpr m0 = fb.wrap(launch.getBlockIds().y) * cfg.blockM;
  IndexExpr n0 = fb.wrap(launch.getBlockIds().x) * cfg.blockN;
  IndexExpr numRows = fb.wrap(b.createOrFold<memref::DimOp>(loc, x, 0));
  IndexExpr depth = fb.wrap(b.createOrFold<memref::DimOp>(loc, x, 1));
  IndexExpr numCols = fb.wrap(b.createOrFold<memref::DimOp>(loc, weight, 0));
  IndexExpr zero = fb.index(0);
  IndexExpr numSteps = (depth + (cfg.blockK - 1)) / cfg.blockK;

  auto space =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  Value smem = gpu::DynamicSharedMemoryOp::create(
      b, loc,
      MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                      MemRefLayoutAttrInterface(), space));
  SharedTile sA = fb.sharedTile(smem, 0, cfg.stages, cfg.blockM, cfg.blockK);
  SharedTile sB =
      fb.sharedTile(smem, sA.bytes(), cfg.stages, cfg.blockN, cfg.blockK);

  // Copies K step `step` into `stage`; steps past the end copy nothing (row
  // limit 0). Columns are predicated only when K is not a static multiple
  // of the K step.
  std::optional<int64_t> staticDepth = getConstantIntValue(depth.value);
  bool raggedK = !staticDepth || *staticDepth % cfg.blockK != 0;
  auto load = [&](IndexExpr step, IndexExpr stage) {
    IndexExpr k0 = step * cfg.blockK;
    BoolExpr inRange = step < numSteps;
    std::optional<IndexExpr> kLimit;
    if (raggedK)
      kLimit = depth;
    SmallVector<Value> tokens;
    fb.copyTile(sA, stage, x, ValueRange(), m0,
                selectExpr(inRange, numRows, zero), k0, kLimit, tid, threads,
                tokens);
    fb.copyTile(sB, stage, weight, ValueRange(), n0,
                selectExpr(inRange, numCols, zero), k0, kLimit, tid, threads,
                tokens);
    return fb.commitGroup(tokens);
  };
  Value prologue;
  for (int64_t s = 0; s + 1 < cfg.stages; ++s)
    prologue = load(fb.index(s), fb.index(s));

  Value zeroC = arith::ConstantOp::create(
      b, loc, fb.cType(), DenseElementsAttr::get(fb.cType(), 0.0f));
  SmallVector<Value> init(mTiles * nTiles, zeroC);
  auto loop = scf::ForOp::create(b, loc, zero, numSteps, fb.index(1), init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    IndexExpr step = fb.wrap(loop.getInductionVar());
    SmallVector<Value> acc(loop.getRegionIterArgs());
    // Step `step` has landed once at most stages - 2 younger groups are in
    // flight (cp.async.wait_group counts groups; the token operand only
    // orders the op); the barrier also retires the reads of the stage
    // refilled next.
    fb.waitGroups(prologue, static_cast<int>(cfg.stages - 2));
    fb.barrier();
    load(step + (cfg.stages - 1), (step + (cfg.stages - 1)) % cfg.stages);
    IndexExpr stage = step % cfg.stages;
    for (int64_t ks = 0; ks < cfg.blockK / kMmaK; ++ks) {
      IndexExpr k0 = fb.index(ks * kMmaK);
      SmallVector<Value> a, bf;
      for (int64_t mt = 0; mt < mTiles; ++mt)
        a.push_back(fb.ldmatrixX4(sA, stage, warpRow + mt * kMmaM, k0, lane,
                                  X4Order::RowsFirst, /*transpose=*/false));
      for (int64_t np = 0; np < nTiles / 2; ++np) {
        Value x4 = fb.ldmatrixX4(sB, stage, warpCol + np * 16, k0, lane,
                                 X4Order::ColsFirst, /*transpose=*/false);
        bf.push_back(fb.bHalf(x4, 0));
        bf.push_back(fb.bHalf(x4, 1));
      }
      for (int64_t mt = 0; mt < mTiles; ++mt)
        for (int64_t nt = 0; nt < nTiles; ++nt)
          acc[mt * nTiles + nt] = fb.mma(a[mt], bf[nt], acc[mt * nTiles + nt]);
    }
    scf::YieldOp::create(b, loc, acc);
  }

  // Epilogue: bias, round, store what lies inside [M, N].
  Type elem = cfg.elemType;
  auto pairType = VectorType::get({2}, elem);
  for (int64_t nt = 0; nt < nTiles; ++nt) {
    RowCol<IndexExpr> c0 = mmaCElement(lane, 0, 0);
    IndexExpr col = n0 + warpCol + nt * kMmaN + c0.col;
    Value biasRow;
    if (bias) {
      // Both columns of the pair, clamped into [0, N).
      Value lo = memref::LoadOp::create(
          b, loc, bias, ValueRange{minExpr(col, numCols - fb.index(1))});
      Value hi = memref::LoadOp::create(
          b, loc, bias, ValueRange{minExpr(col + 1, numCols - fb.index(1))});
      biasRow = arith::ExtFOp::create(
          b, loc, fb.rowType(),
          vector::FromElementsOp::create(b, loc, pairType, ValueRange{lo, hi})
              .getResult());
    }
    for (int64_t mt = 0; mt < mTiles; ++mt)
      for (int reg = 0; reg < 2; ++reg) {
        RowCol<IndexExpr> rc = mmaCElement(lane, reg, 0);
        IndexExpr row = m0 + warpRow + mt * kMmaM + rc.row;
        Value v = fb.cRow(loop.getResult(mt * nTiles + nt), reg);
        if (biasRow)
          v = arith::AddFOp::create(b, loc, v, biasRow);
        Value h = arith::TruncFOp::create(b, loc, pairType, v);
        // N is even: a pair is either wholly inside or wholly outside.
        auto inside =
            scf::IfOp::create(b, loc, (row < numRows && col < numCols).value,
                              /*withElseRegion=*/false);
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(&inside.getThenRegion().front());
        vector::StoreOp::create(b, loc, h, y, ValueRange{row, col});
      }
  }
}

void emitGemm(OpBuilder &b, Location loc, const GemmKernelConfig &config,
              Value x, Value weight, Value bias, Value y) {
  auto idx = [&](int64_t c) -> Value {
    return arith::ConstantIndexOp::create(b, loc, c);
  };
  auto ceilDiv = [&](Value v, int64_t d) -> Value {
    return b.createOrFold<arith::DivUIOp>(
        loc, b.createOrFold<arith::AddIOp>(loc, v, idx(d - 1)), idx(d));
  };
  Value rows = b.createOrFold<memref::DimOp>(loc, x, 0);
  Value cols = b.createOrFold<memref::DimOp>(loc, weight, 0);
  Value smemBytes =
      arith::ConstantIntOp::create(b, loc, config.sharedBytes(), 32);
  auto launch = gpu::LaunchOp::create(
      b, loc, ceilDiv(cols, config.blockN), ceilDiv(rows, config.blockM),
      idx(1), idx(config.numThreads()), idx(1), idx(1), smemBytes);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());
  emitGemmBody(b, loc, config, launch, x, weight, bias, y);
  gpu::TerminatorOp::create(b, loc);
}

} // namespace tokamak::cuda::tc
