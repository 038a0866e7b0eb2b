//===- MambaIR.h - tok IR of Mamba-1 language models ------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_LIB_FRONTEND_MAMBAIR_H
#define TOKAMAK_LIB_FRONTEND_MAMBAIR_H

#include "DecoderIR.h"

#include "tokamak/Frontend/ModelConfig.h"

#include <string>
#include <vector>

namespace tokamak::frontend {

/// The weights of a Mamba-1 model in argument order (the embedding, the
/// final norm, the head when untied, then each layer's), named as HF's
/// MambaForCausalLM names them.
std::vector<WeightArg> mambaWeights(const MambaConfig &config);

/// The private layer functions of buildMambaModule alone,
/// `@mamba_layer_sequence` ([1, T, H], batch-1 states) and
/// `@mamba_layer_step` ([B, 1, H]): the residual stream and a layer's conv
/// and SSM states and weights (in mambaWeights' per-layer order, then the
/// dt, B and C norms when dtNorms) -> the new stream and states.
std::string buildMambaLayerFunctions(const MambaConfig &config,
                                     const std::string &elementType);

/// The module text: `@prefill` and `@decode` in the session ABI with two
/// recurrent states per layer (conv `[N, I, K-1]` in the element type, SSM
/// `[N, I, state_size]` in f32) and no K/V pools, and `@hidden`, over
/// weights of element type `elementType` ("f32", "f16" or "bf16") in
/// mambaWeights' order.
std::string buildMambaModule(const MambaConfig &config,
                             const std::string &elementType);

} // namespace tokamak::frontend

#endif // TOKAMAK_LIB_FRONTEND_MAMBAIR_H
