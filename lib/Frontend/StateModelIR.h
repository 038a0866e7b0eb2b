//===- StateModelIR.h - Public functions of recurrent models ----*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// The session-ABI functions of a model whose layers carry recurrent state
// (a conv state and an SSM state per layer, docs/Session.md) around its layer
// functions `@<prefix>sequence` (one sequence [1, T]) and `@<prefix>step`
// (B sequences, one token): @prefill, @decode and @hidden. Shared by Mamba
// (MambaIR.cpp) and Mamba-2 (Mamba2IR.cpp), whose IR writers provide the
// types and conversions used here.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_LIB_FRONTEND_STATEMODELIR_H
#define TOKAMAK_LIB_FRONTEND_STATEMODELIR_H

#include "DecoderIR.h"

#include <sstream>
#include <string>
#include <vector>

namespace tokamak::frontend {

/// Appends @prefill, @decode and @hidden to `w.os`. `Writer` has the IR
/// writer interface of MambaIR.cpp/Mamba2IR.cpp (act, convState, ssmState,
/// convert, epsAttr, vec, mat, layerParams, t, r, os); `seq` and `step` are
/// its two phases.
template <typename Writer, typename Config, typename Phase>
void emitStateModelFunctions(Writer &w, const Config &c,
                             const std::vector<WeightArg> &weights,
                             const std::string &layerPrefix, Phase seq,
                             Phase step) {
  auto str = [](int64_t v) { return std::to_string(v); };
  auto tensor = [](const std::string &shape, const std::string &type) {
    return "tensor<" + shape + "x" + type + ">";
  };
  std::ostringstream &os = w.os;
  const std::string &t = w.t;
  const std::string &r = w.r;
  size_t numGlobals = c.tiedEmbeddings ? 2 : 3;
  size_t perLayer = w.layerParams().size();
  int64_t h = c.hiddenSize;

  auto weightType = [&](const WeightArg &a) {
    std::string shape;
    for (size_t i = 0; i < a.shape.size(); ++i)
      shape += (i ? "x" : "") + str(a.shape[i]);
    return tensor(shape, t);
  };
  auto weightParams = [&]() {
    std::string s;
    for (size_t i = 0; i < weights.size(); ++i)
      s += ", %w" + std::to_string(i) + ": " + weightType(weights[i]);
    return s;
  };
  std::string abiConv = w.convState(step);
  std::string abiSsm = w.ssmState(step);
  auto ids = [&](Phase p) {
    return p == seq ? std::string("tensor<1x?xi32>")
                    : std::string("tensor<?x1xi32>");
  };

  // The embeddings in the residual stream's type: the name of x_0.
  auto embed = [&](Phase p) {
    os << "  %emb = tok.embedding %tokens, %w0 : (" << ids(p) << ", "
       << weightType(weights[0]) << ") -> " << w.act(p, h) << "\n";
    return w.convert("%x0", "%emb", w.actShape(p, h), 3, p == seq ? "%l" : "%b",
                     t, r);
  };
  // Layer l in its own region (buffers freed as each layer ends, see
  // DecoderIR.cpp): x_l, states -> x_{l+1}, %cs_l, %ss_l.
  auto layerCall = [&](Phase p, int64_t l, const std::string &in,
                       const std::string &conv, const std::string &ssm) {
    std::string x = w.act(p, h, r);
    std::string results = x + ", " + w.convState(p) + ", " + w.ssmState(p);
    std::string args = in + ", " + conv + ", " + ssm;
    std::string types = results;
    size_t base = numGlobals + static_cast<size_t>(l) * perLayer;
    for (size_t i = base; i < base + perLayer; ++i) {
      args += ", %w" + std::to_string(i);
      types += ", " + weightType(weights[i]);
    }
    std::string call = "%call" + str(l);
    os << "  %x" << l + 1 << ", %cs" << l << ", %ss" << l
       << " = scf.execute_region -> (" << results << ") no_inline {\n"
       << "  " << call << ":3 = func.call @" << layerPrefix
       << (p == seq ? "sequence" : "step") << "(" << args << ") : (" << types
       << ") -> (" << results << ")\n"
       << "  scf.yield " << call << "#0, " << call << "#1, " << call
       << "#2 : " << results << "\n  }\n";
  };
  // norm_f on [.., H] in the residual stream's type (its weight widened).
  auto finalNorm = [&](const std::string &result, const std::string &in,
                       const std::string &type) {
    std::string nw = w.convert("%nfw", "%w1", str(h), 1, "", t, r);
    os << "  " << result << " = tok.rms_norm " << in << ", " << nw << " "
       << w.epsAttr() << " : (" << type << ", " << w.vec(h, r) << ") -> "
       << type << "\n";
  };
  // The head on rows [count, H]: returns the f32 logits and the states.
  std::string logitsType = tensor("?x" + str(c.vocabSize), "f32");
  std::string resultTypes = logitsType;
  for (int64_t l = 0; l < c.numLayers; ++l)
    resultTypes += ", " + abiConv + ", " + abiSsm;
  auto head = [&](const std::string &in, const std::string &count,
                  const std::string &states) {
    std::string rowsType = tensor("?x" + str(h), r);
    finalNorm("%nf", in, rowsType);
    std::string nt = w.convert("%nft", "%nf", "?x" + str(h), 2, count, r, t);
    std::string lt = tensor("?x" + str(c.vocabSize), t);
    os << "  %lg = tok.linear " << nt << ", "
       << (c.tiedEmbeddings ? "%w0" : "%w2") << " : ("
       << tensor("?x" + str(h), t) << ", " << w.mat(c.vocabSize, h) << ") -> "
       << lt << "\n";
    std::string logits = w.convert("%logits", "%lg", "?x" + str(c.vocabSize), 2,
                                   count, t, "f32");
    os << "  return " << logits << states << " : " << resultTypes << "\n}\n\n";
  };
  auto sessionParams = [&](Phase p) {
    std::string s = "%tokens: " + ids(p) + ", %positions: " + ids(p) +
                    ", %seq_starts: tensor<?xi32>, %slots: " + ids(p) +
                    ", %block_table: tensor<?x?xi32>, %lens: tensor<?xi32>";
    for (int64_t l = 0; l < c.numLayers; ++l)
      s += ", %conv" + str(l) + ": " + abiConv + ", %ssm" + str(l) + ": " +
           abiSsm;
    return s + weightParams();
  };

  // @prefill: one sequence [1, T]; the logits of its last token.
  os << "func.func @prefill(" << sessionParams(seq) << ") -> (" << resultTypes
     << ") {\n"
     << "  %c1 = arith.constant 1 : index\n"
     << "  %l = tensor.dim %tokens, %c1 : " << ids(seq) << "\n";
  std::string x0 = embed(seq), seqStates;
  for (int64_t l = 0; l < c.numLayers; ++l) {
    std::string s = str(l);
    os << "  %ci" << s << " = tensor.cast %conv" << s << " : " << abiConv
       << " to " << w.convState(seq) << "\n"
       << "  %si" << s << " = tensor.cast %ssm" << s << " : " << abiSsm
       << " to " << w.ssmState(seq) << "\n";
    layerCall(seq, l, l ? "%x" + s : x0, "%ci" + s, "%si" + s);
    os << "  %conv_new" << s << " = tensor.cast %cs" << s << " : "
       << w.convState(seq) << " to " << abiConv << "\n"
       << "  %ssm_new" << s << " = tensor.cast %ss" << s << " : "
       << w.ssmState(seq) << " to " << abiSsm << "\n";
    seqStates += ", %conv_new" + s + ", %ssm_new" + s;
  }
  os << "  %lm1 = arith.subi %l, %c1 : index\n"
     << "  %last = tensor.extract_slice %x" << c.numLayers
     << "[0, %lm1, 0] [1, 1, " << h << "] [1, 1, 1] : " << w.act(seq, h, r)
     << " to " << tensor("1x" + str(h), r) << "\n"
     << "  %rows = tensor.cast %last : " << tensor("1x" + str(h), r) << " to "
     << tensor("?x" + str(h), r) << "\n";
  head("%rows", "%c1", seqStates);

  // @decode: one token for each of B sequences.
  os << "func.func @decode(" << sessionParams(step) << ") -> (" << resultTypes
     << ") {\n"
     << "  %c0 = arith.constant 0 : index\n"
     << "  %b = tensor.dim %tokens, %c0 : " << ids(step) << "\n";
  x0 = embed(step);
  std::string stepStates;
  for (int64_t l = 0; l < c.numLayers; ++l) {
    std::string s = str(l);
    layerCall(step, l, l ? "%x" + s : x0, "%conv" + s, "%ssm" + s);
    stepStates += ", %cs" + s + ", %ss" + s;
  }
  os << "  %rows = tensor.collapse_shape %x" << c.numLayers
     << " [[0, 1], [2]] : " << w.act(step, h, r) << " into "
     << tensor("?x" + str(h), r) << "\n";
  head("%rows", "%b", stepStates);

  // @hidden: the final hidden states of one sequence from zero states.
  std::string hiddenType = tensor("?x" + str(h), "f32");
  os << "func.func @hidden(%tokens: tensor<1x?xi32>, %positions: "
        "tensor<1x?xi32>"
     << weightParams() << ") -> " << hiddenType << " {\n"
     << "  %c1 = arith.constant 1 : index\n"
     << "  %l = tensor.dim %tokens, %c1 : tensor<1x?xi32>\n"
     << "  %zero = arith.constant 0.000000e+00 : " << t << "\n"
     << "  %zero32 = arith.constant 0.000000e+00 : f32\n"
     << "  %cze = tensor.empty() : " << w.convState(seq) << "\n"
     << "  %cz = linalg.fill ins(%zero : " << t
     << ") outs(%cze : " << w.convState(seq) << ") -> " << w.convState(seq)
     << "\n"
     << "  %sze = tensor.empty() : " << w.ssmState(seq) << "\n"
     << "  %sz = linalg.fill ins(%zero32 : f32) outs(%sze : " << w.ssmState(seq)
     << ") -> " << w.ssmState(seq) << "\n";
  x0 = embed(seq);
  for (int64_t l = 0; l < c.numLayers; ++l)
    layerCall(seq, l, l ? "%x" + str(l) : x0, "%cz", "%sz");
  finalNorm("%nf", "%x" + str(c.numLayers), w.act(seq, h, r));
  os << "  %rows = tensor.collapse_shape %nf [[0, 1], [2]] : "
     << w.act(seq, h, r) << " into " << tensor("?x" + str(h), r) << "\n";
  std::string hidden =
      w.convert("%hidden", "%rows", "?x" + str(h), 2, "%l", r, "f32");
  os << "  return " << hidden << " : " << hiddenType << "\n}\n";
}

} // namespace tokamak::frontend

#endif // TOKAMAK_LIB_FRONTEND_STATEMODELIR_H
