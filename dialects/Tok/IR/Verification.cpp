//===- Verification.cpp - Shared helpers of the tok verifiers -------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "dialects/Tok/IR/Verification.h"
