//===- Artifact.cpp - Compiled artifacts ----------------------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/Artifact.h"

#include "ElfImage.h"
#include "tokamak/runtime/CudaAbi.h"
#include "tokamak/runtime/HostCpu.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <climits>
#include <cstring>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

using namespace tokamak::rt;
using nlohmann::json;

namespace {

/// `value` as JSON text for an error message: invalid UTF-8 replaced,
/// bytes that are not printable escaped.
std::string printableJson(const json &value) {
  return printableBytes(
      value.dump(-1, ' ', false, json::error_handler_t::replace));
}

const char *describe(const json &value) {
  switch (value.type()) {
  case json::value_t::object:
    return "an object";
  case json::value_t::array:
    return "an array";
  case json::value_t::string:
    return "a string";
  case json::value_t::boolean:
    return "a boolean";
  case json::value_t::null:
    return "null";
  case json::value_t::discarded:
    return "nothing";
  default:
    return "a number";
  }
}

Status wrongType(const std::string &field, const char *expected,
                 const json &value) {
  return Status::error(field + ": expected " + expected + ", got " +
                       describe(value));
}

/// `object[key]` (the caller has checked `object` is an object), or an error
/// naming `field`.
StatusOr<const json *> member(const json &object, const std::string &where,
                              const char *key) {
  auto found = object.find(key);
  if (found == object.end())
    return Status::error((where.empty() ? "" : where + ": ") + "missing '" +
                         key + "'");
  return &*found;
}

/// Reads string `key` of `object` into `out`.
Status readString(const json &object, const std::string &where, const char *key,
                  bool allowEmpty, std::string &out) {
  StatusOr<const json *> value = member(object, where, key);
  if (!value.ok())
    return value.status();
  std::string field = where.empty() ? key : where + "." + key;
  if (!(*value)->is_string())
    return wrongType(field, "a string", **value);
  out = (*value)->get<std::string>();
  if (out.empty() && !allowEmpty)
    return Status::error(field + ": must not be empty");
  return Status::success();
}

StatusOr<TensorSignature> parseSignature(const json &value,
                                         const std::string &where) {
  if (!value.is_object())
    return wrongType(where, "an object", value);
  TensorSignature signature;
  std::string dtypeName;
  if (Status status = readString(value, where, "dtype", false, dtypeName);
      !status.ok())
    return status;
  StatusOr<DType> dtype = parseDType(dtypeName);
  if (!dtype.ok())
    return dtype.status().withContext(where + ".dtype");
  signature.dtype = *dtype;

  StatusOr<const json *> shape = member(value, where, "shape");
  if (!shape.ok())
    return shape.status();
  if (!(*shape)->is_array())
    return wrongType(where + ".shape", "an array", **shape);
  for (size_t i = 0; i < (*shape)->size(); ++i) {
    const json &dim = (**shape)[i];
    std::string field = where + ".shape[" + std::to_string(i) + "]";
    bool valid =
        dim.is_number_integer() &&
        (dim.is_number_unsigned() ? dim.get<uint64_t>() <= uint64_t(INT64_MAX)
                                  : dim.get<int64_t>() >= kDynamicDim);
    if (!valid)
      return Status::error(field + ": expected a size or -1 (dynamic), got " +
                           printableJson(dim));
    signature.shape.push_back(dim.get<int64_t>());
  }
  return signature;
}

Status parseSignatures(const json &function, const std::string &where,
                       const char *key, std::vector<TensorSignature> &out) {
  StatusOr<const json *> list = member(function, where, key);
  if (!list.ok())
    return list.status();
  std::string field = where + "." + key;
  if (!(*list)->is_array())
    return wrongType(field, "an array", **list);
  for (size_t i = 0; i < (*list)->size(); ++i) {
    StatusOr<TensorSignature> signature =
        parseSignature((**list)[i], field + "[" + std::to_string(i) + "]");
    if (!signature.ok())
      return signature.status();
    out.push_back(std::move(*signature));
  }
  return Status::success();
}

StatusOr<FunctionSignature> parseFunction(const json &value,
                                          const std::string &where) {
  if (!value.is_object())
    return wrongType(where, "an object", value);
  FunctionSignature function;
  Status status = readString(value, where, "name", false, function.name);
  if (status.ok())
    status = readString(value, where, "entry", false, function.entry);
  if (status.ok())
    status = parseSignatures(value, where, "inputs", function.inputs);
  if (status.ok())
    status = parseSignatures(value, where, "results", function.results);
  if (!status.ok())
    return status;
  return function;
}

/// The optional "model" object (ModelInfo).
StatusOr<ModelInfo> parseModel(const json &value) {
  if (!value.is_object())
    return wrongType("model", "an object", value);
  ModelInfo model;
  if (Status s =
          readString(value, "model", "architecture", false, model.architecture);
      s.failed())
    return s;
  if (Status s = readString(value, "model", "dtype", false, model.dtype);
      s.failed())
    return s;
  StatusOr<const json *> weights = member(value, "model", "weights");
  if (!weights.ok())
    return weights.status();
  if (!(*weights)->is_array())
    return wrongType("model.weights", "an array", **weights);
  for (size_t i = 0; i < (*weights)->size(); ++i) {
    const json &name = (**weights)[i];
    if (!name.is_string() || name.get<std::string>().empty())
      return Status::error("model.weights[" + std::to_string(i) +
                           "]: expected a tensor name, got " + describe(name));
    model.weights.push_back(name.get<std::string>());
  }
  auto readSize = [&](const char *key, int64_t &out) -> Status {
    StatusOr<const json *> v = member(value, "model", key);
    if (!v.ok())
      return v.status();
    if (!(*v)->is_number_integer() || (*v)->get<int64_t>() <= 0)
      return Status::error(std::string("model.") + key +
                           ": expected a positive integer, got " +
                           printableJson(**v));
    out = (*v)->get<int64_t>();
    return Status::success();
  };
  if (Status s = readSize("vocab_size", model.vocabSize); s.failed())
    return s;
  if (Status s = readSize("hidden_size", model.hiddenSize); s.failed())
    return s;
  if (value.contains("hidden_function"))
    if (Status s = readString(value, "model", "hidden_function", true,
                              model.hiddenFunction);
        s.failed())
      return s;
  if (auto g = value.find("generates"); g != value.end()) {
    if (!g->is_boolean())
      return wrongType("model.generates", "a boolean", *g);
    model.generates = g->get<bool>();
  }
  if (value.contains("max_positions"))
    if (Status s = readSize("max_positions", model.maxPositions); s.failed())
      return s;
  if (value.contains("snapkv_obs"))
    if (Status s = readSize("snapkv_obs", model.snapkvObs); s.failed())
      return s;
  if (auto h = value.find("h2o"); h != value.end()) {
    if (!h->is_boolean())
      return wrongType("model.h2o", "a boolean", *h);
    model.h2o = h->get<bool>();
  }
  auto tokenId = [](const json &v) -> std::optional<int32_t> {
    if (!v.is_number_integer() || v.get<int64_t>() < 0 ||
        v.get<int64_t>() > INT32_MAX)
      return std::nullopt;
    return static_cast<int32_t>(v.get<int64_t>());
  };
  if (auto b = value.find("bos_token_id"); b != value.end() && !b->is_null()) {
    model.bosTokenId = tokenId(*b);
    if (!model.bosTokenId)
      return Status::error("model.bos_token_id: expected a token id, got " +
                           printableJson(*b));
  }
  if (auto e = value.find("eos_token_ids"); e != value.end()) {
    if (!e->is_array())
      return wrongType("model.eos_token_ids", "an array", *e);
    for (const json &id : *e) {
      std::optional<int32_t> t = tokenId(id);
      if (!t)
        return Status::error("model.eos_token_ids: expected token ids, got " +
                             printableJson(id));
      model.eosTokenIds.push_back(*t);
    }
  }
  return model;
}

json modelToJson(const ModelInfo &model) {
  json out = {{"architecture", model.architecture},
              {"weights", model.weights},
              {"vocab_size", model.vocabSize},
              {"hidden_size", model.hiddenSize},
              {"dtype", model.dtype},
              {"hidden_function", model.hiddenFunction},
              {"generates", model.generates},
              {"eos_token_ids", model.eosTokenIds}};
  if (model.bosTokenId)
    out["bos_token_id"] = *model.bosTokenId;
  if (model.maxPositions > 0)
    out["max_positions"] = model.maxPositions;
  if (model.snapkvObs > 0)
    out["snapkv_obs"] = model.snapkvObs;
  if (model.h2o)
    out["h2o"] = true;
  return out;
}

/// The optional `target.device` ("cpu" or "cuda") and, for "cuda",
/// `target.cuda_arch` ("sm_NN" or "sm_NNa").
Status parseDevice(const json &target, TargetInfo &out) {
  auto device = target.find("device");
  if (device == target.end())
    return Status::success();
  if (!device->is_string())
    return wrongType("target.device", "a string", *device);
  std::string name = device->get<std::string>();
  if (name == "cpu")
    return Status::success();
  if (name != "cuda")
    return Status::error("target.device: expected \"cpu\" or \"cuda\", got "
                         "\"" +
                         printableBytes(name) + "\"");
  out.device = TargetDevice::CUDA;
  if (Status status =
          readString(target, "target", "cuda_arch", false, out.cudaArch);
      status.failed())
    return status;
  std::string_view arch = out.cudaArch;
  if (arch.size() > 3 && arch.back() == 'a')
    arch.remove_suffix(1);
  bool valid = arch.size() > 3 && arch.size() <= 7 &&
               arch.substr(0, 3) == "sm_" &&
               arch.find_first_not_of("0123456789", 3) == std::string::npos;
  if (!valid)
    return Status::error(
        "target.cuda_arch: expected an architecture such as \"sm_80\" or "
        "\"sm_90a\", got \"" +
        printableBytes(out.cudaArch) + "\"");
  return Status::success();
}

StatusOr<ModuleMetadata> parseRoot(const json &root) {
  if (!root.is_object())
    return Status::error("expected a JSON object, got " +
                         std::string(describe(root)));
  std::string format;
  if (Status status = readString(root, "", "format", false, format);
      !status.ok())
    return status;
  if (format != "tokamak-artifact")
    return Status::error("format: expected \"tokamak-artifact\", got \"" +
                         printableBytes(format) + "\"");
  StatusOr<const json *> version = member(root, "", "version");
  if (!version.ok())
    return version.status();
  if (!(*version)->is_number_integer())
    return wrongType("version", "an integer", **version);
  if (**version != kMetadataVersion)
    return Status::error("version: unsupported version " +
                         printableJson(**version) +
                         " (this runtime reads version " +
                         std::to_string(kMetadataVersion) + ")");

  ModuleMetadata metadata;
  StatusOr<const json *> target = member(root, "", "target");
  if (!target.ok())
    return target.status();
  if (!(*target)->is_object())
    return wrongType("target", "an object", **target);
  Status status =
      readString(**target, "target", "triple", false, metadata.target.triple);
  if (status.ok())
    status = readString(**target, "target", "cpu", true, metadata.target.cpu);
  if (status.ok())
    status = readString(**target, "target", "features", true,
                        metadata.target.features);
  if (status.ok())
    status = parseDevice(**target, metadata.target);
  if (!status.ok())
    return status;

  StatusOr<const json *> functions = member(root, "", "functions");
  if (!functions.ok())
    return functions.status();
  if (!(*functions)->is_array())
    return wrongType("functions", "an array", **functions);
  std::set<std::string> names;
  for (size_t i = 0; i < (*functions)->size(); ++i) {
    std::string where = "functions[" + std::to_string(i) + "]";
    StatusOr<FunctionSignature> function =
        parseFunction((**functions)[i], where);
    if (!function.ok())
      return function.status();
    if (!names.insert(function->name).second)
      return Status::error(where + ".name: duplicate function '" +
                           printableBytes(function->name) + "'");
    // The compiler names every entry after its function
    // (GenerateEntryPoints); any other symbol is not an entry.
    if (function->entry != kEntryPrefix + function->name)
      return Status::error(where + ".entry: expected '" + kEntryPrefix +
                           printableBytes(function->name) + "', got '" +
                           printableBytes(function->entry) + "'");
    metadata.functions.push_back(std::move(*function));
  }
  if (auto model = root.find("model"); model != root.end()) {
    StatusOr<ModelInfo> info = parseModel(*model);
    if (!info.ok())
      return info.status();
    metadata.model = std::move(*info);
  }
  return metadata;
}

json signaturesToJson(const std::vector<TensorSignature> &signatures) {
  json list = json::array();
  for (const TensorSignature &signature : signatures)
    list.push_back(
        {{"dtype", dtypeName(signature.dtype)}, {"shape", signature.shape}});
  return list;
}

struct LibraryCloser {
  void operator()(void *handle) const { ::dlclose(handle); }
};

} // namespace

