//===- EncoderIR.cpp - tok IR of BERT-style encoders ----------------------===//
//
// Part of the Tokamak project.
//
// Writes the module of a BERT encoder as tok IR text, following HF's
// BertModel (no attention mask: one unpadded sequence):
//
//   x = layer_norm(word[tokens] + token_type[0] + position[positions])
//   h = layer_norm(x + dense(attention(query(x), key(x), value(x))))
//   y = layer_norm(h + output(act(intermediate(h))))
//
// with bidirectional multi-head attention scaled by 1/sqrt(head_dim) and
// biases on every linear. The layer is one private function called once per
// layer with that layer's weights, so compile time does not grow with
// depth. The module has only `@hidden`: an encoder does not generate.
//
//===----------------------------------------------------------------------===//

#include "EncoderIR.h"
#include "IRText.h"

#include <cstdio>
#include <iterator>
#include <sstream>
#include <utility>

namespace tokamak::frontend {
namespace {

using namespace irtext;

/// Weight arguments before the first layer's: the three embedding tables
/// and the embedding norm's weight and bias.
constexpr size_t kNumGlobals = 5;
/// Weight arguments of each layer (encoderWeights lists them).
constexpr size_t kPerLayer = 16;

/// Shapes and attributes shared by the functions of one module.
struct Writer {
  const EncoderConfig &c;
  std::string t; // element type
  std::ostringstream os;

  std::string tensor(const std::string &shape) const {
    return "tensor<" + shape + "x" + t + ">";
  }
  std::string rows(int64_t n) const { return tensor("?x" + str(n)); }
  std::string vec(int64_t n) const { return tensor(str(n)); }
  std::string mat(int64_t n, int64_t k) const {
    return tensor(str(n) + "x" + str(k));
  }
  /// Tokens-major [1, ?, heads, D] and head-major [1, heads, ?, D].
  std::string split() const {
    return tensor("1x?x" + str(c.numHeads) + "x" + str(c.headDim));
  }
  std::string heads() const {
    return tensor("1x" + str(c.numHeads) + "x?x" + str(c.headDim));
  }
  std::string epsAttr() const {
    return "{eps = " + fmtFloat(c.normEps) + " : f32}";
  }

  /// `result = x Wᵀ + b` on rows: x [?, k] -> [?, n].
  void linear(const std::string &result, const std::string &x,
              const std::string &w, const std::string &b, int64_t n,
              int64_t k) {
    os << "  " << result << " = tok.linear " << x << ", " << w << " bias(" << b
       << " : " << vec(n) << ") : (" << rows(k) << ", " << mat(n, k) << ") -> "
       << rows(n) << "\n";
  }

  /// `result = layer_norm(a + b)` on rows [?, H] (the residual sum in the
  /// element type, as HF adds before its LayerNorm).
  void addNorm(const std::string &result, const std::string &a,
               const std::string &b, const std::string &w,
               const std::string &bias) {
    std::string x = rows(c.hiddenSize);
    os << "  " << result << "_e = tensor.empty(%t) : " << x << "\n"
       << "  " << result << "_r = linalg.add ins(" << a << ", " << b << " : "
       << x << ", " << x << ") outs(" << result << "_e : " << x << ") -> " << x
       << "\n"
       << "  " << result << " = tok.layer_norm " << result << "_r, " << w
       << ", " << bias << " " << epsAttr() << " : (" << x << ", "
       << vec(c.hiddenSize) << ", " << vec(c.hiddenSize) << ") -> " << x
       << "\n";
  }

  /// [?, H] rows split into heads and moved head-major.
  void toHeads(const std::string &result, const std::string &in) {
    os << "  " << result << "_s = tensor.expand_shape " << in
       << " [[0, 1], [2, 3]] output_shape [1, %t, " << c.numHeads << ", "
       << c.headDim << "] : " << rows(c.hiddenSize) << " into " << split()
       << "\n"
       << "  " << result << "_e = tensor.empty(%t) : " << heads() << "\n"
       << "  " << result << " = linalg.transpose ins(" << result
       << "_s : " << split() << ") outs(" << result << "_e : " << heads()
       << ") permutation = [0, 2, 1, 3]\n";
  }

