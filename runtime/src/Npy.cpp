//===- Npy.cpp - NumPy .npy files -----------------------------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// Format:
// https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
// "\x93NUMPY", major and minor version bytes, the header length (2 bytes
// little-endian in version 1, 4 bytes in versions 2 and 3), then a Python
// dict literal {'descr': ..., 'fortran_order': ..., 'shape': (...), } padded
// with spaces and a newline, then the raw data.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/Npy.h"

#include "tokamak/runtime/OutputFiles.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

using namespace tokamak::rt;

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
/// NumPy itself refuses headers over 10000 bytes unless told otherwise.
constexpr uint32_t kMaxHeaderSize = 1 << 20;

struct DescrMapping {
  const char *descr;
  DType dtype;
};

/// The descrs read; one-byte types come with either byte-order mark.
constexpr DescrMapping kReadDescrs[] = {
    {"<f4", DType::f32}, {"<f2", DType::f16}, {"<f8", DType::f64},
    {"|i1", DType::i8},  {"<i1", DType::i8},  {"<i2", DType::i16},
    {"<i4", DType::i32}, {"<i8", DType::i64}, {"|u1", DType::u8},
    {"<u1", DType::u8},  {"<u2", DType::u16}, {"|b1", DType::i1},
};

const char *writeDescr(DType dtype) {
  switch (dtype) {
  case DType::f32:
    return "<f4";
  case DType::f16:
    return "<f2";
  case DType::f64:
    return "<f8";
  case DType::i8:
    return "|i1";
  case DType::i16:
    return "<i2";
  case DType::i32:
    return "<i4";
  case DType::i64:
    return "<i8";
  case DType::u8:
    return "|u1";
  case DType::bf16: // Raw bits; NumPy has no bfloat16.
  case DType::u16:
    return "<u2";
  case DType::i1:
    return "|b1";
  }
  return "<f4";
}

StatusOr<DType> dtypeForDescr(const std::string &descr) {
  for (const DescrMapping &entry : kReadDescrs)
    if (descr == entry.descr)
      return entry.dtype;
  if (!descr.empty() && descr[0] == '>')
    return Status::error("big-endian data ('" + printableBytes(descr) +
                         "') is not supported (convert with "
                         "arr.astype(arr.dtype.newbyteorder('<')))");
  if (descr.size() >= 2 && descr[1] == 'O')
    return Status::error("object arrays are not supported");
  return Status::error("unsupported dtype '" + printableBytes(descr) + "'");
}

struct NpyHeader {
  std::string descr;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
};

/// Parses the Python dict literal of a .npy header.
class HeaderParser {
public:
  explicit HeaderParser(std::string_view text) : text(text) {}

  StatusOr<NpyHeader> parse() {
    NpyHeader header;
    bool seenDescr = false, seenOrder = false, seenShape = false;
    skipSpace();
    if (!consume('{'))
      return malformed("expected '{'");
    while (true) {
      skipSpace();
      if (consume('}'))
        break;
      StatusOr<std::string> key = parseString();
      if (!key.ok())
        return key.status();
      skipSpace();
      if (!consume(':'))
        return malformed("expected ':' after '" + printableBytes(*key) + "'");
      skipSpace();
      Status status;
      if (*key == "descr" && !seenDescr) {
        seenDescr = true;
        if (peek() == '[')
          return Status::error("structured dtypes are not supported");
        StatusOr<std::string> descr = parseString();
        if (!descr.ok())
          return descr.status();
        header.descr = *descr;
      } else if (*key == "fortran_order" && !seenOrder) {
        seenOrder = true;
        status = parseBool(header.fortranOrder);
      } else if (*key == "shape" && !seenShape) {
        seenShape = true;
        status = parseShape(header.shape);
      } else {
        bool known =
            *key == "descr" || *key == "fortran_order" || *key == "shape";
        return malformed((known ? "duplicate key '" : "unexpected key '") +
                         printableBytes(*key) + "'");
      }
      if (!status.ok())
        return status;
      skipSpace();
      if (consume('}'))
        break;
      if (!consume(','))
        return malformed("expected ',' or '}' after '" + printableBytes(*key) +
                         "'");
    }
    skipSpace();
    if (pos != text.size())
      return malformed("unexpected text after '}'");
    for (auto [seen, key] :
         {std::pair(seenDescr, "descr"), std::pair(seenOrder, "fortran_order"),
          std::pair(seenShape, "shape")})
      if (!seen)
        return Status::error(std::string("malformed header: missing '") + key +
                             "'");
    return header;
  }

private:
  Status malformed(const std::string &what) const {
    return Status::error("malformed header: " + what + " at offset " +
                         std::to_string(pos));
  }