StatusOr<ModuleMetadata>
tokamak::rt::parseModuleMetadata(std::string_view text) {
  // nlohmann-json reports syntax errors by exception; none leaves this
  // function.
  json root;
  try {
    root = json::parse(text.begin(), text.end());
  } catch (const json::exception &error) {
    // Drop the "[json.exception.parse_error.101] " prefix.
    std::string reason = error.what();
    size_t bracket = reason.find("] ");
    if (reason.rfind("[json.exception.", 0) == 0 &&
        bracket != std::string::npos)
      reason = reason.substr(bracket + 2);
    return Status::error("not valid JSON: " + printableBytes(reason));
  } catch (const std::exception &error) {
    return Status::error(std::string("cannot parse JSON: ") + error.what());
  }
  return parseRoot(root);
}

std::string tokamak::rt::printModuleMetadata(const ModuleMetadata &metadata) {
  json functions = json::array();
  for (const FunctionSignature &function : metadata.functions)
    functions.push_back({{"name", function.name},
                         {"entry", function.entry},
                         {"inputs", signaturesToJson(function.inputs)},
                         {"results", signaturesToJson(function.results)}});
  json target = {{"triple", metadata.target.triple},
                 {"cpu", metadata.target.cpu},
                 {"features", metadata.target.features}};
  if (metadata.target.device == TargetDevice::CUDA) {
    target["device"] = "cuda";
    target["cuda_arch"] = metadata.target.cudaArch;
  }
  json root = {{"format", "tokamak-artifact"},
               {"version", kMetadataVersion},
               {"target", target},
               {"functions", functions}};
  if (metadata.model)
    root["model"] = modelToJson(*metadata.model);
  // Replace invalid UTF-8 rather than throwing.
  return root.dump(-1, ' ', false, json::error_handler_t::replace);
}

