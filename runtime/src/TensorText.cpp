//===- TensorText.cpp - Inline tensor text --------------------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/TensorText.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

using namespace tokamak::rt;

namespace {

std::string_view trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos)
    return {};
  size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

/// Splits on any of `separators`, dropping empty pieces.
std::vector<std::string_view> split(std::string_view text,
                                    const char *separators) {
  std::vector<std::string_view> pieces;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t begin = text.find_first_not_of(separators, pos);
    if (begin == std::string_view::npos)
      break;
    size_t end = text.find_first_of(separators, begin);
    if (end == std::string_view::npos)
      end = text.size();
    pieces.push_back(text.substr(begin, end - begin));
    pos = end;
  }
  return pieces;
}

template <typename T> void store(void *dst, T value) {
  std::memcpy(dst, &value, sizeof(T));
}

Status outOfRange(std::string_view token, DType dtype) {
  return Status::error("value " + std::string(token) + " is out of range for " +
                       dtypeName(dtype));
}

Status unparsable(std::string_view token, DType dtype) {
  return Status::error("cannot parse '" + std::string(token) + "' as " +
                       dtypeName(dtype));
}

Status parseFloat(std::string_view token, DType dtype, void *dst) {
  std::string_view digits = token;
  if (!digits.empty() && digits[0] == '+')
    digits.remove_prefix(1);
  double value = 0;
  auto [end, ec] =
      std::from_chars(digits.data(), digits.data() + digits.size(), value);
  // Values beyond double's range are errors; f32, f16 and bf16 values below
  // their smallest subnormal flush to zero, as a cast does.
  if (ec == std::errc::result_out_of_range)
    return outOfRange(token, dtype);
  if (ec != std::errc() || end != digits.data() + digits.size())
    return unparsable(token, dtype);
  if (dtype == DType::f64) {
    store(dst, value);
    return Status::success();
  }
  float narrow = static_cast<float>(value);
  if (dtype == DType::f32) {
    if (std::isfinite(value) && !std::isfinite(narrow))
      return outOfRange(token, dtype);
    store(dst, narrow);
    return Status::success();
  }
  uint16_t bits = dtype == DType::f16 ? f32ToF16(narrow) : f32ToBF16(narrow);
  float back = dtype == DType::f16 ? f16ToF32(bits) : bf16ToF32(bits);
  if (std::isfinite(value) && !std::isfinite(back))
    return outOfRange(token, dtype);
  store(dst, bits);
  return Status::success();
}

Status parseInteger(std::string_view token, DType dtype, void *dst) {
  if (dtype == DType::i1) {
    bool isTrue = token == "true" || token == "1";
    if (!isTrue && token != "false" && token != "0")
      return unparsable(token, dtype);
    store<uint8_t>(dst, isTrue ? 1 : 0);
    return Status::success();
  }
  std::string_view digits = token;
  if (!digits.empty() && digits[0] == '+')
    digits.remove_prefix(1);
  int64_t value = 0;
  auto [end, ec] =
      std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec == std::errc() && end != digits.data() + digits.size())
    return unparsable(token, dtype);
  if (ec == std::errc::result_out_of_range)
    return outOfRange(token, dtype);
  if (ec != std::errc())
    return unparsable(token, dtype);

  auto inRange = [&](auto typed) {
    using T = decltype(typed);
    if (value < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
        value > static_cast<int64_t>(std::numeric_limits<T>::max()))
      return false;
    store(dst, static_cast<T>(value));
    return true;
  };
  bool ok = false;
  switch (dtype) {
  case DType::i8:
    ok = inRange(int8_t());
    break;
  case DType::i16:
    ok = inRange(int16_t());
    break;
  case DType::i32:
    ok = inRange(int32_t());
    break;
  case DType::i64:
    ok = inRange(int64_t());
    break;
  case DType::u8:
    ok = inRange(uint8_t());
    break;
  case DType::u16:
    ok = inRange(uint16_t());
    break;
  default:
    break;
  }
  return ok ? Status::success() : outOfRange(token, dtype);
}

Status parseElement(std::string_view token, DType dtype, void *dst) {
  if (isFloatDType(dtype))
    return parseFloat(token, dtype, dst);
  return parseInteger(token, dtype, dst);
}

/// Shortest text that reads back to the same value.
template <typename T> std::string shortest(T value) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return ec == std::errc() ? std::string(buffer, end) : std::string("?");
}

std::string formatElement(const HostTensor &tensor, int64_t index) {
  const char *base = static_cast<const char *>(tensor.rawData()) +
                     index * static_cast<int64_t>(dtypeSize(tensor.dtype()));
  auto load = [&](auto typed) {
    std::memcpy(&typed, base, sizeof(typed));
    return typed;
  };
  switch (tensor.dtype()) {
  case DType::f32:
    return shortest(load(float()));
  case DType::f16:
    return shortest(f16ToF32(load(uint16_t())));
  case DType::bf16:
    return shortest(bf16ToF32(load(uint16_t())));
  case DType::f64:
    return shortest(load(double()));
  case DType::i8:
    return std::to_string(load(int8_t()));
  case DType::i16:
    return std::to_string(load(int16_t()));
  case DType::i32:
    return std::to_string(load(int32_t()));
  case DType::i64:
    return std::to_string(load(int64_t()));
  case DType::u8:
    return std::to_string(load(uint8_t()));
  case DType::u16:
    return std::to_string(load(uint16_t()));
  case DType::i1:
    return load(uint8_t()) ? "1" : "0";
  }
  return "?";
}

