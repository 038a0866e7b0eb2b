//===- TokToLinalg.h - Lower tok ops to linalg ------------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_CONVERSION_TOKTOLINALG_TOKTOLINALG_H
#define TOKAMAK_CONVERSION_TOKTOLINALG_TOKTOLINALG_H

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace tokamak {

/// Adds the patterns that lower every tok op to linalg/tensor/scf/math.
void populateTokToLinalgPatterns(mlir::RewritePatternSet &patterns);

} // namespace tokamak

#endif // TOKAMAK_CONVERSION_TOKTOLINALG_TOKTOLINALG_H
