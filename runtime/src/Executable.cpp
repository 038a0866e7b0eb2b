//===- Executable.cpp - Calling compiled functions ------------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/Executable.h"

#include "CallTarget.h"

#include <cstdlib>
#include <cstring>
#include <map>
#include <set>

using namespace tokamak::rt;

using namespace tokamak::rt::detail;

namespace {

/// Host memory: descriptors point at the tensors themselves, results are
/// malloc'ed by the code and wrapped without copying where possible.
class HostCallTarget final : public CallTarget {
public:
  StatusOr<std::vector<Descriptor>>
  placeInputs(const std::vector<HostTensor> &inputs) override {
    std::vector<Descriptor> descriptors;
    for (const HostTensor &input : inputs)
      descriptors.push_back(Descriptor::contiguous(
          const_cast<void *>(input.rawData()), input.shape()));
    return descriptors;
  }

  Status call(PackedEntry entry, void **args) override {
    entry(args);
    return Status::success();
  }

  /// Each owned buffer is freed exactly once: when the last tensor using it
  /// dies, or on return when all were copied.
  StatusOr<std::vector<HostTensor>>
  collectResults(const FunctionSignature &function,
                 const std::vector<Descriptor> &inputs,
                 const std::vector<Descriptor> &descriptors) override {
    std::map<void *, std::shared_ptr<void>> owners;
    for (void *buffer : ownedBuffers(inputs, descriptors))
      owners.emplace(buffer, std::shared_ptr<void>(buffer, std::free));

    std::vector<HostTensor> results;
    for (size_t j = 0; j < descriptors.size(); ++j) {
      const Descriptor &descriptor = descriptors[j];
      const TensorSignature &signature = function.results[j];
      StatusOr<int64_t> numel = checkResult(function, j, descriptor);
      if (!numel.ok())
        return numel.status();
      std::vector<int64_t> sizes = descriptor.sizes();
      size_t elementSize = dtypeSize(signature.dtype);
      char *start = static_cast<char *>(descriptor.aligned()) +
                    descriptor.offset() * static_cast<int64_t>(elementSize);
      auto owner = owners.find(descriptor.allocated());
      if (owner != owners.end() && descriptor.isRowMajor()) {
        results.push_back(
            HostTensor::wrap(signature.dtype, sizes, start, owner->second));
        continue;
      }
      StatusOr<HostTensor> copy = HostTensor::create(signature.dtype, sizes);
      if (!copy.ok())
        return copy.status().withContext("result " + std::to_string(j) +
                                         " of @" + function.name);
      char *dst = static_cast<char *>(copy->rawData());
      if (*numel > 0)
        copyStrided(dst, start, descriptor, sizes, 0, elementSize);
      results.push_back(std::move(*copy));
    }
    return results;
  }
};

} // namespace

CallTarget::~CallTarget() = default;

std::vector<void *>
tokamak::rt::detail::ownedBuffers(const std::vector<Descriptor> &inputs,
                                  const std::vector<Descriptor> &results) {
  std::set<void *> inputBuffers, seen;
  for (const Descriptor &input : inputs)
    inputBuffers.insert(input.allocated());
  std::vector<void *> owned;
  for (const Descriptor &result : results) {
    void *allocated = result.allocated();
    if (allocated && allocated != kGlobalSentinel &&
        !inputBuffers.count(allocated) && seen.insert(allocated).second)
      owned.push_back(allocated);
  }
  return owned;
}

StatusOr<int64_t>
tokamak::rt::detail::checkResult(const FunctionSignature &function,
                                 size_t index, const Descriptor &descriptor) {
  const TensorSignature &signature = function.results[index];
  std::string what =
      "result " + std::to_string(index) + " of @" + function.name;
  std::vector<int64_t> sizes = descriptor.sizes();
  for (size_t dim = 0; dim < sizes.size(); ++dim) {
    if (sizes[dim] < 0 || (signature.shape[dim] != kDynamicDim &&
                           signature.shape[dim] != sizes[dim]))
      return Status::error(what + ": expected " + signature.str() + ", got " +
                           formatTensorType(sizes, signature.dtype));
  }
  StatusOr<int64_t> numel = checkedNumElements(sizes, signature.dtype);
  if (!numel.ok())
    return numel.status().withContext(what);
  if (*numel > 0 && !descriptor.aligned())
    return Status::error(what + " has a null data pointer");
  return *numel;
}

