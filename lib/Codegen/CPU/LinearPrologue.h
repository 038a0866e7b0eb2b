//===- LinearPrologue.h - Norms fused into linear prologues -----*- C++ -*-===//
//
// Part of the Tokamak project. The IR builders that let tok-tile-linear fuse
// a tok.rms_norm or tok.layer_norm into the linears that consume it: per-row
// statistics in one cheap pass over x, then the normalization applied to
// vectors of x on their way into a kernel (the GEMM's packed rows of x, or
// the GEMV's x, scaled once).
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_CODEGEN_CPU_LINEARPROLOGUE_H
#define TOKAMAK_CODEGEN_CPU_LINEARPROLOGUE_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

namespace tokamak::cpu {

// Private to lib/Codegen/CPU: the emitters speak MLIR's types unqualified.
using namespace mlir;

/// A normalization over the last dim of the rows of x, applied by a linear
/// as it reads x: `(x − mean)·rstd·γ (+ β)` for a layer norm, `x·rstd·γ` for
/// an RMS norm, in f32.
struct LinearPrologue {
  /// Per-row f32 statistics `[M, 1]` (rstd) for an RMS norm or `[M, 2]`
  /// (mean, rstd) for a layer norm; null when there is no norm.
  Value stats;
  /// The norm's weight γ and, for a layer norm, its bias β (`[K]`, of x's
  /// element type).
  Value gamma, beta;
  /// Whether rows are centered (layer norm).
  bool centered = false;

  explicit operator bool() const { return static_cast<bool>(stats); }
};

/// Columns of the statistics tensor: 1 (rstd) or 2 (mean, rstd).
inline int64_t normStatsCols(bool centered) { return centered ? 2 : 1; }

/// Fills `dest` (`[M, normStatsCols]` f32) with the statistics of the rows of
/// x `[M, K]`: rstd = 1/sqrt(mean(x²) + eps), or mean and
/// rstd = 1/sqrt(mean((x − mean)²) + eps) (two passes over the row, no
/// cancellation). An `scf.forall` over row chunks when M is dynamic or over
/// 64, a loop otherwise; vectors of `lanes` f32 (the target's). Returns the
/// filled tensor.
Value buildNormStats(OpBuilder &b, Location loc, Value x, bool centered,
                     double eps, Value dest, int64_t numThreads, int64_t lanes);

/// Writes the normalized first `rows` rows of x `[M, K]` into `dest`
/// (`[rows, K]` f32) and returns it: the GEMV prologue (K elements per row,
/// once per call, then W is streamed against them), with vectors of `lanes`
/// f32. `rows` may be dynamic.
Value buildNormalizedRows(OpBuilder &b, Location loc, Value x,
                          OpFoldResult rows, const LinearPrologue &prologue,
                          Value dest, int64_t lanes);

/// `(v − mean)·rstd·γ (+ β)` (without the subtraction when `mean` is null)
/// on f32 vectors of equal shape.
Value buildNormalizeVector(OpBuilder &b, Location loc, Value v, Value mean,
                           Value rstd, Value gamma, Value beta);

} // namespace tokamak::cpu

#endif // TOKAMAK_CODEGEN_CPU_LINEARPROLOGUE_H
