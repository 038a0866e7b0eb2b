//===- ArtifactValidationTest.cpp - Artifacts checked before dlopen -------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// Issue 13, item 3: a truncated artifact crashed inside dlopen (SIGBUS), a
// FIFO as the artifact hung, and metadata that contradicted the code (or an
// entry naming another library's function) crashed at the first call. The
// runtime now checks the file (a regular file, a sound ELF image) and its
// seal, which ties the metadata to the code, before dlopen runs anything.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/Artifact.h"

#include "gtest/gtest.h"

#include <chrono>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace tokamak::rt;
namespace fs = std::filesystem;

namespace {

/// Bytes of the seal sealArtifact appends (Artifact.h).
constexpr size_t kSealBytes = 24;

std::string readBytes(const std::string &path) {
  std::ifstream stream(path, std::ios::binary);
  std::stringstream bytes;
  bytes << stream.rdbuf();
  return bytes.str();
}

class ArtifactValidationTest : public ::testing::Test {
protected:
  void SetUp() override {
    // Unique per process: the test and its sanitized twin may run at once.
    std::string pattern = fs::temp_directory_path() / "tok-artifact.XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir = pattern;
    sealed = readBytes(TOK_TEST_ARTIFACT);
    ASSERT_GT(sealed.size(), kSealBytes + 4096);
  }
  void TearDown() override { fs::remove_all(dir); }

  std::string path(const std::string &name) const { return dir / name; }

  std::string writeFile(const std::string &name, const std::string &bytes) {
    std::ofstream(path(name), std::ios::binary) << bytes;
    return path(name);
  }

  /// The message of loading `file`, which must fail.
  std::string loadError(const std::string &file) {
    StatusOr<std::unique_ptr<SharedLibraryExecutable>> loaded =
        SharedLibraryExecutable::load(file);
    EXPECT_FALSE(loaded.ok()) << file;
    return loaded.ok() ? std::string() : loaded.status().message();
  }

  /// The sealed test artifact's bytes without their seal.
  std::string unsealed() const {
    return sealed.substr(0, sealed.size() - kSealBytes);
  }

  /// `bytes` with `from` (found in them once) replaced by `to`, of the same
  /// length.
  static std::string patched(std::string bytes, const std::string &from,
                             const std::string &to) {
    EXPECT_EQ(from.size(), to.size());
    size_t at = bytes.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    EXPECT_EQ(bytes.find(from, at + 1), std::string::npos) << from;
    if (at != std::string::npos)
      bytes.replace(at, from.size(), to);
    return bytes;
  }

