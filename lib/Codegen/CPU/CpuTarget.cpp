//===- CpuTarget.cpp - What CPU code generation targets -------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Codegen/CPU/CpuTarget.h"
#include "PassTarget.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>

using namespace mlir;

namespace tokamak::cpu {

void CpuTarget::print(llvm::raw_ostream &os) const {
  os << "cpu=" << cpu << " vector-bits=" << vectorBits
     << " f32-lanes=" << f32Lanes() << " vector-registers=" << vectorRegisters
     << " fma-units=" << fmaUnits << " l1=" << l1Bytes / 1024 << "KiB"
     << " l2=" << l2Bytes / 1024 << "KiB"
     << " l3=" << l3Bytes / (1024 * 1024) << "MiB"
     << " threads=" << numThreads << " isa=";
  llvm::ListSeparator sep(",");
  if (hasAvx2)
    os << sep << "avx2";
  if (hasFma)
    os << sep << "fma";
  if (hasAvx512f)
    os << sep << "avx512f";
  if (hasAvx512bf16)
    os << sep << "avx512bf16";
  if (hasAvx512fp16)
    os << sep << "avx512fp16";
  if (!hasAvx2 && !hasFma && !hasAvx512f)
    os << "sse";
}

int64_t hostThreadCount() {
  if (const char *env = std::getenv("OMP_NUM_THREADS")) {
    // OpenMP takes the first entry of a nested list ("4,2").
    int64_t n = 0;
    if (!llvm::StringRef(env).split(',').first.trim().getAsInteger(10, n) &&
        n > 0)
      return n;
  }
  unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? n : 1;
}

namespace {
/// Caches of a core, in bytes.
struct Caches {
  int64_t l1, l2, l3;
};
} // namespace

/// Data caches of the cores LLVM knows by name (per core for L1/L2, per
/// CCX or die for L3), from the vendors' optimization manuals.
static Caches knownCaches(StringRef cpu, bool avx512) {
  constexpr int64_t kKiB = 1024, kMiB = 1024 * 1024;
  return llvm::StringSwitch<Caches>(cpu)
      .Cases({"znver1", "znver2"}, {32 * kKiB, 512 * kKiB, 8 * kMiB})
      .Case("znver3", {32 * kKiB, 512 * kKiB, 32 * kMiB})
      .Case("znver4", {32 * kKiB, 1 * kMiB, 32 * kMiB})
      .Case("znver5", {48 * kKiB, 1 * kMiB, 32 * kMiB})
      .Cases({"haswell", "broadwell", "skylake"},
             {32 * kKiB, 256 * kKiB, 8 * kMiB})
      .Cases({"skylake-avx512", "cascadelake", "cooperlake"},
             {32 * kKiB, 1 * kMiB, 32 * kMiB})
      .Cases({"icelake-server", "icelake-client", "tigerlake"},
             {48 * kKiB, 1280 * kKiB, 32 * kMiB})
      .Cases({"sapphirerapids", "emeraldrapids", "graniterapids"},
             {48 * kKiB, 2 * kMiB, 64 * kMiB})
      .Cases({"alderlake", "raptorlake", "meteorlake"},
             {48 * kKiB, 1280 * kKiB, 24 * kMiB})
      // Generic levels (x86-64-v2/v3/v4) and anything else: a typical core
      // of the ISA level.
      .Default(avx512 ? Caches{32 * kKiB, 1 * kMiB, 32 * kMiB}
                      : Caches{32 * kKiB, 512 * kKiB, 16 * kMiB});
}

/// The size in bytes of a sysfs cache size string ("48K", "1024K", "32M").
static int64_t parseCacheSize(StringRef text) {
  text = text.trim();
  int64_t scale = 1;
  if (text.consume_back("K"))
    scale = 1024;
  else if (text.consume_back("M"))
    scale = 1024 * 1024;
  int64_t n = 0;
  if (text.getAsInteger(10, n) || n <= 0)
    return 0;
  return n * scale;
}

/// The host's data caches from sysfs (cpu0); entries it cannot read keep
/// `caches`' values.
static Caches hostCaches(Caches caches) {
  for (int index = 0; index < 8; ++index) {
    std::string dir =
        "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index);
    auto read = [&](StringRef name) -> std::string {
      auto buffer = llvm::MemoryBuffer::getFile(dir + "/" + name.str(),
                                                /*IsText=*/true);
      return buffer ? (*buffer)->getBuffer().trim().str() : std::string();
    };
    std::string level = read("level");
    if (level.empty())
      break;
    std::string type = read("type");
    if (type != "Data" && type != "Unified")
      continue;
    int64_t size = parseCacheSize(read("size"));
    if (size <= 0)
      continue;
    if (level == "1")
      caches.l1 = size;
    else if (level == "2")
      caches.l2 = size;
    else if (level == "3")
      caches.l3 = size;
  }
  return caches;
}

FailureOr<CpuTarget> resolveCpuTarget(StringRef cpu, StringRef features,
                                      int64_t numThreads, std::string &error) {
  static std::once_flag initOnce;
  std::call_once(initOnce, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });

