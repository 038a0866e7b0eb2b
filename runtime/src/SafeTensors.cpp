//===- SafeTensors.cpp - Hugging Face safetensors weights -----------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// Format: https://huggingface.co/docs/safetensors#format and the reference
// reader (safetensors-rs, `SafeTensors::read_metadata`).
//
// The JSON (header and index) is read through nlohmann-json's SAX interface
// rather than into a DOM: a hostile 100 MB header such as "[[[[..." or one
// very long shape would otherwise become gigabytes of json values. The
// handlers below accept only the structure safetensors uses, bound nesting
// and rank, keep memory to a small multiple of the text, see duplicate keys
// (which a DOM silently collapses), and stop at the first problem. Neither
// throws: syntax errors arrive through `parse_error`.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/SafeTensors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <set>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace tokamak::rt;
using nlohmann::json;

namespace {

/// Unknown tensor fields and the index's other members are skipped up to
/// this nesting depth.
constexpr int kMaxNesting = 64;
/// Names and tokens quoted in messages are cut to this many bytes.
constexpr size_t kMaxQuoted = 200;

/// The element types a safetensors file may hold, in the order messages
/// list them; names and sizes come from DType.h.
constexpr DType kSafeTensorsDTypes[] = {
    DType::f64, DType::f32, DType::f16, DType::bf16, DType::i64, DType::i32,
    DType::i16, DType::i8,  DType::u16, DType::u8,   DType::i1};

/// `text` for a message: bytes outside printable ASCII escaped as \xNN (so
/// that a hostile name cannot garble a terminal or a log), cut after
/// kMaxQuoted bytes.
std::string clip(std::string_view text) {
  static const char kHex[] = "0123456789abcdef";
  std::string result;
  for (size_t i = 0; i < text.size() && i < kMaxQuoted; ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte < 0x7f) {
      result += static_cast<char>(byte);
      continue;
    }
    result += "\\x";
    result += kHex[byte >> 4];
    result += kHex[byte & 0xf];
  }
  if (text.size() > kMaxQuoted)
    result += "...";
  return result;
}

/// 'text', clipped.
std::string quote(std::string_view text) { return "'" + clip(text) + "'"; }

std::string joinPath(const std::string &dir, const std::string &name) {
  if (dir.empty())
    return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

/// A read-only private mapping of a whole file, unmapped with its last
/// owner.
class FileMapping {
public:
  FileMapping(void *base, size_t length) : base(base), length(length) {}
  ~FileMapping() { ::munmap(base, length); }
  FileMapping(const FileMapping &) = delete;
  FileMapping &operator=(const FileMapping &) = delete;

  const uint8_t *bytes() const { return static_cast<const uint8_t *>(base); }
  size_t size() const { return length; }

private:
  void *base;
  size_t length;
};

/// Closes a file descriptor when it goes out of scope.
class FdGuard {
public:
  explicit FdGuard(int fd) : fd(fd) {}
  ~FdGuard() { ::close(fd); }
  FdGuard(const FdGuard &) = delete;
  FdGuard &operator=(const FdGuard &) = delete;

private:
  int fd;
};

/// Opens `path` for reading without blocking (a FIFO with no writer would
/// block a plain open) and checks it is a non-empty regular file.
StatusOr<int> openRegularFile(const std::string &path, off_t &size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    return Status::fromErrno(err, "cannot open '" + path + "'");
  }
  struct stat info;
  Status status;
  if (::fstat(fd, &info) != 0) {
    int err = errno;
    status = Status::fromErrno(err, "cannot stat '" + path + "'");
  } else if (S_ISDIR(info.st_mode)) {
    status = Status::error(path + ": is a directory, not a file");
  } else if (!S_ISREG(info.st_mode)) {
    status = Status::error(path + ": not a regular file");
  } else if (info.st_size == 0) {
    status = Status::error(path + ": empty file");
  }
  if (!status.ok()) {
    ::close(fd);
    return status;
  }
  size = info.st_size;
  return fd;
}

