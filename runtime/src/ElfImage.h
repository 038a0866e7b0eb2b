//===- ElfImage.h - Checking a shared library before dlopen -----*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// The bytes of an ELF shared library, checked so that the dynamic loader
// never reads past the end of the file (a truncated file makes dlopen fault
// with SIGBUS, not fail), and read without loading it: the runtime takes an
// artifact's metadata and entry symbols from here, and calls dlopen only
// once they are known to be sound. Internal to the runtime (Artifact.cpp and
// the artifact fuzzer).
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_ELFIMAGE_H
#define TOKAMAK_RUNTIME_ELFIMAGE_H

#include "tokamak/runtime/Status.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tokamak::rt::detail {

class ElfImage {
public:
  /// One dynamic symbol.
  struct Symbol {
    uint64_t value = 0;
    uint64_t size = 0;
    /// STT_FUNC, STT_OBJECT, ...
    unsigned type = 0;
    /// Defined in this library (not an import such as libc's `free`).
    bool defined = false;
  };

  /// Checks `bytes` as a 64-bit little-endian ELF shared library for this
  /// machine: the header, the program and section header tables and every
  /// segment and section lie inside the bytes, loadable segments have
  /// p_filesz <= p_memsz, there is a PT_DYNAMIC and a dynamic symbol table.
  /// Errors say what is wrong ("the file is truncated: segment 3 ...").
  static StatusOr<ElfImage> parse(std::string_view bytes);

  /// The dynamic symbol `name`, if the library has one.
  std::optional<Symbol> findSymbol(std::string_view name) const;

  /// The `size` bytes at virtual address `address`, when a loadable segment
  /// holds all of them in the file.
  std::optional<std::string_view> bytesAt(uint64_t address,
                                          uint64_t size) const;

private:
  std::string_view bytes;
  uint64_t phoff = 0, phnum = 0;
  uint64_t symOffset = 0, symCount = 0;
  uint64_t strOffset = 0, strSize = 0;
};

/// The name of ELF machine `machine` ("x86_64"), or its number.
std::string elfMachineName(unsigned machine);

} // namespace tokamak::rt::detail

#endif // TOKAMAK_RUNTIME_ELFIMAGE_H
