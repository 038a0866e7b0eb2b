//===- Mamba2IR.h - tok IR of Mamba-2 language models -----------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_LIB_FRONTEND_MAMBA2IR_H
#define TOKAMAK_LIB_FRONTEND_MAMBA2IR_H

#include "DecoderIR.h"

#include "tokamak/Frontend/ModelConfig.h"

#include <string>
#include <vector>

namespace tokamak::frontend {

/// The weights of a Mamba-2 model in argument order (the embedding, the
/// final norm, the head when untied, then each layer's), named as HF's
/// Mamba2ForCausalLM names them.
std::vector<WeightArg> mamba2Weights(const Mamba2Config &config);

/// The module text: `@prefill` and `@decode` in the session ABI with two
/// recurrent states per layer (conv `[N, I + 2GN, K-1]` in the element type,
/// SSM `[N, heads, state_size, head_dim]` in f32) and no K/V pools, and
/// `@hidden`, over weights of element type `elementType` ("f32", "f16" or
/// "bf16") in mamba2Weights' order.
std::string buildMamba2Module(const Mamba2Config &config,
                              const std::string &elementType);

} // namespace tokamak::frontend

#endif // TOKAMAK_LIB_FRONTEND_MAMBA2IR_H
