//===- TensorText.h - Inline tensor text ------------------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// Tensors written inline on the command line, following IREE's
// `--input=` convention, and tensors printed for a terminal:
//
//   2x3xf32=1 2 3 4 5 6      shape, element type, '=', row-major values
//   2x3xi32=1,2,3,4,5,6      values split on spaces, commas and brackets,
//   2x3xf32=[1 2 3][4 5 6]   so that printed tensors parse back
//   f32=5                    a rank-0 tensor
//   4x8xf32=0.5              a single value fills every element
//   4x8xf32  or  4x8xf32=    no values: zeros
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_TENSORTEXT_H
#define TOKAMAK_RUNTIME_TENSORTEXT_H

#include "tokamak/runtime/Status.h"
#include "tokamak/runtime/Tensor.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace tokamak::rt {

/// Parses "SHAPExTYPE=VALUES" (see the file comment). The value count must
/// be the element count, 1 (broadcast) or 0 (zeros). Errors name the bad
/// part: a bad dimension, an unknown element type (the whole name after the
/// dims: "4xindex" names 'index'), `check`'s objection to the type (made
/// before anything is allocated), the wrong value count, an unparsable or
/// out-of-range value. Integers are decimal; floats accept "inf", "-inf"
/// and "nan"; i1 accepts 0, 1, true and false. A float too large for the
/// element type is an error; one too small for it rounds to zero (with its
/// sign), as a cast does: "1e-50" and "1e-400" both read as 0 in f32.
StatusOr<HostTensor> parseTensorText(std::string_view text,
                                     const TensorTypeCheck &check = nullptr);

/// Prints `tensor` on one line in IREE's style: "2x3xf32=[1 2 3][4 5 6]",
/// "3xi32=1 2 3", "f32=5". Floats print in the shortest form that reads back
/// exactly; f16 and bf16 print their f32 value. After `maxElements`
/// elements, printing stops with "...".
std::string formatTensorText(const HostTensor &tensor,
                             int64_t maxElements = 1024);

} // namespace tokamak::rt

#endif // TOKAMAK_RUNTIME_TENSORTEXT_H