  std::string hostCpu = llvm::sys::getHostCPUName().str();
  bool isHost = cpu.empty() || cpu == "host" || cpu == "native";
  std::string name = isHost ? hostCpu : cpu.str();
  std::string featureString = features.str();
  if (isHost) {
    // The host's own feature list (as `-march=native` sees it) with the
    // caller's additions appended, so they take precedence.
    std::string host;
    for (const auto &[feature, enabled] : llvm::sys::getHostCPUFeatures())
      host += (host.empty() ? "" : ",") + std::string(enabled ? "+" : "-") +
              feature.str();
    featureString = featureString.empty() ? host : host + "," + featureString;
  }

  llvm::Triple triple("x86_64-unknown-linux-gnu");
  std::string lookupError;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, lookupError);
  if (!target) {
    error = "the x86-64 target is not available: " + lookupError;
    return failure();
  }
  // Check the name on a generic subtarget first: creating one for an
  // unknown CPU makes LLVM print a warning of its own.
  std::unique_ptr<llvm::MCSubtargetInfo> generic(
      target->createMCSubtargetInfo(triple, "generic", ""));
  if (generic) {
    // The same for features: LLVM warns about and ignores unknown ones.
    llvm::SmallVector<StringRef> entries;
    StringRef(features).split(entries, ',', -1, /*KeepEmpty=*/false);
    for (StringRef entry : entries) {
      StringRef feature = entry.trim();
      if (!feature.consume_front("+") && !feature.consume_front("-")) {
        error = "expected +feature or -feature in the CPU features, got '" +
                entry.trim().str() + "'";
        return failure();
      }
      if (llvm::none_of(generic->getAllProcessorFeatures(),
                        [&](const llvm::SubtargetFeatureKV &kv) {
                          return feature == kv.Key;
                        })) {
        error = "unknown CPU feature '" + feature.str() + "'";
        return failure();
      }
    }
  }
  std::unique_ptr<llvm::MCSubtargetInfo> sti;
  if (generic && generic->isCPUStringValid(name))
    sti.reset(target->createMCSubtargetInfo(triple, name, featureString));
  if (!sti) {
    error = "unknown CPU '" + name + "' (give an LLVM x86-64 CPU name such " +
            "as znver3, znver4, skylake-avx512, x86-64-v3 or host)";
    return failure();
  }

  CpuTarget t;
  t.cpu = name;
  t.hasAvx2 = sti->checkFeatures("+avx2");
  t.hasFma = sti->checkFeatures("+fma");
  t.hasAvx512f = sti->checkFeatures("+avx512f");
  t.hasAvx512bf16 = t.hasAvx512f && sti->checkFeatures("+avx512bf16");
  t.hasAvx512fp16 = t.hasAvx512f && sti->checkFeatures("+avx512fp16");
  bool hasAvx = sti->checkFeatures("+avx");
  t.vectorBits = t.hasAvx512f ? 512 : hasAvx ? 256 : 128;
  t.vectorRegisters = t.hasAvx512f ? 32 : 16;
  t.fmaUnits = 2;
  Caches caches = knownCaches(name, t.hasAvx512f);
  if (name == hostCpu)
    caches = hostCaches(caches);
  t.l1Bytes = caches.l1;
  t.l2Bytes = caches.l2;
  t.l3Bytes = caches.l3;
  t.numThreads = numThreads > 0 ? numThreads : hostThreadCount();
  return t;
}

//===----------------------------------------------------------------------===//
// Tile choices
//===----------------------------------------------------------------------===//

GemmTiles chooseGemmTiles(const CpuTarget &target) {
  int64_t lanes = target.f32Lanes();
  GemmTiles tiles;
  // Two vectors of columns; as many rows as leave room for the two B
  // vectors and the A broadcast: 8x32 with 32 zmm (16 accumulators; more
  // rows did not pay on Zen 4/5), 6x16 with 16 ymm (12 accumulators, the
  // classic AVX2 micro-kernel: 15 registers, no spills). 4x24 (12
  // accumulators, 3 B vectors, all 16 registers) also compiles without
  // spills but ran about 10% slower than 6x16 as AVX2 code on Zen 5
  // (2048^3, 256x256 or 120x512 blocks). A GLU needs an even number of
  // vectors per row of the tile (gate and up halves), which 2 gives.
  tiles.cols = 2 * lanes;
  tiles.rows = std::min<int64_t>(8, (target.vectorRegisters - 2 - 1 - 1) / 2);
  // A packed B block of cacheK x cacheN f32 fills about half of L2; the
  // A sliver (rows x cacheK) and one B micro-panel (cacheK x cols) stream
  // through L1.
  tiles.cacheK = target.l2Bytes >= 1024 * 1024 ? 512 : 256;
  int64_t blockBytes = target.l2Bytes / 2;
  tiles.cacheN = std::clamp<int64_t>(blockBytes / (tiles.cacheK * 4) /
                                         tiles.cols * tiles.cols,
                                     tiles.cols, 1024);
  return tiles;
}

//===----------------------------------------------------------------------===//
// Pass options
//===----------------------------------------------------------------------===//

