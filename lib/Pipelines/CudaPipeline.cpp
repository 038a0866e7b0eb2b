//===- CudaPipeline.cpp - The CUDA pipeline -------------------------------===//
//
// Part of the Tokamak project. docs/Codegen.md ("CUDA") explains each stage.
//
//===----------------------------------------------------------------------===//

#include "BufferizePhase.h"

#include "dialects/Tok/Transforms/Passes.h"
#include "tokamak/Codegen/CUDA/CudaTarget.h"
#include "tokamak/Codegen/CUDA/Passes.h"
#include "tokamak/Codegen/CUDA/TensorCores/Passes.h"
#include "tokamak/Conversion/Passes.h"
#include "tokamak/Pipelines/Pipelines.h"
#include "tokamak/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace tokamak {

/// The tensor-core hook: `tok-cuda-tensor-cores` (lib/Codegen/CUDA/
/// TensorCores) rewrites eligible tok ops on tensors into
/// `bufferization.to_buffer` + `memref.alloc` + `gpu.launch` +
/// `bufferization.to_tensor`; the ops it leaves take the SIMT route below,
/// and its host `memref.alloc`s become device memory in
/// tok-cuda-device-memory like every other. Its kernels are outlined at
/// once (`gpu.launch_func`): the generic canonicalize and CSE of the later
/// phases would otherwise work on the hand-scheduled kernel bodies (moving
/// values across the launch boundary and rewriting the fragment vectors,
/// which cost 64 more registers and a stack frame in ptxas), and the
/// buffer deallocation sees one launch with known effects on its buffers
/// (KernelOpEffects.cpp) instead of the ops of the kernel.
static void addTensorCorePass(OpPassManager &pm, StringRef arch) {
  cuda::CudaTensorCoresOptions options;
  options.cudaArch = arch.str();
  pm.addPass(cuda::createCudaTensorCores(options));
  pm.addPass(createGpuKernelOutliningPass());
}

