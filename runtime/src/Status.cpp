//===- Status.cpp - Errors as values --------------------------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/Status.h"

#include <cctype>
#include <cstring>

using namespace tokamak::rt;

Status Status::error(std::string message) {
  Status status;
  status.isError = true;
  status.text = std::move(message);
  return status;
}

Status Status::fromErrno(int errnum, std::string_view what) {
  std::string reason = std::strerror(errnum);
  // strerror capitalizes ("No such file or directory"); messages are lower
  // case.
  if (!reason.empty())
    reason[0] = static_cast<char>(std::tolower(reason[0]));
  return error(std::string(what) + ": " + reason);
}

Status Status::withContext(std::string_view context) const {
  if (ok())
    return *this;
  return error(std::string(context) + ": " + text);
}

std::string tokamak::rt::printableBytes(std::string_view bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size());
  for (char c : bytes) {
    unsigned char byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f && byte != '\\') {
      out += c;
      continue;
    }
    out += "\\x";
    out += kHex[byte >> 4];
    out += kHex[byte & 0xf];
  }
  return out;
}
