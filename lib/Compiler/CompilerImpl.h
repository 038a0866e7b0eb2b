//===- CompilerImpl.h - State behind tokamak::Compiler ----------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_LIB_COMPILER_COMPILERIMPL_H
#define TOKAMAK_LIB_COMPILER_COMPILERIMPL_H

#include "tokamak/Compiler/Compiler.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace llvm {
class TargetMachine;
} // namespace llvm

namespace tokamak {

/// The context, the sources parsed in it, and the diagnostics collected
/// since the last error was taken.
struct Compiler::Impl {
  Impl();

  /// An llvm::Error holding the diagnostics collected so far (or
  /// `fallback` if there are none), which are then cleared.
  llvm::Error takeError(llvm::StringRef fallback);

  llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
  parse(std::unique_ptr<llvm::MemoryBuffer> buffer);

  mlir::MLIRContext context;
  llvm::SourceMgr sourceMgr;
  std::string diagText;
  llvm::raw_string_ostream diagStream;
  std::unique_ptr<mlir::SourceMgrDiagnosticHandler> diagHandler;
};

/// A target machine for `options` (the host's CPU and features unless
/// overridden), PIC, at the requested optimization level.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const CompileOptions &options);

} // namespace tokamak

#endif // TOKAMAK_LIB_COMPILER_COMPILERIMPL_H
