//===- Utils.h - Helpers shared by the tok-to-linalg patterns ---*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_LIB_CONVERSION_TOKTOLINALG_UTILS_H
#define TOKAMAK_LIB_CONVERSION_TOKTOLINALG_UTILS_H

#include "dialects/Tok/IR/TokOps.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/SmallVector.h"

namespace tokamak::detail {

/// The sizes of `tensor` as OpFoldResults (constants for static dims,
/// `tensor.dim` for dynamic ones).
llvm::SmallVector<mlir::OpFoldResult>
getDims(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tensor);

/// Size `dim` of `tensor` (a constant when static, `tensor.dim` otherwise).
mlir::OpFoldResult getDim(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value tensor, int64_t dim);

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

/// Builds the scalar activation `kind` of `x` (every case of
/// tok::Activation).
mlir::Value buildActivation(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::tok::Activation kind, mlir::Value x);

//===----------------------------------------------------------------------===//
// Shapes and slices
//===----------------------------------------------------------------------===//

/// An index constant.
mlir::Value indexConst(mlir::OpBuilder &b, mlir::Location loc, int64_t value);

/// An f32 constant.
mlir::Value f32Const(mlir::OpBuilder &b, mlir::Location loc, double value);

/// An index (loop index or size) converted to f32.
mlir::Value indexToF32(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value index);

/// `linalg.index dim` inside a `linalg.generic` body.
mlir::Value loopIndex(mlir::OpBuilder &b, mlir::Location loc, int64_t dim);

/// `a / d` and `a + c` on sizes; folded when static.
mlir::OpFoldResult divSize(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::OpFoldResult a, mlir::OpFoldResult d);
mlir::OpFoldResult addSize(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::OpFoldResult a, mlir::OpFoldResult c);

/// The slice of `tensor` at `offset` along `dim` with size 1, with that
/// dimension dropped (rank-reduced `tensor.extract_slice`).
mlir::Value extractSliceAt(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value tensor, int64_t dim,
                           mlir::OpFoldResult offset);

/// Inserts a rank-reduced `slice` (as produced by `extractSliceAt`) into
/// `dest` at `offset` along `dim`.
mlir::Value insertSliceAt(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value slice, mlir::Value dest, int64_t dim,
                          mlir::OpFoldResult offset);

/// The slice `[offset, offset + size)` (step `stride`) of `tensor` along
/// `dim`, full along every other dimension.
mlir::Value extractRange(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value tensor, int64_t dim,
                         mlir::OpFoldResult offset, mlir::OpFoldResult size,
                         int64_t stride = 1);

/// Inserts `slice` into `dest` at `offset` (step `stride`) along `dim`; the
/// inverse of `extractRange`.
mlir::Value insertRange(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value slice, mlir::Value dest, int64_t dim,
                        mlir::OpFoldResult offset, int64_t stride = 1);

/// Splits dimension `dim` of `tensor` into `[outer, size(dim) / outer]`
/// (`tensor.expand_shape`).
mlir::Value splitDim(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tensor,
                     int64_t dim, mlir::OpFoldResult outer);

/// Merges dimensions `dim` and `dim + 1` of `tensor`
/// (`tensor.collapse_shape`).
mlir::Value mergeDims(mlir::OpBuilder &b, mlir::Location loc,
                      mlir::Value tensor, int64_t dim);

//===----------------------------------------------------------------------===//
// linalg.generic helpers
//===----------------------------------------------------------------------===//

/// The map from `numDims` loops to the operand dims `targets`
/// (`(d0, ..., dn) -> (d_targets...)`).
mlir::AffineMap projMap(mlir::MLIRContext *ctx, unsigned numDims,
                        llvm::ArrayRef<unsigned> targets);

/// `numDims` parallel iterators except those listed in `reductions`.
llvm::SmallVector<mlir::utils::IteratorType>
iteratorTypes(unsigned numDims, llvm::ArrayRef<unsigned> reductions = {});

/// Elementwise conversion of a float tensor to `elementType` (extf/truncf in
/// a `linalg.generic`); returns `tensor` unchanged when the types match.
mlir::Value castTensor(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value tensor, mlir::Type elementType);

/// `tensor.cast` of `tensor` to `type` when the two differ (static versus
/// dynamic sizes); `tensor` otherwise.
mlir::Value castToType(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value tensor, mlir::Type type);

/// The element type of a shaped value.
mlir::Type elementTypeOf(mlir::Value v);

} // namespace tokamak::detail

#endif // TOKAMAK_LIB_CONVERSION_TOKTOLINALG_UTILS_H
