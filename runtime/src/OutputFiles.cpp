//===- OutputFiles.cpp - Writing a tool's outputs all or nothing ----------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/OutputFiles.h"

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace tokamak::rt;

namespace {

/// Symbolic links followed before giving up, as the kernel's MAXSYMLINKS.
constexpr int kMaxLinks = 40;

std::string parentOf(const std::string &path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string baseName(const std::string &path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// `path` with symbolic links followed to the file they name (which need
/// not exist).
StatusOr<std::string> resolveLinks(const std::string &path,
                                   const std::string &what) {
  std::string current = path;
  for (int hop = 0; hop <= kMaxLinks; ++hop) {
    struct stat info;
    if (::lstat(current.c_str(), &info) != 0) {
      int err = errno;
      if (err == ENOENT)
        return current;
      return Status::fromErrno(err, what);
    }
    if (!S_ISLNK(info.st_mode))
      return current;
    std::string target(PATH_MAX, '\0');
    ssize_t n = ::readlink(current.c_str(), target.data(), target.size());
    if (n < 0) {
      int err = errno;
      return Status::fromErrno(err, what);
    }
    target.resize(static_cast<size_t>(n));
    if (target.empty() || target[0] != '/') {
      size_t slash = current.rfind('/');
      target = slash == std::string::npos
                   ? target
                   : current.substr(0, slash + 1) + target;
    }
    current = target;
  }
  return Status::error(what + ": too many levels of symbolic links");
}

Status writeAll(int fd, const char *data, size_t size) {
  while (size > 0) {
    ssize_t written = ::write(fd, data, size);
    if (written < 0 && errno == EINTR)
      continue;
    if (written <= 0) {
      int err = written < 0 ? errno : EIO;
      return Status::fromErrno(err, "write failed");
    }
    data += written;
    size -= static_cast<size_t>(written);
  }
  return Status::success();
}

/// Copies the file at `from` into the open `to`.
Status copyInto(const std::string &from, int to) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    int err = errno;
    return Status::fromErrno(err, "cannot read the temporary file");
  }
  char buffer[1 << 16];
  Status status;
  while (status.ok()) {
    ssize_t got = ::read(in, buffer, sizeof(buffer));
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      int err = errno;
      status = Status::fromErrno(err, "cannot read the temporary file");
      break;
    }
    if (got == 0)
      break;
    status = writeAll(to, buffer, static_cast<size_t>(got));
  }
  ::close(in);
  return status;
}

} // namespace

OutputFiles::~OutputFiles() {
  for (const Output &output : outputs)
    if (!output.temp.empty())
      ::unlink(output.temp.c_str());
}

