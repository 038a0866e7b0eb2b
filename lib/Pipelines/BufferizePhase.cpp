//===- BufferizePhase.cpp - Bufferization shared by the pipelines ---------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "BufferizePhase.h"

#include "tokamak/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace tokamak {

void addBufferizePasses(OpPassManager &pm, bool readOnlyInputs) {
  if (readOnlyInputs)
    pm.addPass(createMarkInputsReadOnly());
  bufferization::OneShotBufferizePassOptions bufferizeOptions;
  bufferizeOptions.bufferizeFunctionBoundaries = true;
  bufferizeOptions.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  // A loop may carry a tok op's result (weight-shared layers, issue 14):
  // each iteration yields a new buffer, which the ownership-based
  // deallocation below frees.
  bufferizeOptions.allowReturnAllocsFromLoops = true;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferizeOptions));
  pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());
  bufferization::BufferDeallocationPipelineOptions deallocOptions;
  // Private functions (the layers a model calls once per layer) report
  // whether they own their results, so callers free each buffer after its
  // last use instead of checking all of them for aliases at the end of the
  // function (which grew quadratically with depth).
  deallocOptions.privateFunctionDynamicOwnership = true;
  bufferization::buildBufferDeallocationPipeline(pm, deallocOptions);
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addPass(createGenerateEntryPoints());
}

} // namespace tokamak
