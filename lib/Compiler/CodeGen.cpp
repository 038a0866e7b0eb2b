//===- CodeGen.cpp - LLVM IR, object files and artifacts ------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "CompilerImpl.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;

namespace tokamak {

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const CompileOptions &options) {
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return builder.takeError();
  if (!options.cpu.empty()) {
    builder->setCPU(options.cpu);
    builder->getFeatures() = llvm::SubtargetFeatures(options.cpuFeatures);
  } else if (!options.cpuFeatures.empty()) {
    builder->getFeatures().AddFeature(options.cpuFeatures);
  }
  builder->setRelocationModel(llvm::Reloc::PIC_);
  builder->setCodeGenOptLevel(options.optLevel >= 3
                                  ? llvm::CodeGenOptLevel::Aggressive
                                  : llvm::CodeGenOptLevel::Default);
  return builder->createTargetMachine();
}

llvm::Expected<std::unique_ptr<llvm::Module>>
Compiler::translateToLLVMIR(ModuleOp module, llvm::LLVMContext &llvmContext,
                            const CompileOptions &options, StringRef metadata) {
  auto tm = createTargetMachine(options);
  if (!tm)
    return tm.takeError();
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, "tokamak");
  if (!llvmModule)
    return impl->takeError("cannot translate the module to LLVM IR");
  ExecutionEngine::setupTargetTripleAndDataLayout(llvmModule.get(), tm->get());
  if (!metadata.empty()) {
    llvm::Constant *text =
        llvm::ConstantDataArray::getString(llvmContext, metadata, true);
    auto *global = new llvm::GlobalVariable(
        *llvmModule, text->getType(), /*isConstant=*/true,
        llvm::GlobalValue::ExternalLinkage, text, "_tok_metadata");
    global->setVisibility(llvm::GlobalValue::DefaultVisibility);
  }
  auto transformer =
      makeOptimizingTransformer(options.optLevel, /*sizeLevel=*/0, tm->get());
  if (llvm::Error err = transformer(llvmModule.get()))
    return std::move(err);
  return llvmModule;
}

/// A temporary file next to `path`, removed on destruction unless kept.
namespace {
class TempFile {
public:
  explicit TempFile(StringRef path, StringRef suffix) {
    llvm::SmallString<256> model(path);
    model += ".tmp-%%%%%%";
    model += suffix;
    llvm::sys::fs::createUniquePath(model, name, /*MakeAbsolute=*/false);
  }
  ~TempFile() {
    if (!name.empty())
      llvm::sys::fs::remove(name);
  }
  StringRef path() const { return name; }
  /// Moves the file to `dest`.
  llvm::Error commit(StringRef dest) {
    if (std::error_code ec = llvm::sys::fs::rename(name, dest))
      return makeError("cannot write '" + dest + "': " + ec.message());
    name.clear();
    return llvm::Error::success();
  }

private:
  llvm::SmallString<256> name;
};
} // namespace

/// Writes `llvmModule` as an object file to `path`.
static llvm::Error writeObject(llvm::Module &llvmModule,
                               const CompileOptions &options, StringRef path) {
  auto tm = createTargetMachine(options);
  if (!tm)
    return tm.takeError();
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return makeError("cannot write '" + path + "': " + ec.message());
  llvm::legacy::PassManager pm;
  if ((*tm)->addPassesToEmitFile(pm, os, nullptr,
                                 llvm::CodeGenFileType::ObjectFile))
    return makeError("the target cannot emit object files");
  pm.run(llvmModule);
  os.flush();
  if (os.has_error())
    return makeError("cannot write '" + path + "'");
  return llvm::Error::success();
}

/// Lowers a tensor-level module to an object file at `objPath` with its
/// metadata embedded.
static llvm::Error compileToObject(Compiler &compiler, ModuleOp module,
                                   const CompileOptions &options,
                                   StringRef objPath) {
  auto metadata = compiler.describe(module, options);
  if (!metadata)
    return metadata.takeError();
  CompileOptions full = options;
  full.compileTo = Phase::LLVM;
  if (llvm::Error err = compiler.lower(module, full))
    return err;
  llvm::LLVMContext llvmContext;
  auto llvmModule =
      compiler.translateToLLVMIR(module, llvmContext, full, *metadata);
  if (!llvmModule)
    return llvmModule.takeError();
  return writeObject(**llvmModule, full, objPath);
}

llvm::Error Compiler::emitObject(ModuleOp module, const CompileOptions &options,
                                 StringRef path) {
  TempFile obj(path, ".o");
  if (llvm::Error err = compileToObject(*this, module, options, obj.path()))
    return err;
  return obj.commit(path);
}

llvm::Error Compiler::emitArtifact(ModuleOp module,
                                   const CompileOptions &options,
                                   StringRef path) {
  TempFile obj(path, ".o");
  if (llvm::Error err = compileToObject(*this, module, options, obj.path()))
    return err;

  // Link the object into a shared library with the LLVM toolchain's clang
  // driver and lld.
  auto clang = llvm::sys::findProgramByName("clang", {TOKAMAK_LLVM_BINDIR});
  if (!clang)
    return makeError("cannot find clang in " TOKAMAK_LLVM_BINDIR
                     " to link the artifact");
  TempFile lib(path, ".so");
  // Parallel loops call the LLVM OpenMP runtime: libomp is looked up beside
  // the artifact first ($ORIGIN, so a bundle can carry its own copy), then in
  // the LLVM installation. --as-needed drops it for serial code.
  llvm::SmallVector<StringRef> args = {
      *clang, "-shared", "-fuse-ld=lld", "-o", lib.path(), obj.path(),
      "-L" TOKAMAK_LLVM_LIBDIR,
      // Libcalls for conversions the target has no instruction for (f32 ->
      // bf16 without AVX512-BF16) come from compiler-rt's builtins, linked
      // statically: the artifact needs nothing at load time that the JIT
      // does not also provide.
      TOKAMAK_COMPILER_RT_BUILTINS, "-Wl,--as-needed", "-lomp", "-lm",
      "-Wl,-rpath,$ORIGIN:" TOKAMAK_LLVM_LIBDIR};
  std::string errMsg;
  int rc =
      llvm::sys::ExecuteAndWait(*clang, args, std::nullopt, {}, 0, 0, &errMsg);
  if (rc != 0)
    return makeError("linking the artifact failed" +
                     (errMsg.empty() ? "" : ": " + errMsg));
  return lib.commit(path);
}

} // namespace tokamak
