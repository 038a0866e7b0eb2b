//===- Passes.td - Tokamak cross-dialect passes ------------*- tablegen -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_TRANSFORMS_PASSES_TD
#define TOKAMAK_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def GenerateEntryPoints : Pass<"tokamak-generate-entry-points", "::mlir::ModuleOp"> {
  let summary = "add a packed `_tok_entry_<name>` wrapper to public functions";
  let description = [{
    Runs on bufferized modules (memref signatures, before func-to-llvm). For
    every public `func.func @f` with a body it adds
    `func.func @_tok_entry_f(%args: !llvm.ptr)`: `args[i]` points to the
    memref descriptor of input `i`, and the wrapper stores the descriptor of
    result `j` through `args[numInputs + j]`. This is the one calling
    convention of JIT-compiled functions and artifacts (docs/Artifacts.md).
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::func::FuncDialect"];
}

def MarkInputsReadOnly : Pass<"tokamak-mark-inputs-read-only", "::mlir::ModuleOp"> {
  let summary = "keep bufferization from writing into caller-owned inputs";
  let description = [{
    Sets `bufferization.writable = false` on every tensor argument of public
    functions that does not carry the attribute, so one-shot bufferization
    copies instead of updating a caller's buffer in place. An argument the
    caller donates keeps an explicit `{bufferization.writable = true}`.
  }];
}

#endif // TOKAMAK_TRANSFORMS_PASSES_TD
