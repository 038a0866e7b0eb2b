//===- EncoderIR.h - tok IR of BERT-style encoders --------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_LIB_FRONTEND_ENCODERIR_H
#define TOKAMAK_LIB_FRONTEND_ENCODERIR_H

#include "DecoderIR.h"

#include "tokamak/Frontend/ModelConfig.h"

#include <string>
#include <vector>

namespace tokamak::frontend {

/// The weights of a BERT encoder in argument order (the embeddings and
/// their norm, then each layer's), named with `prefix` ("" for HF's
/// BertModel, "bert." for the models with a task head).
std::vector<WeightArg> encoderWeights(const EncoderConfig &config,
                                      const std::string &prefix);

/// The module text: `@hidden` (tokens, positions, weights in
/// encoderWeights' order) -> the last layer's hidden states in f32, over
/// weights of element type `elementType` ("f32", "f16" or "bf16").
std::string buildEncoderModule(const EncoderConfig &config,
                               const std::string &elementType);

} // namespace tokamak::frontend

#endif // TOKAMAK_LIB_FRONTEND_ENCODERIR_H
