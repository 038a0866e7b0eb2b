//===- OutputFilesTest.cpp - A tool's outputs, all or nothing -------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// Issue 13, items 9 and 10: outputs were written to a temporary file renamed
// over the target, which replaced device nodes and symbolic links (as root,
// --output=@/dev/null turned /dev/null into a regular file), and with two
// outputs the first was left behind when the second failed.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/OutputFiles.h"

#include "tokamak/runtime/Npy.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace tokamak::rt;
namespace fs = std::filesystem;

namespace {

class OutputFilesTest : public ::testing::Test {
protected:
  void SetUp() override {
    // Unique per process: the test and its sanitized twin may run at once.
    std::string pattern = fs::temp_directory_path() / "tok-outputs.XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir = pattern;
  }
  void TearDown() override { fs::remove_all(dir); }

  std::string path(const std::string &name) const { return dir / name; }

  static void writeFile(const std::string &file, const std::string &bytes) {
    std::ofstream(file, std::ios::binary) << bytes;
  }

  static std::string readFile(const std::string &file) {
    std::ifstream stream(file, std::ios::binary);
    std::stringstream bytes;
    bytes << stream.rdbuf();
    return bytes.str();
  }

  /// The names in the test directory, sorted.
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const fs::directory_entry &entry : fs::directory_iterator(dir))
      names.push_back(entry.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

  /// Adds `file` to `outputs` and writes `bytes` to its temporary file.
  static void stage(OutputFiles &outputs, const std::string &file,
                    const std::string &bytes) {
    StatusOr<std::string> temp = outputs.add(file);
    ASSERT_TRUE(temp.ok()) << temp.status().message();
    writeFile(*temp, bytes);
  }

  static bool isCharDevice(const std::string &file) {
    struct stat info;
    return ::lstat(file.c_str(), &info) == 0 && S_ISCHR(info.st_mode);
  }

  fs::path dir;
};

TEST_F(OutputFilesTest, CommitsEveryOutputTogether) {
  writeFile(path("b"), "old");
  {
    OutputFiles outputs;
    stage(outputs, path("a"), "first");
    stage(outputs, path("b"), "second");
    // Nothing is visible before the commit.
    EXPECT_FALSE(fs::exists(path("a")));
    EXPECT_EQ(readFile(path("b")), "old");
    ASSERT_TRUE(outputs.commit().ok());
  }
  EXPECT_EQ(readFile(path("a")), "first");
  EXPECT_EQ(readFile(path("b")), "second");
  EXPECT_EQ(entries(), (std::vector<std::string>{"a", "b"}));
}

TEST_F(OutputFilesTest, ABadSecondPathLeavesNoFirstFile) {
  // Item 10: `--output=@a.npy --output=@missing/b.npy` left a.npy.
  writeFile(path("kept"), "old");
  {
    OutputFiles outputs;
    stage(outputs, path("a"), "first");
    stage(outputs, path("kept"), "new");
    StatusOr<std::string> bad = outputs.add(path("missing/b"));
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.status().message(), "cannot write '" + path("missing/b") +
                                          "': no such file or directory");
    StatusOr<std::string> directory = outputs.add(dir.string());
    ASSERT_FALSE(directory.ok());
    EXPECT_EQ(directory.status().message(),
              "cannot write '" + dir.string() + "': is a directory");
    // The caller gives up without committing.
  }
  EXPECT_EQ(entries(), (std::vector<std::string>{"kept"}));
  EXPECT_EQ(readFile(path("kept")), "old");
}

