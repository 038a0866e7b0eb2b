//===- JambaIR.h - tok IR of Jamba language models --------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_LIB_FRONTEND_JAMBAIR_H
#define TOKAMAK_LIB_FRONTEND_JAMBAIR_H

#include "DecoderIR.h"

#include "tokamak/Frontend/ModelConfig.h"

#include <string>
#include <vector>

namespace tokamak::frontend {

/// The weights of a Jamba model in argument order (the embedding, the final
/// norm, the head when untied, then each layer's), named as HF's
/// JambaForCausalLM names them.
std::vector<WeightArg> jambaWeights(const JambaConfig &config);

/// The module text: `@prefill` (one sequence) and `@decode` in the session
/// ABI with K/V pools of `blockSize` rows for each attention layer, then the
/// conv and SSM states of each mamba layer (in layer order), and `@hidden`,
/// over weights of element type `elementType` in jambaWeights' order.
std::string buildJambaModule(const JambaConfig &config,
                             const std::string &elementType, int64_t blockSize);

} // namespace tokamak::frontend

#endif // TOKAMAK_LIB_FRONTEND_JAMBAIR_H
