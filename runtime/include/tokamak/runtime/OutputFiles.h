//===- OutputFiles.h - Writing a tool's outputs all or nothing --*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// The files a command writes (`tokamak-run --output=@a.npy --output=@b.npy`,
// `--dump-logits`, `tokamak-compile -o`) appear together or not at all:
//
//   OutputFiles outputs;
//   StatusOr<std::string> temp = outputs.add("a.npy");  // checks the path
//   ... write the contents to *temp, for every output ...
//   Status done = outputs.commit();                      // all into place
//
// Each output is written to a temporary file first; commit() moves them
// into place. What "into place" means depends on what the path names:
//
//   a regular file or nothing  the temporary file, created next to it, is
//                              renamed over it (atomic per file)
//   a symbolic link            the same, for the file the link points to; the
//                              link stays a link
//   a character device, FIFO   the contents are written into it (/dev/null,
//                              /dev/stdout, a pipe someone reads); a FIFO
//                              without a reader is an error, never a hang
//   a directory, block device  an error naming the path
//   or socket
//
// Nothing is committed when any add() or the writing failed; the
// destructor removes every temporary file that was not committed.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_OUTPUTFILES_H
#define TOKAMAK_RUNTIME_OUTPUTFILES_H

#include "tokamak/runtime/Status.h"

#include <functional>
#include <string>
#include <vector>

namespace tokamak::rt {

class OutputFiles {
public:
  OutputFiles() = default;
  /// Removes the temporary files of the outputs not committed.
  ~OutputFiles();
  OutputFiles(const OutputFiles &) = delete;
  OutputFiles &operator=(const OutputFiles &) = delete;

  /// Plans writing `path` and returns the (empty, existing) temporary file
  /// to write its contents to. Errors, each naming `path`: a directory, a
  /// block device or socket, a missing or unwritable directory, a symbolic
  /// link loop, the same file given twice.
  StatusOr<std::string> add(const std::string &path);

  /// Moves every output into place (see the file comment). Devices and
  /// FIFOs are opened before any file is renamed, so that an error there
  /// changes nothing. Afterwards no temporary file is left.
  Status commit();

private:
  enum class Kind { Rename, WriteThrough };
  struct Output {
    std::string path;   // as given, for messages
    std::string target; // with symbolic links resolved
    std::string temp;
    Kind kind;
    // Identity of the target (or of its directory, for a new file).
    unsigned long long device = 0, inode = 0;
    std::string name;
  };
  std::vector<Output> outputs;
};

/// Writes `path` through OutputFiles: `write` fills the temporary file
/// (given its path), then it is committed. A failure leaves `path` as it
/// was.
Status writeFileAtomically(
    const std::string &path,
    const std::function<Status(const std::string &temp)> &write);

} // namespace tokamak::rt

#endif // TOKAMAK_RUNTIME_OUTPUTFILES_H
