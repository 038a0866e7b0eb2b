//===- StageHostReads.cpp - Host reads of device buffers through copies ---===//
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
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"

namespace tokamak::cuda {
#define GEN_PASS_DEF_STAGEHOSTREADS
#include "tokamak/Codegen/CUDA/Passes.h.inc"
} // namespace tokamak::cuda

using namespace mlir;
using namespace tokamak::cuda;

/// Whether `op` only reads its memref operands' metadata or contents, or
/// forwards them without touching memory.
static bool isNonWriting(Operation *op) {
  return isa<memref::LoadOp, memref::DimOp, memref::CastOp,
             memref::ExtractStridedMetadataOp,
             memref::ExtractAlignedPointerAsIndexOp, ViewLikeOpInterface>(op);
}

/// Whether anything in `scope` may write `root` or a view of it.
static bool mayWrite(Operation *scope, Value root) {
  llvm::SetVector<Value> aliases;
  aliases.insert(root);
  for (size_t i = 0; i < aliases.size(); ++i)
    for (Operation *user : aliases[i].getUsers())
      if (isa<memref::CastOp, ViewLikeOpInterface>(user) ||
          isa<memref::ExtractStridedMetadataOp>(user))
        for (Value result : user->getResults())
          if (isa<MemRefType>(result.getType()))
            aliases.insert(result);
  WalkResult result = scope->walk([&](Operation *op) {
    if (isNonWriting(op))
      return WalkResult::advance();
    for (Value operand : op->getOperands())
      if (aliases.contains(operand))
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return result.wasInterrupted();
}

/// The dynamic sizes of a buffer of `root`'s type, read from `root`.
static SmallVector<Value> getDynamicSizes(OpBuilder &b, Location loc,
                                          Value root) {
  auto type = cast<MemRefType>(root.getType());
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      sizes.push_back(memref::DimOp::create(b, loc, root, d));
  return sizes;
}

/// Emits a one-thread kernel running `body` at `b`'s insertion point.
static void launchOneThread(OpBuilder &b, Location loc,
                            function_ref<void(OpBuilder &)> body) {
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  auto launch = gpu::LaunchOp::create(b, loc, one, one, one, one, one, one);
  OpBuilder kb = OpBuilder::atBlockBegin(&launch.getBody().front());
  body(kb);
  gpu::TerminatorOp::create(kb, loc);
}

/// Reads the element of `load` with a one-thread kernel into a device
/// scalar and copies that to the host.
static void stageElement(memref::LoadOp load) {
  OpBuilder b(load);
  Location loc = load.getLoc();
  auto scalar = MemRefType::get({}, load.getType());
  Value device = gpu::AllocOp::create(b, loc, scalar, Type(), ValueRange(),
                                      ValueRange(), ValueRange())
                     .getMemref();
  launchOneThread(b, loc, [&](OpBuilder &kb) {
    Value v =
        memref::LoadOp::create(kb, loc, load.getMemref(), load.getIndices());
    memref::StoreOp::create(kb, loc, v, device);
  });
  Value host = memref::AllocOp::create(b, loc, scalar);
  gpu::MemcpyOp::create(b, loc, Type(), ValueRange(), host, device);
  Value value = memref::LoadOp::create(b, loc, host);
  memref::DeallocOp::create(b, loc, host);
  gpu::DeallocOp::create(b, loc, Type(), ValueRange(), device);
  load.replaceAllUsesWith(value);
  load.erase();
}

/// Writes `store` with a one-thread kernel.
static void stageStore(memref::StoreOp store) {
  OpBuilder b(store);
  launchOneThread(b, store.getLoc(), [&](OpBuilder &kb) {
    memref::StoreOp::create(kb, store.getLoc(), store.getValue(),
                            store.getMemref(), store.getIndices());
  });
  store.erase();
}

namespace {
struct StageHostReadsPass
    : tokamak::cuda::impl::StageHostReadsBase<StageHostReadsPass> {
  /// Host copies of whole buffers, by (buffer, op before which it was
  /// copied).
  llvm::DenseMap<std::pair<Value, Operation *>, Value> copies;

  /// Stages `load` through a host copy of its whole buffer if that is
  /// safe (see Passes.td); returns false if it is not.
  bool stageBuffer(memref::LoadOp load) {
    SmallVector<Operation *> views;
    Value root = getRootBuffer(load.getMemref(), &views);
    auto rootType = cast<MemRefType>(root.getType());
    // Whole copies are for index data (slots, block tables, lengths): small
    // and read element by element in loops.
    if (!rootType.getLayout().isIdentity() ||
        !rootType.getElementType().isSignlessInteger())
      return false;
    Block *block = isa<BlockArgument>(root)
                       ? cast<BlockArgument>(root).getOwner()
                       : root.getDefiningOp()->getBlock();
    Operation *scope = block->findAncestorOpInBlock(*load);
    if (!scope || mayWrite(scope, root))
      return false;
    Value &host = copies[{root, scope}];
    if (!host) {
      OpBuilder b(scope);
      Location loc = load.getLoc();
      host = memref::AllocOp::create(b, loc, rootType,
                                     getDynamicSizes(b, loc, root));
      gpu::MemcpyOp::create(b, loc, Type(), ValueRange(), host, root);
      b.setInsertionPointAfter(scope);
      memref::DeallocOp::create(b, loc, host);
    }
    OpBuilder b(load);
    IRMapping mapping;
    mapping.map(root, host);
    for (Operation *view : views)
      b.clone(*view, mapping);
    load.getMemrefMutable().assign(mapping.lookupOrDefault(load.getMemref()));
    return true;
  }

  void runOnOperation() override {
    SmallVector<memref::LoadOp> loads;
    SmallVector<memref::StoreOp> stores;
    getOperation().walk([&](Operation *op) {
      if (!isHostOp(op))
        return;
      if (auto load = dyn_cast<memref::LoadOp>(op)) {
        if (!isHostBuffer(getRootBuffer(load.getMemref())))
          loads.push_back(load);
      } else if (auto store = dyn_cast<memref::StoreOp>(op)) {
        if (!isHostBuffer(getRootBuffer(store.getMemref())))
          stores.push_back(store);
      }
    });
    for (memref::LoadOp load : loads)
      if (!stageBuffer(load))
        stageElement(load);
    for (memref::StoreOp store : stores)
      stageStore(store);

    // Nothing else on the host may touch the contents of device memory.
    WalkResult result = getOperation().walk([&](Operation *op) {
      if (!isHostOp(op) || isa<gpu::LaunchOp>(op) ||
          op->getDialect()->getNamespace() == "gpu")
        return WalkResult::advance();
      if (!isa<memref::AtomicRMWOp, memref::GenericAtomicRMWOp, memref::CopyOp,
               memref::LoadOp, memref::StoreOp>(op) &&
          op->getDialect()->getNamespace() != "vector" &&
          op->getDialect()->getNamespace() != "linalg")
        return WalkResult::advance();
      for (Value operand : op->getOperands())
        if (isa<MemRefType>(operand.getType()) &&
            !isHostBuffer(getRootBuffer(operand))) {
          op->emitOpError("reads or writes device memory in host code");
          return WalkResult::interrupt();
        }
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace
