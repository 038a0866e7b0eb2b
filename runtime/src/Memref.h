//===- Memref.h - MLIR memref descriptors -----------------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// The descriptors packed entries take and fill (docs/Artifacts.md), shared
// by the host and CUDA call paths.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_MEMREF_H
#define TOKAMAK_RUNTIME_MEMREF_H

#include <cstdint>
#include <cstring>
#include <vector>

namespace tokamak::rt::detail {

static_assert(sizeof(void *) == sizeof(int64_t),
              "memref descriptors are laid out for 64-bit pointers");

/// MLIR's lowering of memref.get_global puts this in the allocated pointer
/// of a constant: never free it.
inline void *const kGlobalSentinel =
    reinterpret_cast<void *>(uintptr_t(0xdeadbeef));

/// A rank-R MLIR memref descriptor: {allocated, aligned, offset, sizes[R],
/// strides[R]}, every field 8 bytes.
class Descriptor {
public:
  explicit Descriptor(int64_t rank) : rank(rank), words(3 + 2 * rank, 0) {}

  /// Describes contiguous row-major storage of `shape` at `data` (a host
  /// pointer, or a device address stored in the pointer fields).
  static Descriptor contiguous(void *data, const std::vector<int64_t> &shape) {
    Descriptor descriptor(static_cast<int64_t>(shape.size()));
    std::memcpy(&descriptor.words[0], &data, sizeof(data));
    std::memcpy(&descriptor.words[1], &data, sizeof(data));
    int64_t stride = 1;
    for (int64_t dim = descriptor.rank - 1; dim >= 0; --dim) {
      descriptor.words[3 + dim] = shape[dim];
      descriptor.words[3 + descriptor.rank + dim] = stride;
      stride *= shape[dim];
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

  /// The lowest and one past the highest element index (relative to
  /// `aligned`, offset included) the elements occupy; {offset, offset}
  /// when there are none.
  std::pair<int64_t, int64_t> span() const {
    int64_t low = offset(), high = offset();
    for (int64_t dim = 0; dim < rank; ++dim) {
      int64_t size = words[3 + dim];
      if (size == 0)
        return {offset(), offset()};
      int64_t reach = (size - 1) * stride(dim);
      (reach < 0 ? low : high) += reach;
    }
    return {low, high + 1};
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

/// Copies the elements of the memref whose element 0 (offset included) is
/// at `src` into contiguous row-major `dst`, advancing `dst`.
inline void copyStrided(char *&dst, const char *src,
                        const Descriptor &descriptor,
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

} // namespace tokamak::rt::detail

#endif // TOKAMAK_RUNTIME_MEMREF_H
