//===- CpuTarget.h - What CPU code generation targets -----------*- C++ -*-===//
//
// Part of the Tokamak project. The target description every CPU emitter
// reads instead of constants (issue 11): vector width, register count, FMA
// units, cache sizes, ISA extensions and the thread count, resolved from an
// LLVM CPU name (or the host) and a feature string. Tile sizes are chosen
// from it (chooseGemmTiles, ...); nothing in lib/Codegen/CPU assumes an ISA
// the description does not give.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_CODEGEN_CPU_CPUTARGET_H
#define TOKAMAK_CODEGEN_CPU_CPUTARGET_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>

namespace tokamak::cpu {

/// An x86-64 CPU as code generation sees it.
struct CpuTarget {
  /// The LLVM CPU name the description was resolved from ("znver3", ...).
  std::string cpu;
  /// Width of the vector registers the kernels use, in bits (512 with
  /// AVX-512F, 256 with AVX, else 128).
  int64_t vectorBits = 512;
  /// Architectural vector registers (32 with AVX-512F, else 16).
  int64_t vectorRegisters = 32;
  /// Vector FMA instructions issued per cycle.
  int64_t fmaUnits = 2;
  /// Data cache sizes in bytes: L1 and L2 per core, L3 shared.
  int64_t l1Bytes = 32 * 1024;
  int64_t l2Bytes = 1024 * 1024;
  int64_t l3Bytes = 32 * 1024 * 1024;
  /// ISA extensions the kernels may use directly.
  bool hasAvx2 = false;
  bool hasFma = false;
  bool hasAvx512f = false;
  bool hasAvx512bf16 = false;
  bool hasAvx512fp16 = false;
  /// Threads the parallel loops are split for (OpenMP's team size).
  int64_t numThreads = 2;

  /// f32 lanes of one vector register.
  int64_t f32Lanes() const { return vectorBits / 32; }
  /// One line naming every field, for remarks and `--print-target`.
  void print(llvm::raw_ostream &os) const;
};

/// The description of `cpu` (an LLVM x86 CPU name such as "znver3",
/// "skylake-avx512", "x86-64-v3", or "host") with `features` (LLVM feature
/// string, "+avx512f,-avx512bf16") applied on top. `numThreads` <= 0 takes
/// the host's OpenMP default (OMP_NUM_THREADS, else the online cores).
/// Caches come from the host (sysfs) when `cpu` is the host's CPU, else from
/// a table of known cores. Fails with a message naming an unknown CPU.
mlir::FailureOr<CpuTarget> resolveCpuTarget(llvm::StringRef cpu,
                                            llvm::StringRef features,
                                            int64_t numThreads,
                                            std::string &error);

/// Threads OpenMP runs on this host by default.
int64_t hostThreadCount();

//===----------------------------------------------------------------------===//
// Tile choices
//===----------------------------------------------------------------------===//

/// GEMM tiles for a target: the register tile is `rows` x `cols` f32 (cols
/// a multiple of the vector width) with rows * cols / lanes accumulators
/// plus the B vectors and one broadcast in registers; one packed B block
/// (`cacheK` x `cacheN`) stays in L2, one A sliver (rows x cacheK) in L1.
struct GemmTiles {
  int64_t rows = 8, cols = 32, cacheN = 256, cacheK = 512;
};
GemmTiles chooseGemmTiles(const CpuTarget &target);

/// Selective-scan (Mamba-1) schedule for a target: the recurrence keeps
/// `stateBlock` state vectors of one channel vector in registers across a
/// time block (a scan with more states runs the block once per group of
/// `stateBlock`, summing C·h through the staged output row), evaluates
/// `interleave` exponentials stage by stage and sums C·h into `partials`
/// independent accumulators; `channelTile` channels per parallel task and
/// `timeBlock` steps per block keep the staged rows ([timeBlock,
/// channelTile] x 3 buffers) in L2.
struct SelectiveScanTiles {
  int64_t stateBlock = 16, interleave = 4, partials = 4;
  int64_t channelTile = 128, timeBlock = 64;
};
/// The schedule for a scan with `state` states per channel.
SelectiveScanTiles chooseSelectiveScanTiles(const CpuTarget &target,
                                            int64_t state);

/// Chunked linear-scan tiles for a target: outer-product micro-kernels of
/// `rows` x `vectors` accumulator vectors (plus `vectors` right-hand
/// vectors and one broadcast, within the vector registers) and the default
/// chunk length (a multiple of the lanes and of `rows`).
struct LinearScanTiles {
  int64_t rows = 4, vectors = 4, chunk = 16;
};
LinearScanTiles chooseLinearScanTiles(const CpuTarget &target);

/// Channel vectors per conv1d task: 64 channels (4 cache lines per row of
/// the streamed input and output), 4 zmm or 8 ymm vectors.
int64_t chooseConv1dTileVectors(const CpuTarget &target);

/// Attention register blocks for a target (tok-tile-attention). `lanes` is
/// the vector width: the K transposes are lanes x lanes, decode sums groups
/// of `lanes` keys by a log2(lanes)-stage transpose-reduction. S = Q.Kᵀ is
/// computed `rowBlock` rows x `qkKeys` keys at a time and P.V `pvRows` rows
/// x `pvCols` value columns at a time: rows * cols / lanes accumulators,
/// half the vector registers, the other half holding the Kᵀ or V vectors,
/// the broadcast and the exp temporaries (4x64 with 32 zmm: 16
/// accumulators; 4x16 with 16 ymm: 8).
struct AttentionTiles {
  int64_t lanes = 16, rowBlock = 4, qkKeys = 64, pvRows = 4, pvCols = 64;
};
AttentionTiles chooseAttentionTiles(const CpuTarget &target);

} // namespace tokamak::cpu

#endif // TOKAMAK_CODEGEN_CPU_CPUTARGET_H
