//===- PassTarget.h - The target of a CPU tile pass -------------*- C++ -*-===//
//
// Part of the Tokamak project. Private to lib/Codegen/CPU: resolves the
// `cpu`, `cpu-features` and `num-threads` options every tile pass has into
// a CpuTarget, and reports it (and, through remarkChoice, each tile choice
// made from it) as remarks when the pass runs with `remarks=true`.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_CODEGEN_CPU_PASSTARGET_H
#define TOKAMAK_CODEGEN_CPU_PASSTARGET_H

#include "tokamak/Codegen/CPU/CpuTarget.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

namespace tokamak::cpu {

/// The target named by a tile pass's options, or failure with an error on
/// `scope` naming the bad option. With `remarks`, a remark on `scope` gives
/// the description (`<pass>: target cpu=... f32-lanes=...`).
mlir::FailureOr<CpuTarget> resolvePassTarget(mlir::Operation *scope,
                                             llvm::StringRef passName,
                                             llvm::StringRef cpu,
                                             llvm::StringRef features,
                                             int64_t numThreads, bool remarks);

/// With `remarks`, says on `op` why `passName` leaves it for the reference
/// lowering (convert-tok-to-linalg): `<pass>: left for
/// convert-tok-to-linalg: <why>`.
inline void remarkUntiled(mlir::Operation *op, llvm::StringRef passName,
                          bool remarks, llvm::StringRef why) {
  if (remarks)
    op->emitRemark() << passName << ": left for convert-tok-to-linalg: " << why;
}

/// The driver the tile passes share: every `OpT` under `root` gets a plan
/// from `analyze(op, why)` (std::optional; on failure `why` says what stops
/// it, reported by remarkUntiled) and is then replaced by
/// `rewrite(rewriter, op, plan)`, with the insertion point at the op.
template <typename OpT, typename AnalyzeFn, typename RewriteFn>
void tileEach(mlir::Operation *root, llvm::StringRef passName, bool remarks,
              AnalyzeFn analyze, RewriteFn rewrite) {
  llvm::SmallVector<OpT> ops;
  root->walk([&](OpT op) { ops.push_back(op); });
  mlir::IRRewriter rewriter(root->getContext());
  for (OpT op : ops) {
    std::string why;
    auto plan = analyze(op, why);
    if (!plan) {
      remarkUntiled(op, passName, remarks, why);
      continue;
    }
    rewriter.setInsertionPoint(op);
    rewrite(rewriter, op, *plan);
  }
}

} // namespace tokamak::cpu

#endif // TOKAMAK_CODEGEN_CPU_PASSTARGET_H