  fs::path dir;
  std::string sealed;
};

TEST_F(ArtifactValidationTest, SealedArtifactsLoad) {
  StatusOr<ModuleMetadata> metadata = readArtifactMetadata(sealed);
  ASSERT_TRUE(metadata.ok()) << metadata.status().message();
  EXPECT_EQ(metadata->functions.size(), 6u);
  // Sealing the unsealed bytes gives the same seal back.
  std::string copy = writeFile("copy.so", unsealed());
  ASSERT_TRUE(sealArtifact(copy).ok());
  EXPECT_EQ(readBytes(copy), sealed);
  StatusOr<std::unique_ptr<SharedLibraryExecutable>> loaded =
      SharedLibraryExecutable::load(copy);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
}

TEST_F(ArtifactValidationTest, RefusesUnsealedArtifacts) {
  std::string expected =
      "no tokamak checksum at its end: not written by tokamak-compile, or "
      "changed since (strip, objcopy and patching remove it); compile it "
      "again";
  EXPECT_EQ(loadError(TOK_TEST_ARTIFACT_UNSEALED),
            std::string("artifact '") + TOK_TEST_ARTIFACT_UNSEALED +
                "': " + expected);
  // Bytes appended after the seal hide it.
  EXPECT_EQ(loadError(writeFile("extended.so", sealed + "x")),
            "artifact '" + path("extended.so") + "': " + expected);
}

TEST_F(ArtifactValidationTest, RefusesMetadataThatContradictsTheCode) {
  std::string expected =
      "its checksum does not match its contents: the file was changed or "
      "damaged after tokamak-compile wrote it; compile it again";
  // A rank change (transpose's 2x3 input made 6) and a dropped input (add's
  // second input made a result), each the same number of bytes.
  std::string rank = patched(sealed, R"("shape":[2,3]})", R"("shape":[6]  })");
  std::string dropped = patched(
      sealed,
      R"("inputs":[{"dtype":"f32","shape":[-1]},{"dtype":"f32","shape":[-1]}],"results":[{"dtype":"f32","shape":[-1]}]},{"name":"two")",
      R"("inputs":[{"dtype":"f32","shape":[-1]}],"results":[{"dtype":"f32","shape":[-1]},{"dtype":"f32","shape":[-1]}]},{"name":"two")");
  // An entry naming libc's `free`, padded to the same length.
  std::string freeEntry = patched(sealed, R"("entry":"_tok_entry_add")",
                                  R"("entry":"free"          )");
  for (const std::string *bytes : {&rank, &dropped, &freeEntry}) {
    StatusOr<ModuleMetadata> metadata = readArtifactMetadata(*bytes);
    ASSERT_FALSE(metadata.ok());
    EXPECT_EQ(metadata.status().message(), expected);
  }
  EXPECT_EQ(loadError(writeFile("rank.so", rank)),
            "artifact '" + path("rank.so") + "': " + expected);

  // One byte of code.
  std::string code = sealed;
  code[code.size() / 3] ^= 0x01;
  EXPECT_EQ(loadError(writeFile("code.so", code)),
            "artifact '" + path("code.so") + "': " + expected);

  // The seal is what refuses them: sealed again, the patched metadata
  // reads (and would then be trusted).
  std::string resealed =
      writeFile("resealed.so", rank.substr(0, rank.size() - kSealBytes));
  ASSERT_TRUE(sealArtifact(resealed).ok());
  StatusOr<ModuleMetadata> metadata = readArtifactMetadata(readBytes(resealed));
  ASSERT_TRUE(metadata.ok()) << metadata.status().message();
  EXPECT_EQ(metadata->lookupFunction("transpose")->inputs[0].str(), "6xf32");
  // ... and an entry naming `free` still fails the metadata's own rule.
  std::string freeFile =
      writeFile("free.so", freeEntry.substr(0, freeEntry.size() - kSealBytes));
  ASSERT_TRUE(sealArtifact(freeFile).ok());
  EXPECT_EQ(loadError(freeFile),
            "artifact '" + freeFile +
                "': malformed metadata: functions[0].entry: expected "
                "'_tok_entry_add', got 'free'");
}

TEST_F(ArtifactValidationTest, RefusesEntriesTheLibraryDoesNotDefine) {
  // Absent from the library, and present but data rather than code.
  for (const char *file :
       {TOK_TEST_ARTIFACT_MISSING_ENTRY, TOK_TEST_ARTIFACT_DATA_ENTRY})
    EXPECT_EQ(loadError(file),
              std::string("artifact '") + file +
                  "': does not define the function '_tok_entry_ghost', the "
                  "entry of @ghost");
}

TEST_F(ArtifactValidationTest, RefusesTruncatedArtifacts) {
  // `head -c 2000 add.so > t.so` made dlopen fault with SIGBUS.
  std::string head = writeFile("head.so", sealed.substr(0, 2000));
  std::string message = loadError(head);
  std::string prefix = "artifact '" + head + "': the file is truncated: ";
  EXPECT_EQ(message.substr(0, prefix.size()), prefix) << message;

  // Sealed after truncation, so that only the ELF checks stand between
  // the file and dlopen: every length is refused, none crashes.
  std::string truncated = path("truncated.so");
  for (size_t length = 0; length < sealed.size() - kSealBytes; length += 997) {
    {
      std::ofstream(truncated, std::ios::binary) << sealed.substr(0, length);
    }
    ASSERT_TRUE(sealArtifact(truncated).ok());
    StatusOr<std::unique_ptr<SharedLibraryExecutable>> loaded =
        SharedLibraryExecutable::load(truncated);
    EXPECT_FALSE(loaded.ok()) << length << " bytes loaded";
    // The bytes alone, with and without the seal.
    std::string bytes = sealed.substr(0, length);
    EXPECT_FALSE(readArtifactMetadata(bytes).ok()) << length;
    EXPECT_FALSE(readArtifactMetadata(readBytes(truncated)).ok()) << length;
  }
  // The section headers come last: cutting into them is reported as such.
  std::ofstream(truncated, std::ios::binary)
      << sealed.substr(0, sealed.size() - kSealBytes - 1);
  ASSERT_TRUE(sealArtifact(truncated).ok());
  message = loadError(truncated);
  prefix = "artifact '" + truncated +
           "': the file is truncated: its section header table (";
  EXPECT_EQ(message.substr(0, prefix.size()), prefix) << message;
}

TEST_F(ArtifactValidationTest, RefusesFifosWithoutWaiting) {
  std::string fifo = path("fifo.so");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::future<std::string> message =
      std::async(std::launch::async, [&] { return loadError(fifo); });
  if (message.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    ADD_FAILURE() << "load() waits for a writer on a FIFO";
    // Release the waiting open() so that the test can end.
    int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    if (fd >= 0)
      ::close(fd);
  }
  EXPECT_EQ(message.get(),
            "artifact '" + fifo + "' is a FIFO, not a regular file");
}

TEST_F(ArtifactValidationTest, RefusesDevicesAndDirectories) {
  EXPECT_EQ(loadError("/dev/zero"),
            "artifact '/dev/zero' is a character device, not a regular file");
  EXPECT_EQ(loadError(dir.string()),
            "artifact '" + dir.string() + "' is a directory");
}

TEST_F(ArtifactValidationTest, RefusesOtherElfFiles) {
  // An ELF header of another machine, and a relocatable object.
  std::string arm = sealed;
  arm[18] = static_cast<char>(183); // e_machine: EM_AARCH64
  arm[19] = 0;
  EXPECT_EQ(readArtifactMetadata(arm).status().message(),
            "compiled for aarch64, but this is an x86_64 machine");
  std::string object = sealed;
  object[16] = 1; // e_type: ET_REL
  object[17] = 0;
  EXPECT_EQ(readArtifactMetadata(object).status().message(),
            "not a shared library (ELF type relocatable object)");
}

} // namespace
