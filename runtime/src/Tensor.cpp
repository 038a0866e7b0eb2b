//===- Tensor.cpp - Host tensors ------------------------------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/Tensor.h"

#include <cassert>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

using namespace tokamak::rt;

std::string tokamak::rt::formatTensorType(const std::vector<int64_t> &shape,
                                          DType dtype) {
  std::string text;
  for (int64_t dim : shape) {
    text += dim == kDynamicDim ? "?" : std::to_string(dim);
    text += 'x';
  }
  return text + dtypeName(dtype);
}

StatusOr<int64_t>
tokamak::rt::checkedNumElements(const std::vector<int64_t> &shape,
                                DType dtype) {
  int64_t limit = kMaxTensorBytes / static_cast<int64_t>(dtypeSize(dtype));
  int64_t count = 1;
  bool tooLarge = false;
  for (int64_t dim : shape) {
    if (dim < 0)
      return Status::error("shape " + formatTensorType(shape, dtype) +
                           " has a negative dimension");
    // Keep scanning after an overflow: a later zero dim makes it empty.
    if (dim == 0)
      return int64_t(0);
    if (tooLarge || count > limit / dim)
      tooLarge = true;
    else
      count *= dim;
  }
  if (tooLarge)
    return Status::error("shape " + formatTensorType(shape, dtype) +
                         " is too large (over 2^48 bytes)");
  return count;
}

HostTensor::HostTensor(DType dtype, std::vector<int64_t> shape, int64_t numel,
                       void *data, std::shared_ptr<void> owner)
    : elementType(dtype), dims(std::move(shape)), elementCount(numel),
      storage(data), owner(std::move(owner)) {}

uint64_t tokamak::rt::physicalMemoryBytes() {
  static const uint64_t bytes = [] {
    long pages = ::sysconf(_SC_PHYS_PAGES);
    long pageSize = ::sysconf(_SC_PAGESIZE);
    if (pages <= 0 || pageSize <= 0)
      return uint64_t(0);
    return uint64_t(pages) * uint64_t(pageSize);
  }();
  return bytes;
}

Status tokamak::rt::checkFitsInMemory(uint64_t bytes, std::string_view what) {
  uint64_t memory = physicalMemoryBytes();
  if (memory == 0 || bytes <= memory)
    return Status::success();
  return Status::error("out of memory: " + std::string(what) + " needs " +
                       std::to_string(bytes) +
                       " bytes, more than this "
                       "machine's " +
                       std::to_string(memory) + " bytes of memory");
}

StatusOr<HostTensor> HostTensor::create(DType dtype,
                                        std::vector<int64_t> shape) {
  StatusOr<int64_t> numel = checkedNumElements(shape, dtype);
  if (!numel.ok())
    return numel.status();
  // Round up to the alignment (aligned_alloc requires it); never allocate
  // zero bytes, so rawData() is never null.
  size_t bytes = static_cast<size_t>(*numel) * dtypeSize(dtype);
  // Zero-filling more than the machine holds would only end in the OOM
  // killer.
  if (Status fits = checkFitsInMemory(
          bytes, "a " + formatTensorType(shape, dtype) + " tensor");
      fits.failed())
    return fits;
  size_t padded =
      (bytes + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment;
  if (padded == 0)
    padded = kTensorAlignment;
  void *data = std::aligned_alloc(kTensorAlignment, padded);
  if (!data)
    return Status::error("out of memory allocating " + std::to_string(bytes) +
                         " bytes for a " + formatTensorType(shape, dtype) +
                         " tensor");
  std::memset(data, 0, padded);
  std::shared_ptr<void> owner(data, std::free);
  return HostTensor(dtype, std::move(shape), *numel, data, std::move(owner));
}

HostTensor HostTensor::wrap(DType dtype, std::vector<int64_t> shape, void *data,
                            std::shared_ptr<void> keepAlive) {
  int64_t numel = 1;
  for (int64_t dim : shape)
    numel *= dim;
  return HostTensor(dtype, std::move(shape), numel, data, std::move(keepAlive));
}

StatusOr<HostTensor> HostTensor::clone() const {
  StatusOr<HostTensor> copy = create(elementType, dims);
  if (copy.ok() && byteSize() != 0)
    std::memcpy(copy->rawData(), storage, byteSize());
  return copy;
}

HostTensor HostTensor::reinterpret(DType dtype) && {
  assert(dtypeSize(dtype) == dtypeSize(elementType) &&
         "reinterpret needs equal element sizes");
  elementType = dtype;
  return std::move(*this);
}
