//===- ScanKernels.h - Device-resident scans for tok-cuda-scans -*- C++ -*-===//
//
// Part of the Tokamak project. The lowerings of tok-cuda-scans (one file per
// op) and the small builder they share: buffers of the op's tensors, f32
// loads and stores, and per-thread arrays.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_LIB_CODEGEN_CUDA_SCANKERNELS_H
#define TOKAMAK_LIB_CODEGEN_CUDA_SCANKERNELS_H

#include "dialects/Tok/IR/TokOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"

namespace tokamak::cuda {

/// Longest per-thread array kept as a local array (`memref.alloca` in the
/// kernel); longer or dynamic ones are rows of a device scratch buffer.
inline constexpr int64_t kMaxLocalArray = 256;

/// Builds the memref form of one scan kernel at `b`'s insertion point.
class ScanBuilder {
public:
  ScanBuilder(mlir::OpBuilder &b, mlir::Location loc) : b(b), loc(loc) {}

  mlir::OpBuilder &b;
  mlir::Location loc;

  /// The read-only buffer of tensor `t` (any strided layout).
  mlir::Value bufferOf(mlir::Value t);
  /// A fresh buffer for a result of type `type`; `dims` gives every size
  /// (static ones are ignored).
  mlir::Value allocResult(mlir::RankedTensorType type,
                          mlir::ArrayRef<mlir::Value> dims);
  /// The result tensor of `buffer` once the kernel has written it.
  mlir::Value tensorOf(mlir::Value buffer, mlir::RankedTensorType type);
  /// Replaces `op`'s results, in order, by the tensors of `buffers` (one per
  /// result, the kernel having written them).
  void replaceWithBuffers(mlir::RewriterBase &rewriter, mlir::Operation *op,
                          mlir::ValueRange buffers);

  /// Size `d` of a buffer, as an index.
  mlir::Value dim(mlir::Value buffer, int64_t d);
  mlir::Value index(int64_t v);
  mlir::Value f32(double v);
  /// The index `v − c`, folded when `v` is a constant.
  mlir::Value minus(mlir::Value v, int64_t c);

  /// `mem[idx]` as f32 (f16/bf16 extended).
  mlir::Value load(mlir::Value mem, mlir::ValueRange idx);
  /// `mem[idx] = v` (f32 `v` truncated to the element type).
  void store(mlir::Value v, mlir::Value mem, mlir::ValueRange idx);

  mlir::Value add(mlir::Value x, mlir::Value y);
  mlir::Value mul(mlir::Value x, mlir::Value y);
  mlir::Value exp(mlir::Value x);
  /// max(x, 0) + log1p(exp(−|x|)), as the reference lowering computes it.
  mlir::Value softplus(mlir::Value x);
  /// x · sigmoid(x).
  mlir::Value silu(mlir::Value x);

  /// `scf.for` from `lb` to `ub` carrying `init`; the body returns the new
  /// values.
  mlir::ValueRange
  loop(mlir::Value lb, mlir::Value ub, mlir::ValueRange init,
       llvm::function_ref<llvm::SmallVector<mlir::Value>(mlir::Value,
                                                         mlir::ValueRange)>
           body);
  /// `scf.parallel` over `[0, ub_i)`, the body built at its insertion point.
  void parallel(mlir::ValueRange ubs,
                llvm::function_ref<void(mlir::ValueRange)> body);
};

/// Per-thread f32 arrays of `len` elements for the `threads` iterations of
/// one `scf.parallel`: a `memref.alloca` in the loop body when `len` is
/// static and at most kMaxLocalArray (the kernel's local memory, registers
/// once LLVM unrolls the loops over it), otherwise rows of a device
/// scratch buffer `[threads, len]` allocated before the loop (freed by the
/// ownership-based deallocation after bufferization, like every buffer).
class ThreadArray {
public:
  /// Call before the `scf.parallel`.
  ThreadArray(ScanBuilder &sb, mlir::Value len, mlir::Value threads);
  /// The array of thread `thread` (a linear index below `threads`); call in
  /// the loop body.
  mlir::Value get(ScanBuilder &sb, mlir::Value thread);

private:
  int64_t staticLen = -1;
  mlir::Value scratch;
};

mlir::LogicalResult lowerSelectiveScan(mlir::RewriterBase &rewriter,
                                       mlir::tok::SelectiveScanOp op);
mlir::LogicalResult lowerLinearScan(mlir::RewriterBase &rewriter,
                                    mlir::tok::LinearScanOp op);
mlir::LogicalResult lowerConv1d(mlir::RewriterBase &rewriter,
                                mlir::tok::Conv1dOp op);
mlir::LogicalResult lowerAssocScan(mlir::RewriterBase &rewriter,
                                   mlir::tok::AssocScanOp op);

} // namespace tokamak::cuda

#endif // TOKAMAK_LIB_CODEGEN_CUDA_SCANKERNELS_H
