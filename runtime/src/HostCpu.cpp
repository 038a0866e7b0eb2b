//===- HostCpu.cpp - Can this CPU run an artifact? ------------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// An artifact records every LLVM target feature of the CPU it was compiled
// for (Compiler::describe): instruction-set extensions and tuning flags
// alike. Each name is either
//
//  - an instruction-set feature probed here from cpuid (x86) or the auxiliary
//    vector (AArch64), with the OS support it needs (XSAVE state for AVX,
//    AVX-512, AMX, APX) - present only when both say so;
//  - a feature that adds no instructions (scheduling and tuning flags,
//    hardening modes) or that every CPU of the architecture has - present;
//  - anything else: missing. A name this runtime does not know may be an
//    instruction set it cannot probe, and running such code ends in SIGILL.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/HostCpu.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#if defined(__x86_64__)
#include <cpuid.h>
#elif defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif

namespace tokamak::rt {

std::string_view hostArchitecture() {
#if defined(__x86_64__)
  return "x86_64";
#elif defined(__aarch64__)
  return "aarch64";
#else
  return "unknown";
#endif
}

namespace {

struct FeatureProbe {
  std::string name;
  bool present;
};

/// Features that add no instructions, or that every CPU of the host
/// architecture has: they never block loading.
const char *const kAlwaysPresent[] = {
#if defined(__x86_64__)
    // The x86-64 baseline and code-generation modes.
    "64bit-mode",
    "x87",
    "nopl",
    // Tuning: scheduling, instruction selection and padding preferences.
    "allow-light-256-bit",
    "branchfusion",
    "macrofusion",
    "ermsb",
    "fsrm",
    "idivl-to-divb",
    "idivq-to-divl",
    "lea-sp",
    "lea-uses-ag",
    "pad-short-functions",
    "prefer-128-bit",
    "prefer-256-bit",
    "prefer-legacy-setcc",
    "prefer-mask-registers",
    "prefer-movmsk-over-vtest",
    "prefer-no-gather",
    "prefer-no-scatter",
    "sbb-dep-breaking",
    "sse-unaligned-mem",
    "tuning-fast-imm-vector-shift",
    "use-glm-div-sqrt-costs",
    "use-slm-arith-costs",
    "vzeroupper",
    "no-bypass-delay",
    "no-bypass-delay-blend",
    "no-bypass-delay-mov",
    "no-bypass-delay-shuffle",
    "false-deps-getmant",
    "false-deps-lzcnt-tzcnt",
    "false-deps-mulc",
    "false-deps-mullq",
    "false-deps-perm",
    "false-deps-popcnt",
    "false-deps-range",
    "fast-11bytenop",
    "fast-15bytenop",
    "fast-7bytenop",
    "fast-bextr",
    "fast-dpwssd",
    "fast-gather",
    "fast-hops",
    "fast-imm16",
    "fast-lzcnt",
    "fast-movbe",
    "fast-scalar-fsqrt",
    "fast-scalar-shift-masks",
    "fast-shld-rotate",
    "fast-variable-crosslane-shuffle",
    "fast-variable-perlane-shuffle",
    "fast-vector-fsqrt",
    "fast-vector-shift-masks",
    "faster-shift-than-shuffle",
    "slow-3ops-lea",
    "slow-incdec",
    "slow-lea",
    "slow-pmaddwd",
    "slow-pmulld",
    "slow-pmullq",
    "slow-shld",
    "slow-two-mem-ops",
    "slow-unaligned-mem-16",
    "slow-unaligned-mem-32",
    // Branch hints are segment-override prefixes older CPUs ignore.
    "branch-hint",
    // Hardening and code-model switches: they change the code generated,
    // not the instructions it may use.
    "retpoline",
    "retpoline-external-thunk",
    "retpoline-indirect-branches",
    "retpoline-indirect-calls",
    "lvi-cfi",
    "lvi-load-hardening",
    "seses",
    "harden-sls-ijmp",
    "harden-sls-ret",
    "soft-float",
#endif
    // Keeps the array non-empty on every architecture; matches no feature.
    "",
};

#if defined(__x86_64__)
struct CpuidRegs {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
};

/// cpuid leaf `leaf`, subleaf `sub`; zeros when the leaf is out of range.
CpuidRegs cpuid(unsigned leaf, unsigned sub, unsigned maxLeaf) {
  CpuidRegs r;
  bool extended = leaf >= 0x80000000u;
  if (!extended && leaf > maxLeaf)
    return r;
  __cpuid_count(leaf, sub, r.eax, r.ebx, r.ecx, r.edx);
  return r;
}

bool bit(unsigned value, unsigned index) { return (value >> index) & 1u; }

std::vector<FeatureProbe> probeFeatures() {
  std::vector<FeatureProbe> out;
  auto add = [&](const char *name, bool present) {
    out.push_back({name, present});
  };
  unsigned maxLeaf = 0, unused = 0;
  __cpuid(0, maxLeaf, unused, unused, unused);
  CpuidRegs l1 = cpuid(1, 0, maxLeaf);

  // The register state the OS saves (XCR0): vector and tile state is usable
  // only when it is.
  uint64_t xcr0 = 0;
  bool osxsave = bit(l1.ecx, 27);
  if (osxsave) {
    unsigned lo = 0, hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    xcr0 = (uint64_t(hi) << 32) | lo;
  }
  bool avxState = osxsave && (xcr0 & 0x6) == 0x6;
  bool avx512State = avxState && (xcr0 & 0xe0) == 0xe0;
  bool amxState = osxsave && (xcr0 & 0x60000) == 0x60000;
  bool apxState = osxsave && (xcr0 & 0x80000) == 0x80000;

  add("cx8", bit(l1.edx, 8));
  add("cmov", bit(l1.edx, 15));
  add("mmx", bit(l1.edx, 23));
  add("fxsr", bit(l1.edx, 24));
  add("sse", bit(l1.edx, 25));
  add("sse2", bit(l1.edx, 26));
  add("sse3", bit(l1.ecx, 0));
  add("pclmul", bit(l1.ecx, 1));
  add("ssse3", bit(l1.ecx, 9));
  add("fma", bit(l1.ecx, 12) && avxState);
  add("cx16", bit(l1.ecx, 13));
  add("sse4.1", bit(l1.ecx, 19));
  add("sse4.2", bit(l1.ecx, 20));
  add("crc32", bit(l1.ecx, 20));
  add("movbe", bit(l1.ecx, 22));
  add("popcnt", bit(l1.ecx, 23));
  add("aes", bit(l1.ecx, 25));
  add("xsave", bit(l1.ecx, 26) && avxState);
  add("avx", bit(l1.ecx, 28) && avxState);
  add("f16c", bit(l1.ecx, 29) && avxState);
  add("rdrnd", bit(l1.ecx, 30));

  unsigned maxExt = 0;
  __cpuid(0x80000000u, maxExt, unused, unused, unused);
  CpuidRegs e1 =
      maxExt >= 0x80000001u ? cpuid(0x80000001u, 0, maxLeaf) : CpuidRegs();
  add("sahf", bit(e1.ecx, 0));
  add("lzcnt", bit(e1.ecx, 5));
  add("sse4a", bit(e1.ecx, 6));
  add("prfchw", bit(e1.ecx, 8));
  add("xop", bit(e1.ecx, 11) && avxState);
  add("lwp", bit(e1.ecx, 15));
  add("fma4", bit(e1.ecx, 16) && avxState);
  add("tbm", bit(e1.ecx, 21));
  add("mwaitx", bit(e1.ecx, 29));
  add("64bit", bit(e1.edx, 29));
  CpuidRegs e8 =
      maxExt >= 0x80000008u ? cpuid(0x80000008u, 0, maxLeaf) : CpuidRegs();
  add("clzero", bit(e8.ebx, 0));
  add("rdpru", bit(e8.ebx, 4));
  add("wbnoinvd", bit(e8.ebx, 9));

  CpuidRegs l7 = cpuid(7, 0, maxLeaf);
  add("fsgsbase", bit(l7.ebx, 0));
  add("sgx", bit(l7.ebx, 2));
  add("bmi", bit(l7.ebx, 3));
  add("avx2", bit(l7.ebx, 5) && avxState);
  add("bmi2", bit(l7.ebx, 8));
  add("invpcid", bit(l7.ebx, 10));
  add("rtm", bit(l7.ebx, 11));
  add("avx512f", bit(l7.ebx, 16) && avx512State);
  add("avx512dq", bit(l7.ebx, 17) && avx512State);
  add("rdseed", bit(l7.ebx, 18));
  add("adx", bit(l7.ebx, 19));
  add("avx512ifma", bit(l7.ebx, 21) && avx512State);
  add("clflushopt", bit(l7.ebx, 23));
  add("clwb", bit(l7.ebx, 24));
  add("avx512cd", bit(l7.ebx, 28) && avx512State);
  add("sha", bit(l7.ebx, 29));
  add("avx512bw", bit(l7.ebx, 30) && avx512State);
  add("avx512vl", bit(l7.ebx, 31) && avx512State);
  add("avx512vbmi", bit(l7.ecx, 1) && avx512State);
  add("pku", bit(l7.ecx, 4));
  add("waitpkg", bit(l7.ecx, 5));
  add("avx512vbmi2", bit(l7.ecx, 6) && avx512State);
  add("shstk", bit(l7.ecx, 7));
  add("gfni", bit(l7.ecx, 8));
  add("vaes", bit(l7.ecx, 9) && avxState);
  add("vpclmulqdq", bit(l7.ecx, 10) && avxState);
  add("avx512vnni", bit(l7.ecx, 11) && avx512State);
  add("avx512bitalg", bit(l7.ecx, 12) && avx512State);
  add("avx512vpopcntdq", bit(l7.ecx, 14) && avx512State);
  add("rdpid", bit(l7.ecx, 22));
  add("kl", bit(l7.ecx, 23));
  add("cldemote", bit(l7.ecx, 25));
  add("movdiri", bit(l7.ecx, 27));
  add("movdir64b", bit(l7.ecx, 28));
  add("enqcmd", bit(l7.ecx, 29));
  add("uintr", bit(l7.edx, 5));
  add("avx512vp2intersect", bit(l7.edx, 8) && avx512State);
  add("serialize", bit(l7.edx, 14));
  add("tsxldtrk", bit(l7.edx, 16));
  add("pconfig", bit(l7.edx, 18));
  add("amx-bf16", bit(l7.edx, 22) && amxState);
  add("avx512fp16", bit(l7.edx, 23) && avx512State);
  add("amx-tile", bit(l7.edx, 24) && amxState);
  add("amx-int8", bit(l7.edx, 25) && amxState);
  // 512-bit vectors come with AVX-512F on every CPU that has it.
  add("evex512", bit(l7.ebx, 16) && avx512State);

  // Leaf 7 subleaf 1 exists when subleaf 0 reports it.
  CpuidRegs l71 = l7.eax >= 1 ? cpuid(7, 1, maxLeaf) : CpuidRegs();
  add("sha512", bit(l71.eax, 0));
  add("sm3", bit(l71.eax, 1));
  add("sm4", bit(l71.eax, 2));
  add("raoint", bit(l71.eax, 3));
  add("avxvnni", bit(l71.eax, 4) && avxState);
  add("avx512bf16", bit(l71.eax, 5) && avx512State);
  add("cmpccxadd", bit(l71.eax, 7));
  add("amx-fp16", bit(l71.eax, 21) && amxState);
  add("hreset", bit(l71.eax, 22));
  add("avxifma", bit(l71.eax, 23) && avxState);
  add("movrs", bit(l71.eax, 31));
  add("avxvnniint8", bit(l71.edx, 4) && avxState);
  add("avxneconvert", bit(l71.edx, 5) && avxState);
  add("amx-complex", bit(l71.edx, 8) && amxState);
  add("avxvnniint16", bit(l71.edx, 10) && avxState);
  add("prefetchi", bit(l71.edx, 14));
  add("usermsr", bit(l71.edx, 15));
  bool apx = bit(l71.edx, 21) && apxState;
  for (const char *name :
       {"egpr", "push2pop2", "ppx", "ndd", "ccmp", "nf", "cf", "zu"})
    add(name, apx);
  bool avx10 = bit(l71.edx, 19) && avx512State;

  CpuidRegs ld = cpuid(0xd, 1, maxLeaf);
  add("xsaveopt", bit(ld.eax, 0) && avxState);
  add("xsavec", bit(ld.eax, 1) && avxState);
  add("xsaves", bit(ld.eax, 3) && avxState);
  CpuidRegs l14 = cpuid(0x14, 0, maxLeaf);
  add("ptwrite", bit(l14.ebx, 4));
  CpuidRegs l19 = cpuid(0x19, 0, maxLeaf);
  add("widekl", bit(l7.ecx, 23) && bit(l19.ebx, 2));
  CpuidRegs l1e = cpuid(0x1e, 1, maxLeaf);
  add("amx-fp8", bit(l1e.eax, 4) && amxState);
  add("amx-transpose", bit(l1e.eax, 5) && amxState);
  add("amx-tf32", bit(l1e.eax, 6) && amxState);
  add("amx-avx512", bit(l1e.eax, 7) && amxState);
  add("amx-movrs", bit(l1e.eax, 8) && amxState);
  CpuidRegs l24 = cpuid(0x24, 0, maxLeaf);
  unsigned avx10Version = avx10 ? (l24.ebx & 0xff) : 0;
  add("avx10.1", avx10Version >= 1);
  add("avx10.1-512", avx10Version >= 1);
  add("avx10.2", avx10Version >= 2);
  add("avx10.2-512", avx10Version >= 2);
  return out;
}
#elif defined(__aarch64__) && defined(__linux__)
std::vector<FeatureProbe> probeFeatures() {
  unsigned long hw = ::getauxval(AT_HWCAP);
  unsigned long hw2 = ::getauxval(AT_HWCAP2);
  auto has = [](unsigned long word, unsigned index) {
    return ((word >> index) & 1ul) != 0;
  };
  // Bits of <asm/hwcap.h>.
  return {
      {"fp-armv8", has(hw, 0)},  {"neon", has(hw, 1)},
      {"aes", has(hw, 3)},       {"sha2", has(hw, 6)},
      {"crc", has(hw, 7)},       {"lse", has(hw, 8)},
      {"fullfp16", has(hw, 10)}, {"rdm", has(hw, 12)},
      {"jsconv", has(hw, 13)},   {"complxnum", has(hw, 14)},
      {"rcpc", has(hw, 15)},     {"sha3", has(hw, 17)},
      {"sm4", has(hw, 19)},      {"dotprod", has(hw, 20)},
      {"sve", has(hw, 22)},      {"fp16fml", has(hw, 23)},
      {"flagm", has(hw, 27)},    {"ssbs", has(hw, 28)},
      {"sb", has(hw, 29)},       {"sve2", has(hw2, 1)},
      {"i8mm", has(hw2, 13)},    {"bf16", has(hw2, 14)},
      {"rand", has(hw2, 16)},    {"bti", has(hw2, 17)},
      {"mte", has(hw2, 18)},
  };
}
#else
std::vector<FeatureProbe> probeFeatures() { return {}; }
#endif

/// Whether `feature` adds no instructions or is in every CPU of the host
/// architecture.
bool alwaysPresent(std::string_view feature) {
  if (std::any_of(std::begin(kAlwaysPresent), std::end(kAlwaysPresent),
                  [&](const char *name) { return feature == name; }))
    return true;
#if defined(__aarch64__)
  // AArch64 names its tuning flags by these prefixes.
  for (std::string_view prefix :
       {"fuse-", "slow-", "disable-", "use-", "zcm-", "zcz-", "avoid-",
        "balance-", "predictable-", "store-pair-", "alu-lsl-", "addr-lsl-",
        "arith-", "cmp-bcc-", "harden-"})
    if (feature.substr(0, prefix.size()) == prefix)
      return true;
#endif
  return false;
}

const std::vector<FeatureProbe> &probes() {
  static const std::vector<FeatureProbe> all = probeFeatures();
  return all;
}

} // namespace

bool hostHasFeature(std::string_view feature) {
  for (const FeatureProbe &probe : probes())
    if (feature == probe.name)
      return probe.present;
  return alwaysPresent(feature);
}

bool hostKnowsFeature(std::string_view feature) {
  for (const FeatureProbe &probe : probes())
    if (feature == probe.name)
      return true;
  return alwaysPresent(feature);
}

Status checkHostCanRun(const TargetInfo &target) {
  std::string_view triple = target.triple;
  std::string_view arch = triple.substr(0, triple.find('-'));
  if (arch != hostArchitecture())
    return Status::error("compiled for " + std::string(arch) + " (triple " +
                         target.triple + "), but this is an " +
                         std::string(hostArchitecture()) + " machine");
  std::string missing, unknown;
  std::string_view features = target.features;
  while (!features.empty()) {
    size_t comma = features.find(',');
    std::string_view item = features.substr(0, comma);
    features = comma == std::string_view::npos ? std::string_view()
                                               : features.substr(comma + 1);
    if (item.size() < 2 || item[0] != '+')
      continue;
    std::string_view name = item.substr(1);
    if (!hostKnowsFeature(name))
      unknown += (unknown.empty() ? "" : ", ") + std::string(name);
    else if (!hostHasFeature(name))
      missing += (missing.empty() ? "" : ", ") + std::string(name);
  }
  if (missing.empty() && unknown.empty())
    return Status::success();
  std::string what;
  if (!missing.empty())
    what = missing + ", which this CPU lacks";
  if (!unknown.empty())
    what += (what.empty() ? "" : ", and ") + unknown +
            ", which this runtime cannot detect (counted as missing)";
  return Status::error("compiled for CPU '" + target.cpu + "' with " + what +
                       "; recompile with tokamak-compile --cpu=<this "
                       "machine's CPU> (for example --cpu=x86-64-v3)");
}

} // namespace tokamak::rt
