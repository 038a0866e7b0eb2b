//===- tokamak-compile.cpp - The Tokamak ahead-of-time compiler -----------===//
//
// Part of the Tokamak project. DESIGN §7:
//   tokamak-compile INPUT -o OUT [--target=cpu|cuda] [--cuda-arch=sm_90]
//                   [--compile-to=PHASE] [--emit=mlir|llvm|ptx|obj|artifact]
// INPUT is a .mlir file or a Hugging Face model directory.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Codegen/CUDA/CudaTarget.h"
#include "tokamak/Compiler/Compiler.h"
#include "tokamak/Frontend/Frontend.h"
#include "tokamak/runtime/OutputFiles.h"

#include "mlir/IR/AsmState.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

static cl::OptionCategory category("tokamak-compile options");
static cl::opt<std::string> inputPath(cl::Positional,
                                      cl::desc("<input.mlir | model dir>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string> outputPath("o", cl::desc("Output file"),
                                       cl::value_desc("path"), cl::Required,
                                       cl::cat(category));
static cl::opt<std::string> targetName("target",
                                       cl::desc("Target: cpu (default), cuda"),
                                       cl::init("cpu"), cl::cat(category));
static cl::opt<std::string> cudaArch(
    "cuda-arch",
    cl::desc("CUDA architecture for --target=cuda: sm_80, sm_86, sm_89, "
             "sm_90 or sm_90a (default)"),
    cl::init("sm_90a"), cl::cat(category));
static cl::opt<std::string> compileTo(
    "compile-to",
    cl::desc("Stop after a phase: input, tok-opt, tiling, fusion, bufferize, "
             "llvm"),
    cl::init(""), cl::cat(category));
static cl::opt<std::string>
    emit("emit",
         cl::desc("Output kind: mlir, llvm, ptx, obj, artifact (default: from "
                  "the output's extension, else artifact)"),
         cl::init(""), cl::cat(category));
static cl::opt<std::string>
    cpuName("cpu", cl::desc("CPU to generate code for (default: the host's)"),
            cl::init(""), cl::cat(category));
static cl::opt<std::string>
    cpuFeatures("cpu-features",
                cl::desc("Target features, e.g. +avx2,+fma (default: the "
                         "host's, or the --cpu's)"),
                cl::init(""), cl::cat(category));
static cl::opt<int64_t> snapkvObs(
    "snapkv-obs",
    cl::desc("For a decoder model directory: also export @prefill_stats with "
             "this stats window, for tokamak-run --kv-policy=snapkv=B,obs=O "
             "(default: none)"),
    cl::init(0), cl::cat(category));
static cl::opt<int64_t> snapkvBudget(
    "snapkv-budget",
    cl::desc("For a decoder model directory: also export the compiled SnapKV "
             "selection (@snapkv_select_avg/max: linalg pooling + tok.topk) "
             "for budgets up to this; without it tokamak-run selects in C++ "
             "(default: none)"),
    cl::init(0), cl::cat(category));
static cl::opt<std::string> kvLayout(
    "kv-layout",
    cl::desc("For a decoder model directory: the paged KV cache layout, "
             "shared (one block table per sequence, the default) or per-head "
             "(one block table per kv head over one-head blocks, for "
             "per-head policies: full_heads, per-head snapkv)"),
    cl::init("shared"), cl::cat(category));
static cl::opt<std::string> kvGroups(
    "kv-groups",
    cl::desc("For a decoder model directory: cache groups (a block table and "
             "a kv policy each), by-window (one per distinct attention "
             "window, the default) or per-layer (one per attention layer)"),
    cl::init("by-window"), cl::cat(category));
static cl::opt<bool>
    h2o("h2o",
        cl::desc("For a decoder model directory: also export @prefill_h2o and "
                 "@decode_stats (every layer's attention stats), for "
                 "tokamak-run --kv-policy=h2o=B[,recent=R]"),
        cl::init(false), cl::cat(category));
static cl::opt<int64_t> numThreads(
    "num-threads",
    cl::desc("Threads the parallel loops are balanced for (default: the "
             "host's OpenMP default, OMP_NUM_THREADS or the online cores)"),
    cl::init(0), cl::cat(category));

/// Prints `message` as the tool's one error and returns exit code 1.
static int fail(const Twine &message) {
  WithColor::error(errs(), "tokamak-compile") << message << "\n";
  return 1;
}

static int fail(Error err) {
  std::string message = toString(std::move(err));
  return fail(message);
}

/// The output kind implied by `path`'s extension, or "artifact".
static std::string inferEmit(StringRef path) {
  StringRef ext = sys::path::extension(path);
  if (ext == ".mlir")
    return "mlir";
  if (ext == ".ll")
    return "llvm";
  if (ext == ".ptx")
    return "ptx";
  if (ext == ".o")
    return "obj";
  return "artifact";
}

/// Writes text produced by `print` to the output path, all or nothing
/// (rt::OutputFiles: a regular file is replaced atomically, a symbolic
/// link's target replaced, a device or FIFO written into).
static int writeText(function_ref<void(raw_ostream &)> print) {
  tokamak::rt::OutputFiles outputs;
  tokamak::rt::StatusOr<std::string> temp = outputs.add(outputPath);
  if (!temp.ok())
    return fail(temp.status().message());
  {
    std::error_code ec;
    raw_fd_ostream os(*temp, ec, sys::fs::OF_Text);
    if (ec)
      return fail("cannot write '" + outputPath + "': " + ec.message());
    print(os);
    os.flush();
    if (os.has_error()) {
      std::string reason = os.error().message();
      os.clear_error();
      return fail("cannot write '" + outputPath + "': " + reason);
    }
  }
  if (tokamak::rt::Status status = outputs.commit(); status.failed())
    return fail(status.message());
  return 0;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "Tokamak ahead-of-time compiler\n");

  tokamak::CompileOptions options;
  if (targetName == "cpu")
    options.target = tokamak::Target::CPU;
  else if (targetName == "cuda")
    options.target = tokamak::Target::CUDA;
  else
    return fail("unknown target '" + targetName + "' (expected cpu or cuda)");
  if (options.target == tokamak::Target::CUDA) {
    std::string error;
    if (failed(tokamak::cuda::resolveCudaTarget(cudaArch, error)))
      return fail(error);
  } else if (cudaArch.getNumOccurrences()) {
    return fail("--cuda-arch needs --target=cuda");
  }
  options.cudaArch = cudaArch;
  options.cpu = cpuName;
  options.cpuFeatures = cpuFeatures;
  if (numThreads < 0)
    return fail("--num-threads must be at least 0, got " +
                Twine(numThreads.getValue()));
  options.numThreads = numThreads;

  std::string kind = emit.empty() ? inferEmit(outputPath) : emit.getValue();
  if (kind != "mlir" && kind != "llvm" && kind != "ptx" && kind != "obj" &&
      kind != "artifact")
    return fail("unknown --emit kind '" + kind +
                "' (expected mlir, llvm, ptx, obj or artifact)");
  if (!compileTo.empty()) {
    std::optional<tokamak::Phase> phase = tokamak::parsePhase(compileTo);
    if (!phase)
      return fail("unknown phase '" + compileTo +
                  "' (expected input, tok-opt, tiling, fusion, bufferize or "
                  "llvm)");
    options.compileTo = *phase;
    if (emit.empty())
      kind = "mlir";
    else if (kind != "mlir")
      return fail("--compile-to needs --emit=mlir");
  }
  if (kind == "ptx" && options.target != tokamak::Target::CUDA)
    return fail("--emit=ptx needs --target=cuda");
  // A directory is a Hugging Face model (config.json + *.safetensors): the
  // frontend imports it; the artifact references the weights, which
  // tokamak-run maps from --weights=MODEL_DIR.
  if (snapkvObs < 0)
    return fail("--snapkv-obs must be >= 1, got " + Twine(snapkvObs));
  if (snapkvBudget < 0)
    return fail("--snapkv-budget must be >= 1, got " + Twine(snapkvBudget));
  tokamak::frontend::ImportOptions importOptions;
  importOptions.snapkvObs = snapkvObs;
  importOptions.snapkvBudget = snapkvBudget;
  importOptions.h2o = h2o;
  auto layout = tokamak::frontend::parseKVLayout(kvLayout);
  if (!layout.ok())
    return fail(layout.status().message());
  importOptions.kvLayout = *layout;
  auto groups = tokamak::frontend::parseKVGroups(kvGroups);
  if (!groups.ok())
    return fail(groups.status().message());
  importOptions.kvGroups = *groups;
  bool isModelDir = sys::fs::is_directory(inputPath);
  if (!isModelDir &&
      (kvLayout.getNumOccurrences() || kvGroups.getNumOccurrences()))
    return fail("--kv-layout and --kv-groups apply to a model directory, not "
                "'" +
                inputPath + "'");
  tokamak::Compiler compiler;
  auto module = isModelDir ? compiler.importModel(inputPath, importOptions)
                           : compiler.parseFile(inputPath);
  if (!module)
    return fail(module.takeError());

  if (kind == "mlir") {
    if (Error err = compiler.lower(**module, options))
      return fail(std::move(err));
    return writeText([&](raw_ostream &os) { (*module)->print(os); });
  }
  if (kind == "llvm") {
    auto metadata = compiler.describe(**module, options);
    if (!metadata)
      return fail(metadata.takeError());
    if (Error err = compiler.lower(**module, options))
      return fail(std::move(err));
    LLVMContext llvmContext;
    auto llvmModule =
        compiler.translateToLLVMIR(**module, llvmContext, options, *metadata);
    if (!llvmModule)
      return fail(llvmModule.takeError());
    return writeText(
        [&](raw_ostream &os) { (*llvmModule)->print(os, nullptr); });
  }
  if (kind == "ptx") {
    if (Error err = compiler.emitPtx(**module, options, outputPath))
      return fail(std::move(err));
    return 0;
  }
  if (kind == "obj") {
    if (Error err = compiler.emitObject(**module, options, outputPath))
      return fail(std::move(err));
    return 0;
  }
  if (Error err = compiler.emitArtifact(**module, options, outputPath))
    return fail(std::move(err));
  return 0;
}
