//===- RuntimeErrors.h - Errors that compiled code reports ------*- C++ -*-===//
//
// Part of the Tokamak project. Compiled code cannot check everything at
// compile time: a dynamic dim, a slot or a block id computed by the program.
// Checks in the compiled code record the first failure of a call (a
// printf-formatted message in a buffer of the module), and the packed entry
// hands it to the caller through the error slot (docs/Artifacts.md).
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_TRANSFORMS_RUNTIMEERRORS_H
#define TOKAMAK_TRANSFORMS_RUNTIMEERRORS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Value.h"

namespace tokamak {

/// The most values one message formats.
inline constexpr unsigned kMaxErrorValues = 10;

/// The capacity of the message buffer, terminating NUL included.
inline constexpr int64_t kErrorBufferSize = 1024;

/// Emits, at `b`'s insertion point (in `module`), a call recording `format`
/// with `values` (integers or indices, printed with `%lld`) as the error of
/// this call unless an earlier error was recorded.
void emitRecordError(mlir::OpBuilder &b, mlir::Location loc,
                     mlir::ModuleOp module, llvm::StringRef format,
                     mlir::ValueRange values);

/// Emits code that forgets any recorded error (at the start of an entry).
void emitClearError(mlir::OpBuilder &b, mlir::Location loc);

/// Emits code yielding the recorded message (`!llvm.ptr`), null if none.
mlir::Value emitRecordedError(mlir::OpBuilder &b, mlir::Location loc);

/// A `file:line:col: ` prefix for messages about the op at `loc`, or "" when
/// the location names no file; percent signs are doubled for printf.
std::string getErrorLocationPrefix(mlir::Location loc);

} // namespace tokamak

#endif // TOKAMAK_TRANSFORMS_RUNTIMEERRORS_H