/// Maps the whole regular file at `path` read-only.
StatusOr<std::shared_ptr<FileMapping>> mapFile(const std::string &path) {
  off_t size = 0;
  StatusOr<int> fd = openRegularFile(path, size);
  if (!fd.ok())
    return fd.status();
  FdGuard guard(*fd);
  void *base = ::mmap(nullptr, static_cast<size_t>(size), PROT_READ,
                      MAP_PRIVATE, *fd, 0);
  if (base == MAP_FAILED) {
    int err = errno;
    return Status::fromErrno(err, "cannot map '" + path + "'");
  }
  return std::make_shared<FileMapping>(base, static_cast<size_t>(size));
}

/// The whole regular file at `path`, of at most `limit` bytes.
StatusOr<std::string> readFile(const std::string &path, uint64_t limit) {
  off_t size = 0;
  StatusOr<int> fd = openRegularFile(path, size);
  if (!fd.ok())
    return fd.status();
  FdGuard guard(*fd);
  if (static_cast<uint64_t>(size) > limit)
    return Status::error(path + ": file of " + std::to_string(size) +
                         " bytes is over the " + std::to_string(limit) +
                         "-byte limit");
  std::string text(static_cast<size_t>(size), '\0');
  size_t done = 0;
  while (done < text.size()) {
    ssize_t got = ::read(*fd, text.data() + done, text.size() - done);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      int err = errno;
      return Status::fromErrno(err, "cannot read '" + path + "'");
    }
    if (got == 0)
      return Status::error(path + ": file shrank while being read");
    done += static_cast<size_t>(got);
  }
  return text;
}

//===----------------------------------------------------------------------===//
// SAX handlers
//===----------------------------------------------------------------------===//

/// What the SAX handlers share: the first error, skipping values nobody
/// reads (with bounded nesting), and JSON syntax errors.
class HandlerBase : public json::json_sax_t {
public:
  /// `subject` starts messages about the JSON as a whole ("header").
  explicit HandlerBase(const char *subject) : subject(subject) {}

  /// The first problem found; success while there is none.
  const Status &status() const { return error; }

  bool binary(json::binary_t &) override {
    return fail("unexpected binary value");
  }

  bool parse_error(size_t, const std::string &,
                   const json::exception &exception) override {
    // Drop the "[json.exception.parse_error.101] " prefix.
    std::string_view reason = exception.what();
    size_t bracket = reason.find("] ");
    if (reason.rfind("[json.exception.", 0) == 0 &&
        bracket != std::string_view::npos)
      reason.remove_prefix(bracket + 2);
    return fail(std::string(subject) + " is not valid JSON: " + clip(reason));
  }

protected:
  /// Records `message` as the error (the first one wins); returns false,
  /// which stops the parser.
  bool fail(std::string message) {
    if (error.ok())
      error = Status::error(std::move(message));
    return false;
  }

  /// Enters one more level of a skipped value.
  bool enterSkip() {
    if (++skipDepth > kMaxNesting)
      return fail(std::string(subject) + " nests deeper than " +
                  std::to_string(kMaxNesting) + " levels");
    return true;
  }
  /// Leaves one level of a skipped value; true when the whole value ended.
  bool leaveSkip() { return --skipDepth == 0; }

private:
  const char *subject;
  Status error;
  int skipDepth = 0;
};

/// A tensor entry as the header states it, before validation.
struct RawTensor {
  std::string name;
  std::optional<std::string> dtype;
  std::optional<std::vector<int64_t>> shape;
  std::optional<std::vector<uint64_t>> offsets;
};

/// Reads a safetensors header:
///   {"__metadata__": {string: string, ...},
///    name: {"dtype": string, "shape": [uint, ...],
///           "data_offsets": [uint, uint], other keys ignored}, ...}
class HeaderHandler final : public HandlerBase {
public:
  HeaderHandler() : HandlerBase("header") {}

  /// The tensors in header order.
  std::vector<RawTensor> tensors;
  std::map<std::string, std::string> metadata;

