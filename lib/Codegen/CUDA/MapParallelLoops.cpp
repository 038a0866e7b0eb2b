//===- MapParallelLoops.cpp - Host scf.parallel to gpu.launch -------------===//
//
// Part of the Tokamak project. See the pass description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Codegen/CUDA/Passes.h"

#include "HostCode.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/RegionUtils.h"

namespace tokamak::cuda {
#define GEN_PASS_DEF_MAPPARALLELLOOPS
#include "tokamak/Codegen/CUDA/Passes.h.inc"
} // namespace tokamak::cuda

using namespace mlir;
using namespace tokamak::cuda;

/// Clones the body of `loop` (without its terminator) at `b`'s insertion
/// point with the induction variables replaced by `ivs`.
static void cloneBody(OpBuilder &b, scf::ParallelOp loop, ValueRange ivs) {
  IRMapping mapping;
  mapping.map(loop.getInductionVars(), ivs);
  for (Operation &op : loop.getBody()->without_terminator())
    b.clone(op, mapping);
}

/// Replaces an `scf.parallel` inside a kernel by a sequential loop nest.
static void sequentialize(scf::ParallelOp loop) {
  OpBuilder b(loop);
  scf::buildLoopNest(b, loop.getLoc(), loop.getLowerBound(),
                     loop.getUpperBound(), loop.getStep(),
                     [&](OpBuilder &nb, Location, ValueRange ivs) {
                       cloneBody(nb, loop, ivs);
                     });
  loop.erase();
}

/// Whether `value` is a host constant (a `memref.get_global` or a view of
/// one) that must be rematerialized in a kernel instead of passed to it.
static bool isHostConstant(Value value) {
  return getRootBuffer(value).getDefiningOp<memref::GetGlobalOp>() != nullptr;
}

/// Rematerializes, at the start of `launch`'s body, the host constants
/// (globals and their views) the body uses.
static void sinkHostConstants(gpu::LaunchOp launch) {
  llvm::SetVector<Value> above;
  getUsedValuesDefinedAbove(launch.getBody(), above);
  OpBuilder b = OpBuilder::atBlockBegin(&launch.getBody().front());
  IRMapping mapping;
  for (Value value : above) {
    if (!isHostConstant(value))
      continue;
    SmallVector<Operation *> views;
    Value root = getRootBuffer(value, &views);
    if (!mapping.contains(root))
      b.clone(*root.getDefiningOp(), mapping);
    for (Operation *view : views)
      if (!mapping.contains(view->getResult(0)))
        b.clone(*view, mapping);
    replaceAllUsesInRegionWith(value, mapping.lookup(value), launch.getBody());
  }
}

/// Replaces `loop` (an outermost host `scf.parallel`) by a launch of one
/// thread per iteration.
static LogicalResult mapToLaunch(scf::ParallelOp loop, int64_t blockSize) {
  if (loop.getNumResults() != 0)
    return loop.emitOpError("with reductions cannot be mapped to the gpu");
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value threads = arith::ConstantIndexOp::create(b, loc, blockSize);
  SmallVector<Value> tripCounts;
  Value total = one;
  for (auto [lb, ub, step] :
       llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
    Value span = arith::SubIOp::create(b, loc, ub, lb);
    Value count = arith::CeilDivSIOp::create(b, loc, span, step);
    count = arith::MaxSIOp::create(b, loc, count, zero);
    tripCounts.push_back(count);
    total = arith::MulIOp::create(b, loc, total, count);
  }
  // A launch of zero blocks is an error in CUDA: skip empty loops.
  Value nonEmpty =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, total, zero);
  auto ifOp = scf::IfOp::create(b, loc, nonEmpty, /*withElseRegion=*/false);
  b.setInsertionPointToStart(&ifOp.getThenRegion().front());
  Value blocks = arith::CeilDivUIOp::create(b, loc, total, threads);
  auto launch =
      gpu::LaunchOp::create(b, loc, blocks, one, one, threads, one, one);
  Block &body = launch.getBody().front();
  b.setInsertionPointToStart(&body);
  Value base = arith::MulIOp::create(b, loc, launch.getBlockIds().x, threads);
  Value id = arith::AddIOp::create(b, loc, base, launch.getThreadIds().x);
  Value inRange =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, id, total);
  auto guard = scf::IfOp::create(b, loc, inRange, /*withElseRegion=*/false);
  gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(&guard.getThenRegion().front());
  // Row-major delinearization: the last dim varies fastest, so neighbouring
  // threads touch neighbouring elements of row-major buffers.
  SmallVector<Value> ivs(tripCounts.size());
  Value rest = id;
  for (int64_t d = static_cast<int64_t>(tripCounts.size()) - 1; d >= 0; --d) {
    Value index =
        d == 0
            ? rest
            : arith::RemUIOp::create(b, loc, rest, tripCounts[d]).getResult();
    if (d != 0)
      rest = arith::DivUIOp::create(b, loc, rest, tripCounts[d]);
    Value scaled = arith::MulIOp::create(b, loc, index, loop.getStep()[d]);
    ivs[d] = arith::AddIOp::create(b, loc, loop.getLowerBound()[d], scaled);
  }
  cloneBody(b, loop, ivs);
  loop.erase();

  // What the thread runs stays sequential.
  SmallVector<scf::ParallelOp> nested;
  launch.getBody().walk<WalkOrder::PostOrder>(
      [&](scf::ParallelOp inner) { nested.push_back(inner); });
  for (scf::ParallelOp inner : nested) {
    if (inner.getNumResults() != 0)
      return inner.emitOpError("with reductions cannot be mapped to the gpu");
    sequentialize(inner);
  }
  sinkHostConstants(launch);
  return success();
}

namespace {
struct MapParallelLoopsPass
    : tokamak::cuda::impl::MapParallelLoopsBase<MapParallelLoopsPass> {
  using MapParallelLoopsBase::MapParallelLoopsBase;

  void runOnOperation() override {
    if (blockSize < 1 || blockSize > 1024) {
      getOperation().emitError("tok-cuda-map-parallel-loops: block-size must "
                               "be between 1 and 1024, got ")
          << blockSize;
      return signalPassFailure();
    }
    SmallVector<scf::ParallelOp> loops;
    getOperation().walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<gpu::LaunchOp, gpu::GPUModuleOp>(op))
        return WalkResult::skip();
      if (auto fn = dyn_cast<func::FuncOp>(op); fn && isDeallocHelper(fn))
        return WalkResult::skip();
      if (auto loop = dyn_cast<scf::ParallelOp>(op)) {
        loops.push_back(loop);
        return WalkResult::skip();
      }
      return WalkResult::advance();
    });
    for (scf::ParallelOp loop : loops)
      if (failed(mapToLaunch(loop, blockSize)))
        return signalPassFailure();
  }
};
} // namespace
