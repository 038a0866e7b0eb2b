//===- Passes.h - Target-neutral transforms of the tok dialect --*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_DIALECTS_TOK_TRANSFORMS_PASSES_H
#define TOKAMAK_DIALECTS_TOK_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

namespace mlir::tok {

#define GEN_PASS_DECL
#include "dialects/Tok/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dialects/Tok/Transforms/Passes.h.inc"

/// Patterns that run each packed (`seq_starts`) tok.selective_scan,
/// tok.linear_scan and tok.conv1d once per sequence
/// (tok-decompose-packed-scans). convert-tok-to-linalg includes them.
void populateDecomposePackedScanPatterns(RewritePatternSet &patterns);

} // namespace mlir::tok

#endif // TOKAMAK_DIALECTS_TOK_TRANSFORMS_PASSES_H
