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
#include <string>
#include <string_view>

namespace tokamak::rt {

/// The symbol holding an artifact's metadata JSON.
inline constexpr const char *kMetadataSymbol = "_tok_metadata";

/// The metadata format version this runtime reads and writes.
inline constexpr int64_t kMetadataVersion = 1;

/// Parses and validates metadata JSON. Errors name the offending field
/// ("functions[0].inputs[1].dtype: unknown element type 'f33'"). Unknown
/// keys are ignored so that newer compilers can add fields.
StatusOr<ModuleMetadata> parseModuleMetadata(std::string_view json);

/// Serializes `metadata` as the JSON parseModuleMetadata reads.
std::string printModuleMetadata(const ModuleMetadata &metadata);

/// An artifact loaded with dlopen(RTLD_NOW | RTLD_LOCAL); unloaded on
/// destruction, which must come after every call into it has returned.
/// Result tensors do not point into the library and may outlive it.
class SharedLibraryExecutable final : public Executable {
public:
  /// Loads the artifact at `path`, parses its metadata and checks that every
  /// function's entry symbol is exported. Errors: missing file, not a
  /// loadable shared library, no _tok_metadata, malformed metadata, missing
  /// entry symbol.
  static StatusOr<std::unique_ptr<SharedLibraryExecutable>>
  load(const std::string &path);

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
