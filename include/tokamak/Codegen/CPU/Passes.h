//===- Passes.h - CPU code generation passes --------------------*- C++ -*-===//
//
// Part of the Tokamak project. The passes that tile tok ops to the vectors,
// registers and caches of a CPU target (DESIGN §3, §5): each reads the
// target description (CpuTarget.h) named by its `cpu` option.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_CODEGEN_CPU_PASSES_H
#define TOKAMAK_CODEGEN_CPU_PASSES_H

#include "mlir/Pass/Pass.h"

namespace tokamak::cpu {

#define GEN_PASS_DECL
#include "tokamak/Codegen/CPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tokamak/Codegen/CPU/Passes.h.inc"

} // namespace tokamak::cpu

#endif // TOKAMAK_CODEGEN_CPU_PASSES_H
