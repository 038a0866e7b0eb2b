//===- TensorTextFuzzer.cpp - Fuzz the inline tensor parser ---------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// libFuzzer entry point: parses the input as an inline tensor
// ("2x3xf32=1 2 3 4 5 6"), without a type check and again with one (what it
// accepts is derived from the input's hash). The sanitizers catch crashes;
// the checks below abort when
//   - a parsed tensor has a size that disagrees with its shape or i1
//     elements other than 0 and 1;
//   - printing a parsed tensor and parsing the text again does not give the
//     same tensor (bit for bit; NaNs only need to stay NaN), or printing
//     that gives other text;
//   - the check breaks its promises (see checkCheckedRead);
//   - an error does not name the inline tensor or is not one printable
//     sentence.
// Shapes over 16 MiB are refused through the check before anything is
// allocated, so that "100000000000xf32" costs nothing; a text whose numbers
// before '=' multiply to at most 2^20 is parsed without a check at all.
//
//===----------------------------------------------------------------------===//

#include "FuzzSupport.h"

#include "tokamak/runtime/TensorText.h"

#include <cmath>
#include <limits>

using namespace tokamak;
using namespace tokamak::fuzz;
using rt::DType;
using rt::HostTensor;
using rt::StatusOr;

namespace {

constexpr const char *kFuzzer = "tensor text";
/// Every error starts so, then quotes the text before '='.
constexpr std::string_view kErrorPrefix = "inline tensor ";
constexpr int64_t kMaxBytes = int64_t(16) << 20;
/// Tensors up to this many elements are printed and parsed back.
constexpr int64_t kMaxRoundTrip = 4096;

bool smallEnough(DType dtype, const std::vector<int64_t> &shape) {
  StatusOr<int64_t> numel = rt::checkedNumElements(shape, dtype);
  return numel.ok() && *numel <= kMaxBytes / int64_t(rt::dtypeSize(dtype));
}

/// Whether every shape the text can spell is small: the product of the
/// digit runs before '=' (each at least 1) is at most 2^20.
bool obviouslySmall(std::string_view text) {
  text = text.substr(0, text.find('='));
  uint64_t product = 1, run = 0;
  bool inRun = false;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      run = std::min<uint64_t>(run * 10 + (text[i] - '0'), uint64_t(1) << 21);
      inRun = true;
      continue;
    }
    if (inRun)
      product = std::min<uint64_t>(product * std::max<uint64_t>(run, 1),
                                   uint64_t(1) << 21);
    run = 0;
    inRun = false;
  }
  return product <= (uint64_t(1) << 20);
}

/// Whether elements `i` of `a` and `b` (of float type `dtype`) are equal:
/// the same bits, or both NaN.
bool sameFloat(DType dtype, const void *a, const void *b, int64_t i) {
  auto load = [&](const void *base, auto typed) {
    std::memcpy(&typed, static_cast<const char *>(base) + i * sizeof(typed),
                sizeof(typed));
    return typed;
  };
  auto value = [&](const void *base) -> double {
    switch (dtype) {
    case DType::f64:
      return load(base, double());
    case DType::f32:
      return load(base, float());
    case DType::f16:
      return rt::f16ToF32(load(base, uint16_t()));
    default:
      return rt::bf16ToF32(load(base, uint16_t()));
    }
  };
  double x = value(a), y = value(b);
  if (std::isnan(x) || std::isnan(y))
    return std::isnan(x) && std::isnan(y);
  size_t width = rt::dtypeSize(dtype);
  return std::memcmp(static_cast<const char *>(a) + i * width,
                     static_cast<const char *>(b) + i * width, width) == 0;
}

/// Printing `tensor` and parsing the text gives `tensor` again, and
/// printing that gives the same text.
void checkRoundTrip(const HostTensor &tensor) {
  std::string text =
      rt::formatTensorText(tensor, std::numeric_limits<int64_t>::max());
  StatusOr<HostTensor> again = rt::parseTensorText(text);
  if (!again.ok())
    broken(kFuzzer, "a printed tensor does not parse",
           text + " -> " + again.status().message());
  if (again->dtype() != tensor.dtype() || again->shape() != tensor.shape())
    broken(kFuzzer, "a printed tensor parses with another type", text);
  bool same = true;
  if (rt::isFloatDType(tensor.dtype())) {
    for (int64_t i = 0; i < tensor.numel() && same; ++i)
      same = sameFloat(tensor.dtype(), tensor.rawData(), again->rawData(), i);
  } else {
    same = sameTensor(tensor, *again);
  }
  if (!same)
    broken(kFuzzer, "a printed tensor parses to other values", text);
  std::string twice =
      rt::formatTensorText(*again, std::numeric_limits<int64_t>::max());
  if (twice != text)
    broken(kFuzzer, "printing is not stable", text + " vs " + twice);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  uint64_t hash = hashInput(data, size);

  RecordingCheck bound;
  StatusOr<HostTensor> plain =
      obviouslySmall(text)
          ? rt::parseTensorText(text)
          : rt::parseTensorText(text, bound.check(smallEnough));
  if (!bound.calls.empty() && !bound.accepted)
    return 0; // Too large to parse without the check.
  if (plain.ok()) {
    checkTensor(kFuzzer, *plain);
    if (plain->numel() <= kMaxRoundTrip)
      checkRoundTrip(*plain);
  } else {
    checkError(kFuzzer, plain.status(), kErrorPrefix);
  }

  RecordingCheck record;
  StatusOr<HostTensor> checked = rt::parseTensorText(
      text,
      record.check([hash](DType dtype, const std::vector<int64_t> &shape) {
        return smallEnough(dtype, shape) && policyAccepts(hash, dtype, shape);
      }));
  checkCheckedRead(kFuzzer, plain, checked, record, kErrorPrefix,
                   RecordingCheck::kRefusal);
  return 0;
}
