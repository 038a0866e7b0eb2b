//===- CodeGen.cpp - LLVM IR, object files and artifacts ------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "CompilerImpl.h"

#include "tokamak/runtime/Artifact.h"
#include "tokamak/runtime/OutputFiles.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Transforms/Utils/SplitModule.h"

#include <algorithm>
#include <thread>
#include <vector>

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
  if (options.target == Target::CUDA && options.cpu.empty()) {
    // The host code of a CUDA module only launches kernels and moves
    // buffers: generic x86-64, so that the artifact runs on whatever CPU
    // the GPU machine has.
    builder->setCPU("x86-64");
    builder->getFeatures() = llvm::SubtargetFeatures(options.cpuFeatures);
  } else if (!options.cpu.empty()) {
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

/// Runs LLVM's optimization pipeline of `options.optLevel` on `llvmModule`.
static llvm::Error optimizeModule(llvm::Module &llvmModule,
                                  const CompileOptions &options,
                                  llvm::TargetMachine *tm) {
  auto transformer =
      makeOptimizingTransformer(options.optLevel, /*sizeLevel=*/0, tm);
  return transformer(&llvmModule);
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
  if (llvm::Error err = optimizeModule(*llvmModule, options, tm->get()))
    return std::move(err);
  return llvmModule;
}

/// A scratch file next to `path`, removed on destruction.
namespace {
class TempFile {
public:
  explicit TempFile(StringRef path, StringRef suffix) {
    llvm::SmallString<256> model(path);
    model += ".tmp-%%%%%%";
    model += suffix;
    llvm::sys::fs::createUniquePath(model, name, /*MakeAbsolute=*/false);
    // A crash (a signal) must not leave the file behind either.
    llvm::sys::RemoveFileOnSignal(name);
  }
  ~TempFile() {
    if (name.empty())
      return;
    llvm::sys::fs::remove(name);
    llvm::sys::DontRemoveFileOnSignal(name);
  }
  TempFile(TempFile &&other) : name(std::move(other.name)) {
    other.name.clear();
  }
  TempFile(const TempFile &) = delete;
  TempFile &operator=(const TempFile &) = delete;
  TempFile &operator=(TempFile &&) = delete;
  StringRef path() const { return name; }
  /// Moves the file to `dest`.
  llvm::Error commit(StringRef dest) {
    if (std::error_code ec = llvm::sys::fs::rename(name, dest))
      return makeError("cannot write '" + dest + "': " + ec.message());
    llvm::sys::DontRemoveFileOnSignal(name);
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

/// Lowers a tensor-level module to optimized LLVM IR with its metadata
/// embedded.
static llvm::Expected<std::unique_ptr<llvm::Module>>
lowerToLLVMIR(Compiler &compiler, ModuleOp module,
              const CompileOptions &options, llvm::LLVMContext &llvmContext) {
  auto metadata = compiler.describe(module, options);
  if (!metadata)
    return metadata.takeError();
  CompileOptions full = options;
  full.compileTo = Phase::LLVM;
  if (llvm::Error err = compiler.lower(module, full))
    return std::move(err);
  return compiler.translateToLLVMIR(module, llvmContext, full, *metadata);
}

/// Lowers a tensor-level module to one object file at `objPath`.
static llvm::Error compileToObject(Compiler &compiler, ModuleOp module,
                                   const CompileOptions &options,
                                   StringRef objPath) {
  llvm::LLVMContext llvmContext;
  auto llvmModule = lowerToLLVMIR(compiler, module, options, llvmContext);
  if (!llvmModule)
    return llvmModule.takeError();
  return writeObject(**llvmModule, options, objPath);
}

/// How many parts the LLVM module of a model is compiled to machine code in,
/// in parallel: one per hardware thread (at most 8), with at least 4 defined
/// functions (kernels, OpenMP bodies) per part.
static unsigned countPartitions(const llvm::Module &llvmModule) {
  unsigned defined = 0;
  for (const llvm::Function &fn : llvmModule)
    defined += !fn.isDeclaration();
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  return std::clamp(defined / 4, 1u, std::min(threads, 8u));
}

/// Lowers a tensor-level module to object files next to `path`, one per
/// partition. The module is optimized whole, then split by
/// llvm::SplitModule (local symbols become hidden globals) and each part,
/// moved into an LLVMContext of its own as bitcode, is compiled to machine
/// code on a thread of its own. (Splitting before optimizing made code
/// generation of a 24-layer Mamba's entry point 4x slower: the optimizer
/// then inlines differently within a part.)
static llvm::Expected<std::vector<TempFile>>
compileToObjects(Compiler &compiler, ModuleOp module,
                 const CompileOptions &options, StringRef path) {
  std::vector<TempFile> objects;
  llvm::LLVMContext llvmContext;
  auto llvmModule = lowerToLLVMIR(compiler, module, options, llvmContext);
  if (!llvmModule)
    return llvmModule.takeError();
  // A CUDA module's kernels are one embedded binary loaded by a global
  // constructor: its host code stays in one object.
  unsigned parts =
      options.target == Target::CUDA ? 1 : countPartitions(**llvmModule);
  if (parts <= 1) {
    objects.emplace_back(path, ".o");
    if (llvm::Error err =
            writeObject(**llvmModule, options, objects.back().path()))
      return std::move(err);
    return std::move(objects);
  }

  std::vector<llvm::SmallVector<char, 0>> bitcode;
  llvm::SplitModule(
      **llvmModule, parts,
      [&](std::unique_ptr<llvm::Module> part) {
        llvm::SmallVector<char, 0> &buffer = bitcode.emplace_back();
        llvm::raw_svector_ostream os(buffer);
        llvm::WriteBitcodeToFile(*part, os);
      },
      /*PreserveLocals=*/false, /*RoundRobin=*/true);
  llvmModule->reset();

  std::vector<std::string> errors(bitcode.size());
  for (size_t i = 0; i < bitcode.size(); ++i)
    objects.emplace_back(path, ".o");
  auto compilePart = [&](size_t i) {
    llvm::LLVMContext context;
    llvm::MemoryBufferRef buffer(
        StringRef(bitcode[i].data(), bitcode[i].size()), "part");
    llvm::Error err = [&]() -> llvm::Error {
      auto part = llvm::parseBitcodeFile(buffer, context);
      if (!part)
        return part.takeError();
      return writeObject(**part, options, objects[i].path());
    }();
    if (err)
      errors[i] = llvm::toString(std::move(err));
  };
  std::vector<std::thread> workers;
  for (size_t i = 1; i < bitcode.size(); ++i)
    workers.emplace_back(compilePart, i);
  compilePart(0);
  for (std::thread &worker : workers)
    worker.join();
  for (const std::string &error : errors)
    if (!error.empty())
      return makeError(error);
  return std::move(objects);
}

/// The temporary file to write output `path` to (see rt::OutputFiles: a
/// device or FIFO is written into, a symbolic link's target replaced).
static llvm::Expected<std::string> addOutput(rt::OutputFiles &outputs,
                                             StringRef path) {
  rt::StatusOr<std::string> temp = outputs.add(path.str());
  if (!temp.ok())
    return makeError(temp.status().message());
  return *temp;
}

static llvm::Error commitOutputs(rt::OutputFiles &outputs) {
  if (rt::Status status = outputs.commit(); status.failed())
    return makeError(status.message());
  return llvm::Error::success();
}

llvm::Error Compiler::emitObject(ModuleOp module, const CompileOptions &options,
                                 StringRef path) {
  rt::OutputFiles outputs;
  auto obj = addOutput(outputs, path);
  if (!obj)
    return obj.takeError();
  if (llvm::Error err = compileToObject(*this, module, options, *obj))
    return err;
  return commitOutputs(outputs);
}

llvm::Error Compiler::emitPtx(ModuleOp module, const CompileOptions &options,
                              StringRef path) {
  if (options.target != Target::CUDA)
    return makeError("--emit=ptx needs --target=cuda");
  CompileOptions ptx = options;
  ptx.compileTo = Phase::LLVM;
  ptx.cudaBinaryFormat = "isa";
  if (llvm::Error err = lower(module, ptx))
    return err;
  // tok-cuda-merge-kernel-modules left at most one GPU module; its one
  // object (format isa) is the PTX text.
  std::string text;
  for (auto binary : module.getOps<gpu::BinaryOp>())
    for (Attribute attr : binary.getObjects())
      text += cast<gpu::ObjectAttr>(attr).getObject().getValue().str();
  if (text.empty())
    text = "// no kernels\n";
  rt::OutputFiles outputs;
  auto temp = addOutput(outputs, path);
  if (!temp)
    return temp.takeError();
  std::error_code ec;
  llvm::raw_fd_ostream os(*temp, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return makeError("cannot write '" + path + "': " + ec.message());
  os << text;
  os.close();
  if (os.has_error())
    return makeError("cannot write '" + path + "'");
  return commitOutputs(outputs);
}

llvm::Error Compiler::emitArtifact(ModuleOp module,
                                   const CompileOptions &options,
                                   StringRef path) {
  // The output's path is checked before compiling.
  rt::OutputFiles outputs;
  auto lib = addOutput(outputs, path);
  if (!lib)
    return lib.takeError();
  auto objects = compileToObjects(*this, module, options, *lib);
  if (!objects)
    return objects.takeError();

  // Link the object into a shared library with the LLVM toolchain's clang
  // driver and lld.
  auto clang = llvm::sys::findProgramByName("clang", {TOKAMAK_LLVM_BINDIR});
  if (!clang)
    return makeError("cannot find clang in " TOKAMAK_LLVM_BINDIR
                     " to link the artifact");
  // Parallel loops call the LLVM OpenMP runtime: libomp is looked up beside
  // the artifact first ($ORIGIN, so a bundle can carry its own copy), then in
  // the LLVM installation. --as-needed drops it for serial code.
  llvm::SmallVector<StringRef> args = {*clang, "-shared", "-fuse-ld=lld", "-o",
                                       *lib};
  for (const TempFile &object : *objects)
    args.push_back(object.path());
  args.append({"-L" TOKAMAK_LLVM_LIBDIR,
               // Libcalls for conversions the target has no instruction for
               // (f32 -> bf16 without AVX512-BF16) come from compiler-rt's
               // builtins, linked statically: the artifact needs nothing at
               // load time that the JIT does not also provide.
               TOKAMAK_COMPILER_RT_BUILTINS, "-Wl,--as-needed", "-lomp", "-lm",
               "-Wl,-rpath,$ORIGIN:" TOKAMAK_LLVM_LIBDIR});
  std::string errMsg;
  int rc =
      llvm::sys::ExecuteAndWait(*clang, args, std::nullopt, {}, 0, 0, &errMsg);
  if (rc != 0)
    return makeError("linking the artifact failed" +
                     (errMsg.empty() ? "" : ": " + errMsg));
  // The seal ties the metadata to the code: the runtime loads only an
  // artifact whose bytes are the ones written here.
  if (rt::Status sealed = rt::sealArtifact(*lib); sealed.failed())
    return makeError(sealed.message());
  return commitOutputs(outputs);
}

} // namespace tokamak
