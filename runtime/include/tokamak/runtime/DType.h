//===- DType.h - Tensor element types ---------------------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// The element types a runtime tensor can hold, their names (as written in
// MLIR, artifact metadata and inline tensor text) and sizes, plus the
// f16/bf16 <-> f32 conversions.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_DTYPE_H
#define TOKAMAK_RUNTIME_DTYPE_H

#include "tokamak/runtime/Status.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tokamak::rt {

/// A tensor element type. `i1` is a boolean stored as one byte (0 or 1), as
/// MLIR's LLVM lowering stores `memref<...xi1>`.
enum class DType : uint8_t {
  f32,
  f16,
  bf16,
  f64,
  i8,
  i16,
  i32,
  i64,
  u8,
  u16,
  i1
};

/// The canonical name: "f32", "f16", "bf16", "f64", "i8", ..., "u16", "i1".
const char *dtypeName(DType dtype);

/// The element type called `name` (a canonical name), or an error
/// "unknown element type 'name'".
StatusOr<DType> parseDType(std::string_view name);

/// Every element type name, for messages: "f32, f16, ... or i1".
std::string dtypeNames();

/// Bytes per element.
size_t dtypeSize(DType dtype);

/// True for f32, f16, bf16 and f64.
bool isFloatDType(DType dtype);

/// IEEE half bits -> float (exact).
float f16ToF32(uint16_t bits);
/// float -> IEEE half bits, rounding to nearest even; NaN stays NaN (quiet)
/// and out-of-range values become infinities.
uint16_t f32ToF16(float value);

/// bfloat16 bits -> float (exact).
float bf16ToF32(uint16_t bits);
/// float -> bfloat16 bits, rounding to nearest even; NaN stays NaN (quiet).
uint16_t f32ToBF16(float value);

} // namespace tokamak::rt

#endif // TOKAMAK_RUNTIME_DTYPE_H
