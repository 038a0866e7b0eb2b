//===- MetadataFuzzer.cpp - Fuzz the artifact metadata parser -------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// libFuzzer entry point: parses the input as an artifact's metadata JSON
// with parseModuleMetadata. The sanitizers catch crashes; the checks abort
// when accepted metadata breaks what the parser validates (entries named
// after their functions, unique names, dims of at least -1, positive model
// sizes), when printModuleMetadata's text does not parse back to the same
// metadata and text, or when an error is not one printable sentence.
//
//===----------------------------------------------------------------------===//

#include "MetadataChecks.h"

using namespace tokamak;
using namespace tokamak::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  rt::StatusOr<rt::ModuleMetadata> metadata = rt::parseModuleMetadata(text);
  if (metadata.ok())
    checkMetadata("metadata", *metadata);
  else
    checkError("metadata", metadata.status());
  return 0;
}
