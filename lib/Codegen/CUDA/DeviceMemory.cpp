//===- DeviceMemory.cpp - Buffers of host code in device memory -----------===//
//
// Part of the Tokamak project. See the pass description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Codegen/CUDA/Passes.h"

#include "HostCode.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/ADT/DenseSet.h"

namespace tokamak::cuda {
#define GEN_PASS_DEF_DEVICEMEMORY
#include "tokamak/Codegen/CUDA/Passes.h.inc"
} // namespace tokamak::cuda

using namespace mlir;
using namespace tokamak::cuda;

/// The allocations of deallocation bookkeeping: buffers of `index` elements
/// and those passed (through casts) to the generated `dealloc_helper`.
static llvm::DenseSet<Operation *> findBookkeeping(ModuleOp module) {
  llvm::DenseSet<Operation *> host;
  module.walk([&](Operation *op) {
    if (isa<memref::AllocOp, memref::AllocaOp>(op) &&
        cast<MemRefType>(op->getResult(0).getType()).getElementType().isIndex())
      host.insert(op);
    auto call = dyn_cast<func::CallOp>(op);
    if (!call || !call.getCallee().starts_with("dealloc_helper"))
      return;
    for (Value operand : call.getOperands())
      if (Operation *def = getRootBuffer(operand).getDefiningOp())
        if (isa<memref::AllocOp, memref::AllocaOp>(def))
          host.insert(def);
  });
  return host;
}

/// Replaces a host allocation by `gpu.alloc` (an alloca is also freed at
/// the end of its block).
static void allocateOnDevice(Operation *op) {
  OpBuilder b(op);
  Location loc = op->getLoc();
  auto type = cast<MemRefType>(op->getResult(0).getType());
  ValueRange dynamicSizes, symbols;
  if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
    dynamicSizes = alloc.getDynamicSizes();
    symbols = alloc.getSymbolOperands();
  } else {
    auto alloca = cast<memref::AllocaOp>(op);
    dynamicSizes = alloca.getDynamicSizes();
    symbols = alloca.getSymbolOperands();
  }
  auto device = gpu::AllocOp::create(b, loc, type, /*asyncToken=*/Type(),
                                     ValueRange(), dynamicSizes, symbols);
  if (isa<memref::AllocaOp>(op)) {
    b.setInsertionPoint(op->getBlock()->getTerminator());
    gpu::DeallocOp::create(b, loc, Type(), ValueRange(), device.getMemref());
  }
  op->getResult(0).replaceAllUsesWith(device.getMemref());
  op->erase();
}

/// Replaces a host `memref.copy` by `gpu.memcpy` (identity layouts) or by
/// `linalg.copy`, which becomes a kernel.
static void copyOnDevice(memref::CopyOp copy) {
  OpBuilder b(copy);
  auto sourceType = cast<MemRefType>(copy.getSource().getType());
  auto targetType = cast<MemRefType>(copy.getTarget().getType());
  if (sourceType.getLayout().isIdentity() &&
      targetType.getLayout().isIdentity())
    gpu::MemcpyOp::create(b, copy.getLoc(), Type(), ValueRange(),
                          copy.getTarget(), copy.getSource());
  else
    linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                           copy.getTarget());
  copy.erase();
}

/// Replaces a returned `memref.get_global` (possibly cast) by a device copy,
/// which the caller owns like every result.
static void returnOnDevice(func::ReturnOp ret) {
  OpBuilder b(ret);
  for (OpOperand &operand : ret->getOpOperands()) {
    Value root = getRootBuffer(operand.get());
    auto global = root.getDefiningOp<memref::GetGlobalOp>();
    if (!global || root != operand.get())
      continue;
    auto type = cast<MemRefType>(global.getType());
    Value device =
        gpu::AllocOp::create(b, ret.getLoc(), type, Type(), ValueRange(),
                             ValueRange(), ValueRange())
            .getMemref();
    gpu::MemcpyOp::create(b, ret.getLoc(), Type(), ValueRange(), device,
                          global);
    operand.set(device);
  }
}

namespace {
struct DeviceMemoryPass
    : tokamak::cuda::impl::DeviceMemoryBase<DeviceMemoryPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::DenseSet<Operation *> bookkeeping = findBookkeeping(module);
    SmallVector<Operation *> allocs;
    SmallVector<memref::DeallocOp> deallocs;
    SmallVector<memref::CopyOp> copies;
    SmallVector<func::ReturnOp> returns;
    module.walk([&](Operation *op) {
      if (!isHostOp(op))
        return;
      if (isa<memref::AllocOp, memref::AllocaOp>(op)) {
        // An alloca in an scf.parallel body is the private array of one
        // iteration (tok-cuda-scans): it becomes the thread's local memory
        // once the loop is a kernel.
        if (isa<memref::AllocaOp>(op) && op->getParentOfType<scf::ParallelOp>())
          return;
        if (!bookkeeping.contains(op))
          allocs.push_back(op);
      } else if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
        Operation *def = getRootBuffer(dealloc.getMemref()).getDefiningOp();
        if (!def || !bookkeeping.contains(def))
          deallocs.push_back(dealloc);
      } else if (auto copy = dyn_cast<memref::CopyOp>(op)) {
        copies.push_back(copy);
      } else if (auto ret = dyn_cast<func::ReturnOp>(op)) {
        returns.push_back(ret);
      }
    });
    for (Operation *op : allocs)
      allocateOnDevice(op);
    for (memref::DeallocOp dealloc : deallocs) {
      OpBuilder b(dealloc);
      gpu::DeallocOp::create(b, dealloc.getLoc(), Type(), ValueRange(),
                             dealloc.getMemref());
      dealloc.erase();
    }
    for (memref::CopyOp copy : copies)
      copyOnDevice(copy);
    for (func::ReturnOp ret : returns)
      returnOnDevice(ret);
  }
};
} // namespace
