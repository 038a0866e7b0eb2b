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
      StringAttr sourceName = source.getSymNameAttr();
      // Outlining names every module uniquely but may give the kernels in
      // them the same name: a moved kernel is renamed (uniquely) if needed.
      DenseMap<StringAttr, StringAttr> renamed;
      for (Operation &op :
           llvm::make_early_inc_range(source.getBody()->getOperations())) {
        if (op.hasTrait<OpTrait::IsTerminator>())
          continue;
        auto name =
            op.getAttrOfType<StringAttr>(SymbolTable::getSymbolAttrName());
        if (name && symbols.lookup(name) && !isa<gpu::GPUFuncOp>(op)) {
          // A symbol outlining copied into every module that uses it (a
          // constant global): the merged module keeps one copy.
          continue;
        }
        op.moveBefore(target.getBody(), target.getBody()->end());
        if (name) {
          StringAttr newName = symbols.insert(&op);
          renamed[name] = newName;
        }
      }
      module.walk([&](gpu::LaunchFuncOp launch) {
        if (launch.getKernelModuleName() != sourceName)
          return;
        StringAttr kernel = launch.getKernelName();
        if (StringAttr newName = renamed.lookup(kernel))
          kernel = newName;
        launch.setKernelAttr(SymbolRefAttr::get(
            targetName.getAttr(), {FlatSymbolRefAttr::get(kernel)}));
      });
      source.erase();
    }
  }
};
} // namespace
