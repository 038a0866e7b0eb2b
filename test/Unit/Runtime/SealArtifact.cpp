//===- SealArtifact.cpp - Seal the hand-written test artifacts ------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// `tok-seal-artifact FILE...` appends the seal tokamak-compile appends to
// every artifact it writes (rt::sealArtifact), so that the runtime loads the
// artifacts the unit tests build from TestArtifact.c.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/Artifact.h"

#include <cstdio>

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: tok-seal-artifact FILE...\n");
    return 1;
  }
  for (int i = 1; i < argc; ++i)
    if (tokamak::rt::Status status = tokamak::rt::sealArtifact(argv[i]);
        status.failed()) {
      std::fprintf(stderr, "tok-seal-artifact: error: %s\n",
                   status.message().c_str());
      return 1;
    }
  return 0;
}
