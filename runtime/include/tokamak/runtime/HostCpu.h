//===- HostCpu.h - Can this CPU run an artifact? ----------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_HOSTCPU_H
#define TOKAMAK_RUNTIME_HOSTCPU_H

#include "tokamak/runtime/Executable.h"
#include "tokamak/runtime/Status.h"

#include <string>
#include <string_view>

namespace tokamak::rt {

/// The architecture part of this process's target triple ("x86_64").
std::string_view hostArchitecture();

/// Whether this CPU has the LLVM target feature `feature` ("avx512f"):
/// instruction sets are probed (cpuid and the OS's register-state support on
/// x86, the auxiliary vector on AArch64), features that add no instructions
/// (tuning flags) are present, and names this runtime does not know count
/// as missing.
bool hostHasFeature(std::string_view feature);

/// Whether hostHasFeature knows `feature`: one it probes or a tuning flag.
bool hostKnowsFeature(std::string_view feature);

/// Checks that code compiled for `target` can run here: same architecture
/// and every `+feature` of its feature string present. The error names the
/// missing features, those this runtime cannot detect, and how to recompile.
Status checkHostCanRun(const TargetInfo &target);

} // namespace tokamak::rt

#endif // TOKAMAK_RUNTIME_HOSTCPU_H
