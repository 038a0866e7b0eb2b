//===- Frontend.cpp - Hugging Face model directories to tok IR ------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Frontend/Frontend.h"

#include "DecoderIR.h"

#include "tokamak/Frontend/ModelConfig.h"
#include "tokamak/runtime/SafeTensors.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/stat.h>

using tokamak::rt::DType;
using tokamak::rt::Status;
using tokamak::rt::StatusOr;

namespace tokamak::frontend {
namespace {

/// config.json files are a few KB; anything this large is not one.
constexpr off_t kMaxConfigBytes = 16 << 20;

StatusOr<std::string> readConfig(const std::string &path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0)
    return Status::error(path + ": no such file (a model directory holds "
                                "config.json and *.safetensors)");
  if (!S_ISREG(info.st_mode))
    return Status::error(path + ": not a regular file");
  if (info.st_size > kMaxConfigBytes)
    return Status::error(path + ": " + std::to_string(info.st_size) +
                         " bytes is too large for a config.json");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::error(path + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

/// Tensors a checkpoint may hold that the computation does not read.
bool ignorable(const std::string &name, const DecoderConfig &c) {
  if (name.size() >= 20 &&
      name.compare(name.size() - 20, 20, "rotary_emb.inv_freq") == 0)
    return true;
  // HF ties the head to the embedding and ignores a stored copy.
  return c.tiedEmbeddings && name == "lm_head.weight";
}

/// An MLIR string literal holding `text`.
std::string mlirString(const std::string &text) {
  std::string out = "\"";
  for (unsigned char ch : text) {
    if (ch == '"' || ch == '\\' || ch < 0x20 || ch >= 0x7f) {
      char buffer[4];
      std::snprintf(buffer, sizeof(buffer), "\\%02X", ch);
      out += buffer;
    } else {
      out += static_cast<char>(ch);
    }
  }
  return out + "\"";
}

} // namespace

StatusOr<ImportedModel> importModelDirectory(const std::string &dir,
                                             const ImportOptions &options) {
  std::string configPath = dir + "/config.json";
  StatusOr<std::string> text = readConfig(configPath);
  if (!text.ok())
    return text.status();
  StatusOr<DecoderConfig> config = parseModelConfig(*text, configPath);
  if (!config.ok())
    return config.status();

  StatusOr<std::shared_ptr<rt::WeightStore>> store =
      rt::WeightStore::openDirectory(dir);
  if (!store.ok())
    return store.status();

  // Every expected tensor, with its shape, in one dtype; nothing else.
  std::vector<WeightArg> expected = decoderWeights(*config);
  std::optional<DType> dtype;
  std::string firstName;
  std::set<std::string> names;
  for (const WeightArg &arg : expected) {
    names.insert(arg.name);
    const rt::SafeTensorInfo *info = (*store)->find(arg.name);
    if (!info)
      return Status::error(dir + ": missing tensor '" + arg.name +
                           "' (expected shape " + shapeString(arg.shape) +
                           " for model_type " + config->modelType + ")");
    if (info->shape != arg.shape)
      return Status::error(info->file + ": tensor '" + arg.name +
                           "' has shape " + shapeString(info->shape) +
                           ", expected " + shapeString(arg.shape) +
                           " from config.json");
    if (info->dtype != DType::f32 && info->dtype != DType::bf16 &&
        info->dtype != DType::f16)
      return Status::error(info->file + ": tensor '" + arg.name +
                           "' has dtype " +
                           rt::safeTensorsDTypeName(info->dtype) +
                           "; weights must be F32, BF16 or F16");
    if (!dtype) {
      dtype = info->dtype;
      firstName = arg.name;
    } else if (*dtype != info->dtype) {
      return Status::error(
          info->file + ": tensor '" + arg.name + "' is " +
          rt::safeTensorsDTypeName(info->dtype) + " but '" + firstName +
          "' is " + rt::safeTensorsDTypeName(*dtype) +
          "; checkpoints with mixed weight dtypes are not supported");
    }
  }
  for (const rt::SafeTensorInfo &info : (*store)->tensors())
    if (!names.count(info.name) && !ignorable(info.name, *config))
      return Status::error(info.file + ": unexpected tensor '" + info.name +
                           "' for model_type " + config->modelType +
                           " with this config.json");

  std::string elementType = rt::dtypeName(*dtype);
  ImportedModel model;
  for (const WeightArg &arg : expected)
    model.weights.push_back(arg.name);
  nlohmann::json meta = {{"architecture", config->modelType},
                         {"weights", model.weights},
                         {"vocab_size", config->vocabSize},
                         {"hidden_size", config->hiddenSize},
                         {"dtype", elementType},
                         {"hidden_function", "hidden"},
                         {"generates", true},
                         {"eos_token_ids", config->eosTokenIds}};
  if (config->bosTokenId)
    meta["bos_token_id"] = *config->bosTokenId;
  model.metadataJson = meta.dump();
  model.mlir =
      "module attributes {tokamak.model = " + mlirString(model.metadataJson) +
      "} {\n\n" + buildDecoderModule(*config, elementType, options.blockSize) +
      "}\n";
  return model;
}

} // namespace tokamak::frontend
