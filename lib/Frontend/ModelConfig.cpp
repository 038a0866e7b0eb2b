//===- ModelConfig.cpp - Hugging Face config.json -------------------------===//
//
// Part of the Tokamak project.
//
// Follows the configuration classes of Hugging Face transformers
// (LlamaConfig, MistralConfig, Qwen2Config, BertConfig, MambaConfig,
// Mamba2Config, JambaConfig) and
// their RoPE initialisation (modeling_rope_utils): defaults where HF has
// them, errors where a field changes the math in a way this frontend does
// not implement.
// Built without exceptions: values are type-checked before every read.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Frontend/ModelConfig.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <climits>
#include <cmath>

using json = nlohmann::json;
using tokamak::rt::Status;
using tokamak::rt::StatusOr;

namespace tokamak::frontend {
namespace {

/// Reads typed fields of one config object; the first error sticks, so a
/// parser reads every field and checks once.
class Fields {
public:
  Fields(const json &root, std::string_view path) : root(root), path(path) {}

  const json *find(const char *key) const {
    auto it = root.find(key);
    return it == root.end() || it->is_null() ? nullptr : &*it;
  }

  /// Sizes beyond `max` come from corrupt files, not models (2^31 - 1 by
  /// default: tensor dims must also fit the i32 ids and positions).
  int64_t integer(const char *key, std::optional<int64_t> fallback,
                  int64_t min = 1, int64_t max = INT32_MAX) {
    const json *v = find(key);
    if (!v) {
      if (!fallback)
        fail(std::string("missing required field '") + key + "'");
      return fallback.value_or(min);
    }
    if (!v->is_number_integer()) {
      fail(std::string("field '") + key + "': expected an integer, got " +
           v->dump());
      return min;
    }
    int64_t value = v->get<int64_t>();
    if (v->is_number_unsigned() && v->get<uint64_t>() > uint64_t(INT64_MAX))
      value = INT64_MAX;
    if (value < min || value > max) {
      fail(std::string("field '") + key + "': expected an integer in [" +
           std::to_string(min) + ", " + std::to_string(max) + "], got " +
           v->dump());
      return min;
    }
    return value;
  }

  double number(const char *key, double fallback, bool positive = true) {
    const json *v = find(key);
    if (!v)
      return fallback;
    if (!v->is_number()) {
      fail(std::string("field '") + key + "': expected a number, got " +
           v->dump());
      return fallback;
    }
    double value = v->get<double>();
    if (!std::isfinite(value) || (positive && value <= 0)) {
      fail(std::string("field '") + key + "': expected a " +
           (positive ? "positive " : "") + "finite number, got " + v->dump());
      return fallback;
    }
    return value;
  }

  bool boolean(const char *key, bool fallback) {
    const json *v = find(key);
    if (!v)
      return fallback;
    if (!v->is_boolean()) {
      fail(std::string("field '") + key + "': expected true or false, got " +
           v->dump());
      return fallback;
    }
    return v->get<bool>();
  }

  std::string string(const char *key, const std::string &fallback) {
    const json *v = find(key);
    if (!v)
      return fallback;
    if (!v->is_string()) {
      fail(std::string("field '") + key + "': expected a string, got " +
           v->dump());
      return fallback;
    }
    return v->get<std::string>();
  }

  /// A token id, or a list of them (eos_token_id may be either).
  std::vector<int32_t> tokenIds(const char *key) {
    const json *v = find(key);
    std::vector<int32_t> ids;
    if (!v)
      return ids;
    auto one = [&](const json &id) {
      if (!id.is_number_integer() || id.get<int64_t>() < 0 ||
          id.get<int64_t>() > INT32_MAX) {
        fail(std::string("field '") + key + "': expected token ids, got " +
             v->dump());
        return;
      }
      ids.push_back(static_cast<int32_t>(id.get<int64_t>()));
    };
    if (v->is_array())
      for (const json &id : *v)
        one(id);
    else
      one(*v);
    return ids;
  }

