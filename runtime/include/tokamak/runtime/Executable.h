//===- Executable.h - Calling compiled functions ----------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// The calling convention between the runtime and compiled code (see
// docs/Artifacts.md): every public function has a packed entry
// `void entry(void **args)` taking pointers to MLIR memref descriptors, and
// module metadata describing each function's signature. `Executable` is the
// minimal interface both artifacts (SharedLibraryExecutable) and the JIT
// implement; `invoke` does the rest.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_EXECUTABLE_H
#define TOKAMAK_RUNTIME_EXECUTABLE_H

#include "tokamak/runtime/DType.h"
#include "tokamak/runtime/Status.h"
#include "tokamak/runtime/Tensor.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tokamak::rt {

/// The type and shape of one argument or result; kDynamicDim marks dims
/// known only at run time.
struct TensorSignature {
  DType dtype = DType::f32;
  std::vector<int64_t> shape;

  /// "2x?x8xf32".
  std::string str() const { return formatTensorType(shape, dtype); }
  /// True when `tensor` has this dtype, rank and every static dim.
  bool matches(const HostTensor &tensor) const;
};

/// One public function: its name (without '@'), the symbol of its packed
/// entry, and its signature.
struct FunctionSignature {
  std::string name;
  std::string entry;
  std::vector<TensorSignature> inputs;
  std::vector<TensorSignature> results;
};

/// Where a module's functions run.
enum class TargetDevice { CPU, CUDA };

/// "cpu" or "cuda", as the metadata and `--device` spell it.
const char *targetDeviceName(TargetDevice device);

/// The target the code was compiled for. `triple`, `cpu` and `features`
/// describe the host code (all of it for the CPU); for CUDA the functions'
/// arguments and results live in GPU memory and their kernels were compiled
/// for `cudaArch` ("sm_90a").
struct TargetInfo {
  std::string triple;
  std::string cpu;
  std::string features;
  TargetDevice device = TargetDevice::CPU;
  std::string cudaArch;
};

/// Everything the runtime needs to know about a compiled module.
/// What a module compiled from a model directory (the frontend) records
/// about it: the "model" object of the metadata (docs/Artifacts.md).
struct ModelInfo {
  /// The Hugging Face `model_type` ("llama", "qwen2", ...).
  std::string architecture;
  /// The safetensors tensor names of the weight arguments, in order.
  std::vector<std::string> weights;
  int64_t vocabSize = 0;
  int64_t hiddenSize = 0;
  /// Element type of the weights and activations ("f32", "bf16", "f16").
  std::string dtype;
  /// A function (tokens [1, S], positions [1, S], weights...) -> the final
  /// hidden states [S, hidden] f32; empty if the module has none.
  std::string hiddenFunction;
  /// Whether the module has the session ABI's @prefill/@decode.
  bool generates = true;
  /// The longest sequence the hidden function takes (an encoder's table of
  /// absolute positions), or 0 for no limit.
  int64_t maxPositions = 0;
  /// The stats window of `@prefill_stats` (SnapKV's observation window), or
  /// 0 when the module has none.
  int64_t snapkvObs = 0;
  /// Whether the module has H2O's `@prefill_h2o` and `@decode_stats`.
  bool h2o = false;
  std::optional<int32_t> bosTokenId;
  std::vector<int32_t> eosTokenIds;
};

struct ModuleMetadata {
  TargetInfo target;
  std::vector<FunctionSignature> functions;
  /// Present for modules compiled from a model directory.
  std::optional<ModelInfo> model;

  /// The function called `name`, or null.
  const FunctionSignature *lookupFunction(std::string_view name) const;
};

/// A packed entry: args[i] points to input i's memref descriptor, and
/// args[nInputs + j] to storage the function fills with result j's.
using PackedEntry = void (*)(void **args);

/// Compiled code that can be called: loaded from an artifact or JIT-compiled.
class Executable {
public:
  virtual ~Executable();

  /// The module's functions and target.
  virtual const ModuleMetadata &metadata() const = 0;

  /// The address of the packed entry named `symbol`, or null when absent.
  virtual void *lookupEntry(const std::string &symbol) = 0;
};

/// Calls `function` of `executable` on `inputs` and returns its results as
/// contiguous tensors. Checks the function exists (listing those that do),
/// the input count, and each input's dtype, rank and static dims against the
/// metadata; checks result shapes after the call. Results take ownership of
/// the buffers the compiled code allocated (see docs/Artifacts.md). For a
/// CUDA module the inputs are copied to the GPU and the results back, and
/// the first error of the GPU calls the code made is the call's error.
StatusOr<std::vector<HostTensor>> invoke(Executable &executable,
                                         const std::string &function,
                                         const std::vector<HostTensor> &inputs);

} // namespace tokamak::rt

#endif // TOKAMAK_RUNTIME_EXECUTABLE_H