uint64_t tokamak::rt::artifactChecksum(std::string_view bytes) {
  // Eight bytes per step, each folded in with a multiply and a shift; then
  // a final avalanche. Detects any change, truncation or extension; it is
  // not a cryptographic signature.
  const uint64_t kMultiplier = 0x9e3779b97f4a7c15ull;
  uint64_t hash = 0xcbf29ce484222325ull ^ bytes.size();
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, bytes.data() + i, sizeof(word));
    hash = (hash ^ word) * kMultiplier;
    hash ^= hash >> 32;
  }
  for (; i < bytes.size(); ++i) {
    hash = (hash ^ static_cast<unsigned char>(bytes[i])) * kMultiplier;
    hash ^= hash >> 32;
  }
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccdull;
  hash ^= hash >> 33;
  return hash;
}

namespace {

/// The seal tokamak-compile appends to an artifact: kSealMagic, the number
/// of bytes before the seal, and their artifactChecksum, little-endian.
constexpr char kSealMagic[8] = {'T', 'O', 'K', 'S', 'E', 'A', 'L', '1'};
constexpr size_t kSealSize = 24;

void putWord(std::string &out, uint64_t value) {
  for (int i = 0; i < 8; ++i)
    out += static_cast<char>((value >> (8 * i)) & 0xff);
}

uint64_t getWord(std::string_view bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i)
    value |= uint64_t(static_cast<unsigned char>(bytes[i])) << (8 * i);
  return value;
}