  bool null() override { return scalar("null"); }
  bool boolean(bool) override { return scalar("a boolean"); }
  bool number_integer(json::number_integer_t value) override {
    if (state != State::Array)
      return scalar("a number");
    if (value < 0)
      return fail(where() + "negative " +
                  (field == Field::Shape ? "dimension " : "offset ") +
                  std::to_string(value) + " in '" + fieldName() + "'");
    return element(static_cast<uint64_t>(value));
  }
  bool number_unsigned(json::number_unsigned_t value) override {
    if (state != State::Array)
      return scalar("a number");
    return element(value);
  }
  bool number_float(json::number_float_t, const std::string &text) override {
    if (state == State::Array)
      return fail(where() + "'" + fieldName() + "' must hold integers, got " +
                  clip(text));
    return scalar("a number");
  }
  bool string(std::string &value) override {
    if (state == State::MetadataValue) {
      metadata.emplace(std::move(lastKey), std::move(value));
      state = State::Metadata;
      return true;
    }
    if (state == State::FieldValue && field == Field::DType) {
      tensors.back().dtype = std::move(value);
      state = State::Tensor;
      return true;
    }
    return scalar("a string");
  }
  bool start_object(size_t) override {
    switch (state) {
    case State::Start:
      state = State::Root;
      return true;
    case State::RootValue:
      if (lastKey == "__metadata__") {
        state = State::Metadata;
        return true;
      }
      tensors.push_back(RawTensor{std::move(lastKey), {}, {}, {}});
      state = State::Tensor;
      return true;
    case State::FieldValue:
    case State::Skip:
      if (state == State::Skip || field == Field::Other) {
        state = State::Skip;
        return enterSkip();
      }
      break;
    default:
      break;
    }
    return scalar("an object");
  }
  bool start_array(size_t) override {
    if (state == State::FieldValue && field == Field::Shape) {
      tensors.back().shape.emplace();
      state = State::Array;
      return true;
    }
    if (state == State::FieldValue && field == Field::Offsets) {
      tensors.back().offsets.emplace();
      state = State::Array;
      return true;
    }
    if (state == State::Skip ||
        (state == State::FieldValue && field == Field::Other)) {
      state = State::Skip;
      return enterSkip();
    }
    return scalar("an array");
  }
  bool end_array() override { return endContainer(); }
  bool end_object() override { return endContainer(); }
  bool key(std::string &name) override {
    switch (state) {
    case State::Root:
      if (!rootKeys.insert(name).second)
        return fail(name == "__metadata__" ? "duplicate '__metadata__'"
                                           : "duplicate tensor " + quote(name));
      lastKey = std::move(name);
      state = State::RootValue;
      return true;
    case State::Metadata:
      if (metadata.count(name))
        return fail("duplicate '__metadata__' key " + quote(name));
      lastKey = std::move(name);
      state = State::MetadataValue;
      return true;
    case State::Tensor: {
      RawTensor &tensor = tensors.back();
      bool seen = false;
      if (name == "dtype") {
        field = Field::DType;
        seen = tensor.dtype.has_value();
      } else if (name == "shape") {
        field = Field::Shape;
        seen = tensor.shape.has_value();
      } else if (name == "data_offsets") {
        field = Field::Offsets;
        seen = tensor.offsets.has_value();
      } else {
        field = Field::Other;
      }
      if (seen)
        return fail(where() + "duplicate key '" + name + "'");
      state = State::FieldValue;
      return true;
    }
    default:
      return true;
    }
  }

private:
  enum class State {
    Start,         // Before the root.
    Root,          // In the root object, before a key or its end.
    RootValue,     // After root key `lastKey`.
    Metadata,      // In "__metadata__".
    MetadataValue, // After metadata key `lastKey`.
    Tensor,        // In tensors.back()'s object.
    FieldValue,    // After a key of it; `field` says which.
    Array,         // In its "shape" or "data_offsets" array.
    Skip,          // In the value of an unknown key of it.
  };
  enum class Field { DType, Shape, Offsets, Other };

