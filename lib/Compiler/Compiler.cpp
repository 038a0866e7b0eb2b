//===- Compiler.cpp - Parse, lower and describe modules -------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Compiler/Compiler.h"
#include "CompilerImpl.h"

#include "tokamak/Codegen/CUDA/CudaTarget.h"
#include "tokamak/Frontend/Frontend.h"

#include "tokamak/InitAllDialects.h"
#include "tokamak/InitAllPasses.h"
#include "tokamak/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/thread.h"
#include "llvm/Target/TargetMachine.h"

#include <optional>

using namespace mlir;

namespace tokamak {

/// Deeper nesting of brackets in the input text (attributes, types, regions)
/// is refused: the parser, the verifier and the passes recurse once per
/// level or more.
static constexpr int64_t kMaxNestingDepth = 1000;

/// The stack of the thread that parses and compiles; the main thread's
/// (often 8 MiB) is too small for IR nested hundreds of levels deep.
static constexpr unsigned kCompilerStackSize = 512u << 20;

/// The largest tensor, in bytes, and the largest dim that the compiled code
/// can index (sizes and offsets are i64, some kernels compute in i32).
static constexpr int64_t kMaxTensorBytes = int64_t(1) << 47;
static constexpr int64_t kMaxDimSize = std::numeric_limits<int32_t>::max();

template <typename Fn> auto runOnLargeStack(Fn &&fn) -> decltype(fn()) {
  std::optional<decltype(fn())> result;
  llvm::thread worker(std::optional<unsigned>(kCompilerStackSize),
                      [&] { result.emplace(fn()); });
  worker.join();
  return std::move(*result);
}

/// The deepest nesting of (), [], {} and <> in `text` (outside strings and
/// comments; `->` is no bracket), and where it first exceeds `limit`.
static std::pair<int64_t, const char *> getNestingDepth(StringRef text,
                                                        int64_t limit) {
  int64_t depth = 0, deepest = 0;
  const char *where = nullptr;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\')
          ++i;
      continue;
    }
    if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i < text.size() && text[i] != '\n')
        ++i;
      continue;
    }
    if (c == '-' && i + 1 < text.size() && text[i + 1] == '>') {
      ++i;
      continue;
    }
    if (c == '(' || c == '[' || c == '{' || c == '<') {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest == limit + 1)
          where = text.data() + i;
      }
    } else if ((c == ')' || c == ']' || c == '}' || c == '>') && depth > 0) {
      --depth;
    }
  }
  return {deepest, where};
}

Compiler::Impl::Impl() : diagStream(diagText) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registerTokamakDialects(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
  // Diagnostics name the op and its location; a dump of the whole module
  // helps compiler developers (tokamak-opt) but not users of the tools.
  context.printOpOnDiagnostic(false);
  diagHandler = std::make_unique<SourceMgrDiagnosticHandler>(
      sourceMgr, &context, diagStream);
}

llvm::Error Compiler::Impl::takeError(llvm::StringRef fallback) {
  std::string text = std::move(diagText);
  diagText.clear();
  while (!text.empty() && text.back() == '\n')
    text.pop_back();
  if (text.empty())
    text = fallback.str();
  return llvm::createStringError(llvm::inconvertibleErrorCode(), text);
}

Compiler::Compiler() : impl(std::make_unique<Impl>()) {}
Compiler::~Compiler() = default;

MLIRContext &Compiler::getContext() { return impl->context; }

llvm::Expected<OwningOpRef<ModuleOp>> Compiler::parseFile(StringRef path) {
  std::string message;
  auto buffer = openInputFile(path, &message);
  if (!buffer)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot open '" + path + "': " + message);
  return impl->parse(std::move(buffer));
}

llvm::Expected<OwningOpRef<ModuleOp>>
Compiler::parseString(StringRef text, StringRef bufferName) {
  return impl->parse(llvm::MemoryBuffer::getMemBufferCopy(text, bufferName));
}

llvm::Expected<OwningOpRef<ModuleOp>>
Compiler::importModel(StringRef directory, int64_t snapkvObs, bool h2o) {
  frontend::ImportOptions options;
  options.snapkvObs = snapkvObs;
  options.h2o = h2o;
  rt::StatusOr<frontend::ImportedModel> imported =
      frontend::importModelDirectory(directory.str(), options);
  if (!imported.ok())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   imported.status().message());
  return impl->parse(llvm::MemoryBuffer::getMemBufferCopy(
      imported->mlir, (directory + "/config.json").str()));
}

