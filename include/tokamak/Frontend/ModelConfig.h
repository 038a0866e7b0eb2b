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

/// Parses `config.json` text (`path` prefixes errors). Unknown model types
/// list the supported ones; missing required fields, values of the wrong
/// type or range, and fields whose value changes the math in a way the
/// frontend does not implement (rope scaling types, activations, mixtures
/// of experts, quantization) are errors naming the field.
rt::StatusOr<DecoderConfig> parseModelConfig(std::string_view json,
                                             std::string_view path);

} // namespace tokamak::frontend

#endif // TOKAMAK_FRONTEND_MODELCONFIG_H
