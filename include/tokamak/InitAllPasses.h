//===- InitAllPasses.h - Register every Tokamak pass ------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_INITALLPASSES_H
#define TOKAMAK_INITALLPASSES_H

namespace tokamak {

/// Registers the Tokamak passes and pipelines with the global registry.
inline void registerTokamakPasses() {}

} // namespace tokamak

#endif // TOKAMAK_INITALLPASSES_H