LogicalResult buildCudaPipeline(OpPassManager &pm,
                                const CudaPipelineOptions &options,
                                std::string &error) {
  FailureOr<cuda::CudaTarget> target =
      cuda::resolveCudaTarget(options.cudaArch, error);
  if (failed(target))
    return failure();
  std::string format = options.binaryFormat;
  if (format == "auto" || format == "fatbin" || format == "bin") {
    std::string ptxas = cuda::findPtxas();
    if (ptxas.empty() && format != "auto") {
      error = "binary-format=" + format + " needs ptxas (set CUDA_PATH)";
      return failure();
    }
    if (format == "auto")
      format = ptxas.empty() ? "isa" : "fatbin";
  } else if (format != "isa") {
    error = "unknown binary-format '" + format +
            "' (expected auto, isa, fatbin or bin)";
    return failure();
  }
  // libdevice (math) comes from the toolkit; gpu-module-to-binary links it.
  // Only the llvm phase needs it.
  std::string toolkit;
  if (options.compileTo == Phase::LLVM) {
    FailureOr<std::string> found = cuda::findCudaToolkit(error);
    if (failed(found))
      return failure();
    toolkit = *found;
  }
  if (options.blockSize < 1 || options.blockSize > 1024) {
    error = "block-size must be between 1 and 1024, got " +
            std::to_string(options.blockSize);
    return failure();
  }
  Phase last = options.compileTo;
  if (last == Phase::Input)
    return success();

  // tok-opt: canonicalize and fold at the tok level (shared with the CPU).
  {
    OpPassManager &fpm = pm.nest<func::FuncOp>();
    fpm.addPass(createCanonicalizerPass());
    fpm.addPass(createCSEPass());
  }
  // Hook: tensor-core kernels for attention and GEMM (see above); on by
  // default (every supported architecture has mma.sync m16n8k16).
  if (options.tensorCores)
    addTensorCorePass(pm, target->chip);
  if (last == Phase::TokOpt)
    return success();

  // tiling: run-time checks on the tok ops, the device-resident scans
  // (tok-cuda-scans), then the reference lowering of every other tok op to
  // linalg/scf on tensors (lib/Conversion/TokToLinalg); the CPU tile passes
  // are not used. Each linalg op becomes one SIMT kernel below.
  pm.addPass(createInsertRuntimeChecks());
  // Packed (seq_starts) scans and conv1d as one unpacked op per sequence,
  // once the checks have seen their sizes (as on the CPU).
  pm.addNestedPass<func::FuncOp>(tok::createDecomposePackedScans());
  // Scans and conv1d keep their time loop on the device: one scf.parallel
  // (one kernel) over the independent indices, the loop over time inside.
  pm.addPass(cuda::createScanKernels());
  pm.addPass(createConvertTokToLinalg());
  pm.addNestedPass<func::FuncOp>(createDecomposeAggregates());
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());
  if (last == Phase::Tiling)
    return success();

  // fusion: elementwise producers into their consumers (fewer kernels).
  {
    OpPassManager &fpm = pm.nest<func::FuncOp>();
    fpm.addPass(createFuseElementwise());
    fpm.addPass(createCanonicalizerPass());
    fpm.addPass(createCSEPass());
  }
  if (last == Phase::Fusion)
    return success();

  // bufferize: as on the CPU (one-shot, identity layouts at function
  // boundaries, ownership-based deallocation, packed entry points), then
  // the host/device split: every tensor buffer in device memory, each
  // linalg op one kernel of one thread per iteration of its parallel dims,
  // host reads of index data through host copies.
  addBufferizePasses(pm, options.readOnlyInputs);
  // Tiles of user transform scripts (scf.forall without a GPU mapping) run
  // one after the other; what each tile computes is mapped below.
  pm.addNestedPass<func::FuncOp>(createForallToForLoopPass());
  pm.addPass(cuda::createDeviceMemory());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  cuda::MapParallelLoopsOptions mapOptions;
  mapOptions.blockSize = options.blockSize;
  pm.addPass(cuda::createMapParallelLoops(mapOptions));
  pm.addPass(cuda::createStageHostReads());
  pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());
  if (last == Phase::Bufferize)
    return success();

  // llvm: kernels outlined into a gpu.module, lowered to NVVM for the
  // architecture and serialized by gpu-module-to-binary (PTX; with ptxas
  // also a cubin, both in a fatbin; libdevice linked for math); host code
  // with mgpu* runtime calls (docs/Codegen.md, "Host ABI"), every
  // transfer and launch synchronous.
  pm.addPass(createConvertNVGPUToNVVMPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(cuda::createMergeKernelModules());
  pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertNVVMToLLVMPass());
  // MLIR 22's expand-strided-metadata crashes on expand_shape groups with
  // several dynamic sizes (topk over a dynamic grouped dim): those become
  // reinterpret casts first.
  pm.addPass(cuda::createExpandShapeStrides());
  pm.addPass(memref::createExpandStridedMetadataPass());
  GpuNVVMAttachTargetOptions attach;
  attach.chip = target->chip;
  attach.features = target->features;
  attach.optLevel = options.optLevel;
  pm.addPass(createGpuNVVMAttachTarget(attach));
  pm.addPass(createLowerAffinePass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  {
    OpPassManager &gpm = pm.nest<gpu::GPUModuleOp>();
    // f16/bf16 math (exp, tanh, erf, ...) computes in f32: libdevice has
    // f32 and f64 functions only.
    gpm.addPass(math::createMathExtendToSupportedTypes());
    gpm.addPass(createConvertGpuOpsToNVVMOps());
    gpm.addPass(createCanonicalizerPass());
    gpm.addPass(createCSEPass());
    gpm.addPass(createReconcileUnrealizedCastsPass());
  }
  pm.addPass(createGpuToLLVMConversionPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = format;
  binary.toolkitPath = toolkit;
  pm.addPass(createGpuModuleToBinaryPass(binary));
  pm.addNestedPass<LLVM::LLVMFuncOp>(createCanonicalizerPass());
  return success();
}

} // namespace tokamak
