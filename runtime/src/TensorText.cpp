//===- TensorText.cpp - Inline tensor text --------------------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/TensorText.h"

#include <cctype>
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
  return Status::error("value " + printableBytes(token) +
                       " is out of range for " + dtypeName(dtype));
}

Status unparsable(std::string_view token, DType dtype) {
  return Status::error("cannot parse '" + printableBytes(token) + "' as " +
                       dtypeName(dtype));
}

/// Whether the decimal number `digits` (from_chars syntax, no sign) is
/// below 1 in magnitude: its first non-zero digit comes after the point,
/// counting the exponent. Tells underflow from overflow when from_chars
/// reports a value out of double's range.
bool isTiny(std::string_view digits) {
  size_t exponentAt = digits.find_first_of("eE");
  std::string_view mantissa = digits.substr(0, exponentAt);
  int64_t exponent = 0;
  if (exponentAt != std::string_view::npos) {
    std::string_view text = digits.substr(exponentAt + 1);
    if (!text.empty() && text[0] == '+')
      text.remove_prefix(1);
    auto [end, ec] =
        std::from_chars(text.data(), text.data() + text.size(), exponent);
    if (ec == std::errc::result_out_of_range)
      return !text.empty() && text[0] == '-';
  }
  // Position of the first non-zero digit relative to the point.
  size_t point = mantissa.find('.');
  int64_t intDigits = static_cast<int64_t>(
      point == std::string_view::npos ? mantissa.size() : point);
  size_t first = mantissa.find_first_of("123456789");
  if (first == std::string_view::npos)
    return true;
  // The value is below 10^magnitude (times 10^exponent) and at least a
  // tenth of it.
  int64_t at = static_cast<int64_t>(first);
  int64_t magnitude = at < intDigits ? intDigits - at : intDigits + 1 - at;
  return magnitude + exponent <= 0;
}

Status parseFloat(std::string_view token, DType dtype, void *dst) {
  std::string_view digits = token;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  double value = 0;
  auto [end, ec] =
      std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() && ec != std::errc::result_out_of_range)
    return unparsable(token, dtype);
  if (end != digits.data() + digits.size() ||
      (!digits.empty() && digits[0] == '-'))
    return unparsable(token, dtype);
  // Values too large for the element type are errors. Values too small for
  // it round to zero (of the same sign), as a cast, NumPy's astype and
  // strtof do, whether or not they fit a double: 1e-50 and 1e-400 both read
  // as 0 in f32.
  if (ec == std::errc::result_out_of_range) {
    if (!isTiny(digits))
      return outOfRange(token, dtype);
    value = 0.0;
  }
  if (negative)
    value = -value;
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

StatusOr<HostTensor>
tokamak::rt::parseTensorText(std::string_view text,
                             const TensorTypeCheck &check) {
  size_t equals = text.find('=');
  std::string_view typeText = trim(text.substr(0, equals));
  std::string_view valueText =
      equals == std::string_view::npos ? "" : text.substr(equals + 1);
  auto fail = [&](const std::string &message) {
    return Status::error("inline tensor '" + printableBytes(typeText) +
                         "': " + message);
  };
  if (typeText.empty())
    return Status::error("inline tensor '" + printableBytes(text) +
                         "' has no shape and element type before '='");

  // "2x3xf32": dims separated by 'x', then the element type, which may
  // itself hold an 'x' ("index", "complex<f32>"): the dims are the leading
  // pieces that look like numbers.
  std::vector<int64_t> shape;
  size_t pos = 0;
  while (true) {
    size_t next = typeText.find('x', pos);
    if (next == std::string_view::npos)
      break;
    std::string_view dimText = typeText.substr(pos, next - pos);
    bool looksNumeric = dimText.empty() ||
                        std::isdigit(static_cast<unsigned char>(dimText[0])) ||
                        dimText[0] == '-' || dimText[0] == '+' ||
                        dimText[0] == '?';
    if (!looksNumeric) {
      // "2xax3xf32": a bad dimension before a known element type.
      std::string_view rest = typeText.substr(pos);
      std::string_view last = rest.substr(rest.rfind('x') + 1);
      if (!parseDType(last).ok())
        break;
    }
    int64_t dim = -1;
    auto [end, ec] =
        std::from_chars(dimText.data(), dimText.data() + dimText.size(), dim);
    if (dimText.empty() || ec != std::errc() ||
        end != dimText.data() + dimText.size() || dim < 0)
      return fail("bad dimension '" + printableBytes(dimText) +
                  "' (expected a non-negative integer)");
    shape.push_back(dim);
    pos = next + 1;
  }
  std::string_view dtypeText = typeText.substr(pos);
  StatusOr<DType> dtype = parseDType(dtypeText);
  if (!dtype.ok())
    return fail("unknown element type '" + printableBytes(dtypeText) +
                "' (expected " + dtypeNames() + ")");
  StatusOr<int64_t> numel = checkedNumElements(shape, *dtype);
  if (!numel.ok())
    return fail(numel.status().message());
  // What the caller expects, before anything is allocated.
  if (check)
    if (Status s = check(*dtype, shape); s.failed())
      return s;

  std::vector<std::string_view> tokens = split(valueText, " \t\r\n,[]");
  int64_t count = static_cast<int64_t>(tokens.size());
  if (count != *numel && count > 1)
    return fail("expected " + std::to_string(*numel) + " values, got " +
                std::to_string(count));
  StatusOr<HostTensor> tensor = HostTensor::create(*dtype, shape);
  if (!tensor.ok())
    return fail(tensor.status().message());
  if (count == 0 || *numel == 0)
    return tensor; // Zeros.

  char *data = static_cast<char *>(tensor->rawData());
  size_t elementSize = dtypeSize(*dtype);
  for (int64_t i = 0; i < count; ++i) {
    Status status = parseElement(tokens[i], *dtype, data + i * elementSize);
    if (!status.ok())
      return fail(status.message());
  }
  // One value fills the whole tensor.
  for (int64_t i = count; i < *numel; ++i)
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