  char peek() const { return pos < text.size() ? text[pos] : '\0'; }

  bool consume(char c) {
    if (peek() != c)
      return false;
    ++pos;
    return true;
  }

  void skipSpace() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' ||
                                 text[pos] == '\n' || text[pos] == '\r'))
      ++pos;
  }

  StatusOr<std::string> parseString() {
    char quote = peek();
    if (quote != '\'' && quote != '"')
      return malformed("expected a quoted string");
    size_t end = text.find(quote, pos + 1);
    if (end == std::string_view::npos)
      return malformed("unterminated string");
    std::string value(text.substr(pos + 1, end - pos - 1));
    pos = end + 1;
    return value;
  }

  Status parseBool(bool &value) {
    if (text.substr(pos, 4) == "True") {
      value = true;
      pos += 4;
    } else if (text.substr(pos, 5) == "False") {
      value = false;
      pos += 5;
    } else {
      return malformed("expected True or False");
    }
    return Status::success();
  }

  /// "()", "(3,)", "(2, 3)", "(2, 3,)"; Python 2 files may write "3L".
  Status parseShape(std::vector<int64_t> &shape) {
    if (!consume('('))
      return malformed("expected '(' to start the shape");
    skipSpace();
    while (!consume(')')) {
      if (peek() < '0' || peek() > '9')
        return malformed("expected a non-negative dimension");
      int64_t dim = 0;
      while (peek() >= '0' && peek() <= '9') {
        int digit = text[pos++] - '0';
        if (dim > (INT64_MAX - digit) / 10)
          return Status::error("dimension in 'shape' overflows 64 bits");
        dim = dim * 10 + digit;
      }
      consume('L');
      shape.push_back(dim);
      skipSpace();
      if (consume(','))
        skipSpace();
      else if (peek() != ')')
        return malformed("expected ',' or ')' in the shape");
    }
    return Status::success();
  }

  std::string_view text;
  size_t pos = 0;
};

struct FileCloser {
  void operator()(FILE *file) const { std::fclose(file); }
};
using FilePtr = std::unique_ptr<FILE, FileCloser>;

uint32_t readLittleEndian(const unsigned char *bytes, size_t count) {
  uint32_t value = 0;
  for (size_t i = 0; i < count; ++i)
    value |= static_cast<uint32_t>(bytes[i]) << (8 * i);
  return value;
}

/// Reads exactly `size` bytes unless the file ends first; returns the count.
size_t readFully(FILE *file, void *data, size_t size) {
  return std::fread(data, 1, size, file);
}

/// Bytes read from a pipe or other stream per step: its data is read in
/// chunks as it arrives, so that a header claiming gigabytes costs no more
/// memory than the stream really holds. Steps start small and double (as
/// much as was read so far), up to the largest.
constexpr size_t kStreamFirstChunk = size_t(1) << 16;
constexpr size_t kStreamChunk = size_t(1) << 24;

/// Reads the `dataSize` bytes of data of a stream (whose size is not known
/// up front) into `tensor`, allocated only once they all arrived.
StatusOr<HostTensor>
readStreamData(FILE *file, DType dtype, const std::vector<int64_t> &shape,
               int64_t dataSize,
               const std::function<Status(int64_t)> &truncated) {
  std::vector<char> buffer;
  try {
    size_t want = static_cast<size_t>(dataSize);
    while (buffer.size() < want) {
      size_t step =
          std::min({std::clamp(buffer.size(), kStreamFirstChunk, kStreamChunk),
                    want - buffer.size()});
      size_t before = buffer.size();
      buffer.resize(before + step);
      size_t got = readFully(file, buffer.data() + before, step);
      if (got < step)
        return truncated(static_cast<int64_t>(before + got));
    }
  } catch (const std::bad_alloc &) {
    return Status::error("out of memory reading " +
                         std::to_string(buffer.size()) + " bytes of data");
  }
  StatusOr<HostTensor> tensor = HostTensor::create(dtype, shape);
  if (!tensor.ok())
    return tensor.status();
  if (!buffer.empty())
    std::memcpy(tensor->rawData(), buffer.data(), buffer.size());
  return tensor;
}

