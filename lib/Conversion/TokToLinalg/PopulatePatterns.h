//===- PopulatePatterns.h - Pattern sets of tok-to-linalg -------*- C++ -*-===//
//
// Part of the Tokamak project. One entry point per topic file.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_LIB_CONVERSION_TOKTOLINALG_POPULATEPATTERNS_H
#define TOKAMAK_LIB_CONVERSION_TOKTOLINALG_POPULATEPATTERNS_H

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace tokamak::detail {

/// attention, paged_attention, cache_write, lse_merge.
void populateAttentionPatterns(mlir::RewritePatternSet &patterns);
/// selective_scan, linear_scan, assoc_scan.
void populateScanPatterns(mlir::RewritePatternSet &patterns);
/// conv1d, pool2d.
void populateMixerPatterns(mlir::RewritePatternSet &patterns);
/// linear, rms_norm, layer_norm, rope, glu, activation, embedding.
void populateBasicPatterns(mlir::RewritePatternSet &patterns);
/// topk.
void populateTopKPatterns(mlir::RewritePatternSet &patterns);

} // namespace tokamak::detail

#endif // TOKAMAK_LIB_CONVERSION_TOKTOLINALG_POPULATEPATTERNS_H
