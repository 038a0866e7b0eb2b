//===- RuntimeChecks.h - Shape checks of public functions -------*- C++ -*-===//
//
// Part of the Tokamak project. tokamak-insert-runtime-checks traces the dim
// rules of tok ops (mlir::tok::collectRuntimeShapeChecks) to the argument
// sizes of public functions and records them on the function;
// tokamak-generate-entry-points checks them in the packed entry before it
// calls the function.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_TRANSFORMS_RUNTIMECHECKS_H
#define TOKAMAK_TRANSFORMS_RUNTIMECHECKS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <array>
#include <string>

namespace tokamak {

/// The attribute of a public function listing its checks.
inline constexpr const char kRuntimeChecksAttr[] = "tok.runtime_checks";

/// A mlir::tok::RuntimeShapeCheck whose sizes are the function's argument
/// sizes: {argument, dim}, or {-1, constant}.
struct TracedShapeCheck {
  int64_t kind = 0;
  std::array<int64_t, 2> lhs = {-1, 0}, rhs = {-1, 0};
  std::string format;
  llvm::SmallVector<std::array<int64_t, 2>> values;

  bool operator==(const TracedShapeCheck &o) const {
    return kind == o.kind && lhs == o.lhs && rhs == o.rhs &&
           format == o.format && values == o.values;
  }
};

/// Records `checks` on `fn` (kRuntimeChecksAttr).
void setRuntimeShapeChecks(mlir::func::FuncOp fn,
                           llvm::ArrayRef<TracedShapeCheck> checks);

/// The checks recorded on `fn`, or failure (with an error on `fn`) if the
/// attribute is malformed.
mlir::FailureOr<llvm::SmallVector<TracedShapeCheck>>
getRuntimeShapeChecks(mlir::func::FuncOp fn);

} // namespace tokamak

#endif // TOKAMAK_TRANSFORMS_RUNTIMECHECKS_H