/// Reads the array from an open file; errors do not yet name the file.
StatusOr<HostTensor> readFromFile(FILE *file, const NpyHeaderCheck &check) {
  struct stat info;
  if (fstat(fileno(file), &info) != 0) {
    int err = errno;
    return Status::fromErrno(err, "cannot stat the file");
  }
  if (S_ISDIR(info.st_mode))
    return Status::error("is a directory, not a .npy file");
  // Only a regular file's size is known up front.
  int64_t fileSize = S_ISREG(info.st_mode) ? info.st_size : -1;

  unsigned char prefix[12];
  size_t got = readFully(file, prefix, 8);
  if (got < kMagicSize || std::memcmp(prefix, kMagic, kMagicSize) != 0)
    return Status::error("not a .npy file (no \\x93NUMPY magic)");
  if (got < 8)
    return Status::error("truncated header");
  unsigned major = prefix[6], minor = prefix[7];
  if (major < 1 || major > 3 || minor != 0)
    return Status::error("unsupported .npy version " + std::to_string(major) +
                         "." + std::to_string(minor) +
                         " (supported: 1.0, 2.0, 3.0)");
  size_t lengthSize = major == 1 ? 2 : 4;
  if (readFully(file, prefix + 8, lengthSize) != lengthSize)
    return Status::error("truncated header");
  uint32_t headerSize = readLittleEndian(prefix + 8, lengthSize);
  int64_t dataOffset = 8 + static_cast<int64_t>(lengthSize) + headerSize;
  if (headerSize > kMaxHeaderSize)
    return Status::error("header length " + std::to_string(headerSize) +
                         " is implausibly large");
  if (fileSize >= 0 && dataOffset > fileSize)
    return Status::error("truncated header (it claims " +
                         std::to_string(headerSize) + " bytes)");
  std::string headerText(headerSize, '\0');
  if (readFully(file, headerText.data(), headerSize) != headerSize)
    return Status::error("truncated header (it claims " +
                         std::to_string(headerSize) + " bytes)");
  // The format ends the header with a newline; a header length that is off
  // shows here rather than as data of the wrong size.
  if (headerText.empty() || headerText.back() != '\n')
    return Status::error(
        "malformed header: its " + std::to_string(headerSize) +
        " bytes (the header length field) do not end with a newline; the "
        "header length is wrong or the header is damaged");

  StatusOr<NpyHeader> header = HeaderParser(headerText).parse();
  if (!header.ok())
    return header.status();
  if (header->fortranOrder)
    return Status::error("fortran-order arrays are not supported (save a C "
                         "order array: np.ascontiguousarray(arr))");
  StatusOr<DType> dtype = dtypeForDescr(header->descr);
  if (!dtype.ok())
    return dtype.status();
  StatusOr<int64_t> numel = checkedNumElements(header->shape, *dtype);
  if (!numel.ok())
    return numel.status();
  // What the caller expects, before anything is allocated.
  if (check)
    if (Status s = check(*dtype, header->shape); s.failed())
      return s;
  int64_t dataSize = *numel * static_cast<int64_t>(dtypeSize(*dtype));
  std::string type = formatTensorType(header->shape, *dtype);
  auto truncated = [&](int64_t have) {
    return Status::error("truncated data: the header says " + type +
                         ", which needs " + std::to_string(dataSize) +
                         " bytes, but the file has " + std::to_string(have));
  };
  auto trailing = [&](int64_t extra) {
    return Status::error(std::to_string(extra) +
                         " unexpected bytes after the " + type + " data");
  };
  if (fileSize >= 0 && fileSize - dataOffset < dataSize)
    return truncated(fileSize - dataOffset);
  if (fileSize >= 0 && fileSize - dataOffset > dataSize)
    return trailing(fileSize - dataOffset - dataSize);

  StatusOr<HostTensor> tensor = Status::error("no data");
  if (fileSize >= 0) {
    tensor = HostTensor::create(*dtype, header->shape);
    if (!tensor.ok())
      return tensor.status();
    size_t read = readFully(file, tensor->rawData(), tensor->byteSize());
    if (read != tensor->byteSize())
      return truncated(static_cast<int64_t>(read));
  } else {
    tensor = readStreamData(file, *dtype, header->shape, dataSize, truncated);
    if (!tensor.ok())
      return tensor.status();
  }
  if (std::fgetc(file) != EOF)
    return trailing(1);
  // NumPy's bool is one byte holding 0 or 1; other bytes are not booleans.
  if (*dtype == DType::i1) {
    const auto *bytes = static_cast<const unsigned char *>(tensor->rawData());
    for (int64_t i = 0; i < *numel; ++i)
      if (bytes[i] > 1)
        return Status::error("element " + std::to_string(i) +
                             " of the |b1 (bool) data is " +
                             std::to_string(bytes[i]) + ", not 0 or 1");
  }
  return tensor;
}

