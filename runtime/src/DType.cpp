//===- DType.cpp - Tensor element types -----------------------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/DType.h"

#include <cmath>
#include <cstring>
#include <string>

using namespace tokamak::rt;

namespace {

struct DTypeInfo {
  DType dtype;
  const char *name;
  size_t size;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::f32, "f32", 4}, {DType::f16, "f16", 2}, {DType::bf16, "bf16", 2},
    {DType::f64, "f64", 8}, {DType::i8, "i8", 1},   {DType::i16, "i16", 2},
    {DType::i32, "i32", 4}, {DType::i64, "i64", 8}, {DType::u8, "u8", 1},
    {DType::u16, "u16", 2}, {DType::i1, "i1", 1},
};

const DTypeInfo &info(DType dtype) {
  return kDTypes[static_cast<size_t>(dtype)];
}

uint32_t floatBits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

float bitsFloat(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

} // namespace

const char *tokamak::rt::dtypeName(DType dtype) { return info(dtype).name; }

size_t tokamak::rt::dtypeSize(DType dtype) { return info(dtype).size; }

StatusOr<DType> tokamak::rt::parseDType(std::string_view name) {
  for (const DTypeInfo &entry : kDTypes)
    if (name == entry.name)
      return entry.dtype;
  return Status::error("unknown element type '" + printableBytes(name) + "'");
}

std::string tokamak::rt::dtypeNames() {
  std::string names;
  size_t count = sizeof(kDTypes) / sizeof(kDTypes[0]);
  for (size_t i = 0; i < count; ++i)
    names += std::string(i == 0           ? ""
                         : i + 1 == count ? " or "
                                          : ", ") +
             kDTypes[i].name;
  return names;
}

bool tokamak::rt::isFloatDType(DType dtype) {
  return dtype == DType::f32 || dtype == DType::f16 || dtype == DType::bf16 ||
         dtype == DType::f64;
}

float tokamak::rt::f16ToF32(uint16_t bits) {
  uint32_t sign = static_cast<uint32_t>(bits & 0x8000) << 16;
  uint32_t exponent = (bits >> 10) & 0x1f;
  uint32_t mantissa = bits & 0x3ff;
  if (exponent == 0x1f) // Infinity or NaN.
    return bitsFloat(sign | 0x7f800000 | (mantissa << 13));
  if (exponent == 0) { // Zero or subnormal: mantissa * 2^-24.
    float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  return bitsFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

uint16_t tokamak::rt::f32ToF16(float value) {
  uint32_t bits = floatBits(value);
  uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000);
  uint32_t magnitude = bits & 0x7fffffff;
  if (magnitude >= 0x7f800000) { // Infinity, or NaN kept quiet.
    if (magnitude == 0x7f800000)
      return sign | 0x7c00;
    return sign | 0x7e00 | ((magnitude >> 13) & 0x3ff);
  }
  // 65520 and above round to infinity (65504 is the largest half).
  if (magnitude >= 0x477ff000)
    return sign | 0x7c00;
  // Below 2^-14 the result is subnormal: adding 0.5f lines the half ulp
  // (2^-24) up with the float ulp, so the FPU rounds to nearest even for us.
  if (magnitude < 0x38800000) {
    float shifted = bitsFloat(magnitude) + 0.5f;
    return sign | static_cast<uint16_t>(floatBits(shifted) - 0x3f000000);
  }
  // Normal: rebias the exponent (127 -> 15) and round the 13 dropped bits to
  // nearest even.
  uint32_t odd = (magnitude >> 13) & 1;
  magnitude += 0xc8000000u + 0xfff + odd;
  return sign | static_cast<uint16_t>(magnitude >> 13);
}

float tokamak::rt::bf16ToF32(uint16_t bits) {
  return bitsFloat(static_cast<uint32_t>(bits) << 16);
}

uint16_t tokamak::rt::f32ToBF16(float value) {
  uint32_t bits = floatBits(value);
  if ((bits & 0x7fffffff) > 0x7f800000) // NaN: truncate, keep it quiet.
    return static_cast<uint16_t>((bits >> 16) | 0x40);
  uint32_t odd = (bits >> 16) & 1;
  return static_cast<uint16_t>((bits + 0x7fff + odd) >> 16);
}
