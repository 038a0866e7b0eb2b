//===- ModelConfig.h - Hugging Face config.json -----------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// The architecture-independent description of a model that the frontend
// builds IR from, read from a Hugging Face `config.json`. Every field that
// changes the math is read (with HF's defaults) or refused with an error
// naming it; fields that only matter to training or to other runtimes are
// ignored. Plain C++ (nlohmann-json): the fuzzer builds it without MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_FRONTEND_MODELCONFIG_H
#define TOKAMAK_FRONTEND_MODELCONFIG_H

#include "tokamak/runtime/Status.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tokamak::frontend {

/// The model types the frontend imports, as `model_type` spells them.
std::vector<std::string> supportedModelTypes();

/// A decoder-only transformer of the Llama family (llama, mistral, qwen2):
/// pre-norm blocks of GQA attention with RoPE and a gated MLP.
struct DecoderConfig {
  std::string modelType;
  int64_t vocabSize = 0;
  int64_t hiddenSize = 0;
  int64_t numLayers = 0;
  int64_t numHeads = 0;
  int64_t numKVHeads = 0;
  int64_t headDim = 0;
  int64_t intermediateSize = 0;
  double normEps = 1e-6;

  /// RoPE: `rotaryDim` leading dims of each head rotate (NeoX layout) with
  /// the inverse frequencies `invFreq` (rotaryDim / 2 values, scaling
  /// applied); `scaled` when rope_scaling changed them from theta's.
  int64_t rotaryDim = 0;
  double ropeTheta = 10000.0;
  std::vector<double> invFreq;
  bool ropeScaled = false;

  bool qkvBias = false;
  bool outputBias = false;
  bool mlpBias = false;
  bool tiedEmbeddings = false;
  /// tok.glu / tok.activation spelling of the MLP activation.
  std::string activation = "silu";

  /// Per layer: the sliding window (keys i - W < j <= i), or 0 for full.
  std::vector<int64_t> layerWindow;

  std::optional<int32_t> bosTokenId;
  std::vector<int32_t> eosTokenIds;
};

/// A BERT-style encoder (bert): post-norm blocks of bidirectional
/// multi-head attention and an MLP, all with biases, over the sum of word,
/// absolute position and token-type embeddings.
struct EncoderConfig {
  std::string modelType;
  int64_t vocabSize = 0;
  int64_t hiddenSize = 0;
  int64_t numLayers = 0;
  int64_t numHeads = 0;
  int64_t headDim = 0;
  int64_t intermediateSize = 0;
  /// Rows of the position table: the longest sequence.
  int64_t maxPositions = 0;
  /// Rows of the token-type table (every token is type 0).
  int64_t typeVocabSize = 0;
  double normEps = 1e-12;
  /// tok.activation spelling of the MLP activation.
  std::string activation = "gelu";
};

/// A parsed config.json: the model type decides the alternative.
using ModelConfig = std::variant<DecoderConfig, EncoderConfig>;

/// Parses `config.json` text (`path` prefixes errors). Unknown model types
/// list the supported ones; missing required fields, values of the wrong
/// type or range, and fields whose value changes the math in a way the
/// frontend does not implement (rope scaling types, activations, mixtures
/// of experts, quantization, relative positions, bert as a decoder) are
/// errors naming the field.
rt::StatusOr<ModelConfig> parseModelConfig(std::string_view json,
                                           std::string_view path);

} // namespace tokamak::frontend

#endif // TOKAMAK_FRONTEND_MODELCONFIG_H
