//===- SafeTensorsFuzzer.cpp - Fuzz the safetensors parser ----------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// libFuzzer entry point: parses the input as a whole safetensors image. The
// sanitizers catch crashes and out-of-bounds reads; the checks below abort on
// results that break the parser's promises: tensors outside the data section
// or unaligned in it, sizes that disagree with the shape, unsorted or
// duplicate names, errors that do not name the file or are not one short
// lower-case sentence.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/SafeTensors.h"

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace tokamak::rt;

namespace {

constexpr std::string_view kFileName = "fuzz.safetensors";

[[noreturn]] void broken(const char *what, const std::string &detail) {
  std::fprintf(stderr, "safetensors fuzzer: %s: %s\n", what, detail.c_str());
  std::abort();
}

void checkError(const Status &status) {
  const std::string &message = status.message();
  std::string prefix = std::string(kFileName) + ": ";
  if (message.rfind(prefix, 0) != 0)
    broken("error does not name the file", message);
  if (message.size() <= prefix.size() || message.size() > 1024)
    broken("error is empty or too long", message);
  unsigned char first = message[prefix.size()];
  // A message may end in the "..." of a clipped quote, not in a period.
  bool clipped =
      message.size() >= 3 && message.compare(message.size() - 3, 3, "...") == 0;
  if (std::isupper(first) || (message.back() == '.' && !clipped) ||
      message.back() == '\n')
    broken("error is not a lower-case sentence without a period", message);
}

void checkTensors(const std::vector<SafeTensorInfo> &tensors,
                  const uint8_t *data, size_t size) {
  // Parsing succeeded, so the header length is sane.
  uint64_t headerSize = 0;
  for (int i = 0; i < 8; ++i)
    headerSize |= static_cast<uint64_t>(data[i]) << (8 * i);
  const uint8_t *dataSection = data + 8 + headerSize;
  const SafeTensorInfo *previous = nullptr;
  for (const SafeTensorInfo &tensor : tensors) {
    if (previous && !(previous->name < tensor.name))
      broken("tensors not sorted by unique name", tensor.name);
    previous = &tensor;
    StatusOr<int64_t> numel = checkedNumElements(tensor.shape, tensor.dtype);
    if (!numel.ok() ||
        static_cast<uint64_t>(*numel) * dtypeSize(tensor.dtype) !=
            tensor.byteSize)
      broken("byte size does not match the shape", tensor.name);
    const auto *begin = static_cast<const uint8_t *>(tensor.data);
    if (begin < dataSection || begin > data + size ||
        tensor.byteSize > static_cast<size_t>(data + size - begin))
      broken("tensor outside the data section", tensor.name);
    if ((begin - dataSection) % dtypeSize(tensor.dtype) != 0)
      broken("tensor not aligned in the data section", tensor.name);
    if (tensor.file != kFileName)
      broken("tensor does not name the file", tensor.name);
    // Read every byte, so that ASan checks the whole range.
    volatile uint8_t sum = 0;
    for (size_t i = 0; i < tensor.byteSize; ++i)
      sum = sum + begin[i];
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  StatusOr<std::vector<SafeTensorInfo>> tensors =
      parseSafeTensors(data, size, kFileName);
  if (tensors.ok())
    checkTensors(*tensors, data, size);
  else
    checkError(tensors.status());
  return 0;
}