  void fail(std::string message) {
    if (status.ok())
      status = Status::error(std::string(path) + ": " + message);
  }

  const json &root;
  std::string_view path;
  Status status;
};

/// The activations of HF's ACT2FN that tok.glu computes exactly.
std::optional<std::string> tokActivation(const std::string &hf) {
  if (hf == "silu" || hf == "swish")
    return std::string("silu");
  if (hf == "gelu")
    return std::string("gelu");
  if (hf == "gelu_pytorch_tanh" || hf == "gelu_new")
    return std::string("gelu_tanh");
  if (hf == "relu")
    return std::string("relu");
  if (hf == "sigmoid")
    return std::string("sigmoid");
  return std::nullopt;
}

/// Inverse frequencies of `rope_scaling` (modeling_rope_utils): linear
/// interpolation divides all of them by the factor; Llama 3 divides the low
/// frequencies, keeps the high ones and blends the band between.
void applyRopeScaling(Fields &f, DecoderConfig &c) {
  const json *scaling = f.find("rope_scaling");
  if (!scaling)
    return;
  if (!scaling->is_object()) {
    f.fail("field 'rope_scaling': expected an object or null, got " +
           scaling->dump());
    return;
  }
  Fields s(*scaling, f.path);
  std::string type = s.string("rope_type", s.string("type", "default"));
  if (type == "default")
    return;
  double factor = s.number("factor", 0.0);
  if (factor <= 0.0) {
    f.fail("field 'rope_scaling.factor': expected a positive number");
    return;
  }
  if (type == "linear") {
    for (double &v : c.invFreq)
      v /= factor;
  } else if (type == "llama3") {
    double low = s.number("low_freq_factor", 1.0);
    double high = s.number("high_freq_factor", 4.0);
    double original = s.number("original_max_position_embeddings", 8192.0);
    if (high <= low) {
      f.fail("field 'rope_scaling': expected high_freq_factor > "
             "low_freq_factor");
      return;
    }
    double lowWavelen = original / low, highWavelen = original / high;
    for (double &v : c.invFreq) {
      double wavelen = 2.0 * M_PI / v;
      if (wavelen > lowWavelen) {
        v /= factor;
      } else if (wavelen >= highWavelen) {
        double smooth = (original / wavelen - low) / (high - low);
        v = (1.0 - smooth) * v / factor + smooth * v;
      }
    }
  } else {
    f.fail("field 'rope_scaling.rope_type': '" + type +
           "' is not supported (supported: default, linear, llama3)");
    return;
  }
  if (s.status.failed())
    f.fail(s.status.message().substr(f.path.size() + 2));
  c.ropeScaled = true;
}

/// Fields that change the math and that no supported architecture has.
constexpr const char *kRefusedFields[][2] = {
    {"quantization_config", "quantized checkpoints are not supported"},
    {"num_local_experts", "mixture-of-experts is not supported"},
    {"num_experts", "mixture-of-experts is not supported"},
    {"attn_logit_softcapping", "attention logit soft-capping is only "
                               "supported for gemma2"},
    {"final_logit_softcapping", "final logit soft-capping is only "
                                "supported for gemma2"},
};

/// BertConfig: the encoder of BertModel and its task heads. Sizes are
/// required as for the decoders; the rest has BertConfig's defaults.
StatusOr<ModelConfig> parseEncoderConfig(Fields &f, std::string modelType) {
  EncoderConfig c;
  c.modelType = std::move(modelType);
  c.vocabSize = f.integer("vocab_size", std::nullopt);
  c.hiddenSize = f.integer("hidden_size", std::nullopt);
  c.numLayers = f.integer("num_hidden_layers", std::nullopt, 1, 4096);
  c.numHeads = f.integer("num_attention_heads", std::nullopt, 1, 65536);
  c.intermediateSize = f.integer("intermediate_size", std::nullopt);
  c.maxPositions = f.integer("max_position_embeddings", 512);
  c.typeVocabSize = f.integer("type_vocab_size", 2);
  c.normEps = f.number("layer_norm_eps", 1e-12);
  std::string act = f.string("hidden_act", "gelu");
  std::string positions = f.string("position_embedding_type", "absolute");
  bool isDecoder = f.boolean("is_decoder", false);
  bool crossAttention = f.boolean("add_cross_attention", false);
  if (f.status.failed())
    return f.status;
  if (positions != "absolute")
    f.fail("field 'position_embedding_type': '" + positions +
           "' is not supported (supported: absolute)");
  else if (isDecoder)
    f.fail("field 'is_decoder': " + c.modelType +
           " as a causal decoder is not supported (it imports as an "
           "encoder)");
  else if (crossAttention)
    f.fail("field 'add_cross_attention': cross-attention is not supported");
  else if (c.hiddenSize % c.numHeads != 0)
    f.fail("hidden_size (" + std::to_string(c.hiddenSize) +
           ") is not a multiple of num_attention_heads (" +
           std::to_string(c.numHeads) + ")");
  else if (c.hiddenSize / c.numHeads > 4096)
    f.fail("a head dim of " + std::to_string(c.hiddenSize / c.numHeads) +
           " (hidden_size / num_attention_heads) is over 4096");
  if (f.status.failed())
    return f.status;
  c.headDim = c.hiddenSize / c.numHeads;
  std::optional<std::string> tokAct = tokActivation(act);
  if (!tokAct)
    return Status::error(std::string(f.path) + ": field 'hidden_act': '" + act +
                         "' is not supported (supported: gelu, gelu_new, "
                         "gelu_pytorch_tanh, relu, silu, sigmoid)");
  c.activation = *tokAct;
  return ModelConfig(std::move(c));
}

/// MambaConfig (MambaForCausalLM): sizes are required as for the other
/// models; the rest has MambaConfig's defaults. The time_step_* fields other
/// than the rank, initializer_range and rescale_prenorm_residual only
/// initialise weights; use_mambapy picks a training kernel.
StatusOr<ModelConfig> parseMambaConfig(Fields &f, std::string modelType) {
  MambaConfig c;
  c.modelType = std::move(modelType);
  c.vocabSize = f.integer("vocab_size", std::nullopt);
  c.hiddenSize = f.integer("hidden_size", std::nullopt);
  c.numLayers = f.integer("num_hidden_layers", std::nullopt, 1, 4096);
  c.stateSize = f.integer("state_size", 16, 1, 65536);
  c.convKernel = f.integer("conv_kernel", 4, 2, 4096);
  // HF sets intermediate_size = int(expand * hidden_size); a stored
  // intermediate_size wins (PretrainedConfig applies extra keys last).
  double expand = f.number("expand", 2.0);
  if (f.find("intermediate_size"))
    c.intermediateSize = f.integer("intermediate_size", std::nullopt);
  else if (expand * static_cast<double>(c.hiddenSize) >= 1.0 &&
           expand * static_cast<double>(c.hiddenSize) <= INT32_MAX)
    c.intermediateSize =
        static_cast<int64_t>(expand * static_cast<double>(c.hiddenSize));
  else
    f.fail("field 'expand': expand * hidden_size must be in [1, " +
           std::to_string(INT32_MAX) + "]");
  const json *rank = f.find("time_step_rank");
  if (rank && rank->is_string() && rank->get<std::string>() == "auto")
    rank = nullptr;
  c.timeStepRank = rank ? f.integer("time_step_rank", std::nullopt)
                        : (c.hiddenSize + 15) / 16;
  c.convBias = f.boolean("use_conv_bias", true);
  c.projBias = f.boolean("use_bias", false);
  c.normEps = f.number("layer_norm_epsilon", 1e-5);
  c.residualInFp32 = f.boolean("residual_in_fp32", true);
  c.tiedEmbeddings = f.boolean("tie_word_embeddings", true);
  std::string act = f.string("hidden_act", "silu");
  std::vector<int32_t> bos = f.tokenIds("bos_token_id");
  if (!bos.empty())
    c.bosTokenId = bos.front();
  c.eosTokenIds = f.tokenIds("eos_token_id");
  if (f.status.failed())
    return f.status;
  // The activation is the conv's and the gate's: tok.conv1d and the z gate
  // of tok.selective_scan compute silu.
  if (act != "silu" && act != "swish")
    return Status::error(std::string(f.path) + ": field 'hidden_act': '" + act +
                         "' is not supported for mamba (supported: silu)");
  return ModelConfig(std::move(c));
}

/// Mamba2Config (Mamba2ForCausalLM): sizes are required; the rest has
/// Mamba2Config's defaults. The mixer's width is int(expand · hidden_size)
/// (a stored intermediate_size is not read by HF's Mamba2Mixer), split into
/// num_heads heads of head_dim. time_step_limit clamps dt; time_step_min,
/// _max, _floor, rescale_prenorm_residual and initializer_range only
/// initialise weights; chunk_size picks the training kernel's blocking.
StatusOr<ModelConfig> parseMamba2Config(Fields &f, std::string modelType) {
  Mamba2Config c;
  c.modelType = std::move(modelType);
  c.vocabSize = f.integer("vocab_size", std::nullopt);
  c.hiddenSize = f.integer("hidden_size", std::nullopt);
  c.numLayers = f.integer("num_hidden_layers", std::nullopt, 1, 4096);
  c.stateSize = f.integer("state_size", 128, 1, 65536);
  c.convKernel = f.integer("conv_kernel", 4, 2, 4096);
  c.numHeads = f.integer("num_heads", 128, 1, 65536);
  c.headDim = f.integer("head_dim", 64, 1, 65536);
  c.numGroups = f.integer("n_groups", 8, 1, 65536);
  double expand = f.number("expand", 2.0);
  double inner = expand * static_cast<double>(c.hiddenSize);
  if (inner >= 1.0 && inner <= INT32_MAX)
    c.intermediateSize = static_cast<int64_t>(inner);
  else
    f.fail("field 'expand': expand * hidden_size must be in [1, " +
           std::to_string(INT32_MAX) + "]");
  c.convBias = f.boolean("use_conv_bias", true);
  c.projBias = f.boolean("use_bias", false);
  c.normEps = f.number("layer_norm_epsilon", 1e-5);
  c.residualInFp32 = f.boolean("residual_in_fp32", true);
  c.tiedEmbeddings = f.boolean("tie_word_embeddings", false);
  std::string act = f.string("hidden_act", "silu");
  std::vector<int32_t> bos = f.tokenIds("bos_token_id");
  if (!bos.empty())
    c.bosTokenId = bos.front();
  c.eosTokenIds = f.tokenIds("eos_token_id");
  // [min, max]; Infinity (read as kHugeNumber) or a huge max does not clamp.
  if (const json *limit = f.find("time_step_limit")) {
    if (!limit->is_array() || limit->size() != 2 || !(*limit)[0].is_number() ||
        !(*limit)[1].is_number() || !std::isfinite((*limit)[0].get<double>()) ||
        !std::isfinite((*limit)[1].get<double>()) ||
        (*limit)[0].get<double>() < 0 ||
        (*limit)[1].get<double>() < (*limit)[0].get<double>())
      f.fail("field 'time_step_limit': expected [min, max] with 0 <= min <= "
             "max, got " +
             limit->dump());
    else {
      c.timeStepMin = (*limit)[0].get<double>();
      c.timeStepMax = (*limit)[1].get<double>();
      c.timeStepMaxFinite = c.timeStepMax < 1e300;
    }
  }
  if (f.status.failed())
    return f.status;
  if (act != "silu" && act != "swish")
    return Status::error(std::string(f.path) + ": field 'hidden_act': '" + act +
                         "' is not supported for mamba2 (supported: silu)");
  if (c.numHeads * c.headDim != c.intermediateSize)
    return Status::error(std::string(f.path) + ": num_heads * head_dim (" +
                         std::to_string(c.numHeads) + " * " +
                         std::to_string(c.headDim) +
                         ") must equal expand * hidden_size (" +
                         std::to_string(c.intermediateSize) + ")");
  if (c.numHeads % c.numGroups != 0)
    return Status::error(std::string(f.path) + ": num_heads (" +
                         std::to_string(c.numHeads) +
                         ") must be a multiple of n_groups (" +
                         std::to_string(c.numGroups) + ")");
  return ModelConfig(std::move(c));
}

/// JambaConfig (JambaForCausalLM): sizes are required; the rest has
/// JambaConfig's defaults. num_experts > 1 is refused before this (the
/// expert_layer_* fields and the router's only matter with experts);
/// use_mamba_kernels picks a kernel, not the math.
StatusOr<ModelConfig> parseJambaConfig(Fields &f, std::string modelType) {
  JambaConfig c;
  c.modelType = std::move(modelType);
  c.vocabSize = f.integer("vocab_size", std::nullopt);
  c.hiddenSize = f.integer("hidden_size", std::nullopt);
  c.numLayers = f.integer("num_hidden_layers", std::nullopt, 1, 4096);
  int64_t numHeads = f.integer("num_attention_heads", std::nullopt, 1, 65536);
  int64_t numKVHeads = f.integer("num_key_value_heads", numHeads, 1, 65536);
  int64_t intermediate = f.integer("intermediate_size", std::nullopt);
  c.normEps = f.number("rms_norm_eps", 1e-6);
  c.tiedEmbeddings = f.boolean("tie_word_embeddings", false);
  int64_t period = f.integer("attn_layer_period", 8, 1, 4096);
  int64_t offset = f.integer("attn_layer_offset", 4, 0, 4096);
  int64_t stateSize = f.integer("mamba_d_state", 16, 1, 65536);
  int64_t convKernel = f.integer("mamba_d_conv", 4, 2, 4096);
  int64_t expand = f.integer("mamba_expand", 2, 1, 65536);
  const json *rank = f.find("mamba_dt_rank");
  if (rank && rank->is_string() && rank->get<std::string>() == "auto")
    rank = nullptr;
  int64_t dtRank = rank ? f.integer("mamba_dt_rank", std::nullopt)
                        : (c.hiddenSize + 15) / 16;
  bool convBias = f.boolean("mamba_conv_bias", true);
  bool projBias = f.boolean("mamba_proj_bias", false);
  std::string act = f.string("hidden_act", "silu");
  std::vector<int32_t> bos = f.tokenIds("bos_token_id");
  if (!bos.empty())
    c.bosTokenId = bos.front();
  c.eosTokenIds = f.tokenIds("eos_token_id");
  if (f.find("sliding_window"))
    f.fail("field 'sliding_window': sliding-window attention is not "
           "supported for jamba");
  if (f.status.failed())
    return f.status;
  // The activation is the MLP's, the conv's and the gate's: tok.conv1d and
  // the z gate of tok.selective_scan compute silu.
  if (act != "silu" && act != "swish")
    return Status::error(std::string(f.path) + ": field 'hidden_act': '" + act +
                         "' is not supported for jamba (supported: silu)");
  if (numHeads % numKVHeads != 0)
    return Status::error(std::string(f.path) + ": num_attention_heads (" +
                         std::to_string(numHeads) +
                         ") must be a multiple of num_key_value_heads (" +
                         std::to_string(numKVHeads) + ")");
  if (c.hiddenSize % numHeads != 0)
    return Status::error(std::string(f.path) + ": hidden_size (" +
                         std::to_string(c.hiddenSize) +
                         ") is not a multiple of num_attention_heads (" +
                         std::to_string(numHeads) + ")");
  if (c.hiddenSize / numHeads > 4096)
    return Status::error(std::string(f.path) + ": a head dim of " +
                         std::to_string(c.hiddenSize / numHeads) +
                         " (hidden_size / num_attention_heads) is over 4096");
  if (expand * c.hiddenSize > INT32_MAX)
    return Status::error(std::string(f.path) +
                         ": field 'mamba_expand': mamba_expand * hidden_size "
                         "must be at most " +
                         std::to_string(INT32_MAX));
  int64_t numAttention = 0;
  for (int64_t i = 0; i < c.numLayers; ++i) {
    c.attentionLayers.push_back(i % period == offset);
    numAttention += i % period == offset;
  }

  DecoderConfig &a = c.attention;
  a.modelType = c.modelType;
  a.vocabSize = c.vocabSize;
  a.hiddenSize = c.hiddenSize;
  a.numLayers = numAttention;
  a.numHeads = numHeads;
  a.numKVHeads = numKVHeads;
  a.headDim = c.hiddenSize / numHeads;
  a.intermediateSize = intermediate;
  a.normEps = c.normEps;
  a.rope = false;
  a.tiedEmbeddings = c.tiedEmbeddings;
  a.activation = "silu";
  a.layerWindow.assign(static_cast<size_t>(std::max<int64_t>(numAttention, 1)),
                       0);

  MambaConfig &m = c.mamba;
  m.modelType = c.modelType;
  m.vocabSize = c.vocabSize;
  m.hiddenSize = c.hiddenSize;
  m.numLayers = c.numLayers - numAttention;
  m.intermediateSize = expand * c.hiddenSize;
  m.stateSize = stateSize;
  m.convKernel = convKernel;
  m.timeStepRank = dtRank;
  m.convBias = convBias;
  m.projBias = projBias;
  m.normEps = c.normEps;
  m.residualInFp32 = false;
  m.tiedEmbeddings = c.tiedEmbeddings;
  m.dtNorms = true;
  return ModelConfig(std::move(c));
}

/// Python's json writes the non-standard tokens Infinity, -Infinity and NaN
/// (real Mamba-2 configs hold `"time_step_limit": [0.0, Infinity]`), which
/// nlohmann-json refuses: outside strings, Infinity becomes a huge finite
/// number (the sign stays in front of it) and NaN becomes null.
constexpr const char *kHugeNumber = "1e308";

std::string acceptNonFiniteTokens(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (inString) {
      out += ch;
      if (ch == '\\' && i + 1 < text.size())
        out += text[++i];
      else if (ch == '"')
        inString = false;
      continue;
    }
    if (ch == '"') {
      inString = true;
    } else if (text.substr(i, 8) == "Infinity") {
      out += kHugeNumber;
      i += 7;
      continue;
    } else if (text.substr(i, 3) == "NaN") {
      out += "null";
      i += 2;
      continue;
    }
    out += ch;
  }
  return out;
}

} // namespace

