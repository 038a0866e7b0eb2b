//===- Status.h - Errors as values ------------------------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// The runtime reports every failure as a value: a `Status` holding one
// lower-case sentence that names the bad thing, or a `StatusOr<T>` holding
// either such an error or a `T`. No exception escapes the runtime API.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_STATUS_H
#define TOKAMAK_RUNTIME_STATUS_H

#include <cassert>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

namespace tokamak::rt {

/// Success, or an error carrying a one-sentence message.
class [[nodiscard]] Status {
public:
  /// A successful status.
  Status() = default;

  /// A successful status.
  static Status success() { return Status(); }

  /// An error with `message`: lower case, no trailing period, naming the bad
  /// thing (for example "in.npy: fortran-order arrays are not supported").
  static Status error(std::string message);

  /// An error whose message streams `parts` in order
  /// (`Status::errorOf("sequence ", id, " is unknown")`).
  template <typename... Parts> static Status errorOf(const Parts &...parts) {
    std::ostringstream os;
    (os << ... << parts);
    return error(os.str());
  }

  /// An error "`what`: <strerror(errnum)>", for failed system calls. Pass
  /// `errno` saved right after the call: building `what` may clobber it.
  static Status fromErrno(int errnum, std::string_view what);

  bool ok() const { return !isError; }
  bool failed() const { return isError; }

  /// The error message; empty on success.
  const std::string &message() const { return text; }

  /// This error with "`context`: " prepended; success stays success.
  Status withContext(std::string_view context) const;

private:
  bool isError = false;
  std::string text;
};

/// `bytes` for an error message: printable ASCII as is, every other byte
/// (NUL, control characters, bytes >= 0x7f and the backslash) as "\xNN", so
/// that a message never cuts off at a NUL or prints terminal control sequences.
std::string printableBytes(std::string_view bytes);

/// Either a `T` or an error `Status`.
template <typename T> class [[nodiscard]] StatusOr {
public:
  /// Holds an error; `status` must not be success.
  StatusOr(Status status) : state(std::move(status)) {
    assert(!state.ok() && "StatusOr built from a successful Status");
    if (state.ok())
      state = Status::error("internal error: StatusOr holds no value");
  }
  /// Holds a value.
  StatusOr(T value) : value(std::move(value)) {}

  bool ok() const { return state.ok(); }
  /// The error, or success when a value is held.
  const Status &status() const { return state; }

  /// The held value; only valid when ok().
  T &operator*() & { return *value; }
  const T &operator*() const & { return *value; }
  T &&operator*() && { return std::move(*value); }
  T *operator->() { return &*value; }
  const T *operator->() const { return &*value; }

private:
  Status state;
  std::optional<T> value;
};

} // namespace tokamak::rt

#endif // TOKAMAK_RUNTIME_STATUS_H
