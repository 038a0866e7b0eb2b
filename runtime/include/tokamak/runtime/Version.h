//===- Version.h - Runtime version -----------------------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_VERSION_H
#define TOKAMAK_RUNTIME_VERSION_H

namespace tokamak::rt {

/// The runtime's version string.
const char *version();

} // namespace tokamak::rt

#endif // TOKAMAK_RUNTIME_VERSION_H
