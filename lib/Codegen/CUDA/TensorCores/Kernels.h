//===- Kernels.h - Tensor-core kernel emitters ------------------*- C++ -*-===//
//
// Part of the Tokamak project. The kernels `tok-cuda-tensor-cores` puts in
// place of eligible ops, each emitted as one `gpu.launch` on memrefs at the
// builder's insertion point (host code).
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_LIB_CODEGEN_CUDA_TENSORCORES_KERNELS_H
#define TOKAMAK_LIB_CODEGEN_CUDA_TENSORCORES_KERNELS_H

#include "mlir/IR/Builders.h"

#include <optional>

namespace tokamak::cuda::tc {

/// A FlashAttention-2 forward kernel: one CTA per (query tile, group of
/// `headsPerTile` query heads, batch), `numWarps` warps of 16 query rows
/// each, key blocks of `blockKeys` keys through a double-buffered swizzled
/// shared tile.
struct AttentionKernelConfig {
  mlir::Type elemType;
  int64_t headDim = 64;
  int64_t numWarps = 4;
  int64_t blockKeys = 64;
  int64_t numQueryHeads = 1;
  int64_t numKvHeads = 1;
  bool causal = false;
  int64_t window = 0;
  double scale = 0.125;
  std::optional<double> softcap;

  /// Query heads of one kv group packed into a tile (GQA: they share every
  /// K/V block load); 1 when the group size does not divide the tile.
  int64_t headsPerTile = 1;

  int64_t blockRows() const { return 16 * numWarps; }
  /// Query positions per tile (per packed head).
  int64_t positionsPerTile() const { return blockRows() / headsPerTile; }
  int64_t numThreads() const { return 32 * numWarps; }
  /// Q tile + 2 stages of K and of V, 16-bit elements.
  int64_t sharedBytes() const {
    return 2 * headDim * (blockRows() + 4 * blockKeys);
  }
};

/// Emits the attention launch: `query`/`key`/`value` are `[B, H, S, D]`
/// memrefs, `output` `[B, Hq, Sq, D]` and `lse` (or null) `[B, Hq, Sq]` f32.
void emitFlashAttention(mlir::OpBuilder &b, mlir::Location loc,
                        const AttentionKernelConfig &config, mlir::Value query,
                        mlir::Value key, mlir::Value value, mlir::Value output,
                        mlir::Value lse);

/// A tensor-core GEMM `y = x·Wᵀ (+ bias)`: one CTA per 128x128 output tile,
/// 8 warps (2 x 4, 64x32 each), K steps of 32 through `stages` swizzled
/// shared stages filled by cp.async.
struct GemmKernelConfig {
  mlir::Type elemType;
  int64_t blockM = 128;
  int64_t blockN = 128;
  int64_t blockK = 32;
  int64_t warpsM = 2;
  int64_t warpsN = 4;
  int64_t stages = 3;

  /// The decode (small M) variant: 16 x 64 tiles, 4 warps of 16 x 16, K
  /// steps of 64, so that skinny products still spread W over N / 64 CTAs
  /// and stream it once.
  static GemmKernelConfig skinny(mlir::Type elemType, int64_t stages) {
    GemmKernelConfig c;
    c.elemType = elemType;
    c.blockM = 16;
    c.blockN = 64;
    c.blockK = 64;
    c.warpsM = 1;
    c.warpsN = 4;
    c.stages = stages;
    return c;
  }
  /// Largest M the skinny variant is used for.
  static constexpr int64_t kSkinnyMaxRows = 16;

  int64_t numThreads() const { return 32 * warpsM * warpsN; }
  int64_t sharedBytes() const {
    return 2 * stages * blockK * (blockM + blockN);
  }
};

/// Emits the GEMM launch: `x` `[M, K]`, `weight` `[N, K]`, `bias` (or null)
/// `[N]`, `y` `[M, N]`; K is a multiple of 8.
void emitGemm(mlir::OpBuilder &b, mlir::Location loc,
              const GemmKernelConfig &config, mlir::Value x, mlir::Value weight,
              mlir::Value bias, mlir::Value y);

} // namespace tokamak::cuda::tc

#endif // TOKAMAK_LIB_CODEGEN_CUDA_TENSORCORES_KERNELS_H