StatusOr<std::unique_ptr<CallTarget>>
tokamak::rt::detail::makeCallTarget(const TargetInfo &target) {
  if (target.device == TargetDevice::CUDA)
    return makeCudaCallTarget(target);
  return std::unique_ptr<CallTarget>(new HostCallTarget);
}

const char *tokamak::rt::targetDeviceName(TargetDevice device) {
  return device == TargetDevice::CUDA ? "cuda" : "cpu";
}

Executable::~Executable() = default;

bool TensorSignature::matches(const HostTensor &tensor) const {
  if (tensor.dtype() != dtype || tensor.shape().size() != shape.size())
    return false;
  for (size_t dim = 0; dim < shape.size(); ++dim)
    if (shape[dim] != kDynamicDim && shape[dim] != tensor.shape()[dim])
      return false;
  return true;
}

const FunctionSignature *
ModuleMetadata::lookupFunction(std::string_view name) const {
  for (const FunctionSignature &function : functions)
    if (function.name == name)
      return &function;
  return nullptr;
}

StatusOr<std::vector<HostTensor>>
tokamak::rt::invoke(Executable &executable, const std::string &function,
                    const std::vector<HostTensor> &inputs) {
  const ModuleMetadata &metadata = executable.metadata();
  const FunctionSignature *signature = metadata.lookupFunction(function);
  if (!signature) {
    std::string available;
    for (const FunctionSignature &candidate : metadata.functions)
      available += (available.empty() ? "@" : ", @") + candidate.name;
    return Status::error(
        "no function @" + function + " in the module (" +
        (available.empty() ? "it has none" : "available: " + available) + ")");
  }
  std::string name = "@" + signature->name;
  if (inputs.size() != signature->inputs.size())
    return Status::error(name + " expects " +
                         std::to_string(signature->inputs.size()) +
                         " inputs, got " + std::to_string(inputs.size()));
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!signature->inputs[i].matches(inputs[i]))
      return Status::error("input " + std::to_string(i) + " of " + name +
                           ": expected " + signature->inputs[i].str() +
                           ", got " + inputs[i].typeString());
  void *entry = executable.lookupEntry(signature->entry);
  if (!entry)
    return Status::error("the entry symbol '" + signature->entry + "' of " +
                         name + " is missing from the executable");

  StatusOr<std::unique_ptr<CallTarget>> target =
      makeCallTarget(metadata.target);
  if (!target.ok())
    return target.status().withContext(name);
  StatusOr<std::vector<Descriptor>> inputDescriptors =
      (*target)->placeInputs(inputs);
  if (!inputDescriptors.ok())
    return inputDescriptors.status().withContext(name);
  std::vector<Descriptor> resultDescriptors;
  std::vector<void *> args;
  for (const TensorSignature &result : signature->results)
    resultDescriptors.emplace_back(static_cast<int64_t>(result.shape.size()));
  for (Descriptor &descriptor : *inputDescriptors)
    args.push_back(descriptor.address());
  for (Descriptor &descriptor : resultDescriptors)
    args.push_back(descriptor.address());
  // The error slot (docs/Artifacts.md): the entry stores a message there
  // when a check of the compiled code fails.
  const char *error = nullptr;
  args.push_back(&error);

  Status device =
      (*target)->call(reinterpret_cast<PackedEntry>(entry), args.data());
  StatusOr<std::vector<HostTensor>> results = (*target)->collectResults(
      *signature, *inputDescriptors, resultDescriptors);
  // Any result buffers are freed with `results`.
  if (error)
    return Status::error(name + ": " + std::string(error));
  if (device.failed())
    return device.withContext(name);
  return results;
}
