//===- CpuPipeline.cpp - The x86-64 CPU pipeline --------------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "BufferizePhase.h"

#include "dialects/Tok/Transforms/Passes.h"
#include "tokamak/Codegen/CPU/CpuTarget.h"
#include "tokamak/Codegen/CPU/Passes.h"
#include "tokamak/Conversion/Passes.h"
#include "tokamak/Pipelines/Pipelines.h"

#include "dialects/Tok/Transforms/Passes.h"
#include "tokamak/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Vector/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;

namespace tokamak {

std::optional<Phase> parsePhase(StringRef name) {
  return llvm::StringSwitch<std::optional<Phase>>(name)
      .Case("input", Phase::Input)
      .Case("tok-opt", Phase::TokOpt)
      .Case("tiling", Phase::Tiling)
      .Case("fusion", Phase::Fusion)
      .Case("bufferize", Phase::Bufferize)
      .Case("llvm", Phase::LLVM)
      .Default(std::nullopt);
}

StringRef stringifyPhase(Phase phase) {
  switch (phase) {
  case Phase::Input:
    return "input";
  case Phase::TokOpt:
    return "tok-opt";
  case Phase::Tiling:
    return "tiling";
  case Phase::Fusion:
    return "fusion";
  case Phase::Bufferize:
    return "bufferize";
  case Phase::LLVM:
    return "llvm";
  }
  return "llvm";
}

LogicalResult buildCpuPipeline(OpPassManager &pm,
                               const CpuPipelineOptions &options,
                               std::string &error) {
  // The target every kernel is generated for (issue 11): resolved once
  // here, handed to each tile pass by name, and checked again there.
  FailureOr<cpu::CpuTarget> target = cpu::resolveCpuTarget(
      options.cpu, options.cpuFeatures, options.numThreads, error);
  if (failed(target))
    return failure();
  // The tile passes resolve the same description from the resolved name
  // (not "host" again) and the effective feature list.
  std::string cpuName = target->cpu;
  std::string features = options.cpuFeatures;
  if (options.cpu == "host" || options.cpu == "native" || options.cpu.empty()) {
    cpuName = "host";
  }
  Phase last = options.compileTo;
  bool nativeBf16 = target->hasAvx512bf16;
  auto setTarget = [&](auto &passOptions) {
    passOptions.cpu = cpuName;
    passOptions.cpuFeatures = features;
    passOptions.numThreads = target->numThreads;
  };
  if (last == Phase::Input)
    return success();

  // tok-opt: canonicalize and fold at the tok level.
  {
    OpPassManager &fpm = pm.nest<func::FuncOp>();
    fpm.addPass(createCanonicalizerPass());
    fpm.addPass(createCSEPass());
  }
  if (last == Phase::TokOpt)
    return success();

  // tiling: tok ops to linalg/scf on tensors.
  // Sizes the verifiers could not check (dynamic dims) and index values
  // (slots, block ids, lens) are checked at run time (issue 13); this must
  // see the tok ops before they are lowered.
  pm.addPass(createInsertRuntimeChecks());
  // Packed (seq_starts) scans and conv1d, once the checks have seen their
  // sizes, as one unpacked op per sequence (issue 14).
  pm.addNestedPass<func::FuncOp>(tok::createDecomposePackedScans());
  // tok-tile-attention (issue 4): attention and paged attention to
  // FlashAttention-style tiles (online softmax, mask-aware key-block loops,
  // split-KV decode); the ops it leaves take the reference lowering below.
  cpu::TileAttentionOptions attentionOptions;
  setTarget(attentionOptions);
  pm.addPass(cpu::createTileAttention(attentionOptions));
  // tok-tile-linear (issue 4): tok.linear (+ activation / residual add
  // epilogues) to packed GEMM / streaming GEMV vector kernels; the linears it
  // leaves go through the reference lowering below.
  cpu::TileLinearOptions linearOptions;
  setTarget(linearOptions);
  pm.addNestedPass<func::FuncOp>(cpu::createTileLinear(linearOptions));
  // Scans and mixers (issue 4): chunked linear_scan (intra-chunk matmuls
  // with decay masks, inter-chunk state pass), vectorized selective_scan,
  // conv1d fused with its bias and activation; what they leave goes through
  // the reference lowering below.
  cpu::TileLinearScanOptions linearScanOptions;
  setTarget(linearScanOptions);
  pm.addNestedPass<func::FuncOp>(cpu::createTileLinearScan(linearScanOptions));
  cpu::TileSelectiveScanOptions selectiveScanOptions;
  setTarget(selectiveScanOptions);
  pm.addNestedPass<func::FuncOp>(
      cpu::createTileSelectiveScan(selectiveScanOptions));
  cpu::TileConv1dOptions conv1dOptions;
  setTarget(conv1dOptions);
  pm.addNestedPass<func::FuncOp>(cpu::createTileConv1d(conv1dOptions));
  // tok-tile-topk (issue 14): filter-and-compress top-k selection.
  cpu::TileTopKOptions topKOptions;
  setTarget(topKOptions);
  pm.addNestedPass<func::FuncOp>(cpu::createTileTopK(topKOptions));
  pm.addPass(createConvertTokToLinalg());
  // Upstream ops beside tok ops (DESIGN §4, issue 14): aggregated linalg ops
  // (linalg.softmax) as their parts, elementwise arith/math ops on whole
  // tensors as linalg.generic, so that they fuse and bufferize.
  pm.addNestedPass<func::FuncOp>(createDecomposeAggregates());
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());
  if (last == Phase::Tiling)
    return success();

