//===- Tensor.h - Host tensors ----------------------------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// `HostTensor`: an element type, a shape and contiguous row-major host
// storage, either owned (64-byte aligned) or wrapping memory that someone
// else allocated (results handed back by compiled code).
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_TENSOR_H
#define TOKAMAK_RUNTIME_TENSOR_H

#include "tokamak/runtime/DType.h"
#include "tokamak/runtime/Status.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tokamak::rt {

/// A dimension whose size is only known at run time (written "?").
inline constexpr int64_t kDynamicDim = -1;

/// Alignment of the storage a HostTensor allocates.
inline constexpr size_t kTensorAlignment = 64;

/// The largest tensor, in bytes, the runtime creates (2^48): larger shapes
/// come from corrupt files or typos, not from real inputs.
inline constexpr int64_t kMaxTensorBytes = int64_t(1) << 48;

/// Formats a tensor type the way MLIR and IREE write it: "2x3xf32", "f32"
/// for rank 0, "2x?x8xbf16" when a dim is kDynamicDim.
std::string formatTensorType(const std::vector<int64_t> &shape, DType dtype);

/// The number of elements of `shape`, or an error when a dim is negative or
/// the tensor would exceed kMaxTensorBytes ("shape 1000000x1000000x1000000xf32
/// is too large").
StatusOr<int64_t> checkedNumElements(const std::vector<int64_t> &shape,
                                     DType dtype);

/// A dense row-major tensor in host memory. Move-only; `clone()` copies.
/// The machine's physical memory in bytes, or 0 when unknown.
uint64_t physicalMemoryBytes();

/// An error "out of memory: `what` needs N bytes, more than this machine's M
/// bytes of memory" when `bytes` exceeds physical memory: asking for that
/// much and touching it would end in the OOM killer, not in an error.
Status checkFitsInMemory(uint64_t bytes, std::string_view what);

/// A check of a tensor's element type and shape made before its data is
/// read or allocated (readNpy, parseTensorText); an error stops the read.
using TensorTypeCheck =
    std::function<Status(DType dtype, const std::vector<int64_t> &shape)>;

class HostTensor {
public:
  /// A zero-filled tensor with owned storage; fails on a bad shape (see
  /// checkedNumElements), more than the machine's memory
  /// (checkFitsInMemory) or when the allocation fails.
  static StatusOr<HostTensor> create(DType dtype, std::vector<int64_t> shape);

  /// A tensor viewing `data`, which must hold `shape` row-major and stay
  /// valid while the tensor (or `keepAlive`) lives. The tensor does not own
  /// `data`; it only holds `keepAlive`, whose deleter (if any) runs when the
  /// last tensor sharing it is destroyed. The shape is trusted.
  static HostTensor wrap(DType dtype, std::vector<int64_t> shape, void *data,
                         std::shared_ptr<void> keepAlive = nullptr);

  HostTensor(HostTensor &&) = default;
  HostTensor &operator=(HostTensor &&) = default;
  HostTensor(const HostTensor &) = delete;
  HostTensor &operator=(const HostTensor &) = delete;

  DType dtype() const { return elementType; }
  const std::vector<int64_t> &shape() const { return dims; }
  int64_t rank() const { return static_cast<int64_t>(dims.size()); }
  int64_t numel() const { return elementCount; }
  /// Bytes of element data: numel() * dtypeSize(dtype()).
  size_t byteSize() const {
    return static_cast<size_t>(elementCount) * dtypeSize(elementType);
  }
  /// "2x3xf32".
  std::string typeString() const { return formatTensorType(dims, elementType); }

  void *rawData() { return storage; }
  const void *rawData() const { return storage; }
  /// The elements as `T`; `sizeof(T)` must equal dtypeSize(dtype()).
  template <typename T> T *data() { return static_cast<T *>(storage); }
  template <typename T> const T *data() const {
    return static_cast<const T *>(storage);
  }

  /// A deep copy with owned storage.
  StatusOr<HostTensor> clone() const;

  /// The same bytes viewed as `dtype`, which must have the same element size
  /// (for example u16 -> bf16).
  HostTensor reinterpret(DType dtype) &&;

private:
  HostTensor(DType dtype, std::vector<int64_t> shape, int64_t numel, void *data,
             std::shared_ptr<void> owner);

  DType elementType;
  std::vector<int64_t> dims;
  int64_t elementCount;
  void *storage;
  std::shared_ptr<void> owner;
};

} // namespace tokamak::rt

#endif // TOKAMAK_RUNTIME_TENSOR_H
