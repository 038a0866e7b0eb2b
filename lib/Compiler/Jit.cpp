//===- Jit.cpp - In-process compilation through the ExecutionEngine -------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "CompilerImpl.h"

#include "tokamak/runtime/Artifact.h"
#include "tokamak/runtime/Executable.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;

namespace tokamak {
namespace {

/// A module compiled in process: its metadata and an ExecutionEngine that
/// resolves the packed entry points.
class JitExecutable final : public rt::Executable {
public:
  JitExecutable(rt::ModuleMetadata metadata,
                std::unique_ptr<ExecutionEngine> engine)
      : moduleMetadata(std::move(metadata)), engine(std::move(engine)) {}

  const rt::ModuleMetadata &metadata() const override { return moduleMetadata; }

  void *lookupEntry(const std::string &symbol) override {
    llvm::Expected<void *> address = engine->lookup(symbol);
    if (!address) {
      llvm::consumeError(address.takeError());
      return nullptr;
    }
    return *address;
  }

private:
  rt::ModuleMetadata moduleMetadata;
  std::unique_ptr<ExecutionEngine> engine;
};

} // namespace

llvm::Expected<std::unique_ptr<rt::Executable>>
Compiler::jit(ModuleOp module, const CompileOptions &options) {
  auto json = describe(module, options);
  if (!json)
    return json.takeError();
  rt::StatusOr<rt::ModuleMetadata> metadata = rt::parseModuleMetadata(*json);
  if (!metadata.ok())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   metadata.status().message());

  CompileOptions full = options;
  full.compileTo = Phase::LLVM;
  if (llvm::Error err = lower(module, full))
    return std::move(err);

  auto tm = createTargetMachine(full);
  if (!tm)
    return tm.takeError();
  auto transformer =
      makeOptimizingTransformer(full.optLevel, /*sizeLevel=*/0, tm->get());
  ExecutionEngineOptions engineOptions;
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  engineOptions.enableGDBNotificationListener = false;
  engineOptions.enablePerfNotificationListener = false;
  // Parallel loops call into the LLVM OpenMP runtime.
  llvm::StringRef sharedLibs[] = {TOKAMAK_LLVM_LIBDIR "/libomp.so"};
  engineOptions.sharedLibPaths = sharedLibs;
  auto engine = ExecutionEngine::create(module, engineOptions, std::move(*tm));
  if (!engine) {
    llvm::Error err = engine.takeError();
    std::string message = llvm::toString(std::move(err));
    llvm::consumeError(impl->takeError(""));
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "jit compilation failed: " + message);
  }
  return std::make_unique<JitExecutable>(std::move(*metadata),
                                         std::move(*engine));
}

} // namespace tokamak