StatusOr<std::string> OutputFiles::add(const std::string &path) {
  std::string what = "cannot write '" + printableBytes(path) + "'";
  if (path.empty())
    return Status::error("cannot write an output with an empty path");
  StatusOr<std::string> target = resolveLinks(path, what);
  if (!target.ok())
    return target.status();

  Output output;
  output.path = path;
  output.target = *target;
  output.kind = Kind::Rename;
  struct stat info;
  if (::stat(target->c_str(), &info) == 0) {
    if (S_ISDIR(info.st_mode))
      return Status::error(what + ": is a directory");
    if (S_ISCHR(info.st_mode) || S_ISFIFO(info.st_mode))
      output.kind = Kind::WriteThrough;
    else if (!S_ISREG(info.st_mode))
      return Status::error(what +
                           ": not a regular file, character device or FIFO");
    output.device = static_cast<unsigned long long>(info.st_dev);
    output.inode = static_cast<unsigned long long>(info.st_ino);
  } else {
    int err = errno;
    if (err != ENOENT)
      return Status::fromErrno(err, what);
    // A new file: its identity is its directory's and its name.
    std::string dir = parentOf(*target);
    if (::stat(dir.c_str(), &info) != 0) {
      int dirErr = errno;
      return Status::fromErrno(dirErr, what);
    }
    if (!S_ISDIR(info.st_mode))
      return Status::error(what + ": '" + printableBytes(dir) +
                           "' is not a directory");
    output.device = static_cast<unsigned long long>(info.st_dev);
    output.inode = static_cast<unsigned long long>(info.st_ino);
    output.name = baseName(*target);
  }
  // The same file twice would be written twice, the second copy winning;
  // a device or FIFO may take several.
  if (output.kind == Kind::Rename)
    for (const Output &other : outputs)
      if (other.kind == Kind::Rename && other.device == output.device &&
          other.inode == output.inode && other.name == output.name)
        return Status::error(what + ": '" + printableBytes(other.path) +
                             "' is already an output and names the same "
                             "file");

  static std::atomic<unsigned> counter{0};
  if (output.kind == Kind::Rename) {
    // Next to the target, so that rename() stays on one file system.
    std::string dir = parentOf(output.target);
    int fd = -1;
    for (int attempt = 0; fd < 0 && attempt < 100; ++attempt) {
      output.temp = dir + "/.tokamak-tmp-" + std::to_string(::getpid()) + "-" +
                    std::to_string(counter++);
      fd = ::open(output.temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                  0666);
      int err = errno;
      if (fd < 0 && err != EEXIST)
        return Status::fromErrno(err, what);
    }
    if (fd < 0)
      return Status::error(what + ": cannot create a temporary file");
    ::close(fd);
  } else {
    const char *tmpdir = std::getenv("TMPDIR");
    std::string model = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") +
                        "/tokamak-output-XXXXXX";
    int fd = ::mkstemp(model.data());
    if (fd < 0) {
      int err = errno;
      return Status::fromErrno(err, what + ": cannot create a temporary file");
    }
    ::close(fd);
    output.temp = model;
  }
  outputs.push_back(output);
  return outputs.back().temp;
}

Status OutputFiles::commit() {
  // Open every device and FIFO first: a FIFO nobody reads fails here,
  // before any file has changed.
  std::vector<int> fds(outputs.size(), -1);
  auto closeAll = [&] {
    for (int &fd : fds)
      if (fd >= 0) {
        ::close(fd);
        fd = -1;
      }
  };
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Output &output = outputs[i];
    if (output.kind != Kind::WriteThrough)
      continue;
    std::string what = "cannot write '" + printableBytes(output.path) + "'";
    int fd = ::open(output.target.c_str(),
                    O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      closeAll();
      if (err == ENXIO)
        return Status::error(what + ": no process is reading the FIFO");
      return Status::fromErrno(err, what);
    }
    // Block on a slow reader from here on.
    int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0)
      (void)::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    fds[i] = fd;
  }

  Status status;
  for (Output &output : outputs) {
    if (output.kind != Kind::Rename)
      continue;
    if (::rename(output.temp.c_str(), output.target.c_str()) != 0) {
      int err = errno;
      status = Status::fromErrno(err, "cannot write '" +
                                          printableBytes(output.path) + "'");
      break;
    }
    output.temp.clear();
  }
  for (size_t i = 0; status.ok() && i < outputs.size(); ++i) {
    Output &output = outputs[i];
    if (output.kind != Kind::WriteThrough)
      continue;
    status =
        copyInto(output.temp, fds[i])
            .withContext("cannot write '" + printableBytes(output.path) + "'");
    if (::close(fds[i]) != 0 && status.ok()) {
      int err = errno;
      status = Status::fromErrno(err, "cannot write '" +
                                          printableBytes(output.path) + "'");
    }
    fds[i] = -1;
    ::unlink(output.temp.c_str());
    output.temp.clear();
  }
  closeAll();
  return status;
}

Status tokamak::rt::writeFileAtomically(
    const std::string &path,
    const std::function<Status(const std::string &temp)> &write) {
  OutputFiles outputs;
  StatusOr<std::string> temp = outputs.add(path);
  if (!temp.ok())
    return temp.status();
  if (Status status = write(*temp); status.failed())
    return status;
  return outputs.commit();
}
