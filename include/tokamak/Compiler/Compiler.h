//===- Compiler.h - The Tokamak compiler as a library -----------*- C++ -*-===//
//
// Part of the Tokamak project. The embedding API: parse a module, compile it
// for a target, and either JIT it in process or write an artifact that the
// runtime alone can load. Errors come back as llvm::Error carrying the
// diagnostics, never as asserts.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_COMPILER_COMPILER_H
#define TOKAMAK_COMPILER_COMPILER_H

#include "tokamak/Frontend/Frontend.h"
#include "tokamak/Pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
} // namespace llvm

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace tokamak {
namespace rt {
class Executable;
} // namespace rt
namespace frontend {
struct ImportOptions;
} // namespace frontend

/// Code generation targets.
enum class Target { CPU, CUDA };

/// The module attribute (a string holding a JSON object) that the model
/// frontend sets and Compiler::describe copies into the metadata as "model"
/// (docs/Artifacts.md).
inline constexpr const char kModelMetadataAttr[] = "tokamak.model";

/// What to compile for and how far.
struct CompileOptions {
  Target target = Target::CPU;
  /// CUDA architecture for Target::CUDA: sm_80, sm_86, sm_89, sm_90 or
  /// sm_90a (tokamak/Codegen/CUDA/CudaTarget.h).
  std::string cudaArch = "sm_90a";
  /// What the artifact embeds for Target::CUDA: "auto" (a fatbin with the
  /// cubin and the PTX when ptxas is found, else the PTX), "fatbin" or
  /// "isa" (PTX only).
  std::string cudaBinaryFormat = "auto";
  /// The last phase to run.
  Phase compileTo = Phase::LLVM;
  /// CPU name and features for code generation; empty means the host's
  /// (for Target::CUDA, the host code's: empty means generic x86-64, so
  /// that an artifact runs on any GPU machine).
  std::string cpu;
  std::string cpuFeatures;
  /// Threads the generated parallel loops are balanced for; 0: the host's
  /// OpenMP default (OMP_NUM_THREADS, else the online cores).
  int64_t numThreads = 0;
  /// LLVM optimization level (0-3).
  unsigned optLevel = 3;
  /// Never write into the caller's input buffers (see MarkInputsReadOnly).
  bool readOnlyInputs = true;
};

/// A compiler instance: an MLIRContext holding every dialect Tokamak
/// accepts, and the operations on modules in it. Not thread-safe; use one
/// per thread.
class Compiler {
public:
  Compiler();
  ~Compiler();
  Compiler(const Compiler &) = delete;
  Compiler &operator=(const Compiler &) = delete;

  mlir::MLIRContext &getContext();

  /// Parses and verifies a module from a file ("-" reads stdin) or text.
  llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
  parseFile(llvm::StringRef path);
  llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
  parseString(llvm::StringRef text, llvm::StringRef bufferName = "<string>");

  /// Imports a Hugging Face model directory (config.json + *.safetensors)
  /// as a tok module in the session ABI (tokamak/Frontend/Frontend.h), with
  /// 16-row K/V blocks; errors name the file, field or tensor.
  /// `snapkvObs` > 0 adds @prefill_stats, `h2o` @prefill_h2o and
  /// @decode_stats (frontend::ImportOptions).
  llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
  importModel(llvm::StringRef directory,
              const frontend::ImportOptions &options = {});

  /// The artifact metadata JSON (docs/Artifacts.md) of the public functions
  /// of a module still at the tensor level, compiled with `options`.
  llvm::Expected<std::string> describe(mlir::ModuleOp module,
                                       const CompileOptions &options);

  /// Runs the pipeline of `options.target` up to `options.compileTo`.
  llvm::Error lower(mlir::ModuleOp module, const CompileOptions &options);

  /// Translates a module in the LLVM dialect to optimized LLVM IR for the
  /// target machine of `options`; `metadata`, if not empty, is embedded as
  /// the `_tok_metadata` string.
  llvm::Expected<std::unique_ptr<llvm::Module>>
  translateToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &llvmContext,
                    const CompileOptions &options, llvm::StringRef metadata);

  /// Compiles a tensor-level module to an artifact (a shared library with
  /// embedded metadata) at `path`, or to an object file. Nothing is left at
  /// `path` on failure.
  llvm::Error emitArtifact(mlir::ModuleOp module, const CompileOptions &options,
                           llvm::StringRef path);
  llvm::Error emitObject(mlir::ModuleOp module, const CompileOptions &options,
                         llvm::StringRef path);

  /// Compiles a tensor-level module for Target::CUDA and writes the PTX of
  /// its kernels (one PTX module) to `path`.
  llvm::Error emitPtx(mlir::ModuleOp module, const CompileOptions &options,
                      llvm::StringRef path);

  /// Compiles a tensor-level module in process (MLIR ExecutionEngine).
  llvm::Expected<std::unique_ptr<rt::Executable>>
  jit(mlir::ModuleOp module, const CompileOptions &options);

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

} // namespace tokamak

#endif // TOKAMAK_COMPILER_COMPILER_H
