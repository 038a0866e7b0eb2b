//===- Utils.h - Helpers shared by the tok-to-linalg patterns ---*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_LIB_CONVERSION_TOKTOLINALG_UTILS_H
#define TOKAMAK_LIB_CONVERSION_TOKTOLINALG_UTILS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/SmallVector.h"

namespace tokamak::detail {

/// The sizes of `tensor` as OpFoldResults (constants for static dims,
/// `tensor.dim` for dynamic ones).
llvm::SmallVector<mlir::OpFoldResult> getDims(mlir::OpBuilder &b,
                                              mlir::Location loc,
                                              mlir::Value tensor);

/// A `tensor.empty` of the given sizes and element type.
mlir::Value createEmpty(mlir::OpBuilder &b, mlir::Location loc,
                        llvm::ArrayRef<mlir::OpFoldResult> sizes,
                        mlir::Type elementType);

/// A tensor of the given sizes filled with `value` (a float constant of
/// `elementType`).
mlir::Value createFilled(mlir::OpBuilder &b, mlir::Location loc,
                         llvm::ArrayRef<mlir::OpFoldResult> sizes,
                         mlir::Type elementType, double value);

/// Converts a float scalar to f32 (extf) or from f32 to `type` (truncf);
/// identity when the types already match.
mlir::Value toF32(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v);
mlir::Value fromF32(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                    mlir::Type type);

/// Builds the scalar f32 activation `kind` (silu, gelu, gelu_tanh, relu,
/// sigmoid, softplus, elu, tanh, none) of `x`. Returns a null value for an
/// unknown kind (the verifiers reject those first).
mlir::Value buildActivation(mlir::OpBuilder &b, mlir::Location loc,
                            llvm::StringRef kind, mlir::Value x);

} // namespace tokamak::detail

#endif // TOKAMAK_LIB_CONVERSION_TOKTOLINALG_UTILS_H
