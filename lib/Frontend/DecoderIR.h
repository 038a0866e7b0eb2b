//===- DecoderIR.h - tok IR of Llama-family decoders ------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_LIB_FRONTEND_DECODERIR_H
#define TOKAMAK_LIB_FRONTEND_DECODERIR_H

#include "tokamak/Frontend/ModelConfig.h"

#include <string>
#include <vector>

namespace tokamak::frontend {

/// One weight argument: its safetensors name and shape.
struct WeightArg {
  std::string name;
  std::vector<int64_t> shape;
};

/// The weights of a Llama-family decoder in argument order (globals, then
/// each layer's), with the shapes the checkpoint must have.
std::vector<WeightArg> decoderWeights(const DecoderConfig &config);

/// The private layer functions of buildDecoderModule alone: `@qkv`, `@mlp`
/// and `@attention_{prefill,decode,forward}_<kind>` for each distinct window
/// of `config.layerWindow` ("full" or "window<W>"), for models that call
/// them from their own public functions (jamba).
std::string buildDecoderLayerFunctions(const DecoderConfig &config,
                                       const std::string &elementType,
                                       int64_t blockSize);

/// The module text: `@prefill`, `@decode` (session ABI, K/V pools of
/// `blockSize` rows) and `@hidden`, over weights of element type
/// `elementType` ("f32", "f16" or "bf16") in decoderWeights' order. With
/// `snapkvObs` > 0 also `@prefill_stats` (stats in K/V argument order);
/// `perHead` selects the per-head layout (docs/Session.md), `perLayerGroups`
/// one cache group per layer instead of one per distinct window; with `h2o`
/// also `@prefill_h2o` (every query's stats per layer) and `@decode_stats`.
std::string buildDecoderModule(const DecoderConfig &config,
                               const std::string &elementType,
                               int64_t blockSize, int64_t snapkvObs = 0,
                               bool perHead = false,
                               bool perLayerGroups = false, bool h2o = false);

} // namespace tokamak::frontend

#endif // TOKAMAK_LIB_FRONTEND_DECODERIR_H