  /// "tensor 'name': ", the context of tensors.back().
  std::string where() const {
    return "tensor " + quote(tensors.back().name) + ": ";
  }
  const char *fieldName() const {
    switch (field) {
    case Field::DType:
      return "dtype";
    case Field::Shape:
      return "shape";
    default:
      return "data_offsets";
    }
  }

  /// A value of kind `kind` (e.g. "a string") where nothing else accepted it.
  bool scalar(const char *kind) {
    switch (state) {
    case State::Start:
      return fail(std::string("header is not a JSON object, got ") + kind);
    case State::RootValue:
      if (lastKey == "__metadata__")
        return fail(
            std::string("'__metadata__' must be an object of strings, got ") +
            kind);
      return fail("tensor " + quote(lastKey) + ": expected an object, got " +
                  kind);
    case State::MetadataValue:
      return fail("'__metadata__' value " + quote(lastKey) +
                  " must be a string, got " + kind);
    case State::FieldValue:
      if (field == Field::Other) {
        state = State::Tensor;
        return true;
      }
      return fail(
          where() + "'" + fieldName() + "' must be " +
          (field == Field::DType ? "a string" : "an array of integers") +
          ", got " + kind);
    case State::Array:
      return fail(where() + "'" + fieldName() + "' must hold integers, got " +
                  kind);
    case State::Skip:
      return true;
    default:
      return fail(std::string("unexpected ") + kind + " in the header");
    }
  }

  /// An integer of the "shape" or "data_offsets" array.
  bool element(uint64_t value) {
    RawTensor &tensor = tensors.back();
    if (field == Field::Offsets) {
      if (tensor.offsets->size() == 2)
        return fail(where() + "'data_offsets' must be [begin, end], got more "
                              "than 2 values");
      tensor.offsets->push_back(value);
      return true;
    }
    if (tensor.shape->size() == kMaxSafeTensorsRank)
      return fail(where() + "'shape' has over " +
                  std::to_string(kMaxSafeTensorsRank) + " dimensions");
    if (value > static_cast<uint64_t>(INT64_MAX))
      return fail(where() + "dimension " + std::to_string(value) +
                  " in 'shape' is too large");
    tensor.shape->push_back(static_cast<int64_t>(value));
    return true;
  }

  bool endContainer() {
    switch (state) {
    case State::Metadata:
    case State::Tensor:
      state = State::Root;
      break;
    case State::Array:
      state = State::Tensor;
      break;
    case State::Skip:
      if (leaveSkip())
        state = State::Tensor;
      break;
    default: // The root ended; the parser checks nothing follows.
      break;
    }
    return true;
  }

  State state = State::Start;
  Field field = Field::Other;
  /// The last root or metadata key.
  std::string lastKey;
  std::set<std::string> rootKeys;
};

/// Reads a model.safetensors.index.json:
///   {"weight_map": {tensor name: shard file, ...}, other keys ignored}
class IndexHandler final : public HandlerBase {
public:
  IndexHandler() : HandlerBase("index") {}

  /// The "weight_map" entries in file order.
  std::vector<std::pair<std::string, std::string>> weightMap;
  bool sawWeightMap = false;