/// Reads all of the regular file open as `fd` (whose size is `size`).
StatusOr<std::string> readWhole(int fd, uint64_t size) {
  if (Status fits = checkFitsInMemory(size, "reading the artifact");
      fits.failed())
    return fits;
  std::string bytes;
  try {
    bytes.resize(static_cast<size_t>(size));
  } catch (const std::bad_alloc &) {
    return Status::error("out of memory reading " + std::to_string(size) +
                         " bytes");
  }
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t got = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      int err = errno;
      return Status::fromErrno(err, "cannot read it");
    }
    if (got == 0)
      break; // Shrank while read: the checks below see what is there.
    done += static_cast<size_t>(got);
  }
  bytes.resize(done);
  return bytes;
}

const char *describeFileType(mode_t mode) {
  if (S_ISFIFO(mode))
    return "a FIFO";
  if (S_ISCHR(mode))
    return "a character device";
  if (S_ISBLK(mode))
    return "a block device";
  if (S_ISSOCK(mode))
    return "a socket";
  return "not a regular file";
}

} // namespace

Status tokamak::rt::sealArtifact(const std::string &path) {
  std::string what = "cannot seal '" + path + "'";
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    return Status::fromErrno(err, what);
  }
  struct stat info;
  StatusOr<std::string> bytes = Status::error(what + ": not a regular file");
  if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode))
    bytes = readWhole(fd, static_cast<uint64_t>(info.st_size));
  if (!bytes.ok()) {
    ::close(fd);
    return bytes.status().withContext(what);
  }
  std::string seal(kSealMagic, sizeof(kSealMagic));
  putWord(seal, bytes->size());
  putWord(seal, artifactChecksum(*bytes));
  Status status;
  if (::pwrite(fd, seal.data(), seal.size(),
               static_cast<off_t>(bytes->size())) !=
      static_cast<ssize_t>(seal.size())) {
    int err = errno;
    status = Status::fromErrno(err, what);
  }
  if (::close(fd) != 0 && status.ok()) {
    int err = errno;
    status = Status::fromErrno(err, what);
  }
  return status;
}

