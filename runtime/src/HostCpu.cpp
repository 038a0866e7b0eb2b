//===- HostCpu.cpp - Can this CPU run an artifact? ------------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/HostCpu.h"

#include <string>
#include <vector>

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
  const char *name;
  bool present;
};

/// The instruction-set features compiled code may use, as LLVM names them,
/// with the host's answer. __builtin_cpu_supports needs literal names.
std::vector<FeatureProbe> probeFeatures() {
#if defined(__x86_64__)
#define TOKAMAK_PROBE(llvmName, gccName)                                       \
  FeatureProbe{llvmName, __builtin_cpu_supports(gccName) != 0}
  __builtin_cpu_init();
  return {
      TOKAMAK_PROBE("sse4.2", "sse4.2"),
      TOKAMAK_PROBE("popcnt", "popcnt"),
      TOKAMAK_PROBE("avx", "avx"),
      TOKAMAK_PROBE("avx2", "avx2"),
      TOKAMAK_PROBE("fma", "fma"),
      TOKAMAK_PROBE("bmi", "bmi"),
      TOKAMAK_PROBE("bmi2", "bmi2"),
      TOKAMAK_PROBE("avx512f", "avx512f"),
      TOKAMAK_PROBE("avx512bw", "avx512bw"),
      TOKAMAK_PROBE("avx512dq", "avx512dq"),
      TOKAMAK_PROBE("avx512vl", "avx512vl"),
      TOKAMAK_PROBE("avx512cd", "avx512cd"),
      TOKAMAK_PROBE("avx512vbmi", "avx512vbmi"),
      TOKAMAK_PROBE("avx512vbmi2", "avx512vbmi2"),
      TOKAMAK_PROBE("avx512vnni", "avx512vnni"),
      TOKAMAK_PROBE("avx512bf16", "avx512bf16"),
      TOKAMAK_PROBE("avx512fp16", "avx512fp16"),
      TOKAMAK_PROBE("avx512bitalg", "avx512bitalg"),
      TOKAMAK_PROBE("avx512vpopcntdq", "avx512vpopcntdq"),
      TOKAMAK_PROBE("avx512ifma", "avx512ifma"),
      TOKAMAK_PROBE("avx512vp2intersect", "avx512vp2intersect"),
      TOKAMAK_PROBE("gfni", "gfni"),
      TOKAMAK_PROBE("vaes", "vaes"),
      TOKAMAK_PROBE("vpclmulqdq", "vpclmulqdq"),
      TOKAMAK_PROBE("f16c", "f16c"),
  };
#undef TOKAMAK_PROBE
#else
  return {};
#endif
}
} // namespace

bool hostHasFeature(std::string_view feature) {
  static const std::vector<FeatureProbe> probes = probeFeatures();
  for (const FeatureProbe &probe : probes)
    if (feature == probe.name)
      return probe.present;
  return true;
}

Status checkHostCanRun(const TargetInfo &target) {
  std::string_view triple = target.triple;
  std::string_view arch = triple.substr(0, triple.find('-'));
  if (arch != hostArchitecture())
    return Status::error("compiled for " + std::string(arch) + " (triple " +
                         target.triple + "), but this is an " +
                         std::string(hostArchitecture()) + " machine");
  std::string missing;
  std::string_view features = target.features;
  while (!features.empty()) {
    size_t comma = features.find(',');
    std::string_view item = features.substr(0, comma);
    features = comma == std::string_view::npos ? std::string_view()
                                               : features.substr(comma + 1);
    if (item.size() > 1 && item[0] == '+' && !hostHasFeature(item.substr(1)))
      missing += (missing.empty() ? "" : ", ") + std::string(item.substr(1));
  }
  if (!missing.empty())
    return Status::error(
        "compiled for CPU '" + target.cpu + "' with " + missing +
        ", which this CPU lacks; recompile with tokamak-compile "
        "--cpu=<this machine's CPU> (for example --cpu=x86-64-v3)");
  return Status::success();
}

} // namespace tokamak::rt
