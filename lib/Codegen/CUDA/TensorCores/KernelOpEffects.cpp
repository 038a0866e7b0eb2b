//===- KernelOpEffects.cpp - Memory effects of the kernels' upstream ops -===//
//
// Part of the Tokamak project. Some upstream ops the tensor-core kernels
// use declare no memory effects in MLIR 22 (`nvgpu.device_async_copy`,
// `nvgpu.device_async_create_group`, `nvgpu.device_async_wait`,
// `gpu.barrier`, `nvvm.mma.sync`, `gpu.launch_func`), and the ownership-based
// buffer deallocation of the bufferize phase rejects every function holding
// such an op ("ops with unknown memory side effects are not supported"). These
// models state their effects; none allocates or frees.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Codegen/CUDA/TensorCores/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace {

using Effects =
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>;

/// Reads and writes of `value` (of any memory when it is null).
void addReadWrite(Effects &effects, OpOperand *value = nullptr) {
  if (value) {
    effects.emplace_back(MemoryEffects::Read::get(), value,
                         SideEffects::DefaultResource::get());
    effects.emplace_back(MemoryEffects::Write::get(), value,
                         SideEffects::DefaultResource::get());
    return;
  }
  effects.emplace_back(MemoryEffects::Read::get(),
                       SideEffects::DefaultResource::get());
  effects.emplace_back(MemoryEffects::Write::get(),
                       SideEffects::DefaultResource::get());
}

/// cp.async: reads `src` and writes `dst`. The write lands later, at the
/// group wait, which (below) reads and writes all memory and so orders every
/// access after it.
struct AsyncCopyEffects
    : MemoryEffectOpInterface::ExternalModel<AsyncCopyEffects,
                                             nvgpu::DeviceAsyncCopyOp> {
  void getEffects(Operation *op, Effects &effects) const {
    auto copy = cast<nvgpu::DeviceAsyncCopyOp>(op);
    effects.emplace_back(MemoryEffects::Read::get(), &copy.getSrcMutable(),
                         SideEffects::DefaultResource::get());
    effects.emplace_back(MemoryEffects::Write::get(), &copy.getDstMutable(),
                         SideEffects::DefaultResource::get());
  }
};

/// Fences (cp.async group commit and wait, the CTA barrier): they may read
/// and write any memory, so no access moves across them; they allocate and
/// free nothing.
template <typename OpTy>
struct FenceEffects
    : MemoryEffectOpInterface::ExternalModel<FenceEffects<OpTy>, OpTy> {
  void getEffects(Operation *op, Effects &effects) const {
    addReadWrite(effects);
  }
};

/// A kernel launched by the host (`gpu.launch_func`, once a tensor-core
/// kernel is outlined): it may read and write every buffer it is passed and
/// any other memory (after gpu-to-llvm its operands are bare pointers), so
/// it is never dead and no access moves across it. It allocates and frees
/// nothing of the host's; launches are synchronous in Tokamak's host code
/// (docs/Codegen.md), so a buffer freed after the launch is freed after the
/// kernel ran.
struct LaunchEffects
    : MemoryEffectOpInterface::ExternalModel<LaunchEffects, gpu::LaunchFuncOp> {
  void getEffects(Operation *op, Effects &effects) const {
    auto launch = cast<gpu::LaunchFuncOp>(op);
    for (OpOperand &operand : launch.getKernelOperandsMutable())
      if (isa<BaseMemRefType>(operand.get().getType()))
        addReadWrite(effects, &operand);
    addReadWrite(effects);
  }
};

/// `nvvm.mma.sync` computes on registers only (as `nvgpu.mma.sync`, which
/// upstream marks Pure).
struct RegisterOnlyEffects
    : MemoryEffectOpInterface::ExternalModel<RegisterOnlyEffects, NVVM::MmaOp> {
  void getEffects(Operation *op, Effects &effects) const {}
};

} // namespace

void tokamak::cuda::registerTensorCoreInterfaces(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, nvgpu::NVGPUDialect *) {
    nvgpu::DeviceAsyncCopyOp::attachInterface<AsyncCopyEffects>(*context);
    nvgpu::DeviceAsyncCreateGroupOp::attachInterface<
        FenceEffects<nvgpu::DeviceAsyncCreateGroupOp>>(*context);
    nvgpu::DeviceAsyncWaitOp::attachInterface<
        FenceEffects<nvgpu::DeviceAsyncWaitOp>>(*context);
  });
  registry.addExtension(+[](MLIRContext *context, gpu::GPUDialect *) {
    gpu::BarrierOp::attachInterface<FenceEffects<gpu::BarrierOp>>(*context);
    gpu::LaunchFuncOp::attachInterface<LaunchEffects>(*context);
  });
  registry.addExtension(+[](MLIRContext *context, NVVM::NVVMDialect *) {
    NVVM::MmaOp::attachInterface<RegisterOnlyEffects>(*context);
  });
}
