//===- FuzzSupport.h - Checks shared by the fuzzers -------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// What every runtime error must look like (one lower-case sentence of
// printable ASCII, no trailing period, naming what it reads), a way to stop
// with a message when a fuzzer sees a broken promise, and the helpers the
// fuzzers share: a type check that records its calls and the promises a read
// with such a check keeps, the promises of any tensor read, and a bytewise
// tensor comparison.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_TEST_FUZZ_FUZZSUPPORT_H
#define TOKAMAK_TEST_FUZZ_FUZZSUPPORT_H

#include "tokamak/runtime/Status.h"
#include "tokamak/runtime/Tensor.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tokamak::fuzz {

/// Stops the fuzzer: `what` is the broken promise, `detail` the value.
[[noreturn]] inline void broken(const char *fuzzer, const char *what,
                                std::string_view detail) {
  std::fprintf(stderr, "%s fuzzer: %s: %.*s\n", fuzzer, what,
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

/// Checks that `status` is an error that starts with `prefix` and is one
/// lower-case sentence of printable ASCII without a trailing period (a
/// clipped quote may end in "...").
inline void checkError(const char *fuzzer, const rt::Status &status,
                       std::string_view prefix = {}) {
  if (status.ok())
    broken(fuzzer, "expected an error", "success");
  const std::string &message = status.message();
  if (message.compare(0, prefix.size(), prefix) != 0)
    broken(fuzzer, "error does not start with the expected prefix", message);
  if (message.size() <= prefix.size())
    broken(fuzzer, "error is empty", message);
  for (char c : message)
    if (c < 0x20 || c > 0x7e)
      broken(fuzzer, "error holds a byte that is not printable ASCII",
             rt::printableBytes(message));
  bool clipped =
      message.size() >= 3 && message.compare(message.size() - 3, 3, "...") == 0;
  if (std::isupper(static_cast<unsigned char>(message[prefix.size()])) ||
      (message.back() == '.' && !clipped))
    broken(fuzzer, "error is not a lower-case sentence without a period",
           message);
}

/// A TensorTypeCheck that records each call and answers with `decide`.
class RecordingCheck {
public:
  struct Call {
    rt::DType dtype;
    std::vector<int64_t> shape;
  };

  /// The message every refusal carries.
  static constexpr const char *kRefusal = "fuzz check refuses this type";

  /// `decide(dtype, shape)` says whether to accept.
  template <typename Decide> rt::TensorTypeCheck check(Decide decide) {
    return [this, decide](rt::DType dtype,
                          const std::vector<int64_t> &shape) -> rt::Status {
      calls.push_back({dtype, shape});
      accepted = decide(dtype, shape);
      return accepted ? rt::Status::success() : rt::Status::error(kRefusal);
    };
  }

  std::vector<Call> calls;
  bool accepted = false;
};

/// A 64-bit FNV-1a hash of the input: picks what the type checks expect,
/// so that one input always meets the same checks.
inline uint64_t hashInput(const uint8_t *data, size_t size) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < size; ++i)
    hash = (hash ^ data[i]) * 0x100000001b3ull;
  return hash;
}

/// Every element type, for picking one from a number.
inline constexpr rt::DType kAllDTypes[] = {
    rt::DType::f32, rt::DType::f16, rt::DType::bf16, rt::DType::f64,
    rt::DType::i8,  rt::DType::i16, rt::DType::i32,  rt::DType::i64,
    rt::DType::u8,  rt::DType::u16, rt::DType::i1};
inline constexpr size_t kNumDTypes = sizeof(kAllDTypes) / sizeof(kAllDTypes[0]);