  bool null() override { return scalar("null"); }
  bool boolean(bool) override { return scalar("a boolean"); }
  bool number_integer(json::number_integer_t) override {
    return scalar("a number");
  }
  bool number_unsigned(json::number_unsigned_t) override {
    return scalar("a number");
  }
  bool number_float(json::number_float_t, const std::string &) override {
    return scalar("a number");
  }
  bool string(std::string &value) override {
    if (state != State::WeightMapValue)
      return scalar("a string");
    weightMap.emplace_back(std::move(lastKey), std::move(value));
    state = State::WeightMap;
    return true;
  }
  bool start_object(size_t) override {
    if (state == State::Start) {
      state = State::Root;
      return true;
    }
    if (state == State::RootValue && lastKey == "weight_map") {
      sawWeightMap = true;
      state = State::WeightMap;
      return true;
    }
    return startContainer("an object");
  }
  bool start_array(size_t) override { return startContainer("an array"); }
  bool end_object() override { return endContainer(); }
  bool end_array() override { return endContainer(); }
  bool key(std::string &name) override {
    if (state == State::Root) {
      if (!rootKeys.insert(name).second)
        return fail("duplicate key " + quote(name));
      lastKey = std::move(name);
      state = State::RootValue;
    } else if (state == State::WeightMap) {
      if (!tensorNames.insert(name).second)
        return fail("tensor " + quote(name) +
                    " is listed twice in 'weight_map'");
      lastKey = std::move(name);
      state = State::WeightMapValue;
    }
    return true;
  }

private:
  enum class State {
    Start,          // Before the root.
    Root,           // In the root object.
    RootValue,      // After root key `lastKey`.
    WeightMap,      // In "weight_map".
    WeightMapValue, // After its key `lastKey`.
    Skip,           // In a value nobody reads.
  };

  bool scalar(const char *kind) {
    switch (state) {
    case State::Start:
      return fail(std::string("index is not a JSON object, got ") + kind);
    case State::RootValue:
      if (lastKey == "weight_map")
        return fail(std::string("'weight_map' must be an object, got ") + kind);
      state = State::Root;
      return true;
    case State::WeightMapValue:
      return fail("'weight_map' entry " + quote(lastKey) +
                  " must be a string, got " + kind);
    case State::Skip:
      return true;
    default:
      return fail(std::string("unexpected ") + kind);
    }
  }

  bool startContainer(const char *kind) {
    if (state == State::Skip ||
        (state == State::RootValue && lastKey != "weight_map")) {
      state = State::Skip;
      return enterSkip();
    }
    return scalar(kind);
  }

  bool endContainer() {
    if (state == State::WeightMap || (state == State::Skip && leaveSkip()))
      state = State::Root;
    return true;
  }

  State state = State::Start;
  std::string lastKey;
  std::set<std::string> rootKeys;
  std::set<std::string> tensorNames;
};

//===----------------------------------------------------------------------===//
// Images
//===----------------------------------------------------------------------===//

/// A parsed safetensors image.
struct ParsedImage {
  /// Sorted by name.
  std::vector<SafeTensorInfo> tensors;
  std::map<std::string, std::string> metadata;
};