  // fusion: elementwise producers into their consumers (not into consumers
  // that broadcast them: issue 14).
  {
    OpPassManager &fpm = pm.nest<func::FuncOp>();
    fpm.addPass(createFuseElementwise());
    fpm.addPass(createCanonicalizerPass());
    fpm.addPass(createCSEPass());
    // The linalg ops no tile pass made a kernel of (upstream ops, reference
    // lowerings) in vectors of the target's width (issue 14).
    cpu::VectorizeLinalgOptions vectorizeOptions;
    setTarget(vectorizeOptions);
    fpm.addPass(cpu::createVectorizeLinalg(vectorizeOptions));
    fpm.addPass(createCanonicalizerPass());
  }
  if (last == Phase::Fusion)
    return success();

  // bufferize: one-shot over the whole module, identity layouts at function
  // boundaries, ownership-based deallocation, then the packed entry points
  // of docs/Artifacts.md.
  addBufferizePasses(pm, options.readOnlyInputs);
  if (last == Phase::Bufferize)
    return success();

  // llvm: vector and math lowering, loops, scf.forall to OpenMP, then every
  // dialect to LLVM. Passes that only look inside a function run nested on
  // each function, so the functions of a model (its layer kinds, the
  // session functions) are lowered on parallel threads.
  {
    OpPassManager &fpm = pm.nest<func::FuncOp>();
    fpm.addPass(createApproximateMath());
    // f32 -> bf16 without AVX512-BF16 would otherwise call compiler-rt's
    // __truncsfbf2, which neither the JIT nor an artifact resolves.
    if (!nativeBf16)
      fpm.addPass(createExpandBF16Conversions());
    fpm.addPass(createExpandStridedCopies());
    fpm.addPass(vector::createLowerVectorMultiReductionPass());
    fpm.addPass(createConvertLinalgToLoopsPass());
    fpm.addPass(createConvertVectorToSCFPass(
        VectorTransferToSCFOptions().enableFullUnroll()));
    fpm.addPass(memref::createFoldMemRefAliasOpsPass());
    fpm.addPass(memref::createExpandStridedMetadataPass());
    fpm.addPass(createLowerAffinePass());
    // Threads: scf.forall -> scf.parallel -> omp.parallel + omp.wsloop.
    fpm.addPass(createForallToParallelLoopPass());
  }
  // The memref conversion must follow the OpenMP conversion immediately:
  // later passes cannot handle the memref.alloca_scope it introduces.
  pm.addPass(createConvertSCFToOpenMPPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addNestedPass<func::FuncOp>(createSCFToControlFlowPass());
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.reassociateFPReductions = true;
  // x86vector ops (AVX-512 intrinsics that kernels emit only when the
  // target has AVX-512F) become LLVM intrinsics.
  vectorToLLVM.x86Vector = true;
  vectorToLLVM.vectorContractLowering =
      vector::VectorContractLowering::OuterProduct;
  vectorToLLVM.vectorTransposeLowering =
      vector::VectorTransposeLowering::Shuffle16x16;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  pm.addNestedPass<func::FuncOp>(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  {
    OpPassManager &fpm = pm.nest<func::FuncOp>();
    fpm.addPass(createArithToLLVMConversionPass());
    fpm.addPass(createConvertIndexToLLVMPass());
  }
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addNestedPass<LLVM::LLVMFuncOp>(createCanonicalizerPass());
  return success();
}

} // namespace tokamak