Status writeAll(int fd, const void *data, size_t size) {
  const char *bytes = static_cast<const char *>(data);
  while (size > 0) {
    ssize_t written = ::write(fd, bytes, size);
    if (written < 0 && errno == EINTR)
      continue;
    if (written <= 0) {
      int err = written < 0 ? errno : EIO;
      return Status::fromErrno(err, "write failed");
    }
    bytes += written;
    size -= static_cast<size_t>(written);
  }
  return Status::success();
}

std::string makeHeader(const HostTensor &tensor) {
  std::string shape = "(";
  for (int64_t dim : tensor.shape())
    shape += std::to_string(dim) + (tensor.rank() == 1 ? "," : ", ");
  if (tensor.rank() > 1)
    shape.resize(shape.size() - 2);
  shape += ")";
  std::string dict = std::string("{'descr': '") + writeDescr(tensor.dtype()) +
                     "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad with spaces and end with a newline so that the data starts 64-byte
  // aligned, as NumPy does; version 2.0 only when the length needs 4 bytes.
  auto padded = [&](size_t prefixSize) {
    size_t total = prefixSize + dict.size() + 1;
    return dict.size() + 1 + (64 - total % 64) % 64;
  };
  bool version1 = padded(10) <= 0xffff;
  size_t prefixSize = version1 ? 10 : 12;
  dict.resize(padded(prefixSize) - 1, ' ');
  dict += '\n';

  std::string bytes(kMagic, kMagicSize);
  bytes += static_cast<char>(version1 ? 1 : 2);
  bytes += '\0';
  size_t length = dict.size();
  for (size_t i = 0; i < prefixSize - 8; ++i)
    bytes += static_cast<char>((length >> (8 * i)) & 0xff);
  return bytes + dict;
}

} // namespace

StatusOr<HostTensor> tokamak::rt::readNpy(const std::string &path,
                                          const NpyHeaderCheck &check) {
  // A FIFO blocks here until a writer opens it, as `cat` does.
  FilePtr file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    int err = errno;
    return Status::fromErrno(err, "cannot open '" + path + "'");
  }
  StatusOr<HostTensor> tensor = readFromFile(file.get(), check);
  if (!tensor.ok())
    return tensor.status().withContext(path);
  return tensor;
}

Status tokamak::rt::writeNpyTo(const std::string &path,
                               const HostTensor &tensor) {
  std::string header = makeHeader(tensor);
  int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    return Status::fromErrno(err, "cannot open the file");
  }
  Status status = writeAll(fd, header.data(), header.size());
  if (status.ok())
    status = writeAll(fd, tensor.rawData(), tensor.byteSize());
  if (::close(fd) != 0 && status.ok()) {
    int err = errno;
    status = Status::fromErrno(err, "close failed");
  }
  return status;
}

Status tokamak::rt::writeNpy(const std::string &path,
                             const HostTensor &tensor) {
  return writeFileAtomically(path, [&](const std::string &temp) {
    return writeNpyTo(temp, tensor).withContext("cannot write '" + path + "'");
  });
}

StatusOr<HostTensor> tokamak::rt::coerceTo(HostTensor tensor, DType expected) {
  if (tensor.dtype() == expected)
    return tensor;
  if (tensor.dtype() == DType::u16 && expected == DType::bf16)
    return std::move(tensor).reinterpret(DType::bf16);
  std::string message = std::string("expected ") + dtypeName(expected) +
                        " data, got " + dtypeName(tensor.dtype());
  if (expected == DType::bf16)
    message += " (store bf16 tensors as uint16 arrays of the raw bits)";
  return Status::error(message);
}