SharedLibraryExecutable::SharedLibraryExecutable(std::string path, void *handle,
                                                 ModuleMetadata metadata)
    : libraryPath(std::move(path)), handle(handle),
      moduleMetadata(std::move(metadata)) {}

SharedLibraryExecutable::~SharedLibraryExecutable() { ::dlclose(handle); }

void *SharedLibraryExecutable::lookupEntry(const std::string &symbol) {
  return ::dlsym(handle, symbol.c_str());
}

StatusOr<ModuleMetadata>
tokamak::rt::readArtifactMetadata(std::string_view bytes) {
  // The seal first: without it nothing ties the metadata to the code.
  bool sealed = bytes.size() >= kSealSize &&
                std::memcmp(bytes.data() + bytes.size() - kSealSize, kSealMagic,
                            sizeof(kSealMagic)) == 0;
  std::string_view body =
      sealed ? bytes.substr(0, bytes.size() - kSealSize) : bytes;
  // The structure next, so that a truncated file says so.
  StatusOr<detail::ElfImage> image = detail::ElfImage::parse(body);
  if (!image.ok())
    return image.status();
  if (!sealed)
    return Status::error(
        "no tokamak checksum at its end: not written by tokamak-compile, or "
        "changed since (strip, objcopy and patching remove it); compile it "
        "again");
  std::string_view seal = bytes.substr(body.size());
  uint64_t length = getWord(seal.substr(8));
  uint64_t checksum = getWord(seal.substr(16));
  if (length != body.size() || checksum != artifactChecksum(body))
    return Status::error(
        "its checksum does not match its contents: the file was changed or "
        "damaged after tokamak-compile wrote it; compile it again");

  std::optional<detail::ElfImage::Symbol> symbol =
      image->findSymbol(kMetadataSymbol);
  if (!symbol || !symbol->defined)
    return Status::error(std::string("has no ") + kMetadataSymbol +
                         " symbol (not a tokamak artifact)");
  std::optional<std::string_view> text =
      image->bytesAt(symbol->value, symbol->size);
  if (!text)
    return Status::error(std::string(kMetadataSymbol) +
                         " lies outside the file's loadable segments");
  size_t nul = text->find('\0');
  if (nul == std::string_view::npos)
    return Status::error(std::string(kMetadataSymbol) +
                         " is not NUL-terminated");
  StatusOr<ModuleMetadata> metadata = parseModuleMetadata(text->substr(0, nul));
  if (!metadata.ok())
    return metadata.status().withContext("malformed metadata");
  // Every entry the metadata names must be a function this library
  // defines: an entry resolving to another library's symbol (`free`) would
  // be called with the packed arguments.
  for (size_t i = 0; i < metadata->functions.size(); ++i) {
    const FunctionSignature &function = metadata->functions[i];
    std::optional<detail::ElfImage::Symbol> entry =
        image->findSymbol(function.entry);
    if (!entry || !entry->defined || entry->type != STT_FUNC)
      return Status::error("does not define the function '" +
                           printableBytes(function.entry) +
                           "', the entry of @" + printableBytes(function.name));
  }
  return metadata;
}

