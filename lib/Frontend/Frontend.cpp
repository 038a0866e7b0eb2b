//===- Frontend.cpp - Hugging Face model directories to tok IR ------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Frontend/Frontend.h"

#include "DecoderIR.h"
#include "EncoderIR.h"
#include "JambaIR.h"
#include "Mamba2IR.h"
#include "MambaIR.h"
#include "SnapKVIR.h"

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

/// The same for a mamba model: a stored copy of a tied head.
bool ignorable(const std::string &name, const MambaConfig &c) {
  return c.tiedEmbeddings && name == "lm_head.weight";
}
bool ignorable(const std::string &name, const Mamba2Config &c) {
  return c.tiedEmbeddings && name == "lm_head.weight";
}
bool ignorable(const std::string &name, const JambaConfig &c) {
  return c.tiedEmbeddings && name == "lm_head.weight";
}

/// The same for an encoder whose tensors are named `prefix`...: the pooler
/// and the pre-training heads (`cls.*`) sit on top of the hidden states,
/// and `embeddings.position_ids` is a buffer (0, 1, 2, ...).
bool ignorable(const std::string &name, const std::string &prefix) {
  auto startsWith = [&](const std::string &head) {
    return name.compare(0, head.size(), head) == 0;
  };
  return startsWith(prefix + "pooler.") || startsWith("cls.") ||
         name == prefix + "embeddings.position_ids";
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
  StatusOr<ModelConfig> config = parseModelConfig(*text, configPath);
  if (!config.ok())
    return config.status();
  const DecoderConfig *decoder = std::get_if<DecoderConfig>(&*config);
  const EncoderConfig *encoder = std::get_if<EncoderConfig>(&*config);
  const MambaConfig *mamba = std::get_if<MambaConfig>(&*config);
  const Mamba2Config *mamba2 = std::get_if<Mamba2Config>(&*config);
  const JambaConfig *jamba = std::get_if<JambaConfig>(&*config);
  const std::string &modelType = decoder  ? decoder->modelType
                                 : mamba  ? mamba->modelType
                                 : mamba2 ? mamba2->modelType
                                 : jamba  ? jamba->modelType
                                          : encoder->modelType;

  StatusOr<std::shared_ptr<rt::WeightStore>> store =
      rt::WeightStore::openDirectory(dir);
  if (!store.ok())
    return store.status();

  // Every expected tensor, with its shape, in one dtype; nothing else. HF's
  // BertModel names its tensors without a prefix, the models with a task
  // head (BertForMaskedLM, ...) with `bert.`.
  std::string prefix;
  std::string headed = modelType + ".";
  if (encoder && (*store)->find(headed + "embeddings.word_embeddings.weight"))
    prefix = headed;
  std::vector<WeightArg> expected = decoder  ? decoderWeights(*decoder)
                                    : mamba  ? mambaWeights(*mamba)
                                    : mamba2 ? mamba2Weights(*mamba2)
                                    : jamba  ? jambaWeights(*jamba)
                                             : encoderWeights(*encoder, prefix);
  std::optional<DType> dtype;
  std::string firstName;
  std::set<std::string> names;
  for (const WeightArg &arg : expected) {
    names.insert(arg.name);
    const rt::SafeTensorInfo *info = (*store)->find(arg.name);
    if (!info)
      return Status::error(dir + ": missing tensor '" + arg.name +
                           "' (expected shape " + shapeString(arg.shape) +
                           " for model_type " + modelType + ")");
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
    if (!names.count(info.name) && !(decoder  ? ignorable(info.name, *decoder)
                                     : mamba  ? ignorable(info.name, *mamba)
                                     : mamba2 ? ignorable(info.name, *mamba2)
                                     : jamba  ? ignorable(info.name, *jamba)
                                              : ignorable(info.name, prefix)))
      return Status::error(info.file + ": unexpected tensor '" + info.name +
                           "' for model_type " + modelType +
                           " with this config.json");

  bool perHead = options.kvLayout == ImportOptions::KVLayout::PerHead;
  bool perLayer = options.kvGroups == ImportOptions::KVGroups::PerLayer;
  if (!decoder && (perHead || perLayer))
    return Status::error(
        dir + ": " +
        (perHead ? std::string("the per-head kv layout")
                 : std::string("per-layer cache groups")) +
        " is supported for llama-family decoders (llama, mistral, qwen2, "
        "gemma2), not model_type " +
        modelType);
  // H2O compacts the rows of one block table shared by every layer; a
  // sliding window counts rows, which compaction renumbers.
  if (decoder && options.h2o)
    for (int64_t window : decoder->layerWindow)
      if (window > 0)
        return Status::error(
            dir +
            "/config.json: h2o needs full attention in every layer; "
            "this model's layers attend within a sliding window of " +
            std::to_string(window) + " tokens");

  std::string elementType = rt::dtypeName(*dtype);
  ImportedModel model;
  for (const WeightArg &arg : expected)
    model.weights.push_back(arg.name);
  nlohmann::json meta = {{"architecture", modelType},
                         {"weights", model.weights},
                         {"vocab_size", decoder  ? decoder->vocabSize
                                        : mamba  ? mamba->vocabSize
                                        : mamba2 ? mamba2->vocabSize
                                        : jamba  ? jamba->vocabSize
                                                 : encoder->vocabSize},
                         {"hidden_size", decoder  ? decoder->hiddenSize
                                         : mamba  ? mamba->hiddenSize
                                         : mamba2 ? mamba2->hiddenSize
                                         : jamba  ? jamba->hiddenSize
                                                  : encoder->hiddenSize},
                         {"dtype", elementType},
                         {"hidden_function", "hidden"},
                         {"generates", encoder == nullptr},
                         {"eos_token_ids", decoder  ? decoder->eosTokenIds
                                           : mamba  ? mamba->eosTokenIds
                                           : mamba2 ? mamba2->eosTokenIds
                                           : jamba  ? jamba->eosTokenIds
                                                    : std::vector<int32_t>()}};
  std::optional<int32_t> bos = decoder  ? decoder->bosTokenId
                               : mamba  ? mamba->bosTokenId
                               : mamba2 ? mamba2->bosTokenId
                               : jamba  ? jamba->bosTokenId
                                        : std::nullopt;
  if (bos)
    meta["bos_token_id"] = *bos;
  if (encoder)
    meta["max_positions"] = encoder->maxPositions;
  if (decoder && options.snapkvObs > 0)
    meta["snapkv_obs"] = options.snapkvObs;
  // Informational (the session derives both from the signatures).
  if (perHead)
    meta["kv_layout"] = "per-head";
  if (perLayer)
    meta["kv_groups"] = "per-layer";
  if (decoder && options.h2o)
    meta["h2o"] = true;
  model.metadataJson = meta.dump();
  std::string body =
      decoder  ? buildDecoderModule(*decoder, elementType, options.blockSize,
                                    options.snapkvObs, perHead, perLayer,
                                    options.h2o)
      : mamba  ? buildMambaModule(*mamba, elementType)
      : mamba2 ? buildMamba2Module(*mamba2, elementType)
      : jamba  ? buildJambaModule(*jamba, elementType, options.blockSize)
               : buildEncoderModule(*encoder, elementType);
  if (decoder && options.snapkvBudget > 0)
    for (const char *pool : {"avg", "max"})
      body += snapkvSelectFunction(pool, options.snapkvBudget);
  model.mlir =
      "module attributes {tokamak.model = " + mlirString(model.metadataJson) +
      "} {\n\n" + body + "}\n";
  return model;
}

StatusOr<ImportOptions::KVLayout> parseKVLayout(const std::string &text) {
  if (text == "shared")
    return ImportOptions::KVLayout::Shared;
  if (text == "per-head")
    return ImportOptions::KVLayout::PerHead;
  return Status::error("--kv-layout expects shared or per-head, got '" + text +
                       "'");
}

StatusOr<ImportOptions::KVGroups> parseKVGroups(const std::string &text) {
  if (text == "by-window")
    return ImportOptions::KVGroups::ByWindow;
  if (text == "per-layer")
    return ImportOptions::KVGroups::PerLayer;
  return Status::error("--kv-groups expects by-window or per-layer, got '" +
                       text + "'");
}

} // namespace tokamak::frontend
