//===- Jit.cpp - In-process compilation through ORC -----------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// The JIT translates the lowered module with the same code as artifacts
// (Compiler::translateToLLVMIR) and links it with an ORC LLJIT whose
// session errors are collected instead of printed: a symbol the generated
// code needs but nobody defines becomes one error naming the symbol and the
// function, reported by jit() itself since every entry point is linked
// eagerly there. Symbols resolve exactly as in an artifact: libc, libm,
// libomp and compiler-rt's builtins.
//
//===----------------------------------------------------------------------===//

#include "CompilerImpl.h"

#include "tokamak/runtime/Artifact.h"
#include "tokamak/runtime/Executable.h"

#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

#include <mutex>

using namespace mlir;

namespace tokamak {
namespace {

/// Messages the ORC session reported while linking (missing symbols, failed
/// relocations), which it would otherwise print to stderr.
class SessionErrors {
public:
  void report(llvm::Error err) {
    std::lock_guard<std::mutex> lock(mutex);
    llvm::handleAllErrors(std::move(err), [&](const llvm::ErrorInfoBase &e) {
      if (!text.empty())
        text += "; ";
      text += e.message();
    });
  }
  std::string take() {
    std::lock_guard<std::mutex> lock(mutex);
    return std::exchange(text, std::string());
  }

private:
  std::mutex mutex;
  std::string text;
};

/// A module compiled in process: its metadata and the linked entry points.
class JitExecutable final : public rt::Executable {
public:
  JitExecutable(rt::ModuleMetadata metadata,
                std::unique_ptr<llvm::orc::LLJIT> jit,
                std::shared_ptr<SessionErrors> errors)
      : moduleMetadata(std::move(metadata)), jit(std::move(jit)),
        errors(std::move(errors)) {}

  const rt::ModuleMetadata &metadata() const override { return moduleMetadata; }

  void *lookupEntry(const std::string &symbol) override {
    auto address = jit->lookup(symbol);
    if (!address) {
      llvm::consumeError(address.takeError());
      (void)errors->take();
      return nullptr;
    }
    return address->toPtr<void *>();
  }

private:
  rt::ModuleMetadata moduleMetadata;
  std::unique_ptr<llvm::orc::LLJIT> jit;
  std::shared_ptr<SessionErrors> errors;
};

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

} // namespace

llvm::Expected<std::unique_ptr<rt::Executable>>
Compiler::jit(ModuleOp module, const CompileOptions &options) {
  auto json = describe(module, options);
  if (!json)
    return json.takeError();
  rt::StatusOr<rt::ModuleMetadata> metadata = rt::parseModuleMetadata(*json);
  if (!metadata.ok())
    return makeError(metadata.status().message());

  CompileOptions full = options;
  full.compileTo = Phase::LLVM;
  if (llvm::Error err = lower(module, full))
    return std::move(err);

  auto llvmContext = std::make_unique<llvm::LLVMContext>();
  auto llvmModule = translateToLLVMIR(module, *llvmContext, full, "");
  if (!llvmModule)
    return llvmModule.takeError();

  // The same target machine settings as artifacts (createTargetMachine).
  auto tm = createTargetMachine(full);
  if (!tm)
    return tm.takeError();
  llvm::orc::JITTargetMachineBuilder jtmb((*tm)->getTargetTriple());
  jtmb.setCPU((*tm)->getTargetCPU().str());
  jtmb.getFeatures().AddFeature((*tm)->getTargetFeatureString());
  jtmb.setCodeGenOptLevel(full.optLevel >= 3 ? llvm::CodeGenOptLevel::Aggressive
                                             : llvm::CodeGenOptLevel::Default);
  auto jit = llvm::orc::LLJITBuilder()
                 .setJITTargetMachineBuilder(std::move(jtmb))
                 .create();
  if (!jit)
    return makeError("jit: " + llvm::toString(jit.takeError()));
  auto errors = std::make_shared<SessionErrors>();
  (*jit)->getExecutionSession().setErrorReporter(
      [errors](llvm::Error err) { errors->report(std::move(err)); });

  // Symbols resolve to the process (libc, libm) and to the LLVM OpenMP
  // runtime that parallel loops call, exactly what an artifact links.
  llvm::orc::JITDylib &dylib = (*jit)->getMainJITDylib();
  char prefix = (*jit)->getDataLayout().getGlobalPrefix();
  auto process =
      llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(prefix);
  if (!process)
    return makeError("jit: " + llvm::toString(process.takeError()));
  dylib.addGenerator(std::move(*process));
  auto omp = llvm::orc::DynamicLibrarySearchGenerator::Load(
      TOKAMAK_LLVM_LIBDIR "/libomp.so", prefix);
  if (!omp)
    return makeError("jit: cannot load the OpenMP runtime: " +
                     llvm::toString(omp.takeError()));
  dylib.addGenerator(std::move(*omp));
  // Conversions that LLVM turns into libcalls on targets without the
  // instruction (f32 -> bf16 without AVX512-BF16, f16 without F16C) resolve
  // to compiler-rt's builtins, which artifacts link statically too.
  auto builtins = llvm::orc::StaticLibraryDefinitionGenerator::Load(
      (*jit)->getObjLinkingLayer(), TOKAMAK_COMPILER_RT_BUILTINS);
  if (!builtins)
    return makeError("jit: cannot load compiler-rt's builtins: " +
                     llvm::toString(builtins.takeError()));
  dylib.addGenerator(std::move(*builtins));

  if (llvm::Error err = (*jit)->addIRModule(llvm::orc::ThreadSafeModule(
          std::move(*llvmModule), std::move(llvmContext))))
    return makeError("jit: " + llvm::toString(std::move(err)));

  // A CUDA module loads its kernels in a global constructor
  // (mgpuModuleLoad, from the runtime in this process).
  if (full.target == Target::CUDA) {
    if (llvm::Error err = (*jit)->initialize(dylib)) {
      std::string cause = errors->take();
      return makeError("jit: cannot load the cuda kernels: " +
                       (cause.empty()
                            ? llvm::toString(std::move(err))
                            : (llvm::consumeError(std::move(err)), cause)));
    }
  }
  // Link every entry point now, so that a missing symbol is an error of
  // this call naming the symbol, not a missing entry later.
  for (const rt::FunctionSignature &fn : metadata->functions) {
    auto address = (*jit)->lookup(fn.entry);
    if (address)
      continue;
    std::string orcError = llvm::toString(address.takeError());
    std::string cause = errors->take();
    return makeError("jit: cannot link function @" + fn.name + ": " +
                     (cause.empty() ? orcError : cause));
  }
  return std::make_unique<JitExecutable>(std::move(*metadata), std::move(*jit),
                                         std::move(errors));
}

} // namespace tokamak
