//===- ElfImage.cpp - Checking a shared library before dlopen -------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "ElfImage.h"

#include <cstring>
#include <elf.h>

using namespace tokamak::rt;
using namespace tokamak::rt::detail;

namespace {

#if defined(__x86_64__)
constexpr unsigned kHostMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr unsigned kHostMachine = EM_AARCH64;
#else
constexpr unsigned kHostMachine = EM_NONE;
#endif

/// A `T` copied out of `bytes` at `offset`; the caller has checked the
/// range. (memcpy: the file's structures need not be aligned in memory.)
template <typename T> T load(std::string_view bytes, uint64_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

/// Whether [offset, offset + count * size) lies inside `total` bytes,
/// without overflowing.
bool inside(uint64_t offset, uint64_t count, uint64_t size, uint64_t total) {
  if (offset > total)
    return false;
  if (size != 0 && count > (total - offset) / size)
    return false;
  return true;
}

std::string str(uint64_t value) { return std::to_string(value); }

} // namespace

std::string tokamak::rt::detail::elfMachineName(unsigned machine) {
  switch (machine) {
  case EM_X86_64:
    return "x86_64";
  case EM_AARCH64:
    return "aarch64";
  case EM_386:
    return "i386";
  case EM_ARM:
    return "arm";
  case EM_RISCV:
    return "riscv";
  case EM_PPC64:
    return "ppc64";
  default:
    return "machine " + std::to_string(machine);
  }
}

StatusOr<ElfImage> ElfImage::parse(std::string_view bytes) {
  uint64_t total = bytes.size();
  if (total < SELFMAG || std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0)
    return Status::error("not an ELF shared library (no \\x7fELF magic)");
  if (total < sizeof(Elf64_Ehdr))
    return Status::error("the file is truncated: " + str(total) +
                         " bytes hold no complete ELF header");
  auto header = load<Elf64_Ehdr>(bytes, 0);
  if (header.e_ident[EI_CLASS] != ELFCLASS64)
    return Status::error("a 32-bit ELF file; expected a 64-bit shared "
                         "library");
  if (header.e_ident[EI_DATA] != ELFDATA2LSB)
    return Status::error("a big-endian ELF file; expected a little-endian "
                         "shared library");
  if (header.e_ident[EI_VERSION] != EV_CURRENT)
    return Status::error("unknown ELF version " +
                         str(header.e_ident[EI_VERSION]));
  if (header.e_type != ET_DYN)
    return Status::error(std::string("not a shared library (ELF type ") +
                         (header.e_type == ET_EXEC  ? "executable"
                          : header.e_type == ET_REL ? "relocatable object"
                          : header.e_type == ET_CORE
                              ? "core dump"
                              : std::to_string(header.e_type).c_str()) +
                         ")");
  if (header.e_machine != kHostMachine)
    return Status::error("compiled for " + elfMachineName(header.e_machine) +
                         ", but this is an " + elfMachineName(kHostMachine) +
                         " machine");

  ElfImage image;
  image.bytes = bytes;
  image.phoff = header.e_phoff;
  image.phnum = header.e_phnum;
  if (image.phnum == 0)
    return Status::error("no program headers: nothing to load");
  if (header.e_phentsize != sizeof(Elf64_Phdr))
    return Status::error("program header entries of " +
                         str(header.e_phentsize) + " bytes; expected " +
                         str(sizeof(Elf64_Phdr)));
  if (!inside(image.phoff, image.phnum, sizeof(Elf64_Phdr), total))
    return Status::error("the file is truncated: its program header table (" +
                         str(image.phnum) + " entries at offset " +
                         str(image.phoff) + ") ends past its " + str(total) +
                         " bytes");
  bool hasLoad = false, hasDynamic = false;
  for (uint64_t i = 0; i < image.phnum; ++i) {
    auto ph = load<Elf64_Phdr>(bytes, image.phoff + i * sizeof(Elf64_Phdr));
    if (!inside(ph.p_offset, 1, ph.p_filesz, total))
      return Status::error("the file is truncated: segment " + str(i) + " (" +
                           str(ph.p_filesz) + " bytes at offset " +
                           str(ph.p_offset) + ") ends past its " + str(total) +
                           " bytes");
    if (ph.p_type == PT_LOAD) {
      hasLoad = true;
      if (ph.p_filesz > ph.p_memsz)
        return Status::error("segment " + str(i) +
                             " has more bytes in the "
                             "file (" +
                             str(ph.p_filesz) + ") than in memory (" +
                             str(ph.p_memsz) + ")");
    }
    hasDynamic |= ph.p_type == PT_DYNAMIC;
  }
  if (!hasLoad || !hasDynamic)
    return Status::error("not a shared library (no loadable or dynamic "
                         "segment)");

  uint64_t shoff = header.e_shoff, shnum = header.e_shnum;
  if (shnum != 0 && header.e_shentsize != sizeof(Elf64_Shdr))
    return Status::error("section header entries of " +
                         str(header.e_shentsize) + " bytes; expected " +
                         str(sizeof(Elf64_Shdr)));
  if (!inside(shoff, shnum, sizeof(Elf64_Shdr), total))
    return Status::error("the file is truncated: its section header table (" +
                         str(shnum) + " entries at offset " + str(shoff) +
                         ") ends past its " + str(total) + " bytes");
  for (uint64_t i = 0; i < shnum; ++i) {
    auto sh = load<Elf64_Shdr>(bytes, shoff + i * sizeof(Elf64_Shdr));
    if (sh.sh_type != SHT_NOBITS && !inside(sh.sh_offset, 1, sh.sh_size, total))
      return Status::error("the file is truncated: section " + str(i) + " (" +
                           str(sh.sh_size) + " bytes at offset " +
                           str(sh.sh_offset) + ") ends past its " + str(total) +
                           " bytes");
    if (sh.sh_type != SHT_DYNSYM)
      continue;
    if (sh.sh_entsize != sizeof(Elf64_Sym) || sh.sh_link >= shnum)
      return Status::error("malformed dynamic symbol table (section " + str(i) +
                           ")");
    auto strings =
        load<Elf64_Shdr>(bytes, shoff + sh.sh_link * sizeof(Elf64_Shdr));
    if (strings.sh_type != SHT_STRTAB ||
        !inside(strings.sh_offset, 1, strings.sh_size, total))
      return Status::error("malformed dynamic string table (section " +
                           str(sh.sh_link) + ")");
    image.symOffset = sh.sh_offset;
    image.symCount = sh.sh_size / sizeof(Elf64_Sym);
    image.strOffset = strings.sh_offset;
    image.strSize = strings.sh_size;
  }
  if (image.symCount == 0)
    return Status::error("no dynamic symbol table (section headers "
                         "stripped?)");
  return image;
}

std::optional<ElfImage::Symbol>
ElfImage::findSymbol(std::string_view name) const {
  std::string_view strings = bytes.substr(strOffset, strSize);
  for (uint64_t i = 0; i < symCount; ++i) {
    auto sym = load<Elf64_Sym>(bytes, symOffset + i * sizeof(Elf64_Sym));
    if (sym.st_name >= strings.size())
      continue;
    std::string_view rest = strings.substr(sym.st_name);
    size_t end = rest.find('\0');
    if (end == std::string_view::npos || rest.substr(0, end) != name)
      continue;
    Symbol symbol;
    symbol.value = sym.st_value;
    symbol.size = sym.st_size;
    symbol.type = ELF64_ST_TYPE(sym.st_info);
    symbol.defined = sym.st_shndx != SHN_UNDEF;
    return symbol;
  }
  return std::nullopt;
}

std::optional<std::string_view> ElfImage::bytesAt(uint64_t address,
                                                  uint64_t size) const {
  for (uint64_t i = 0; i < phnum; ++i) {
    auto ph = load<Elf64_Phdr>(bytes, phoff + i * sizeof(Elf64_Phdr));
    if (ph.p_type != PT_LOAD || address < ph.p_vaddr)
      continue;
    uint64_t delta = address - ph.p_vaddr;
    if (delta > ph.p_filesz || size > ph.p_filesz - delta)
      continue;
    // parse() checked p_offset + p_filesz against the file.
    return bytes.substr(ph.p_offset + delta, size);
  }
  return std::nullopt;
}