TEST_F(OutputFilesTest, RefusesTheSameFileTwice) {
  fs::create_symlink(path("a"), path("link"));
  OutputFiles outputs;
  stage(outputs, path("a"), "x");
  StatusOr<std::string> again = outputs.add(path("link"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().message(),
            "cannot write '" + path("link") + "': '" + path("a") +
                "' is already an output and names the same file");
}

TEST_F(OutputFilesTest, WritesThroughSymbolicLinks) {
  writeFile(path("target"), "old");
  fs::create_symlink("target", path("link"));
  fs::create_symlink(path("new-target"), path("dangling"));
  OutputFiles outputs;
  stage(outputs, path("link"), "through the link");
  stage(outputs, path("dangling"), "a new file");
  ASSERT_TRUE(outputs.commit().ok());
  // The links stay links; the files they name change.
  EXPECT_TRUE(fs::is_symlink(path("link")));
  EXPECT_TRUE(fs::is_symlink(path("dangling")));
  EXPECT_EQ(readFile(path("target")), "through the link");
  EXPECT_EQ(readFile(path("new-target")), "a new file");
  EXPECT_EQ(entries(), (std::vector<std::string>{"dangling", "link",
                                                 "new-target", "target"}));
}

TEST_F(OutputFilesTest, RefusesSymbolicLinkLoops) {
  fs::create_symlink(path("b"), path("a"));
  fs::create_symlink(path("a"), path("b"));
  OutputFiles outputs;
  StatusOr<std::string> temp = outputs.add(path("a"));
  ASSERT_FALSE(temp.ok());
  EXPECT_EQ(temp.status().message(),
            "cannot write '" + path("a") +
                "': too many levels of symbolic links");
}

TEST_F(OutputFilesTest, WritesIntoCharacterDevices) {
  // Item 9: /dev/null stays a character device (this ran as root, where a
  // rename over it succeeds).
  ASSERT_TRUE(isCharDevice("/dev/null"));
  {
    OutputFiles outputs;
    stage(outputs, "/dev/null", "discarded");
    stage(outputs, path("a"), "kept");
    ASSERT_TRUE(outputs.commit().ok());
  }
  EXPECT_TRUE(isCharDevice("/dev/null"));
  EXPECT_EQ(readFile(path("a")), "kept");
  // Through a link to it, too.
  fs::create_symlink("/dev/null", path("null"));
  HostTensor tensor = std::move(*HostTensor::create(DType::f32, {2}));
  ASSERT_TRUE(writeNpy(path("null"), tensor).ok());
  EXPECT_TRUE(fs::is_symlink(path("null")));
  EXPECT_TRUE(isCharDevice("/dev/null"));
  // No temporary file is left in /tmp or next to the outputs.
  EXPECT_EQ(entries(), (std::vector<std::string>{"a", "null"}));
}

TEST_F(OutputFilesTest, ReportsDeviceWriteErrors) {
  // /dev/full refuses every write (ENOSPC).
  if (!isCharDevice("/dev/full"))
    GTEST_SKIP() << "no /dev/full";
  OutputFiles outputs;
  stage(outputs, "/dev/full", "x");
  Status status = outputs.commit();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(),
            "cannot write '/dev/full': write failed: no space left on device");
  EXPECT_TRUE(isCharDevice("/dev/full"));
}

TEST_F(OutputFilesTest, FifoWithoutReaderFailsBeforeAnyFileChanges) {
  std::string fifo = path("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  writeFile(path("a"), "old");
  std::future<Status> committed = std::async(std::launch::async, [&] {
    OutputFiles outputs;
    // The regular file first: it must not be renamed when the FIFO fails.
    stage(outputs, path("a"), "new");
    stage(outputs, fifo, "data");
    return outputs.commit();
  });
  if (committed.wait_for(std::chrono::seconds(20)) !=
      std::future_status::ready) {
    ADD_FAILURE() << "commit() waits for a reader on a FIFO";
    // Release the waiting open() so that the test can end.
    int fd = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
    committed.wait();
    if (fd >= 0)
      ::close(fd);
  }
  Status status = committed.get();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(),
            "cannot write '" + fifo + "': no process is reading the FIFO");
  EXPECT_EQ(readFile(path("a")), "old");
  EXPECT_EQ(fs::status(fifo).type(), fs::file_type::fifo);
  EXPECT_EQ(entries(), (std::vector<std::string>{"a", "fifo"}));
}

TEST_F(OutputFilesTest, WritesIntoAFifoWithAReader) {
  std::string fifo = path("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // The reader holds the FIFO open before the commit; it reads until the
  // writer closes it.
  int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  std::string payload(100000, 'x'); // more than a pipe buffer
  std::future<std::string> received = std::async(std::launch::async, [&] {
    std::string bytes;
    char buffer[4096];
    int flags = ::fcntl(reader, F_GETFL);
    ::fcntl(reader, F_SETFL, flags & ~O_NONBLOCK);
    // Until the writer opens the FIFO, reads see EOF: read until all the
    // bytes came, or give up after 20 s.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (bytes.size() < payload.size() &&
           std::chrono::steady_clock::now() < deadline) {
      ssize_t got = ::read(reader, buffer, sizeof(buffer));
      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        break;
      if (got == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
      bytes.append(buffer, static_cast<size_t>(got));
    }
    return bytes;
  });
  OutputFiles outputs;
  stage(outputs, fifo, payload);
  Status status = outputs.commit();
  ASSERT_TRUE(status.ok()) << status.message();
  ASSERT_EQ(received.wait_for(std::chrono::seconds(20)),
            std::future_status::ready);
  EXPECT_EQ(received.get(), payload);
  ::close(reader);
  EXPECT_EQ(fs::status(fifo).type(), fs::file_type::fifo);
}

TEST_F(OutputFilesTest, UncommittedOutputsLeaveNoTemporaryFiles) {
  writeFile(path("a"), "old");
  Status status = writeFileAtomically(path("a"), [](const std::string &temp) {
    writeFile(temp, "half");
    return Status::error("the writer failed");
  });
  EXPECT_EQ(status.message(), "the writer failed");
  EXPECT_EQ(readFile(path("a")), "old");
  EXPECT_EQ(entries(), (std::vector<std::string>{"a"}));
}

} // namespace