/// Validates the header's tensors against the `dataSize`-byte data section
/// at `data`; returns them sorted by name.
StatusOr<std::vector<SafeTensorInfo>> checkTensors(std::vector<RawTensor> &raw,
                                                   const uint8_t *data,
                                                   size_t dataSize,
                                                   std::string_view fileName) {
  struct Range {
    uint64_t begin, end;
    const std::string *name;
  };
  std::vector<SafeTensorInfo> tensors;
  tensors.reserve(raw.size());
  std::vector<Range> ranges;
  ranges.reserve(raw.size());
  for (RawTensor &entry : raw) {
    std::string what = "tensor " + quote(entry.name);
    for (auto [present, key] :
         {std::pair(entry.dtype.has_value(), "dtype"),
          std::pair(entry.shape.has_value(), "shape"),
          std::pair(entry.offsets.has_value(), "data_offsets")})
      if (!present)
        return Status::error(what + ": missing '" + key + "'");
    StatusOr<DType> dtype = parseSafeTensorsDType(*entry.dtype);
    if (!dtype.ok())
      return dtype.status().withContext(what);
    StatusOr<int64_t> numel = checkedNumElements(*entry.shape, *dtype);
    if (!numel.ok())
      return numel.status().withContext(what);
    const std::vector<uint64_t> &offsets = *entry.offsets;
    if (offsets.size() != 2)
      return Status::error(what +
                           ": 'data_offsets' must be [begin, end], got " +
                           std::to_string(offsets.size()) + " values");
    uint64_t begin = offsets[0], end = offsets[1];
    std::string range =
        "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
    if (begin > end)
      return Status::error(what + ": 'data_offsets' " + range +
                           " end before they begin");
    if (end > dataSize)
      return Status::error(what + ": 'data_offsets' " + range +
                           " run past the end of the " +
                           std::to_string(dataSize) + "-byte data section");
    size_t elementSize = dtypeSize(*dtype);
    // checkedNumElements bounds this by kMaxTensorBytes: no overflow.
    uint64_t byteSize = static_cast<uint64_t>(*numel) * elementSize;
    if (end - begin != byteSize)
      return Status::error(what + ": 'data_offsets' " + range + " hold " +
                           std::to_string(end - begin) + " bytes, but " +
                           formatTensorType(*entry.shape, *dtype) + " needs " +
                           std::to_string(byteSize));
    if (begin % elementSize != 0)
      return Status::error(what + ": data offset " + std::to_string(begin) +
                           " is not a multiple of the " +
                           std::to_string(elementSize) +
                           "-byte element size (unaligned)");
    SafeTensorInfo tensor;
    tensor.name = std::move(entry.name);
    tensor.dtype = *dtype;
    tensor.shape = std::move(*entry.shape);
    tensor.data = data + begin;
    tensor.byteSize = static_cast<size_t>(byteSize);
    tensor.file = std::string(fileName);
    tensors.push_back(std::move(tensor));
  }
  // Names are final now: `tensors` no longer grows.
  for (const SafeTensorInfo &tensor : tensors) {
    auto begin =
        static_cast<uint64_t>(static_cast<const uint8_t *>(tensor.data) - data);
    ranges.push_back({begin, begin + tensor.byteSize, &tensor.name});
  }

  // Gaps are allowed, overlaps are not. Sorted by start, each non-empty
  // range must start at or after the end of the previous non-empty one.
  std::sort(ranges.begin(), ranges.end(), [](const Range &a, const Range &b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  const Range *previous = nullptr;
  for (const Range &range : ranges) {
    if (range.begin == range.end)
      continue;
    if (previous && range.begin < previous->end)
      return Status::error(
          "tensors " + quote(*previous->name) + " and " + quote(*range.name) +
          " overlap (bytes [" + std::to_string(previous->begin) + ", " +
          std::to_string(previous->end) + ") and [" +
          std::to_string(range.begin) + ", " + std::to_string(range.end) +
          ") of the data section)");
    previous = &range;
  }

  std::sort(tensors.begin(), tensors.end(),
            [](const SafeTensorInfo &a, const SafeTensorInfo &b) {
              return a.name < b.name;
            });
  return tensors;
}

/// Parses a safetensors image; errors do not yet name the file.
StatusOr<ParsedImage> parseImageUnnamed(const uint8_t *bytes, size_t size,
                                        std::string_view fileName) {
  if (size == 0)
    return Status::error("empty file");
  if (size < 8)
    return Status::error("file of " + std::to_string(size) +
                         " bytes is too short for the 8-byte header length");
  uint64_t headerSize = 0;
  for (int i = 0; i < 8; ++i)
    headerSize |= static_cast<uint64_t>(bytes[i]) << (8 * i);
  if (headerSize == 0)
    return Status::error("header length is 0");
  if (headerSize > kMaxSafeTensorsHeaderBytes)
    return Status::error("header of " + std::to_string(headerSize) +
                         " bytes is over the 100 MB limit");
  if (headerSize > size - 8)
    return Status::error("header of " + std::to_string(headerSize) +
                         " bytes runs past the end of the file (" +
                         std::to_string(size - 8) +
                         " bytes follow the length)");

  const char *text = reinterpret_cast<const char *>(bytes + 8);
  // nlohmann-json stops at a NUL byte as if the input ended there; JSON
  // never holds one, so what follows would go unchecked.
  if (const void *nul = std::memchr(text, '\0', headerSize))
    return Status::error(
        "header is not valid JSON: NUL byte at offset " +
        std::to_string(static_cast<const char *>(nul) - text + 8));
  HeaderHandler handler;
  bool parsed = json::sax_parse(text, text + headerSize, &handler);
  if (!handler.status().ok())
    return handler.status();
  if (!parsed)
    return Status::error("header is not valid JSON");

  size_t dataStart = 8 + static_cast<size_t>(headerSize);
  StatusOr<std::vector<SafeTensorInfo>> tensors = checkTensors(
      handler.tensors, bytes + dataStart, size - dataStart, fileName);
  if (!tensors.ok())
    return tensors.status();
  return ParsedImage{std::move(*tensors), std::move(handler.metadata)};
}

/// Parses a safetensors image; errors start with `fileName`.
StatusOr<ParsedImage> parseImage(const uint8_t *bytes, size_t size,
                                 std::string_view fileName) {
  StatusOr<ParsedImage> image = parseImageUnnamed(bytes, size, fileName);
  if (!image.ok())
    return image.status().withContext(fileName);
  return image;
}

} // namespace

std::string tokamak::rt::safeTensorsDTypeName(DType dtype) {
  if (dtype == DType::i1)
    return "BOOL";
  std::string name = dtypeName(dtype);
  for (char &c : name)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

StatusOr<DType> tokamak::rt::parseSafeTensorsDType(std::string_view name) {
  // The safetensors names are the canonical ones upper-cased, except BOOL.
  for (DType dtype : kSafeTensorsDTypes)
    if (name == safeTensorsDTypeName(dtype))
      return dtype;
  std::string supported;
  for (DType dtype : kSafeTensorsDTypes)
    supported += (supported.empty() ? "" : ", ") + safeTensorsDTypeName(dtype);
  return Status::error("unsupported dtype " + quote(name) +
                       " (supported: " + supported + ")");
}

StatusOr<std::vector<SafeTensorInfo>>
tokamak::rt::parseSafeTensors(const uint8_t *bytes, size_t size,
                              std::string_view fileName) {
  StatusOr<ParsedImage> image = parseImage(bytes, size, fileName);
  if (!image.ok())
    return image.status();
  return std::move(image->tensors);
}

StatusOr<std::shared_ptr<WeightStore>>
WeightStore::openFile(const std::string &path) {
  StatusOr<std::shared_ptr<FileMapping>> mapping = mapFile(path);
  if (!mapping.ok())
    return mapping.status();
  StatusOr<ParsedImage> image =
      parseImage((*mapping)->bytes(), (*mapping)->size(), path);
  if (!image.ok())
    return image.status();
  std::shared_ptr<WeightStore> store(new WeightStore());
  store->source = path;
  store->entries = std::move(image->tensors);
  store->owners.assign(store->entries.size(), *mapping);
  store->fileMetadata = std::move(image->metadata);
  return store;
}

StatusOr<std::shared_ptr<WeightStore>>
WeightStore::openDirectory(const std::string &dir) {
  struct stat info;
  if (::stat(dir.c_str(), &info) != 0) {
    int err = errno;
    return Status::fromErrno(err, "cannot open '" + dir + "'");
  }
  if (!S_ISDIR(info.st_mode))
    return Status::error(dir + ": not a directory");
  // A single file wins over an index, as in Hugging Face transformers. Any
  // error but "missing" is the file's to report.
  std::string single = joinPath(dir, "model.safetensors");
  if (::stat(single.c_str(), &info) == 0 || errno != ENOENT)
    return openFile(single);
  std::string index = joinPath(dir, "model.safetensors.index.json");
  if (::stat(index.c_str(), &info) == 0 || errno != ENOENT)
    return openSharded(dir, index);
  return Status::error(
      dir + ": no model.safetensors or model.safetensors.index.json");
}

StatusOr<std::shared_ptr<WeightStore>>
WeightStore::openSharded(const std::string &dir, const std::string &indexPath) {
  StatusOr<std::string> text = readFile(indexPath, kMaxSafeTensorsHeaderBytes);
  if (!text.ok())
    return text.status();
  if (size_t nul = text->find('\0'); nul != std::string::npos)
    return Status::error(indexPath +
                         ": index is not valid JSON: NUL byte at offset " +
                         std::to_string(nul));
  IndexHandler handler;
  bool parsed =
      json::sax_parse(text->data(), text->data() + text->size(), &handler);
  if (!handler.status().ok())
    return handler.status().withContext(indexPath);
  if (!parsed)
    return Status::error(indexPath + ": index is not valid JSON");
  if (!handler.sawWeightMap)
    return Status::error(indexPath + ": missing 'weight_map'");
  if (handler.weightMap.empty())
    return Status::error(indexPath + ": 'weight_map' lists no tensors");

  // Shard names come from the index: keep them to plain names in `dir`.
  std::set<std::string> shards;
  for (const auto &[name, shard] : handler.weightMap) {
    if (shard.empty() || shard.find('/') != std::string::npos ||
        shard.find("..") != std::string::npos ||
        shard.find('\0') != std::string::npos)
      return Status::error(indexPath + ": shard " + quote(shard) +
                           " of tensor " + quote(name) +
                           " is not a plain file name (no '/' or '..')");
    shards.insert(shard);
  }

  struct Entry {
    SafeTensorInfo info;
    std::shared_ptr<void> owner;
    const std::string *shard;
  };
  std::map<std::string, Entry> all;
  std::map<std::string, std::string> metadata;
  for (const std::string &shard : shards) {
    std::string path = joinPath(dir, shard);
    StatusOr<std::shared_ptr<FileMapping>> mapping = mapFile(path);
    if (!mapping.ok())
      return mapping.status();
    StatusOr<ParsedImage> image =
        parseImage((*mapping)->bytes(), (*mapping)->size(), path);
    if (!image.ok())
      return image.status();
    if (&shard == &*shards.begin())
      metadata = std::move(image->metadata);
    for (SafeTensorInfo &tensor : image->tensors) {
      std::string name = tensor.name;
      auto [it, inserted] = all.try_emplace(
          std::move(name), Entry{std::move(tensor), *mapping, &shard});
      if (!inserted)
        return Status::error(indexPath + ": tensor " + quote(it->first) +
                             " is in both " + quote(*it->second.shard) +
                             " and " + quote(shard));
    }
  }
  for (const auto &[name, shard] : handler.weightMap) {
    auto found = all.find(name);
    if (found == all.end())
      return Status::error(indexPath + ": tensor " + quote(name) +
                           " is listed in shard " + quote(shard) +
                           " but missing from it");
    if (*found->second.shard != shard)
      return Status::error(indexPath + ": tensor " + quote(name) +
                           " is listed in shard " + quote(shard) +
                           " but found in " + quote(*found->second.shard));
  }

  std::shared_ptr<WeightStore> store(new WeightStore());
  store->source = dir;
  store->entries.reserve(all.size());
  store->owners.reserve(all.size());
  for (auto &[name, entry] : all) {
    store->entries.push_back(std::move(entry.info));
    store->owners.push_back(std::move(entry.owner));
  }
  store->fileMetadata = std::move(metadata);
  return store;
}

const SafeTensorInfo *WeightStore::find(std::string_view name) const {
  auto found =
      std::lower_bound(entries.begin(), entries.end(), name,
                       [](const SafeTensorInfo &tensor, std::string_view name) {
                         return std::string_view(tensor.name) < name;
                       });
  if (found == entries.end() || found->name != name)
    return nullptr;
  return &*found;
}

StatusOr<HostTensor> WeightStore::view(std::string_view name) const {
  const SafeTensorInfo *tensor = find(name);
  if (!tensor)
    return Status::error(source + ": no tensor named " + quote(name));
  // The mapping is PROT_READ; HostTensor's pointer is mutable only because
  // results share the type. Compiled code never writes its weights.
  return HostTensor::wrap(tensor->dtype, tensor->shape,
                          const_cast<void *>(tensor->data),
                          owners[static_cast<size_t>(tensor - entries.data())]);
}