/// What the second read's type check accepts, derived from the input's
/// hash: everything, one element type, one rank, or nothing. Each input
/// thus reaches both the accepting and the refusing path of the reader.
inline bool policyAccepts(uint64_t hash, rt::DType dtype,
                          const std::vector<int64_t> &shape) {
  switch (hash % 4) {
  case 0:
    return true;
  case 1:
    return dtype == kAllDTypes[(hash >> 2) % kNumDTypes];
  case 2:
    return shape.size() == (hash >> 2) % 4;
  default:
    return false;
  }
}

/// Checks the promises of a successfully read tensor: non-negative dims
/// whose product is numel(), byteSize() = numel() * dtypeSize(), and (for
/// i1) elements 0 or 1. Reads every byte so that ASan checks the storage.
inline void checkTensor(const char *fuzzer, const rt::HostTensor &tensor) {
  // A zero dim empties the tensor, however large the others are.
  __int128 product = 1;
  for (int64_t dim : tensor.shape()) {
    if (dim < 0)
      broken(fuzzer, "negative dim", tensor.typeString());
    product = product == 0 ? 0 : std::min<__int128>(product * dim, INT64_MAX);
  }
  if (product != tensor.numel() ||
      tensor.byteSize() !=
          static_cast<size_t>(product) * rt::dtypeSize(tensor.dtype()))
    broken(fuzzer, "size does not match the shape", tensor.typeString());
  const auto *bytes = static_cast<const uint8_t *>(tensor.rawData());
  volatile uint8_t sum = 0;
  for (size_t i = 0; i < tensor.byteSize(); ++i) {
    sum = sum + bytes[i];
    if (tensor.dtype() == rt::DType::i1 && bytes[i] > 1)
      broken(fuzzer, "i1 element other than 0 or 1", tensor.typeString());
  }
}

/// Whether two tensors have the same type and the same bytes.
inline bool sameTensor(const rt::HostTensor &a, const rt::HostTensor &b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         a.byteSize() == b.byteSize() &&
         (a.byteSize() == 0 ||
          std::memcmp(a.rawData(), b.rawData(), a.byteSize()) == 0);
}

/// Checks a read made with `record`'s check (`checked`) against the read of
/// the same input without it (`plain`): the check is called at most once,
/// for every tensor read and with its type; a read succeeds with the check
/// exactly when it succeeds without and the check accepts, and then reads
/// the same tensor; a refusal fails with `refusal`, any other failure with
/// `plain`'s error, which starts with `prefix`.
inline void checkCheckedRead(const char *fuzzer,
                             const rt::StatusOr<rt::HostTensor> &plain,
                             const rt::StatusOr<rt::HostTensor> &checked,
                             const RecordingCheck &record,
                             std::string_view prefix,
                             const std::string &refusal) {
  if (record.calls.size() > 1)
    broken(fuzzer, "the check was called more than once", prefix);
  if (plain.ok()) {
    if (record.calls.size() != 1)
      broken(fuzzer, "the check was not called", plain->typeString());
    const RecordingCheck::Call &call = record.calls.front();
    if (call.dtype != plain->dtype() || call.shape != plain->shape())
      broken(fuzzer, "the check saw another type",
             rt::formatTensorType(call.shape, call.dtype));
    if (record.accepted != checked.ok())
      broken(fuzzer, "the read did not follow the check's answer",
             plain->typeString());
    if (checked.ok() && !sameTensor(*plain, *checked))
      broken(fuzzer, "the check changed the tensor", plain->typeString());
    if (checked.ok())
      return;
  } else if (checked.ok()) {
    broken(fuzzer, "a failing read succeeded with a check",
           plain.status().message());
  }
  const std::string &message = checked.status().message();
  if (!record.calls.empty() && !record.accepted) {
    if (message != refusal)
      broken(fuzzer, "a refusal did not give the check's error", message);
    return;
  }
  checkError(fuzzer, checked.status(), prefix);
  if (message != plain.status().message())
    broken(fuzzer, "an accepting check changed the error", message);
}

} // namespace tokamak::fuzz

#endif // TOKAMAK_TEST_FUZZ_FUZZSUPPORT_H
