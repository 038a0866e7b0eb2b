//===- Scans.h - Pattern entry points of the scan lowerings -----*- C++ -*-===//
//
// Part of the Tokamak project. One entry point per scan file, gathered by
// populateScanPatterns in Scans.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_LIB_CONVERSION_TOKTOLINALG_SCANS_H
#define TOKAMAK_LIB_CONVERSION_TOKTOLINALG_SCANS_H

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace tokamak::detail {

/// tok.selective_scan (SelectiveScan.cpp).
void populateSelectiveScanPatterns(mlir::RewritePatternSet &patterns);
/// tok.linear_scan (LinearScan.cpp).
void populateLinearScanPatterns(mlir::RewritePatternSet &patterns);

} // namespace tokamak::detail

#endif // TOKAMAK_LIB_CONVERSION_TOKTOLINALG_SCANS_H