FailureOr<CpuTarget> resolvePassTarget(Operation *scope, StringRef passName,
                                       StringRef cpu, StringRef features,
                                       int64_t numThreads, bool remarks) {
  if (numThreads <= 0)
    return scope->emitError()
           << passName << ": num-threads must be positive, got " << numThreads;
  std::string error;
  FailureOr<CpuTarget> target =
      resolveCpuTarget(cpu, features, numThreads, error);
  if (failed(target))
    return scope->emitError() << passName << ": " << error;
  if (remarks) {
    std::string text;
    llvm::raw_string_ostream os(text);
    target->print(os);
    scope->emitRemark() << passName << ": target " << text;
  }
  return target;
}

} // namespace tokamak::cpu

//===----------------------------------------------------------------------===//
// Scan and mixer tiles
//===----------------------------------------------------------------------===//

namespace tokamak::cpu {

SelectiveScanTiles chooseSelectiveScanTiles(const CpuTarget &target,
                                            int64_t state) {
  SelectiveScanTiles tiles;
  int64_t lanes = target.f32Lanes();
  // In registers during a step: the state block, `interleave` exponentials
  // of 3 live vectors each, the C·h partial sums, Δ and Δ·x; A·log2 e and
  // the polynomial's constants are memory operands. 32 zmm hold a state of
  // 16 (16 + 12 + 4 + 2 = 34, measured on Zen 5: 4 and 8 exponentials at a
  // time equal, 16 spill); 16 ymm hold 8 states with 2 exponentials and 2
  // partial sums (8 + 6 + 2 + 2 = 18: the two spare chains are short
  // lived, the state block is not spilled).
  int64_t maxBlock = target.vectorRegisters >= 32 ? 16 : 8;
  tiles.interleave = target.vectorRegisters >= 32 ? 4 : 2;
  tiles.partials = tiles.interleave;
  // Equal blocks: 12 states on 16 ymm run as 2 x 6, not 8 + 4.
  int64_t blocks = (std::max<int64_t>(state, 1) + maxBlock - 1) / maxBlock;
  tiles.stateBlock = (std::max<int64_t>(state, 1) + blocks - 1) / blocks;
  // Three staged [timeBlock, channelTile] f32 rows (Δ, Δ·x, y) in a quarter
  // of L2, at most 128 channels (8 zmm / 16 ymm vectors per task).
  tiles.timeBlock = 64;
  int64_t fit = target.l2Bytes / 4 / (3 * tiles.timeBlock * 4);
  tiles.channelTile =
      std::clamp<int64_t>(fit / lanes * lanes, lanes, 128 / lanes * lanes);
  return tiles;
}

LinearScanTiles chooseLinearScanTiles(const CpuTarget &target) {
  LinearScanTiles tiles;
  // rows x vectors accumulators, the `vectors` right-hand vectors and one
  // broadcast, leaving two registers for masks and the decay: 4 x 4 with 32
  // zmm (21 registers), 4 x 2 with 16 ymm (11; 4 x 3 needs all 16).
  tiles.rows = 4;
  tiles.vectors = 1;
  for (int64_t v : {4, 3, 2})
    if (tiles.rows * v + v + 1 <= target.vectorRegisters - 2) {
      tiles.vectors = v;
      break;
    }
  // Measured on Zen 5 (B1 H8 D64, one thread): 16-step chunks are 10%
  // faster than 32 for scalar and per-channel decays (the intra-chunk work
  // grows with the chunk, the per-chunk overhead is small).
  tiles.chunk = std::max<int64_t>(16, target.f32Lanes());
  return tiles;
}

int64_t chooseConv1dTileVectors(const CpuTarget &target) {
  // The kernel streams x and y (memory-bound): a task's rows are 64
  // channels, four whole cache lines, whatever the lanes. Measured with
  // AVX2 code on Zen 5: 16-channel tiles (the 2 ymm vectors whose window,
  // bias and taps fit 16 registers) took twice as long as 64-channel
  // tiles, whose window vectors spill to L1; with 32 zmm registers the 4
  // vectors' windows, biases and accumulators fit.
  return std::max<int64_t>(1, 64 / target.f32Lanes());
}

} // namespace tokamak::cpu

//===----------------------------------------------------------------------===//
// Attention tiles
//===----------------------------------------------------------------------===//

tokamak::cpu::AttentionTiles
tokamak::cpu::chooseAttentionTiles(const CpuTarget &target) {
  AttentionTiles tiles;
  tiles.lanes = target.f32Lanes();
  // Half the registers accumulate; the rest hold the Kᵀ/V vectors of a
  // step (one per accumulator column), the broadcast Q or P value and the
  // loop's addresses spilled nowhere. Four rows share each Kᵀ/V vector.
  int64_t accumulators = std::max<int64_t>(4, target.vectorRegisters / 2);
  tiles.rowBlock = 4;
  tiles.pvRows = 4;
  tiles.qkKeys = accumulators / tiles.rowBlock * tiles.lanes;
  tiles.pvCols = accumulators / tiles.pvRows * tiles.lanes;
  return tiles;
}
