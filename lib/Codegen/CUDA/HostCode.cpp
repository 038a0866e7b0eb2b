//===- HostCode.cpp - Host code and device buffers ------------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "HostCode.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

namespace tokamak::cuda {

bool isHostOp(Operation *op) {
  if (op->getParentOfType<gpu::LaunchOp>() ||
      op->getParentOfType<gpu::GPUModuleOp>())
    return false;
  auto fn = op->getParentOfType<func::FuncOp>();
  return fn && !isDeallocHelper(fn);
}

bool isDeallocHelper(func::FuncOp fn) {
  return fn.isPrivate() && fn.getSymName().starts_with("dealloc_helper");
}

Value getRootBuffer(Value value, SmallVectorImpl<Operation *> *views) {
  while (Operation *def = value.getDefiningOp()) {
    Value source;
    if (auto cast = dyn_cast<memref::CastOp>(def))
      source = cast.getSource();
    else if (auto view = dyn_cast<ViewLikeOpInterface>(def))
      source = view.getViewSource();
    else
      break;
    if (views)
      views->push_back(def);
    value = source;
  }
  if (views)
    std::reverse(views->begin(), views->end());
  return value;
}

bool isHostBuffer(Value root) {
  Operation *def = root.getDefiningOp();
  return def &&
         isa<memref::AllocOp, memref::AllocaOp, memref::GetGlobalOp>(def);
}

} // namespace tokamak::cuda
