//===- Version.cpp - Runtime version --------------------------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/Version.h"

const char *tokamak::rt::version() { return "0.1.0"; }
