//===- ScanKernels.cpp - tok-cuda-scans -----------------------------------===//
//
// Part of the Tokamak project. See the pass description in Passes.td; the
// lowering of each op is in <Op>Kernel.cpp.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Codegen/CUDA/Passes.h"

#include "ScanKernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/ADT/TypeSwitch.h"

namespace tokamak::cuda {
#define GEN_PASS_DEF_SCANKERNELS
#include "tokamak/Codegen/CUDA/Passes.h.inc"
} // namespace tokamak::cuda

using namespace mlir;
using namespace tokamak::cuda;

namespace {
struct ScanKernelsPass : tokamak::cuda::impl::ScanKernelsBase<ScanKernelsPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<tok::SelectiveScanOp, tok::LinearScanOp, tok::Conv1dOp,
              tok::AssocScanOp>(op))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : ops) {
      // An op these kernels do not cover (a packed one) keeps the reference
      // lowering.
      (void)llvm::TypeSwitch<Operation *, LogicalResult>(op)
          .Case([&](tok::SelectiveScanOp scan) {
            return lowerSelectiveScan(rewriter, scan);
          })
          .Case([&](tok::LinearScanOp scan) {
            return lowerLinearScan(rewriter, scan);
          })
          .Case([&](tok::Conv1dOp conv) { return lowerConv1d(rewriter, conv); })
          .Case([&](tok::AssocScanOp scan) {
            return lowerAssocScan(rewriter, scan);
          })
          .Default([](Operation *) { return failure(); });
    }
  }
};
} // namespace
