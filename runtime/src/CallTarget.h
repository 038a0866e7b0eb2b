//===- CallTarget.h - Where a call's data lives -----------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// `invoke` is the same for every device: check the inputs, place them, call
// the packed entry, collect the results. A CallTarget does the
// device-specific steps: for the host the descriptors point at the tensors
// themselves; for CUDA the inputs are copied into device buffers, the call
// runs inside a CallScope and the results are copied back (CudaCall.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_CALLTARGET_H
#define TOKAMAK_RUNTIME_CALLTARGET_H

#include "Memref.h"

#include "tokamak/runtime/Executable.h"

#include <memory>

namespace tokamak::rt::detail {

class CallTarget {
public:
  virtual ~CallTarget();

  /// The descriptor of each input, as the entry takes it.
  virtual StatusOr<std::vector<Descriptor>>
  placeInputs(const std::vector<HostTensor> &inputs) = 0;

  /// Calls `entry`; returns what went wrong on the device meanwhile.
  virtual Status call(PackedEntry entry, void **args) = 0;

  /// The results as host tensors. Takes ownership of every buffer the code
  /// allocated (docs/Artifacts.md) before any check, so that each is freed
  /// exactly once on every path, errors included.
  virtual StatusOr<std::vector<HostTensor>>
  collectResults(const FunctionSignature &function,
                 const std::vector<Descriptor> &inputs,
                 const std::vector<Descriptor> &results) = 0;
};

/// The host, or the GPU that `target.device` names.
StatusOr<std::unique_ptr<CallTarget>> makeCallTarget(const TargetInfo &target);

/// The CUDA target (CudaCall.cpp): device 0, which must be able to run
/// `target.cudaArch`.
StatusOr<std::unique_ptr<CallTarget>>
makeCudaCallTarget(const TargetInfo &target);

/// Checks result `index` of `function` against its signature; returns its
/// element count. Errors: "result 0 of @f: expected 4xf32, got 3xf32", a
/// shape too large, a null data pointer with elements.
StatusOr<int64_t> checkResult(const FunctionSignature &function, size_t index,
                              const Descriptor &descriptor);

/// The distinct `allocated` pointers of `results` that the caller owns:
/// not null, not an input's, not an MLIR global.
std::vector<void *> ownedBuffers(const std::vector<Descriptor> &inputs,
                                 const std::vector<Descriptor> &results);

} // namespace tokamak::rt::detail

#endif // TOKAMAK_RUNTIME_CALLTARGET_H
