//===- Compiler.cpp - Parse, lower and describe modules -------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Compiler/Compiler.h"
#include "CompilerImpl.h"

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
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;

namespace tokamak {

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
Compiler::importModel(StringRef directory) {
  rt::StatusOr<frontend::ImportedModel> imported =
      frontend::importModelDirectory(directory.str(),
                                     frontend::ImportOptions());
  if (!imported.ok())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   imported.status().message());
  return impl->parse(llvm::MemoryBuffer::getMemBufferCopy(
      imported->mlir, (directory + "/config.json").str()));
}

llvm::Expected<OwningOpRef<ModuleOp>>
Compiler::Impl::parse(std::unique_ptr<llvm::MemoryBuffer> buffer) {
  StringRef name = buffer->getBufferIdentifier();
  sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  ParserConfig config(&context);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, config);
  if (!module)
    return takeError(("cannot parse " + name).str());
  if (failed(verify(*module)))
    return takeError(("'" + name + "' does not verify").str());
  return module;
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
static std::string getEffectiveFeatures(const llvm::TargetMachine &tm) {
  const llvm::MCSubtargetInfo *sti = tm.getMCSubtargetInfo();
  std::string features;
  for (const llvm::SubtargetFeatureKV &kv : sti->getAllProcessorFeatures())
    if (sti->getFeatureBits().test(kv.Value))
      features += (features.empty() ? "+" : ",+") + std::string(kv.Key);
  return features;
}

llvm::Expected<std::string> Compiler::describe(ModuleOp module,
                                               const CompileOptions &options) {
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

llvm::Error Compiler::lower(ModuleOp module, const CompileOptions &options) {
  if (options.target == Target::CUDA)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "the cuda target is not available yet; use --target=cpu");
  auto tm = createTargetMachine(options);
  if (!tm)
    return tm.takeError();
  const llvm::MCSubtargetInfo *sti = (*tm)->getMCSubtargetInfo();
  bool avx512 = sti->checkFeatures("+avx512f");
  bool nativeBf16 = sti->checkFeatures("+avx512bf16");
  PassManager pm(&impl->context);
  buildCpuPipeline(pm, options.compileTo, options.readOnlyInputs, avx512,
                   nativeBf16);
  if (failed(pm.run(module)))
    return impl->takeError("compilation failed");
  return llvm::Error::success();
}

} // namespace tokamak
