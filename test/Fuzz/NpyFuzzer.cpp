//===- NpyFuzzer.cpp - Fuzz the .npy reader -------------------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// libFuzzer entry point: reads the input as a .npy file, three times, through
// readNpy's path interface without touching the disk: as a regular file (a
// memfd, opened by its /proc/self/fd path), the same file with a type check
// (what it accepts is derived from the input's hash), and as a pipe, which
// readNpy reads as a stream in chunks (every input read as a tensor, one in
// eight of the others). The sanitizers catch crashes and
// out-of-bounds reads; the checks below abort when
//   - a tensor read has a size that disagrees with its shape, i1 elements
//     other than 0 and 1, or data other than the file's last bytes (the
//     header, then exactly the data, then nothing);
//   - the check is called more than once, not with the tensor's type, or
//     its answer is not what the read does; a failing read succeeds with a
//     check, or fails with another error than without it;
//   - the pipe and the regular file disagree on success or on the data;
//   - an error does not name the file or is not one printable sentence.
//
//===----------------------------------------------------------------------===//

#include "FuzzSupport.h"

#include "tokamak/runtime/Npy.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

using namespace tokamak;
using namespace tokamak::fuzz;
using rt::HostTensor;
using rt::StatusOr;

namespace {

constexpr const char *kFuzzer = "npy";

std::string fdPath(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

bool writeAll(int fd, const uint8_t *data, size_t size) {
  while (size > 0) {
    ssize_t written = ::write(fd, data, size);
    if (written <= 0)
      return false;
    data += written;
    size -= static_cast<size_t>(written);
  }
  return true;
}

/// A memfd holding `data`: a regular file, for the path that knows the size
/// up front. One per process, rewritten for each input.
std::string regularFile(const uint8_t *data, size_t size) {
  static int fd = ::memfd_create("fuzz.npy", MFD_CLOEXEC);
  if (fd < 0 || ::ftruncate(fd, 0) != 0 || ::lseek(fd, 0, SEEK_SET) != 0 ||
      !writeAll(fd, data, size))
    broken(kFuzzer, "cannot fill the memfd", std::strerror(errno));
  return fdPath(fd);
}

/// The read end of a pipe holding `data` whose write end is closed, or -1
/// when the pipe cannot hold it. Opening an anonymous pipe by its
/// /proc/self/fd path never waits for a writer.
int pipeWith(const uint8_t *data, size_t size) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    broken(kFuzzer, "cannot create a pipe", std::strerror(errno));
  if (size > 65536 && ::fcntl(fds[1], F_SETPIPE_SZ, static_cast<int>(size)) <
                          static_cast<int>(size)) {
    ::close(fds[0]);
    ::close(fds[1]);
    return -1;
  }
  if (!writeAll(fds[1], data, size))
    broken(kFuzzer, "cannot fill the pipe", std::strerror(errno));
  ::close(fds[1]);
  return fds[0];
}

/// A tensor read from the whole file: the header is magic, version, length
/// field and header text, then the data fills the rest of the file.
void checkRead(const HostTensor &tensor, const uint8_t *data, size_t size) {
  checkTensor(kFuzzer, tensor);
  size_t lengthSize = data[6] == 1 ? 2 : 4;
  size_t headerSize = 0;
  for (size_t i = 0; i < lengthSize; ++i)
    headerSize |= size_t(data[8 + i]) << (8 * i);
  if (8 + lengthSize + headerSize + tensor.byteSize() != size)
    broken(kFuzzer, "header and data do not fill the file",
           tensor.typeString());
  if (tensor.byteSize() > 0 &&
      std::memcmp(tensor.rawData(), data + size - tensor.byteSize(),
                  tensor.byteSize()) != 0)
    broken(kFuzzer, "data is not the file's last bytes", tensor.typeString());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint64_t hash = hashInput(data, size);

  // A regular file, with and without a check.
  std::string path = regularFile(data, size);
  std::string prefix = path + ": ";
  StatusOr<HostTensor> plain = rt::readNpy(path);
  if (plain.ok())
    checkRead(*plain, data, size);
  else
    checkError(kFuzzer, plain.status(), prefix);
  RecordingCheck record;
  StatusOr<HostTensor> checked = rt::readNpy(
      path,
      record.check([hash](rt::DType dtype, const std::vector<int64_t> &shape) {
        return policyAccepts(hash, dtype, shape);
      }));
  checkCheckedRead(kFuzzer, plain, checked, record, prefix,
                   prefix + RecordingCheck::kRefusal);

  // A pipe, read as a stream: the same tensor or an error. A stream whose
  // header claims more data than it holds costs a 16 MiB chunk, so only
  // one in eight inputs that fail is read so.
  if (!plain.ok() && (hash >> 8) % 8 != 0)
    return 0;
  int fd = pipeWith(data, size);
  if (fd < 0)
    return 0;
  std::string pipePath = fdPath(fd);
  StatusOr<HostTensor> streamed = rt::readNpy(pipePath);
  ::close(fd);
  if (streamed.ok() != plain.ok())
    broken(kFuzzer, "a pipe and a regular file disagree",
           plain.ok() ? streamed.status().message() : plain.status().message());
  if (streamed.ok() && !sameTensor(*plain, *streamed))
    broken(kFuzzer, "a pipe and a regular file read different tensors",
           plain->typeString());
  if (!streamed.ok())
    checkError(kFuzzer, streamed.status(), pipePath + ": ");
  return 0;
}
