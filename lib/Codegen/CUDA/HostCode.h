//===- HostCode.h - Host code and device buffers ----------------*- C++ -*-===//
//
// Part of the Tokamak project. Private to lib/Codegen/CUDA: what counts as
// host code (outside kernels) and which buffers hold device memory.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_LIB_CODEGEN_CUDA_HOSTCODE_H
#define TOKAMAK_LIB_CODEGEN_CUDA_HOSTCODE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

namespace tokamak::cuda {

/// Whether `op` runs on the host: it is in a function, outside any
/// `gpu.launch` and GPU module.
bool isHostOp(mlir::Operation *op);

/// Whether `fn` is the pointer-comparison helper that
/// `convert-bufferization-to-memref` generates (`dealloc_helper`): its
/// buffers are host bookkeeping, never tensor data.
bool isDeallocHelper(mlir::func::FuncOp fn);

/// The buffer `value` is a view of (through casts, subviews, reshapes and
/// reinterpret casts), and the view ops from that buffer to `value`, the
/// one nearest the buffer first.
mlir::Value
getRootBuffer(mlir::Value value,
              llvm::SmallVectorImpl<mlir::Operation *> *views = nullptr);

/// Whether `root` (a buffer returned by getRootBuffer) is host memory:
/// a `memref.alloc`/`memref.alloca` (after tok-cuda-device-memory only
/// host bookkeeping and staged copies are), or a `memref.get_global`.
bool isHostBuffer(mlir::Value root);

} // namespace tokamak::cuda

#endif // TOKAMAK_LIB_CODEGEN_CUDA_HOSTCODE_H
