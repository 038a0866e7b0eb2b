//===- Npy.h - NumPy .npy files ---------------------------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// Reading and writing single arrays in NumPy's .npy format (versions 1.0,
// 2.0 and 3.0), C order, little-endian. Element types map as
//
//   <f4 f32   <f2 f16   <f8 f64   <i1/|i1 i8   <i2 i16   <i4 i32   <i8 i64
//   <u1/|u1 u8   <u2 u16   |b1 i1
//
// NumPy has no bfloat16: bf16 tensors are written as <u2 arrays holding the
// raw bits, and read back as u16 tensors that coerceTo() turns into bf16.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_NPY_H
#define TOKAMAK_RUNTIME_NPY_H

#include "tokamak/runtime/Status.h"
#include "tokamak/runtime/Tensor.h"

#include <string>

namespace tokamak::rt {

/// Reads the .npy file at `path`. Every error names the file and the
/// problem: missing file, bad magic, unsupported version, malformed header,
/// fortran order, big-endian or unsupported dtype, bad shape, truncated data
/// or trailing bytes.
StatusOr<HostTensor> readNpy(const std::string &path);

/// Writes `tensor` to `path` (bf16 as <u2 raw bits, f16 as <f2), through a
/// temporary file renamed into place: a failure never leaves a partial
/// `path` behind.
Status writeNpy(const std::string &path, const HostTensor &tensor);

/// `tensor` as an `expected` tensor: exact dtype matches pass through, a u16
/// tensor becomes bf16 (the same bits; the .npy convention for bf16), and any
/// other mismatch is an error naming both dtypes. Values are never converted.
StatusOr<HostTensor> coerceTo(HostTensor tensor, DType expected);

} // namespace tokamak::rt

#endif // TOKAMAK_RUNTIME_NPY_H
