//===- RunFunction.h - Function mode of tokamak-run -------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_TOOLS_TOKAMAK_RUN_RUNFUNCTION_H
#define TOKAMAK_TOOLS_TOKAMAK_RUN_RUNFUNCTION_H

#include "Options.h"

#include "tokamak/runtime/Executable.h"

#include <memory>

namespace tokamak::run {

/// Function mode: runs one function of `executable` on the --input tensors
/// and prints or writes (--output) its results; returns the exit code.
int runFunction(const Options &options,
                std::unique_ptr<rt::Executable> executable);

} // namespace tokamak::run

#endif // TOKAMAK_TOOLS_TOKAMAK_RUN_RUNFUNCTION_H
