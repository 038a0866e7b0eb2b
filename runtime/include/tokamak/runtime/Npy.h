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

#include <functional>
#include <string>
#include <vector>

namespace tokamak::rt {

/// Called with the dtype and shape of a .npy header before any of its data
/// is read or allocated; an error stops the read with that message.
using NpyHeaderCheck = TensorTypeCheck;

/// Reads the .npy file at `path` (a regular file, or a pipe or FIFO read to
/// its end). Every error names the file and the problem: missing file, bad
/// magic, unsupported version, malformed header (one that does not end in a
/// newline, as the format requires, has a wrong length), fortran order,
/// big-endian or unsupported dtype, bad shape, `check`'s objection,
/// truncated data, trailing bytes, or |b1 bytes other than 0 and 1. Bytes
/// that are not printable are escaped (\xNN) in messages. Memory is
/// allocated only for data the file really holds: a regular file's size is
/// checked against the header first, a stream is read in chunks.
StatusOr<HostTensor> readNpy(const std::string &path,
                             const NpyHeaderCheck &check = nullptr);

/// Writes `tensor` to `path` (bf16 as <u2 raw bits, f16 as <f2) through
/// OutputFiles: a failure never leaves a partial `path` behind, a symbolic
/// link keeps pointing at the new file, and a character device or FIFO
/// (/dev/null, a pipe) is written into, never replaced.
Status writeNpy(const std::string &path, const HostTensor &tensor);

/// Writes `tensor` as .npy bytes into the existing file `path`, truncating
/// it: the step that fills an OutputFiles temporary file. Errors do not name
/// the file.
Status writeNpyTo(const std::string &path, const HostTensor &tensor);

/// `tensor` as an `expected` tensor: exact dtype matches pass through, a u16
/// tensor becomes bf16 (the same bits; the .npy convention for bf16), and any
/// other mismatch is an error naming both dtypes. Values are never converted.
StatusOr<HostTensor> coerceTo(HostTensor tensor, DType expected);

} // namespace tokamak::rt

#endif // TOKAMAK_RUNTIME_NPY_H