  /// @encoder_layer: x [?, H] and the layer's weights (encoderWeights'
  /// order) -> the layer's output [?, H].
  void layerFunction() {
    int64_t h = c.hiddenSize, i = c.intermediateSize;
    std::string x = rows(h);
    std::pair<const char *, std::string> params[] = {
        {"%wq", mat(h, h)}, {"%bq", vec(h)},    {"%wk", mat(h, h)},
        {"%bk", vec(h)},    {"%wv", mat(h, h)}, {"%bv", vec(h)},
        {"%wo", mat(h, h)}, {"%bo", vec(h)},    {"%ln1w", vec(h)},
        {"%ln1b", vec(h)},  {"%wi", mat(i, h)}, {"%bi", vec(i)},
        {"%wf", mat(h, i)}, {"%bf", vec(h)},    {"%ln2w", vec(h)},
        {"%ln2b", vec(h)}};
    static_assert(std::size(params) == kPerLayer);
    os << "func.func private @encoder_layer(%x: " << x;
    for (const auto &[name, type] : params)
      os << ", " << name << ": " << type;
    os << ") -> " << x << " {\n"
       << "  %c0 = arith.constant 0 : index\n"
       << "  %t = tensor.dim %x, %c0 : " << x << "\n";
    linear("%q", "%x", "%wq", "%bq", h, h);
    linear("%k", "%x", "%wk", "%bk", h, h);
    linear("%v", "%x", "%wv", "%bv", h, h);
    toHeads("%qh", "%q");
    toHeads("%kh", "%k");
    toHeads("%vh", "%v");
    os << "  %o = tok.attention %qh, %kh, %vh : (" << heads() << ", " << heads()
       << ", " << heads() << ") -> " << heads() << "\n"
       << "  %oe = tensor.empty(%t) : " << split() << "\n"
       << "  %ot = linalg.transpose ins(%o : " << heads()
       << ") outs(%oe : " << split() << ") permutation = [0, 2, 1, 3]\n"
       << "  %oc = tensor.collapse_shape %ot [[0, 1], [2, 3]] : " << split()
       << " into " << x << "\n";
    linear("%a", "%oc", "%wo", "%bo", h, h);
    addNorm("%h", "%a", "%x", "%ln1w", "%ln1b");
    linear("%m", "%h", "%wi", "%bi", i, h);
    os << "  %g = tok.activation %m {kind = \"" << c.activation << "\"} : ("
       << rows(i) << ") -> " << rows(i) << "\n";
    linear("%f", "%g", "%wf", "%bf", h, i);
    addNorm("%y", "%f", "%h", "%ln2w", "%ln2b");
    os << "  return %y : " << x << "\n}\n\n";
  }
};

} // namespace

std::vector<WeightArg> encoderWeights(const EncoderConfig &c,
                                      const std::string &prefix) {
  int64_t h = c.hiddenSize, i = c.intermediateSize;
  std::vector<WeightArg> w;
  std::string e = prefix + "embeddings.";
  w.push_back({e + "word_embeddings.weight", {c.vocabSize, h}});
  w.push_back({e + "position_embeddings.weight", {c.maxPositions, h}});
  w.push_back({e + "token_type_embeddings.weight", {c.typeVocabSize, h}});
  w.push_back({e + "LayerNorm.weight", {h}});
  w.push_back({e + "LayerNorm.bias", {h}});
  for (int64_t l = 0; l < c.numLayers; ++l) {
    std::string p = prefix + "encoder.layer." + std::to_string(l) + ".";
    auto linear = [&](const std::string &name, int64_t n, int64_t k) {
      w.push_back({p + name + ".weight", {n, k}});
      w.push_back({p + name + ".bias", {n}});
    };
    auto norm = [&](const std::string &name) {
      w.push_back({p + name + ".weight", {h}});
      w.push_back({p + name + ".bias", {h}});
    };
    linear("attention.self.query", h, h);
    linear("attention.self.key", h, h);
    linear("attention.self.value", h, h);
    linear("attention.output.dense", h, h);
    norm("attention.output.LayerNorm");
    linear("intermediate.dense", i, h);
    linear("output.dense", h, i);
    norm("output.LayerNorm");
  }
  return w;
}

std::string buildEncoderModule(const EncoderConfig &c,
                               const std::string &elementType) {
  Writer w{c, elementType, {}};
  std::ostringstream &os = w.os;
  const std::string &t = elementType;
  std::vector<WeightArg> weights = encoderWeights(c, "");
  w.layerFunction();

  auto weightType = [&](const WeightArg &a) {
    std::string shape;
    for (size_t i = 0; i < a.shape.size(); ++i)
      shape += (i ? "x" : "") + str(a.shape[i]);
    return w.tensor(shape);
  };
  int64_t h = c.hiddenSize;
  std::string x = w.rows(h), e3 = w.tensor("1x?x" + str(h));
  std::string result = "tensor<?x" + str(h) + "xf32>";

  // @hidden: embeddings and their norm, the layers, the output in f32.
  os << "func.func @hidden(%tokens: tensor<1x?xi32>, %positions: "
        "tensor<1x?xi32>";
  for (size_t i = 0; i < weights.size(); ++i)
    os << ", %w" << i << ": " << weightType(weights[i]);
  os << ") -> " << result << " {\n"
     << "  %c1 = arith.constant 1 : index\n"
     << "  %t = tensor.dim %tokens, %c1 : tensor<1x?xi32>\n"
     << "  %we = tok.embedding %tokens, %w0 : (tensor<1x?xi32>, "
     << weightType(weights[0]) << ") -> " << e3 << "\n"
     << "  %pe = tok.embedding %positions, %w1 : (tensor<1x?xi32>, "
     << weightType(weights[1]) << ") -> " << e3 << "\n"
     << "  %tt = tensor.extract_slice %w2[0, 0] [1, " << h
     << "] [1, 1] : " << weightType(weights[2]) << " to " << w.vec(h) << "\n"
     << "  %ee = tensor.empty(%t) : " << e3
     << "\n"
     // HF: (word + token_type) + position, each sum in the element type.
     << "  %es = linalg.generic {indexing_maps = [affine_map<(b, s, e) -> "
        "(b, s, e)>, affine_map<(b, s, e) -> (b, s, e)>, affine_map<(b, s, "
        "e) -> (e)>, affine_map<(b, s, e) -> (b, s, e)>], iterator_types = "
        "[\"parallel\", \"parallel\", \"parallel\"]} ins(%we, %pe, %tt : "
     << e3 << ", " << e3 << ", " << w.vec(h) << ") outs(%ee : " << e3 << ") {\n"
     << "  ^bb0(%word: " << t << ", %pos: " << t << ", %type: " << t
     << ", %unused: " << t << "):\n"
     << "    %wt = arith.addf %word, %type : " << t << "\n"
     << "    %sum = arith.addf %wt, %pos : " << t << "\n"
     << "    linalg.yield %sum : " << t << "\n"
     << "  } -> " << e3 << "\n"
     << "  %er = tensor.collapse_shape %es [[0, 1], [2]] : " << e3 << " into "
     << x << "\n"
     << "  %x0 = tok.layer_norm %er, %w3, %w4 " << w.epsAttr() << " : (" << x
     << ", " << w.vec(h) << ", " << w.vec(h) << ") -> " << x << "\n";
  for (int64_t l = 0; l < c.numLayers; ++l) {
    size_t base = kNumGlobals + static_cast<size_t>(l) * kPerLayer;
    std::string args = "%x" + str(l), types = x;
    for (size_t i = base; i < base + kPerLayer; ++i) {
      args += ", %w" + std::to_string(i);
      types += ", " + weightType(weights[i]);
    }
    os << "  %x" << l + 1 << " = func.call @encoder_layer(" << args << ") : ("
       << types << ") -> " << x << "\n";
  }
  std::string last = "%x" + str(c.numLayers);
  if (t == "f32") {
    os << "  return " << last << " : " << result << "\n}\n";
    return os.str();
  }
  os << "  %he = tensor.empty(%t) : " << result << "\n"
     << "  %hidden = linalg.generic {indexing_maps = [affine_map<(i, j) -> "
        "(i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = "
        "[\"parallel\", \"parallel\"]} ins("
     << last << " : " << x << ") outs(%he : " << result << ") {\n"
     << "  ^bb0(%a: " << t << ", %unused: f32):\n"
     << "    %wide = arith.extf %a : " << t << " to f32\n"
     << "    linalg.yield %wide : f32\n"
     << "  } -> " << result << "\n"
     << "  return %hidden : " << result << "\n}\n";
  return os.str();
}

} // namespace tokamak::frontend
