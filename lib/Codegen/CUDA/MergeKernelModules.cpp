//===- MergeKernelModules.cpp - One GPU module per compiled module --------===//
//
// Part of the Tokamak project. See the pass description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Codegen/CUDA/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/SymbolTable.h"

namespace tokamak::cuda {
#define GEN_PASS_DEF_MERGEKERNELMODULES
#include "tokamak/Codegen/CUDA/Passes.h.inc"
} // namespace tokamak::cuda

using namespace mlir;

namespace {
struct MergeKernelModulesPass
    : tokamak::cuda::impl::MergeKernelModulesBase<MergeKernelModulesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> modules(module.getOps<gpu::GPUModuleOp>());
    if (modules.size() < 2)
      return;
    gpu::GPUModuleOp target = modules.front();
    SymbolTable symbols(target);
    auto targetName = FlatSymbolRefAttr::get(target.getSymNameAttr());
    for (gpu::GPUModuleOp source : llvm::drop_begin(modules)) {
      for (Operation &op :
           llvm::make_early_inc_range(source.getBody()->getOperations())) {
        if (op.hasTrait<OpTrait::IsTerminator>())
          continue;
        auto name =
            op.getAttrOfType<StringAttr>(SymbolTable::getSymbolAttrName());
        // Outlining copied the symbols a kernel uses (constant globals)
        // into its module; the merged module keeps one copy.
        if (name && symbols.lookup(name)) {
          if (!isa<gpu::GPUFuncOp>(op))
            continue;
          op.emitOpError("kernel name clashes while merging gpu modules");
          return signalPassFailure();
        }
        op.moveBefore(target.getBody(), target.getBody()->end());
        if (name)
          symbols.insert(&op);
      }
      auto sourceName = source.getSymNameAttr();
      module.walk([&](gpu::LaunchFuncOp launch) {
        if (launch.getKernelModuleName() == sourceName)
          launch.setKernelAttr(SymbolRefAttr::get(
              targetName.getAttr(),
              {FlatSymbolRefAttr::get(launch.getKernelName())}));
      });
      source.erase();
    }
  }
};
} // namespace
