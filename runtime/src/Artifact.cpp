//===- Artifact.cpp - Compiled artifacts ----------------------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/Artifact.h"
#include "tokamak/runtime/HostCpu.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <climits>
#include <dlfcn.h>
#include <set>
#include <sys/stat.h>

using namespace tokamak::rt;
using nlohmann::json;

namespace {

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
                           dim.dump());
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
                           (*v)->dump());
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
                           b->dump());
  }
  if (auto e = value.find("eos_token_ids"); e != value.end()) {
    if (!e->is_array())
      return wrongType("model.eos_token_ids", "an array", *e);
    for (const json &id : *e) {
      std::optional<int32_t> t = tokenId(id);
      if (!t)
        return Status::error("model.eos_token_ids: expected token ids, got " +
                             id.dump());
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
  return out;
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
                         format + "\"");
  StatusOr<const json *> version = member(root, "", "version");
  if (!version.ok())
    return version.status();
  if (!(*version)->is_number_integer())
    return wrongType("version", "an integer", **version);
  if (**version != kMetadataVersion)
    return Status::error("version: unsupported version " + (*version)->dump() +
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
                           function->name + "'");
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
    return Status::error("not valid JSON: " + reason);
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
  json root = {{"format", "tokamak-artifact"},
               {"version", kMetadataVersion},
               {"target",
                {{"triple", metadata.target.triple},
                 {"cpu", metadata.target.cpu},
                 {"features", metadata.target.features}}},
               {"functions", functions}};
  if (metadata.model)
    root["model"] = modelToJson(*metadata.model);
  // Replace invalid UTF-8 rather than throwing.
  return root.dump(-1, ' ', false, json::error_handler_t::replace);
}

SharedLibraryExecutable::SharedLibraryExecutable(std::string path, void *handle,
                                                 ModuleMetadata metadata)
    : libraryPath(std::move(path)), handle(handle),
      moduleMetadata(std::move(metadata)) {}

SharedLibraryExecutable::~SharedLibraryExecutable() { ::dlclose(handle); }

void *SharedLibraryExecutable::lookupEntry(const std::string &symbol) {
  return ::dlsym(handle, symbol.c_str());
}

StatusOr<std::unique_ptr<SharedLibraryExecutable>>
SharedLibraryExecutable::load(const std::string &path) {
  std::string what = "artifact '" + path + "'";
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    int err = errno;
    if (err == ENOENT)
      return Status::error(what + " does not exist");
    return Status::fromErrno(err, "cannot access " + what);
  }
  if (S_ISDIR(info.st_mode))
    return Status::error(what + " is a directory");

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

  const char *metadataText =
      static_cast<const char *>(::dlsym(library.get(), kMetadataSymbol));
  if (!metadataText)
    return Status::error(what + " has no " + kMetadataSymbol +
                         " symbol (not a tokamak artifact)");
  StatusOr<ModuleMetadata> metadata = parseModuleMetadata(metadataText);
  if (!metadata.ok())
    return metadata.status().withContext(what + " has malformed metadata");
  // Refuse code this CPU cannot execute before anything calls into it.
  if (Status runnable = checkHostCanRun(metadata->target); !runnable.ok())
    return runnable.withContext(what);
  for (const FunctionSignature &function : metadata->functions)
    if (!::dlsym(library.get(), function.entry.c_str()))
      return Status::error(what + " does not export '" + function.entry +
                           "', the entry of @" + function.name);
  return std::unique_ptr<SharedLibraryExecutable>(new SharedLibraryExecutable(
      path, library.release(), std::move(*metadata)));
}
