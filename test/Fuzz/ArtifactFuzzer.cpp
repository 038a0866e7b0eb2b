//===- ArtifactFuzzer.cpp - Fuzz the artifact reader ----------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// libFuzzer entry point: reads the input as the bytes of an artifact with
// readArtifactMetadata, which checks the ELF structure and the seal
// tokamak-compile appends (docs/Artifacts.md) and parses the metadata. A
// mutated artifact almost never keeps a matching seal, so the input is also
// read sealed afresh (any seal it had replaced): that reaches the symbol
// lookups and the metadata behind the seal check. The sanitizers catch
// out-of-bounds reads; the checks abort when
//   - the input is accepted without a seal that matches it;
//   - accepted metadata breaks its promises (see checkMetadata);
//   - an error is not one printable sentence.
//
//===----------------------------------------------------------------------===//

#include "MetadataChecks.h"

using namespace tokamak;
using namespace tokamak::fuzz;

namespace {

constexpr const char *kFuzzer = "artifact";
constexpr char kSealMagic[] = "TOKSEAL1";
constexpr size_t kSealSize = 24;

uint64_t getWord(const char *bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i)
    value |= uint64_t(static_cast<unsigned char>(bytes[i])) << (8 * i);
  return value;
}

void putWord(std::string &out, uint64_t value) {
  for (int i = 0; i < 8; ++i)
    out += static_cast<char>((value >> (8 * i)) & 0xff);
}

bool hasSealMagic(std::string_view bytes) {
  return bytes.size() >= kSealSize &&
         bytes.compare(bytes.size() - kSealSize, 8, kSealMagic) == 0;
}

/// Whether `bytes` end in a seal that matches the bytes before it.
bool hasMatchingSeal(std::string_view bytes) {
  if (!hasSealMagic(bytes))
    return false;
  std::string_view body = bytes.substr(0, bytes.size() - kSealSize);
  const char *seal = bytes.data() + body.size();
  return getWord(seal + 8) == body.size() &&
         getWord(seal + 16) == rt::artifactChecksum(body);
}

void checkRead(const rt::StatusOr<rt::ModuleMetadata> &metadata) {
  if (metadata.ok())
    checkMetadata(kFuzzer, *metadata);
  else
    checkError(kFuzzer, metadata.status());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char *>(data), size);
  rt::StatusOr<rt::ModuleMetadata> asIs = rt::readArtifactMetadata(bytes);
  checkRead(asIs);
  if (hasMatchingSeal(bytes))
    return 0;
  if (asIs.ok())
    broken(kFuzzer, "accepted without a matching seal", "");

  // Sealed afresh, in place of any seal it had.
  std::string resealed(hasSealMagic(bytes) ? bytes.substr(0, size - kSealSize)
                                           : bytes);
  uint64_t checksum = rt::artifactChecksum(resealed);
  uint64_t length = resealed.size();
  resealed += std::string_view(kSealMagic, 8);
  putWord(resealed, length);
  putWord(resealed, checksum);
  checkRead(rt::readArtifactMetadata(resealed));
  return 0;
}
