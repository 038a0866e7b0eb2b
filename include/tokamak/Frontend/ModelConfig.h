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

/// A decoder-only transformer of the Llama family (llama, mistral, qwen2,
/// gemma2): pre-norm blocks of GQA attention with RoPE and a gated MLP.
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

  /// Gemma 2: RMSNorms scale by (1 + w); norms after attention and after
  /// the MLP besides the pre-norms; embeddings times sqrt(hidden) rounded to
  /// the weights' dtype; the attention scale query_pre_attn_scalar^-1/2;
  /// soft-capping c·tanh(x/c) of the attention scores and the final logits
  /// (0: none).
  bool normPlusOne = false;
  bool sandwichNorms = false;
  bool scaleEmbeddings = false;
  std::optional<double> attentionScale;
  double attentionSoftcap = 0;
  double finalSoftcap = 0;
  /// RoPE on q and k (Jamba's attention has no positional encoding).
  bool rope = true;

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

/// A Mamba-1 language model (mamba, HF MambaForCausalLM): pre-norm blocks
/// of a selective-state-space mixer (in_proj, causal depthwise conv1d,
/// x_proj / dt_proj, the selective scan gated by silu(z), out_proj) with
/// no attention and no MLP.
struct MambaConfig {
  std::string modelType;
  int64_t vocabSize = 0;
  int64_t hiddenSize = 0;
  int64_t numLayers = 0;
  /// The mixer's inner width (intermediate_size, or expand · hidden_size).
  int64_t intermediateSize = 0;
  /// N: the SSM state per channel.
  int64_t stateSize = 16;
  /// K: the conv1d kernel (the conv state holds K - 1 inputs).
  int64_t convKernel = 4;
  /// R: the rank of dt before dt_proj ("auto": ceil(hidden_size / 16)).
  int64_t timeStepRank = 0;
  bool convBias = true;
  /// Biases on in_proj and out_proj.
  bool projBias = false;
  double normEps = 1e-5;
  /// The residual stream is kept in f32 whatever the weights' dtype.
  bool residualInFp32 = true;
  bool tiedEmbeddings = true;
  /// Jamba: RMSNorms (eps normEps) on dt, B and C after x_proj, their
  /// weights the last three of each layer's.
  bool dtNorms = false;

  std::optional<int32_t> bosTokenId;
  std::vector<int32_t> eosTokenIds;
};

/// A Mamba-2 language model (mamba2, HF Mamba2ForCausalLM): pre-norm blocks
/// of the SSD mixer (in_proj to z, xBC and dt; causal depthwise conv1d over
/// xBC; a scalar-decay scan per head with B and C shared by the heads of a
/// group; the gated RMSNorm per group; out_proj).
struct Mamba2Config {
  std::string modelType;
  int64_t vocabSize = 0;
  int64_t hiddenSize = 0;
  int64_t numLayers = 0;
  /// I = expand · hidden_size = numHeads · headDim.
  int64_t intermediateSize = 0;
  int64_t numHeads = 0;
  int64_t headDim = 0;
  /// G: the groups of B and C (heads h reads group h / (numHeads / G)).
  int64_t numGroups = 1;
  /// N: the SSM state per head and channel.
  int64_t stateSize = 128;
  int64_t convKernel = 4;
  bool convBias = true;
  /// Biases on in_proj and out_proj.
  bool projBias = false;
  double normEps = 1e-5;
  bool residualInFp32 = true;
  bool tiedEmbeddings = false;
  /// dt is clamped to [timeStepMin, timeStepMax] after the softplus; an
  /// infinite (or huge) bound does not clamp.
  double timeStepMin = 0.0;
  double timeStepMax = 0.0;
  bool timeStepMaxFinite = false;

  std::optional<int32_t> bosTokenId;
  std::vector<int32_t> eosTokenIds;
};

/// A Jamba language model (jamba, HF JambaForCausalLM with one expert):
/// pre-norm blocks whose mixer is GQA attention without positional encoding
/// on the layers i with i % attn_layer_period == attn_layer_offset and a
/// Mamba-1 mixer with RMSNorms on dt, B and C elsewhere, each block followed
/// by a pre-norm gated MLP; a final norm and the head.
struct JambaConfig {
  std::string modelType;
  int64_t vocabSize = 0;
  int64_t hiddenSize = 0;
  int64_t numLayers = 0;
  double normEps = 1e-6;
  bool tiedEmbeddings = false;
  /// Per layer: attention (true) or mamba.
  std::vector<bool> attentionLayers;
  /// The attention layers and every layer's MLP (rope off, no biases, one
  /// full-attention layer kind; numLayers counts the attention layers).
  DecoderConfig attention;
  /// The mamba mixers (dtNorms; the residual stream in the weights' dtype;
  /// numLayers counts the mamba layers).
  MambaConfig mamba;

  std::optional<int32_t> bosTokenId;
  std::vector<int32_t> eosTokenIds;
};

/// A parsed config.json: the model type decides the alternative.
using ModelConfig = std::variant<DecoderConfig, EncoderConfig, MambaConfig,
                                 Mamba2Config, JambaConfig>;

/// Parses `config.json` text (`path` prefixes errors). Unknown model types
/// list the supported ones; missing required fields, values of the wrong
/// type or range, and fields whose value changes the math in a way the
/// frontend does not implement (rope scaling types, activations, mixtures
/// of experts, quantization, relative positions, bert as a decoder, mamba
/// activations other than silu) are errors naming the field.
rt::StatusOr<ModelConfig> parseModelConfig(std::string_view json,
                                           std::string_view path);

} // namespace tokamak::frontend

#endif // TOKAMAK_FRONTEND_MODELCONFIG_H