StatusOr<std::unique_ptr<SharedLibraryExecutable>>
SharedLibraryExecutable::load(const std::string &path,
                              std::optional<TargetDevice> expectedDevice) {
  std::string what = "artifact '" + printableBytes(path) + "'";
  // O_NONBLOCK: opening a FIFO must not wait for a writer.
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT)
      return Status::error(what + " does not exist");
    if (err == EISDIR)
      return Status::error(what + " is a directory");
    return Status::fromErrno(err, "cannot open " + what);
  }
  struct stat info;
  if (::fstat(fd, &info) != 0) {
    int err = errno;
    ::close(fd);
    return Status::fromErrno(err, "cannot access " + what);
  }
  if (S_ISDIR(info.st_mode)) {
    ::close(fd);
    return Status::error(what + " is a directory");
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    return Status::error(what + " is " + describeFileType(info.st_mode) +
                         ", not a regular file");
  }
  StatusOr<std::string> bytes =
      readWhole(fd, static_cast<uint64_t>(info.st_size));
  ::close(fd);
  if (!bytes.ok())
    return bytes.status().withContext("cannot load " + what);
  StatusOr<ModuleMetadata> metadata = readArtifactMetadata(*bytes);
  if (!metadata.ok())
    return metadata.status().withContext(what);
  if (expectedDevice && metadata->target.device != *expectedDevice) {
    auto name = [&](TargetDevice device) {
      return device == TargetDevice::CUDA
                 ? "cuda (" + printableBytes(metadata->target.cudaArch) + ")"
                 : std::string("the cpu");
    };
    return Status::error(
        what + " was compiled for " + name(metadata->target.device) +
        ", not for " +
        (*expectedDevice == TargetDevice::CUDA ? "cuda" : "the cpu"));
  }
  // Refuse code this CPU cannot execute before anything runs: dlopen runs
  // the library's initializers.
  if (Status runnable = checkHostCanRun(metadata->target); !runnable.ok())
    return runnable.withContext(what);
  // So does a GPU the code cannot run on: the initializers load the kernels.
  const cuda::Device *device = nullptr;
  if (metadata->target.device == TargetDevice::CUDA) {
    StatusOr<cuda::Device *> opened = cuda::Device::get(0);
    if (!opened.ok())
      return opened.status().withContext(what);
    if (Status status = cuda::checkCanRun(**opened, metadata->target.cudaArch);
        status.failed())
      return status.withContext(what);
    device = *opened;
  }
  // The kernels' loads (mgpuModuleLoad from the initializers) report here.
  std::optional<cuda::CallScope> kernelLoads;
  if (device)
    kernelLoads.emplace(*device);

  // Without a '/', dlopen would search the library path instead.
  std::string loadPath =
      path.find('/') == std::string::npos ? "./" + path : path;
  std::unique_ptr<void, LibraryCloser> library(
      ::dlopen(loadPath.c_str(), RTLD_NOW | RTLD_LOCAL));
  if (!library) {
    const char *error = ::dlerror();
    std::string reason = error ? error : "unknown dlopen error";
    // dlerror() says "<path>: <reason>"; the path is already in the message.
    if (reason.rfind(loadPath + ": ", 0) == 0)
      reason = reason.substr(loadPath.size() + 2);
    return Status::error("cannot load " + what +
                         " as a shared library: " + reason);
  }
  if (kernelLoads)
    if (Status status = kernelLoads->finish(); status.failed())
      return status.withContext("cannot load the kernels of " + what);
  for (const FunctionSignature &function : metadata->functions)
    if (!::dlsym(library.get(), function.entry.c_str()))
      return Status::error(what + " does not export '" + function.entry +
                           "', the entry of @" + printableBytes(function.name));
  return std::unique_ptr<SharedLibraryExecutable>(new SharedLibraryExecutable(
      path, library.release(), std::move(*metadata)));
}