llvm::Expected<OwningOpRef<ModuleOp>>
Compiler::Impl::parse(std::unique_ptr<llvm::MemoryBuffer> buffer) {
  std::string name = buffer->getBufferIdentifier().str();
  auto [depth, where] = getNestingDepth(buffer->getBuffer(), kMaxNestingDepth);
  unsigned id = sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  if (depth > kMaxNestingDepth) {
    auto [line, column] =
        sourceMgr.getLineAndColumn(llvm::SMLoc::getFromPointer(where), id);
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        name + ":" + std::to_string(line) + ":" + std::to_string(column) +
            ": error: brackets nested " + std::to_string(depth) +
            " deep; at most " + std::to_string(kMaxNestingDepth) +
            " levels are supported");
  }
  return runOnLargeStack([&]() -> llvm::Expected<OwningOpRef<ModuleOp>> {
    ParserConfig config(&context);
    OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, config);
    if (!module)
      return takeError("cannot parse " + name);
    if (failed(verify(*module)))
      return takeError("'" + name + "' does not verify");
    return module;
  });
}

/// Refuses tensors and memrefs whose static sizes the compiled code cannot
/// index: a dim above kMaxDimSize or more than kMaxTensorBytes in all.
static LogicalResult verifyStaticSizes(ModuleOp module) {
  auto check = [](Operation *op, Type type, StringRef what) -> LogicalResult {
    auto shaped = dyn_cast<ShapedType>(type);
    if (!shaped || !shaped.hasRank())
      return success();
    unsigned bits = shaped.getElementType().isIntOrIndexOrFloat()
                        ? shaped.getElementType().getIntOrFloatBitWidth()
                        : 64;
    int64_t bytes = std::max<int64_t>(1, (bits + 7) / 8);
    bool overflow = false;
    for (int64_t dim : shaped.getShape()) {
      if (ShapedType::isDynamic(dim))
        continue;
      if (dim > kMaxDimSize)
        return op->emitOpError()
               << what << " type " << type << " has a dim of " << dim
               << "; dims of at most " << kMaxDimSize << " are supported";
      if (dim != 0 && bytes > kMaxTensorBytes / dim)
        overflow = true;
      else
        bytes *= dim;
    }
    if (overflow || bytes > kMaxTensorBytes)
      return op->emitOpError()
             << what << " type " << type << " needs more than 2^47 bytes";
    return success();
  };
  WalkResult result = module.walk([&](Operation *op) {
    for (auto [i, type] : llvm::enumerate(op->getResultTypes()))
      if (failed(check(op, type, "result " + std::to_string(i))))
        return WalkResult::interrupt();
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument arg : block.getArguments())
          if (failed(check(op, arg.getType(),
                           "argument " + std::to_string(arg.getArgNumber()))))
            return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

/// The metadata spelling of a tensor element type, or "" if unsupported.
static std::string getDTypeName(Type type) {
  if (type.isF32())
    return "f32";
  if (type.isF16())
    return "f16";
  if (type.isBF16())
    return "bf16";
  if (type.isF64())
    return "f64";
  if (auto i = dyn_cast<IntegerType>(type)) {
    if (i.isSignless() || i.isSigned()) {
      switch (i.getWidth()) {
      case 1:
        return "i1";
      case 8:
        return "i8";
      case 16:
        return "i16";
      case 32:
        return "i32";
      case 64:
        return "i64";
      }
    }
  }
  return "";
}

/// Every feature the generated code may use: those of the CPU model plus
/// the explicit ones, so the runtime can refuse hosts that lack one.
/// The features `tm` generates code with ("+a,+b"); with `withOff`, the
/// ones it does not as well ("-c"), so that the list alone (on any CPU
/// name) gives the same feature set.
static std::string getEffectiveFeatures(const llvm::TargetMachine &tm,
                                        bool withOff = false) {
  const llvm::MCSubtargetInfo *sti = tm.getMCSubtargetInfo();
  std::string features;
  for (const llvm::SubtargetFeatureKV &kv : sti->getAllProcessorFeatures()) {
    bool on = sti->getFeatureBits().test(kv.Value);
    if (!on && !withOff)
      continue;
    features += (features.empty() ? "" : ",") + std::string(on ? "+" : "-") +
                std::string(kv.Key);
  }
  return features;
}

llvm::Expected<std::string> Compiler::describe(ModuleOp module,
                                               const CompileOptions &options) {
  if (options.target == Target::CUDA) {
    std::string error;
    if (failed(cuda::resolveCudaTarget(options.cudaArch, error)))
      return llvm::createStringError(llvm::inconvertibleErrorCode(), error);
  }
  auto tm = createTargetMachine(options);
  if (!tm)
    return tm.takeError();
  std::string json;
  llvm::raw_string_ostream os(json);
  llvm::json::OStream j(os);
  bool failedType = false;
  auto writeTensors = [&](func::FuncOp fn, StringRef kind, TypeRange types) {
    j.attributeArray(kind, [&] {
      for (auto [i, t] : llvm::enumerate(types)) {
        auto tensor = dyn_cast<RankedTensorType>(t);
        std::string dtype = tensor ? getDTypeName(tensor.getElementType()) : "";
        if (dtype.empty()) {
          fn.emitError("function @")
              << fn.getSymName() << ": " << kind.drop_back() << " " << i
              << " has type " << t
              << "; public functions take and return ranked tensors of "
                 "f32, f16, bf16, f64 or i1/i8/i16/i32/i64";
          failedType = true;
          continue;
        }
        j.object([&] {
          j.attribute("dtype", dtype);
          j.attributeArray("shape", [&] {
            for (int64_t d : tensor.getShape())
              j.value(ShapedType::isDynamic(d) ? int64_t(-1) : d);
          });
        });
      }
    });
  };
  j.object([&] {
    j.attribute("format", "tokamak-artifact");
    j.attribute("version", 1);
    j.attributeObject("target", [&] {
      j.attribute("triple", (*tm)->getTargetTriple().str());
      j.attribute("cpu", (*tm)->getTargetCPU());
      j.attribute("features", getEffectiveFeatures(**tm));
      // A CUDA artifact's host code runs on the CPU above; its kernels and
      // every buffer its entries take and return live on the device
      // (docs/Codegen.md, "Host ABI").
      if (options.target == Target::CUDA) {
        j.attribute("device", "cuda");
        j.attribute("cuda_arch", options.cudaArch);
      }
    });
    j.attributeArray("functions", [&] {
      for (auto fn : module.getOps<func::FuncOp>()) {
        if (!fn.isPublic() || fn.isExternal())
          continue;
        j.object([&] {
          j.attribute("name", fn.getSymName());
          j.attribute("entry", getEntryPointName(fn.getSymName()));
          writeTensors(fn, "inputs", fn.getArgumentTypes());
          writeTensors(fn, "results", fn.getResultTypes());
        });
      }
    });
    // A module imported from a model directory carries what the runtime
    // needs to run it (weight names, vocabulary, ...) as JSON.
    if (auto model = module->getAttrOfType<StringAttr>(kModelMetadataAttr)) {
      j.attributeBegin("model");
      j.rawValue([&](llvm::raw_ostream &os) { os << model.getValue(); });
      j.attributeEnd();
    }
  });
  if (failedType)
    return impl->takeError("unsupported function signature");
  return json;
}

/// Registers Tokamak's passes once, unless the host tool already did, so
/// that the CUDA pipeline's tensor-core hook finds its pass by name.
static void registerPassesOnce() {
  static llvm::once_flag flag;
  llvm::call_once(flag, [] {
    if (!PassInfo::lookup("tokamak-generate-entry-points"))
      registerTokamakPasses();
  });
}

llvm::Error Compiler::lower(ModuleOp module, const CompileOptions &options) {
  if (options.target == Target::CUDA) {
    std::string error;
    if (failed(cuda::resolveCudaTarget(options.cudaArch, error)))
      return llvm::createStringError(llvm::inconvertibleErrorCode(), error);
    if (failed(verifyStaticSizes(module)))
      return impl->takeError("compilation failed");
    registerPassesOnce();
    CudaPipelineOptions pipelineOptions;
    pipelineOptions.compileTo = options.compileTo;
    pipelineOptions.readOnlyInputs = options.readOnlyInputs;
    pipelineOptions.cudaArch = options.cudaArch;
    pipelineOptions.binaryFormat = options.cudaBinaryFormat;
    pipelineOptions.optLevel = options.optLevel;
    PassManager pm(&impl->context);
    if (failed(buildCudaPipeline(pm, pipelineOptions, error)))
      return llvm::createStringError(llvm::inconvertibleErrorCode(), error);
    return runOnLargeStack([&]() -> llvm::Error {
      if (failed(pm.run(module)))
        return impl->takeError("compilation failed");
      return llvm::Error::success();
    });
  }
  auto tm = createTargetMachine(options);
  if (!tm)
    return tm.takeError();
  if (failed(verifyStaticSizes(module)))
    return impl->takeError("compilation failed");
  // The kernels are generated for exactly what the target machine emits
  // code for: its CPU and every feature on or off.
  CpuPipelineOptions pipelineOptions;
  pipelineOptions.compileTo = options.compileTo;
  pipelineOptions.readOnlyInputs = options.readOnlyInputs;
  pipelineOptions.cpu = (*tm)->getTargetCPU().str();
  pipelineOptions.cpuFeatures = getEffectiveFeatures(**tm, /*withOff=*/true);
  pipelineOptions.numThreads = options.numThreads;
  PassManager pm(&impl->context);
  std::string error;
  if (failed(buildCpuPipeline(pm, pipelineOptions, error)))
    return llvm::createStringError(llvm::inconvertibleErrorCode(), error);
  return runOnLargeStack([&]() -> llvm::Error {
    if (failed(pm.run(module)))
      return impl->takeError("compilation failed");
    return llvm::Error::success();
  });
}

} // namespace tokamak
