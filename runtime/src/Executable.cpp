//===- Executable.cpp - Calling compiled functions ------------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/Executable.h"

#include <cstdlib>
#include <cstring>
#include <map>
#include <set>

using namespace tokamak::rt;

static_assert(sizeof(void *) == sizeof(int64_t),
              "memref descriptors are laid out for 64-bit pointers");

namespace {

/// MLIR's lowering of memref.get_global puts this in the allocated pointer
/// of a constant: never free it.
void *const kGlobalSentinel = reinterpret_cast<void *>(uintptr_t(0xdeadbeef));

/// A rank-R MLIR memref descriptor: {allocated, aligned, offset, sizes[R],
/// strides[R]}, every field 8 bytes.
class Descriptor {
public:
  explicit Descriptor(int64_t rank) : rank(rank), words(3 + 2 * rank, 0) {}

  /// Describes `tensor`'s contiguous row-major storage.
  static Descriptor forTensor(const HostTensor &tensor) {
    Descriptor descriptor(tensor.rank());
    void *data = const_cast<void *>(tensor.rawData());
    std::memcpy(&descriptor.words[0], &data, sizeof(data));
    std::memcpy(&descriptor.words[1], &data, sizeof(data));
    int64_t stride = 1;
    for (int64_t dim = tensor.rank() - 1; dim >= 0; --dim) {
      descriptor.words[3 + dim] = tensor.shape()[dim];
      descriptor.words[3 + tensor.rank() + dim] = stride;
      stride *= tensor.shape()[dim];
    }
    return descriptor;
  }

  void *address() { return words.data(); }
  void *allocated() const { return pointer(0); }
  void *aligned() const { return pointer(1); }
  int64_t offset() const { return words[2]; }
  std::vector<int64_t> sizes() const {
    return {words.begin() + 3, words.begin() + 3 + rank};
  }
  int64_t stride(int64_t dim) const { return words[3 + rank + dim]; }

  /// True when the strides are the row-major ones for the sizes (dims of
  /// size 1 may have any stride).
  bool isRowMajor() const {
    int64_t expected = 1;
    for (int64_t dim = rank - 1; dim >= 0; --dim) {
      int64_t size = words[3 + dim];
      if (size == 0)
        return true;
      if (size != 1 && stride(dim) != expected)
        return false;
      expected *= size;
    }
    return true;
  }

private:
  void *pointer(size_t index) const {
    void *value;
    std::memcpy(&value, &words[index], sizeof(value));
    return value;
  }

  int64_t rank;
  std::vector<int64_t> words;
};

/// Copies a strided memref into contiguous row-major `dst`.
void copyStrided(char *&dst, const char *src, const Descriptor &descriptor,
                 const std::vector<int64_t> &sizes, size_t dim,
                 size_t elementSize) {
  if (dim == sizes.size()) {
    std::memcpy(dst, src, elementSize);
    dst += elementSize;
    return;
  }
  int64_t step = descriptor.stride(dim) * static_cast<int64_t>(elementSize);
  if (dim + 1 == sizes.size() && step == static_cast<int64_t>(elementSize)) {
    std::memcpy(dst, src, sizes[dim] * elementSize);
    dst += sizes[dim] * elementSize;
    return;
  }
  for (int64_t i = 0; i < sizes[dim]; ++i)
    copyStrided(dst, src + i * step, descriptor, sizes, dim + 1, elementSize);
}

/// Turns the result descriptors the compiled code filled into tensors. Each
/// distinct allocated pointer is freed exactly once (when the last tensor
/// using it dies, or on return when all were copied), except the inputs'
/// buffers and MLIR globals.
StatusOr<std::vector<HostTensor>>
collectResults(const FunctionSignature &function,
               const std::vector<HostTensor> &inputs,
               const std::vector<Descriptor> &descriptors) {
  std::set<const void *> inputBuffers;
  for (const HostTensor &input : inputs)
    inputBuffers.insert(input.rawData());
  // Take ownership of every buffer before any check can fail.
  std::map<void *, std::shared_ptr<void>> owners;
  for (const Descriptor &descriptor : descriptors) {
    void *allocated = descriptor.allocated();
    if (allocated && allocated != kGlobalSentinel &&
        !inputBuffers.count(allocated) && !owners.count(allocated))
      owners.emplace(allocated, std::shared_ptr<void>(allocated, std::free));
  }

  std::vector<HostTensor> results;
  for (size_t j = 0; j < descriptors.size(); ++j) {
    const Descriptor &descriptor = descriptors[j];
    const TensorSignature &signature = function.results[j];
    std::string what = "result " + std::to_string(j) + " of @" + function.name;
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
      return copy.status().withContext(what);
    char *dst = static_cast<char *>(copy->rawData());
    if (*numel > 0)
      copyStrided(dst, start, descriptor, sizes, 0, elementSize);
    results.push_back(std::move(*copy));
  }
  return results;
}

} // namespace

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

  std::vector<Descriptor> inputDescriptors, resultDescriptors;
  std::vector<void *> args;
  for (const HostTensor &input : inputs)
    inputDescriptors.push_back(Descriptor::forTensor(input));
  for (const TensorSignature &result : signature->results)
    resultDescriptors.emplace_back(static_cast<int64_t>(result.shape.size()));
  for (Descriptor &descriptor : inputDescriptors)
    args.push_back(descriptor.address());
  for (Descriptor &descriptor : resultDescriptors)
    args.push_back(descriptor.address());
  // The error slot (docs/Artifacts.md): the entry stores a message there
  // when a check of the compiled code fails.
  const char *error = nullptr;
  args.push_back(&error);

  reinterpret_cast<PackedEntry>(entry)(args.data());
  StatusOr<std::vector<HostTensor>> results =
      collectResults(*signature, inputs, resultDescriptors);
  // Any result buffers are freed with `results`.
  if (error)
    return Status::error(name + ": " + std::string(error));
  return results;
}
