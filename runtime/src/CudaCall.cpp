//===- CudaCall.cpp - Calling compiled CUDA functions ---------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// For a CUDA module every descriptor the entry takes and fills holds device
// addresses (docs/Artifacts.md): inputs are copied into device buffers the
// target owns, the entry runs inside a CallScope, and each result is copied
// back into a host tensor before the device buffers the code allocated are
// freed, each exactly once.
//
//===----------------------------------------------------------------------===//

#include "CallTarget.h"

#include "tokamak/runtime/CudaAbi.h"

#include <optional>

using namespace tokamak::rt;
using namespace tokamak::rt::cuda;
using namespace tokamak::rt::detail;

namespace {

class CudaCallTarget final : public CallTarget {
public:
  explicit CudaCallTarget(const Device &device) : device(device) {}

  StatusOr<std::vector<Descriptor>>
  placeInputs(const std::vector<HostTensor> &inputs) override {
    std::vector<Descriptor> descriptors;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const HostTensor &input = inputs[i];
      StatusOr<DeviceBuffer> buffer =
          DeviceBuffer::allocate(device, input.byteSize());
      if (!buffer.ok())
        return buffer.status().withContext("input " + std::to_string(i));
      if (Status status = buffer->upload(input.rawData(), input.byteSize());
          status.failed())
        return status.withContext("input " + std::to_string(i));
      void *address =
          reinterpret_cast<void *>(static_cast<uintptr_t>(buffer->pointer()));
      descriptors.push_back(Descriptor::contiguous(address, input.shape()));
      buffers.push_back(std::move(*buffer));
    }
    return descriptors;
  }

  Status call(PackedEntry entry, void **args) override {
    CallScope scope(device);
    entry(args);
    return scope.finish();
  }

  StatusOr<std::vector<HostTensor>>
  collectResults(const FunctionSignature &function,
                 const std::vector<Descriptor> &inputs,
                 const std::vector<Descriptor> &descriptors) override {
    // Owned device buffers are freed when this returns, whatever happens.
    struct Owned {
      const Device &device;
      std::vector<void *> pointers;
      Status freeAll() {
        Status first;
        for (void *pointer : pointers) {
          Status status = device.free(
              static_cast<DevicePtr>(reinterpret_cast<uintptr_t>(pointer)));
          if (first.ok())
            first = status;
        }
        pointers.clear();
        return first;
      }
      ~Owned() { (void)freeAll(); }
    } owned{device, ownedBuffers(inputs, descriptors)};

    std::vector<HostTensor> results;
    for (size_t j = 0; j < descriptors.size(); ++j) {
      StatusOr<HostTensor> result = download(function, j, descriptors[j]);
      if (!result.ok())
        return result.status();
      results.push_back(std::move(*result));
    }
    if (Status status = owned.freeAll(); status.failed())
      return status;
    return results;
  }

private:
  /// Result `index` copied into a new contiguous host tensor.
  StatusOr<HostTensor> download(const FunctionSignature &function, size_t index,
                                const Descriptor &descriptor) {
    const TensorSignature &signature = function.results[index];
    std::string what =
        "result " + std::to_string(index) + " of @" + function.name;
    StatusOr<int64_t> numel = checkResult(function, index, descriptor);
    if (!numel.ok())
      return numel.status();
    std::vector<int64_t> sizes = descriptor.sizes();
    StatusOr<HostTensor> tensor = HostTensor::create(signature.dtype, sizes);
    if (!tensor.ok())
      return tensor.status().withContext(what);
    if (*numel == 0)
      return tensor;
    size_t elementSize = dtypeSize(signature.dtype);
    DevicePtr base = static_cast<DevicePtr>(
        reinterpret_cast<uintptr_t>(descriptor.aligned()));
    auto [low, high] = descriptor.span();
    if (low < 0)
      return Status::error(what +
                           " starts before its buffer (offset and "
                           "strides reach element " +
                           std::to_string(low) + ")");
    if (descriptor.isRowMajor()) {
      if (Status status = device.copyToHost(tensor->rawData(),
                                            base + static_cast<DevicePtr>(low) *
                                                       elementSize,
                                            tensor->byteSize());
          status.failed())
        return status.withContext(what);
      return tensor;
    }
    // A strided view: bring the span it covers over, then gather.
    StatusOr<HostTensor> staging =
        HostTensor::create(DType::u8, {(high - low) * int64_t(elementSize)});
    if (!staging.ok())
      return staging.status().withContext(what);
    if (Status status =
            device.copyToHost(staging->rawData(),
                              base + static_cast<DevicePtr>(low) * elementSize,
                              staging->byteSize());
        status.failed())
      return status.withContext(what);
    const char *start = static_cast<const char *>(staging->rawData()) +
                        (descriptor.offset() - low) * int64_t(elementSize);
    char *dst = static_cast<char *>(tensor->rawData());
    copyStrided(dst, start, descriptor, sizes, 0, elementSize);
    return tensor;
  }

  const Device &device;
  /// The inputs' device copies, freed with the target.
  std::vector<DeviceBuffer> buffers;
};

} // namespace

StatusOr<std::unique_ptr<CallTarget>>
tokamak::rt::detail::makeCudaCallTarget(const TargetInfo &target) {
  StatusOr<Device *> device = Device::get(0);
  if (!device.ok())
    return device.status();
  if (Status status = checkCanRun(**device, target.cudaArch); status.failed())
    return status;
  return std::unique_ptr<CallTarget>(new CudaCallTarget(**device));
}
