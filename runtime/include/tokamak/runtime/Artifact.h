//===- Artifact.h - Compiled artifacts --------------------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// A Tokamak artifact is a shared library exporting the packed entries of its
// functions and `_tok_metadata`, a NUL-terminated JSON description of them
// (format in docs/Artifacts.md).
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_ARTIFACT_H
#define TOKAMAK_RUNTIME_ARTIFACT_H

#include "tokamak/runtime/Executable.h"
#include "tokamak/runtime/Status.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace tokamak::rt {

/// The symbol holding an artifact's metadata JSON.
inline constexpr const char *kMetadataSymbol = "_tok_metadata";

/// Every function's packed entry is this prefix and the function's name.
inline constexpr const char *kEntryPrefix = "_tok_entry_";

/// The metadata format version this runtime reads and writes.
inline constexpr int64_t kMetadataVersion = 1;

/// Parses and validates metadata JSON. Errors name the offending field
/// ("functions[0].inputs[1].dtype: unknown element type 'f33'"), with bytes
/// that are not printable escaped. Every entry must be `_tok_entry_<name>`.
/// Unknown keys are ignored so that newer compilers can add fields.
StatusOr<ModuleMetadata> parseModuleMetadata(std::string_view json);

/// Serializes `metadata` as the JSON parseModuleMetadata reads.
std::string printModuleMetadata(const ModuleMetadata &metadata);

/// The checksum tokamak-compile seals an artifact with (docs/Artifacts.md):
/// 64 bits over every byte before the seal.
uint64_t artifactChecksum(std::string_view bytes);

/// Appends the seal to the artifact at `path`: "TOKSEAL1", then the size
/// of the file before the seal and its artifactChecksum, both 64-bit
/// little-endian. The loader refuses artifacts without a matching seal, so
/// that metadata and code that were not compiled together never run.
Status sealArtifact(const std::string &path);

/// The metadata of the artifact whose file holds `bytes`, read without
/// loading it: checks that the bytes are a sound shared library for this
/// machine (ELF header, program and section header tables and every segment
/// inside the file), that the seal matches, that `_tok_metadata` is defined
/// and parses, and that every entry is a function the library itself
/// defines. Errors say which check failed.
StatusOr<ModuleMetadata> readArtifactMetadata(std::string_view bytes);

/// An artifact loaded with dlopen(RTLD_NOW | RTLD_LOCAL); unloaded on
/// destruction, which must come after every call into it has returned.
/// Result tensors do not point into the library and may outlive it.
class SharedLibraryExecutable final : public Executable {
public:
  /// Loads the artifact at `path`: a regular file (a FIFO or device is
  /// refused, never waited on) that passes readArtifactMetadata and
  /// checkHostCanRun, and only then dlopen. Errors: missing file, not a
  /// regular file, truncated or not a shared library for this machine, no
  /// or a mismatched seal, no _tok_metadata, malformed metadata, an entry the
  /// library does not define, a CPU feature this machine lacks.
  ///
  /// With `device`, an artifact compiled for another device is refused
  /// before anything of it runs ("artifact 'f.so' was compiled for cuda
  /// (sm_90a), not for the cpu"). A CUDA artifact needs a GPU that can run
  /// its `cuda_arch`; the errors of loading its kernels (which its
  /// initializers do) are errors of the load.
  static StatusOr<std::unique_ptr<SharedLibraryExecutable>>
  load(const std::string &path,
       std::optional<TargetDevice> device = std::nullopt);

  ~SharedLibraryExecutable() override;
  SharedLibraryExecutable(const SharedLibraryExecutable &) = delete;
  SharedLibraryExecutable &operator=(const SharedLibraryExecutable &) = delete;

  const ModuleMetadata &metadata() const override { return moduleMetadata; }
  void *lookupEntry(const std::string &symbol) override;

  /// The path the artifact was loaded from.
  const std::string &path() const { return libraryPath; }

private:
  SharedLibraryExecutable(std::string path, void *handle,
                          ModuleMetadata metadata);

  std::string libraryPath;
  void *handle;
  ModuleMetadata moduleMetadata;
};

} // namespace tokamak::rt

#endif // TOKAMAK_RUNTIME_ARTIFACT_H