/// Prints the innermost dim as "a b c" and every outer dim's rows in
/// brackets, stopping with "..." after the element budget.
class TextPrinter {
public:
  TextPrinter(const HostTensor &tensor, int64_t maxElements)
      : tensor(tensor), budget(maxElements) {}

  void print(std::string &out) {
    if (tensor.rank() == 0) {
      printElement(out, 0);
      return;
    }
    printDim(out, 0, 0);
  }

private:
  /// Prints the elements of dims [dim, rank) starting at element `base`.
  void printDim(std::string &out, int64_t dim, int64_t base) {
    int64_t size = tensor.shape()[dim];
    int64_t stride = 1;
    for (int64_t d = dim + 1; d < tensor.rank(); ++d)
      stride *= tensor.shape()[d];
    for (int64_t i = 0; i < size && !truncated; ++i) {
      if (dim + 1 == tensor.rank()) {
        if (i > 0)
          out += ' ';
        printElement(out, base + i);
        continue;
      }
      out += '[';
      printDim(out, dim + 1, base + i * stride);
      if (!truncated)
        out += ']';
    }
  }

  void printElement(std::string &out, int64_t index) {
    if (printed == budget) {
      out += "...";
      truncated = true;
      return;
    }
    out += formatElement(tensor, index);
    ++printed;
  }

  const HostTensor &tensor;
  int64_t budget;
  int64_t printed = 0;
  bool truncated = false;
};

} // namespace

StatusOr<HostTensor> tokamak::rt::parseTensorText(std::string_view text) {
  size_t equals = text.find('=');
  std::string_view typeText = trim(text.substr(0, equals));
  std::string_view valueText =
      equals == std::string_view::npos ? "" : text.substr(equals + 1);
  auto fail = [&](const std::string &message) {
    return Status::error("inline tensor '" + std::string(typeText) +
                         "': " + message);
  };
  if (typeText.empty())
    return Status::error("inline tensor '" + std::string(text) +
                         "' has no shape and element type before '='");

  // "2x3xf32": dims, then the element type after the last 'x'.
  size_t lastX = typeText.rfind('x');
  std::string_view dtypeText =
      lastX == std::string_view::npos ? typeText : typeText.substr(lastX + 1);
  StatusOr<DType> dtype = parseDType(dtypeText);
  if (!dtype.ok())
    return fail(dtype.status().message());
  std::vector<int64_t> shape;
  if (lastX != std::string_view::npos) {
    std::string_view dimsText = typeText.substr(0, lastX);
    size_t pos = 0;
    while (true) {
      size_t next = dimsText.find('x', pos);
      std::string_view dimText = dimsText.substr(
          pos, next == std::string_view::npos ? next : next - pos);
      int64_t dim = -1;
      auto [end, ec] =
          std::from_chars(dimText.data(), dimText.data() + dimText.size(), dim);
      if (dimText.empty() || ec != std::errc() ||
          end != dimText.data() + dimText.size() || dim < 0)
        return fail("bad dimension '" + std::string(dimText) +
                    "' (expected a non-negative integer)");
      shape.push_back(dim);
      if (next == std::string_view::npos)
        break;
      pos = next + 1;
    }
  }

  StatusOr<HostTensor> tensor = HostTensor::create(*dtype, shape);
  if (!tensor.ok())
    return fail(tensor.status().message());
  std::vector<std::string_view> tokens = split(valueText, " \t\r\n,[]");
  int64_t numel = tensor->numel();
  int64_t count = static_cast<int64_t>(tokens.size());
  if (count != numel && count > 1)
    return fail("expected " + std::to_string(numel) + " values, got " +
                std::to_string(count));
  if (count == 0 || numel == 0)
    return tensor; // Zeros.

  char *data = static_cast<char *>(tensor->rawData());
  size_t elementSize = dtypeSize(*dtype);
  for (int64_t i = 0; i < count; ++i) {
    Status status = parseElement(tokens[i], *dtype, data + i * elementSize);
    if (!status.ok())
      return fail(status.message());
  }
  // One value fills the whole tensor.
  for (int64_t i = count; i < numel; ++i)
    std::memcpy(data + i * elementSize, data, elementSize);
  return tensor;
}

std::string tokamak::rt::formatTensorText(const HostTensor &tensor,
                                          int64_t maxElements) {
  std::string out = tensor.typeString() + "=";
  if (tensor.numel() > 0)
    TextPrinter(tensor, maxElements).print(out);
  return out;
}