std::vector<std::string> supportedModelTypes() {
  return {"llama", "mistral", "qwen2", "gemma2",
          "mamba", "mamba2",  "jamba", "bert"};
}

StatusOr<ModelConfig> parseModelConfig(std::string_view text,
                                       std::string_view path) {
  std::string accepted = acceptNonFiniteTokens(text);
  json root = json::parse(accepted.begin(), accepted.end(), nullptr,
                          /*allow_exceptions=*/false);
  if (root.is_discarded())
    return Status::error(std::string(path) + ": not valid JSON");
  if (!root.is_object())
    return Status::error(std::string(path) + ": expected a JSON object");
  Fields f(root, path);
  DecoderConfig c;
  c.modelType = f.string("model_type", "");
  if (f.status.failed())
    return f.status;
  std::vector<std::string> supported = supportedModelTypes();
  if (std::find(supported.begin(), supported.end(), c.modelType) ==
      supported.end()) {
    std::string list;
    for (const std::string &t : supported)
      list += (list.empty() ? "" : ", ") + t;
    return Status::error(
        std::string(path) + ": " +
        (c.modelType.empty()
             ? std::string("missing 'model_type'")
             : "model_type '" + c.modelType + "' is not supported") +
        " (supported: " + list + ")");
  }
  for (const auto &[field, why] : kRefusedFields) {
    const json *v = f.find(field);
    if (!v ||
        (c.modelType == "gemma2" &&
         std::string_view(field).find("softcapping") != std::string_view::npos))
      continue;
    // A single expert is a dense MLP.
    if ((v->is_number_integer() && v->get<int64_t>() <= 1) ||
        (v->is_boolean() && !v->get<bool>()))
      continue;
    return Status::error(std::string(path) + ": field '" + field + "': " + why);
  }
  if (c.modelType == "bert")
    return parseEncoderConfig(f, c.modelType);
  if (c.modelType == "mamba")
    return parseMambaConfig(f, c.modelType);
  if (c.modelType == "mamba2")
    return parseMamba2Config(f, c.modelType);
  if (c.modelType == "jamba")
    return parseJambaConfig(f, c.modelType);

  c.vocabSize = f.integer("vocab_size", std::nullopt);
  c.hiddenSize = f.integer("hidden_size", std::nullopt);
  c.numLayers = f.integer("num_hidden_layers", std::nullopt, 1, 4096);
  c.numHeads = f.integer("num_attention_heads", std::nullopt, 1, 65536);
  c.numKVHeads = f.integer("num_key_value_heads", c.numHeads, 1, 65536);
  c.intermediateSize = f.integer("intermediate_size", std::nullopt);
  c.headDim = f.integer("head_dim",
                        c.numHeads > 0 && c.hiddenSize > 0
                            ? std::max<int64_t>(c.hiddenSize / c.numHeads, 1)
                            : 1,
                        1, 4096);
  c.normEps = f.number("rms_norm_eps", 1e-6);
  c.ropeTheta = f.number("rope_theta", 10000.0);
  // Gemma2Config names the activation hidden_activation (hidden_act is
  // legacy there).
  std::string act = c.modelType == "gemma2"
                        ? f.string("hidden_activation",
                                   f.string("hidden_act", "gelu_pytorch_tanh"))
                        : f.string("hidden_act", "silu");
  if (f.status.failed())
    return f.status;
  if (c.numHeads % c.numKVHeads != 0)
    return Status::error(std::string(path) + ": num_attention_heads (" +
                         std::to_string(c.numHeads) +
                         ") must be a multiple of num_key_value_heads (" +
                         std::to_string(c.numKVHeads) + ")");
  if (c.headDim > 4096)
    return Status::error(std::string(path) + ": a head dim of " +
                         std::to_string(c.headDim) +
                         " (hidden_size / num_attention_heads) is over 4096");
  if (!f.find("head_dim") && c.hiddenSize % c.numHeads != 0)
    return Status::error(std::string(path) + ": hidden_size (" +
                         std::to_string(c.hiddenSize) +
                         ") is not a multiple of num_attention_heads (" +
                         std::to_string(c.numHeads) + ")");
  std::optional<std::string> tokAct = tokActivation(act);
  if (!tokAct)
    return Status::error(std::string(path) + ": field 'hidden_act': '" + act +
                         "' is not supported (supported: silu, gelu, "
                         "gelu_pytorch_tanh, gelu_new, relu, sigmoid)");
  c.activation = *tokAct;

  double partial = f.number("partial_rotary_factor", 1.0);
  c.rotaryDim = static_cast<int64_t>(std::floor(c.headDim * partial));
  if (c.rotaryDim < 2 || c.rotaryDim % 2 != 0 || c.rotaryDim > c.headDim)
    return Status::error(
        std::string(path) + ": field 'partial_rotary_factor' gives " +
        std::to_string(c.rotaryDim) + " rotary dims of a head of " +
        std::to_string(c.headDim) +
        "; expected an even number in [2, head_dim]");
  for (int64_t i = 0; i < c.rotaryDim / 2; ++i)
    c.invFreq.push_back(
        1.0 / std::pow(c.ropeTheta, 2.0 * static_cast<double>(i) /
                                        static_cast<double>(c.rotaryDim)));
  applyRopeScaling(f, c);

  if (c.modelType == "qwen2") {
    c.qkvBias = true;
  } else {
    c.qkvBias = c.outputBias = f.boolean("attention_bias", false);
    c.mlpBias = f.boolean("mlp_bias", false);
  }
  // LlamaConfig, MistralConfig and Qwen2Config default to separate heads,
  // Gemma2Config to a tied one.
  c.tiedEmbeddings = f.boolean("tie_word_embeddings", c.modelType == "gemma2");
  if (c.modelType == "gemma2") {
    c.normPlusOne = c.sandwichNorms = c.scaleEmbeddings = true;
    c.attentionScale =
        1.0 / std::sqrt(f.number("query_pre_attn_scalar", 256.0));
    c.attentionSoftcap = f.number("attn_logit_softcapping", 0.0, false);
    c.finalSoftcap = f.number("final_logit_softcapping", 0.0, false);
    if (c.attentionSoftcap < 0 || c.finalSoftcap < 0)
      f.fail("soft-capping values must be positive or null");
  }

  // Sliding windows: mistral on every layer; qwen2 on the layers from
  // max_window_layers on when use_sliding_window; an explicit `layer_types`
  // list (newer HF configs) wins.
  c.layerWindow.assign(static_cast<size_t>(c.numLayers), 0);
  int64_t window = 0;
  if (c.modelType == "mistral" || c.modelType == "gemma2" ||
      (c.modelType == "qwen2" && f.boolean("use_sliding_window", false)))
    window = f.find("sliding_window")  ? f.integer("sliding_window", 1)
             : c.modelType == "gemma2" ? 4096
                                       : 0;
  if (const json *types = f.find("layer_types")) {
    if (!types->is_array() || types->size() != static_cast<size_t>(c.numLayers))
      return Status::error(std::string(path) +
                           ": field 'layer_types': expected a list of " +
                           std::to_string(c.numLayers) + " layer types");
    for (size_t i = 0; i < types->size(); ++i) {
      const json &t = (*types)[i];
      if (t == "sliding_attention") {
        if (!f.find("sliding_window"))
          return Status::error(std::string(path) +
                               ": layer_types names sliding_attention but "
                               "sliding_window is not set");
        c.layerWindow[i] = f.integer("sliding_window", 1);
      } else if (t != "full_attention") {
        return Status::error(std::string(path) + ": field 'layer_types[" +
                             std::to_string(i) + "]': " + t.dump() +
                             " is not supported (supported: full_attention, "
                             "sliding_attention)");
      }
    }
  } else if (window > 0 && c.modelType == "gemma2") {
    // Gemma 2 alternates: even layers slide, odd layers see everything.
    for (int64_t i = 0; i < c.numLayers; i += 2)
      c.layerWindow[static_cast<size_t>(i)] = window;
  } else if (window > 0) {
    int64_t first = 0;
    if (c.modelType == "qwen2")
      first = f.integer("max_window_layers", c.numLayers, 0);
    for (int64_t i = first; i < c.numLayers; ++i)
      c.layerWindow[static_cast<size_t>(i)] = window;
  }

  std::vector<int32_t> bos = f.tokenIds("bos_token_id");
  if (!bos.empty())
    c.bosTokenId = bos.front();
  c.eosTokenIds = f.tokenIds("eos_token_id");
  if (f.status.failed())
    return f.status;
  return ModelConfig(std::move(c));
}

} // namespace tokamak::frontend
