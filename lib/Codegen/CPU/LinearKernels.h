//===- LinearKernels.h - Packed GEMM and GEMV builders for linear -*- C++
//-*-===//
//
// Part of the Tokamak project. The IR builders behind tok-tile-linear: a
// packed, register-tiled GEMM and a streaming GEMV for `y = x·Wᵀ`, on tensors,
// with the epilogue (bias, activation, residual) applied in registers.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_CODEGEN_CPU_LINEARKERNELS_H
#define TOKAMAK_CODEGEN_CPU_LINEARKERNELS_H

#include "LinearPrologue.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/StringRef.h"

namespace tokamak::cpu {

// Private to lib/Codegen/CPU: the emitters speak MLIR's types unqualified.
using namespace mlir;

/// What a linear's tiles compute after the contraction, in order:
/// `y = activation(x·Wᵀ + bias) + residual` (or, for a GLU,
/// `activation(gate) · up + residual`), all in f32 registers.
struct LinearEpilogue {
  /// `[N]`, or null.
  Value bias;
  /// A tok.activation kind, or empty for none.
  StringRef activation;
  /// Whether the product is the input of a GLU: W's rows are [gate; up]
  /// halves and the result is `activation(gate) · up` (N/2 columns).
  bool glu = false;
  /// `[M, N]` (the input's rows collapsed), or null.
  Value residual;
};

/// Register tile, cache blocking and parallelism of the GEMM and the GEMV.
struct LinearTiling {
  /// f32 lanes of one vector register of the target
  /// (CpuTarget::f32Lanes(): 16 with AVX-512, 8 with AVX2): the width of
  /// every vector the kernels emit.
  int64_t lanes = 16;
  /// Vector registers of the target: bounds the GEMV's accumulators.
  int64_t vectorRegisters = 32;
  /// Rows of the GEMM register tile (one broadcast of x each per k).
  int64_t tileRows = 8;
  /// Columns of the GEMM register tile (tileCols / lanes panel loads per k);
  /// also the width of one packed weight panel. A multiple of lanes, and of
  /// 2 * lanes for a GLU (a gate half and an up half of whole vectors).
  int64_t tileCols = 32;
  /// Columns of W (rows of the weight) per parallel task and packed block; a
  /// multiple of tileCols.
  int64_t cacheTileN = 256;
  /// Reduction depth of one packed block; a multiple of lanes.
  int64_t cacheTileK = 512;
  /// Threads the parallel loops are split for.
  int64_t numThreads = 2;
  /// Rows of W per parallel task of the GEMV.
  int64_t gemvTileN = 64;
  /// Whether the kernel sits inside a loop of the function: stack buffers
  /// outside a parallel task (which scopes them to one iteration) would then
  /// grow the stack per iteration, so they come from the heap instead.
  bool inLoop = false;
};

/// Rows of one GEMM task when partial sums need an f32 scratch tile (f16 or
/// bf16 output, or a GLU, with several K blocks), so that the scratch tile
/// `[rows, cacheTileN]` is a bounded stack buffer of the task.
constexpr int64_t kLinearScratchRows = 256;

/// Whether `kind` is an activation the epilogue can apply.
bool isEpilogueActivation(StringRef kind);

/// The f32 activation `kind` of `x` (an f32 scalar or vector).
Value buildActivation(OpBuilder &b, Location loc, StringRef kind, Value x);

/// `out = epilogue(x·Wᵀ)` for x `[M, K]`, W `[N, K]` and `out` `[M, N]` (the
/// destination, of the result's element type) as a packed GEMM:
/// `scf.forall` over (row chunks, column blocks of W); per task and K block,
/// W is packed to `[cacheTileN/tileCols, cacheTileK, tileCols]` f32 panels
/// (lanes×lanes transposes), and a register tile (tileRows×tileCols:
/// tileRows·tileCols/lanes accumulators, tileRows broadcasts of x and
/// tileCols/lanes panel loads per k; 8×32 with AVX-512, 6×16 with AVX2)
/// sweeps the rows; remaining rows use
/// power-of-two tiles, remaining columns masked accesses. Accumulates in f32.
/// With a `prologue`, x is the norm's input: the rows of x are normalized
/// (statistics from `prologue.stats`, then γ and β) while they are widened
/// into the task's f32 row panel `[tileRows, cacheTileK]` once per row tile
/// and K block, so the normalized activation never exists in memory.
Value buildLinearGemm(OpBuilder &b, Location loc, Value x, Value w, Value out,
                      const LinearEpilogue &epilogue,
                      const LinearTiling &tiling,
                      const LinearPrologue &prologue = {});

/// The same product for `rows` (static, small) rows of x as a GEMV that
/// streams W once: `scf.forall` over blocks of W rows, K-contiguous vector
/// `lanes`-wide loads of W and x, FMA accumulation and one horizontal sum per
/// output.
Value buildLinearGemv(OpBuilder &b, Location loc, Value x, Value w, Value out,
                      int64_t rows, const LinearEpilogue &epilogue,
                      const LinearTiling &tiling);

/// The same GEMV for any (dynamic) number of rows of x: per group of W rows
/// (held in L1), the rows of x in chunks of `chunk` rows and the rest by a
/// copy specialized for its count, so W is streamed once per call: decode
/// batches, where the GEMM would pack all of W.
Value buildLinearGemvBatch(OpBuilder &b, Location loc, Value x, Value w,
                           Value out, int64_t chunk,
                           const LinearEpilogue &epilogue,
                           const LinearTiling &tiling);

} // namespace tokamak::cpu

#endif // TOKAMAK_CODEGEN_CPU_LINEARKERNELS_H
