//===- JambaIR.cpp - tok IR of Jamba language models ----------------------===//
//
// Part of the Tokamak project.
//
// Writes the module of a dense Jamba model (HF JambaForCausalLM with
// num_experts = 1) as tok IR text, following JambaAttentionDecoderLayer and
// JambaMambaDecoderLayer:
//
//   h = x + mixer(rms_norm(x))
//   y = h + down_proj(silu(gate_proj(m)) * up_proj(m)) with m = rms_norm(h)
//
// where the mixer is GQA attention without positional encoding on the
// layers i with i % attn_layer_period == attn_layer_offset, and a Mamba-1
// mixer with RMSNorms on dt, B and C after x_proj elsewhere. The layer
// functions are DecoderIR's (@qkv, @mlp, @attention_*_full with rope off:
// an attention layer is exactly a Llama layer without rope) and MambaIR's
// (@mamba_layer_*, with dtNorms), plus @ffn, the MLP block of a mamba layer.
// The residual stream is rows [N, H] in the weights' dtype (Jamba has no
// residual_in_fp32); the mamba functions see it as [1, T, H] or [B, 1, H].
//
// Session ABI: the K/V pools of the attention layers (in layer order), then
// the conv and SSM states of the mamba layers (in layer order); results the
// logits, then the new states. With recurrent states rt::Session prefills
// one sequence per call (see MambaIR.cpp); @prefill still takes the logits
// of each sequence's last token through seq_starts, so a model with no
// mamba layers prefills packed prompts.
//
//===----------------------------------------------------------------------===//

#include "JambaIR.h"
#include "IRText.h"

#include "MambaIR.h"

#include <cstdio>
#include <sstream>

namespace tokamak::frontend {
namespace {

using namespace irtext;

enum class Phase { Prefill, Decode, Forward };

constexpr const char *kNoInline = " attributes {passthrough = [\"noinline\"]}";

/// The weights of layer `l` after the layer's prefix, in argument order.
void layerWeights(const JambaConfig &c, int64_t l, std::vector<WeightArg> &w) {
  int64_t h = c.hiddenSize, f = c.attention.intermediateSize;
  std::string p = "model.layers." + std::to_string(l) + ".";
  auto add = [&](const std::string &name, std::vector<int64_t> shape) {
    w.push_back({p + name, std::move(shape)});
  };
  add("input_layernorm.weight", {h});
  if (c.attentionLayers[static_cast<size_t>(l)]) {
    const DecoderConfig &a = c.attention;
    int64_t q = a.numHeads * a.headDim, kv = a.numKVHeads * a.headDim;
    add("self_attn.q_proj.weight", {q, h});
    add("self_attn.k_proj.weight", {kv, h});
    add("self_attn.v_proj.weight", {kv, h});
    add("self_attn.o_proj.weight", {h, q});
  } else {
    const MambaConfig &m = c.mamba;
    int64_t i = m.intermediateSize, n = m.stateSize, r = m.timeStepRank;
    add("mamba.in_proj.weight", {2 * i, h});
    if (m.projBias)
      add("mamba.in_proj.bias", {2 * i});
    add("mamba.conv1d.weight", {i, 1, m.convKernel});
    if (m.convBias)
      add("mamba.conv1d.bias", {i});
    add("mamba.x_proj.weight", {r + 2 * n, i});
    add("mamba.dt_proj.weight", {i, r});
    add("mamba.dt_proj.bias", {i});
    add("mamba.A_log", {i, n});
    add("mamba.D", {i});
    add("mamba.out_proj.weight", {h, i});
    if (m.projBias)
      add("mamba.out_proj.bias", {h});
    add("mamba.dt_layernorm.weight", {r});
    add("mamba.b_layernorm.weight", {n});
    add("mamba.c_layernorm.weight", {n});
  }
  add("pre_ff_layernorm.weight", {h});
  add("feed_forward.gate_proj.weight", {f, h});
  add("feed_forward.up_proj.weight", {f, h});
  add("feed_forward.down_proj.weight", {h, f});
}

} // namespace

std::vector<WeightArg> jambaWeights(const JambaConfig &c) {
  std::vector<WeightArg> w;
  w.push_back({"model.embed_tokens.weight", {c.vocabSize, c.hiddenSize}});
  w.push_back({"model.final_layernorm.weight", {c.hiddenSize}});
  if (!c.tiedEmbeddings)
    w.push_back({"lm_head.weight", {c.vocabSize, c.hiddenSize}});
  for (int64_t l = 0; l < c.numLayers; ++l)
    layerWeights(c, l, w);
  return w;
}

std::string buildJambaModule(const JambaConfig &c,
                             const std::string &elementType,
                             int64_t blockSize) {
  const std::string &t = elementType;
  const DecoderConfig &a = c.attention;
  const MambaConfig &m = c.mamba;
  std::ostringstream os;
  std::vector<WeightArg> weights = jambaWeights(c);
  int64_t h = c.hiddenSize, f = a.intermediateSize, v = c.vocabSize;

  // The first weight of each layer and the number of its mixer's weights
  // (the input norm included; the MLP's four follow).
  std::vector<size_t> base;
  std::vector<size_t> mixerCount;
  size_t next = c.tiedEmbeddings ? 2 : 3;
  for (int64_t l = 0; l < c.numLayers; ++l) {
    std::vector<WeightArg> layer;
    layerWeights(c, l, layer);
    base.push_back(next);
    mixerCount.push_back(layer.size() - 4);
    next += layer.size();
  }
  bool anyAttention = a.numLayers > 0, anyMamba = m.numLayers > 0;

  auto rows = [&](int64_t n) { return tensor("?x" + str(n), t); };
  auto vec = [&](int64_t n) { return tensor(str(n), t); };
  auto mat = [&](int64_t n, int64_t k) {
    return tensor(str(n) + "x" + str(k), t);
  };
  std::string x = rows(h);
  std::string eps = "{eps = " + fmtFloat(c.normEps) + " : f32}";
  int64_t q = a.numHeads * a.headDim, kv = a.numKVHeads * a.headDim;
  std::string cacheType = tensor("?x" + str(blockSize) + "x" +
                                     str(a.numKVHeads) + "x" + str(a.headDim),
                                 t);
  int64_t inner = m.intermediateSize;
  auto convState = [&](bool batch1) {
    return tensor(
        (batch1 ? "1x" : "?x") + str(inner) + "x" + str(m.convKernel - 1), t);
  };
  auto ssmState = [&](bool batch1) {
    return tensor((batch1 ? "1x" : "?x") + str(inner) + "x" + str(m.stateSize),
                  "f32");
  };
  auto ids = [](Phase p) {
    return std::string(p == Phase::Decode ? "tensor<?x1xi32>"
                                          : "tensor<1x?xi32>");
  };
  auto act = [&](Phase p) {
    return tensor(p == Phase::Decode ? "?x1x" + str(h) : "1x?x" + str(h), t);
  };

  if (anyAttention)
    os << buildDecoderLayerFunctions(a, t, blockSize);
  if (anyMamba)
    os << buildMambaLayerFunctions(m, t);

  // @ffn: the MLP block of a mamba layer (an attention layer's is @mlp's).
  std::string mid = rows(f);
  os << "func.func private @ffn(%x: " << x << ", %ln: " << vec(h)
     << ", %wg: " << mat(f, h) << ", %wu: " << mat(f, h)
     << ", %wd: " << mat(h, f) << ") -> " << x << kNoInline << " {\n"
     << "  %c0 = arith.constant 0 : index\n"
     << "  %rows = tensor.dim %x, %c0 : " << x << "\n"
     << "  %n = tok.rms_norm %x, %ln " << eps << " : (" << x << ", " << vec(h)
     << ") -> " << x << "\n"
     << "  %g = tok.linear %n, %wg : (" << x << ", " << mat(f, h) << ") -> "
     << mid << "\n"
     << "  %ga = tok.activation %g {kind = \"silu\"} : (" << mid << ") -> "
     << mid << "\n"
     << "  %u = tok.linear %n, %wu : (" << x << ", " << mat(f, h) << ") -> "
     << mid << "\n"
     << "  %me = tensor.empty(%rows) : " << mid << "\n"
     << "  %m = linalg.mul ins(%ga, %u : " << mid << ", " << mid
     << ") outs(%me : " << mid << ") -> " << mid << "\n"
     << "  %d = tok.linear %m, %wd : (" << mid << ", " << mat(h, f) << ") -> "
     << x << "\n"
     << "  %ye = tensor.empty(%rows) : " << x << "\n"
     << "  %y = linalg.add ins(%x, %d : " << x << ", " << x
     << ") outs(%ye : " << x << ") -> " << x << "\n"
     << "  return %y : " << x << "\n}\n\n";

  auto weightType = [&](const WeightArg &arg) {
    std::string shape;
    for (size_t i = 0; i < arg.shape.size(); ++i)
      shape += (i ? "x" : "") + str(arg.shape[i]);
    return tensor(shape, t);
  };
  auto weightParams = [&]() {
    std::string s;
    for (size_t i = 0; i < weights.size(); ++i)
      s += ", %w" + std::to_string(i) + ": " + weightType(weights[i]);
    return s;
  };
  auto weightArgs = [&](size_t from, size_t to, std::string &args,
                        std::string &types) {
    for (size_t i = from; i < to; ++i) {
      args += ", %w" + std::to_string(i);
      types += ", " + weightType(weights[i]);
    }
  };

  // Layer l of a phase on rows %x<l> -> %x<l+1>, each in its own region
  // (buffers freed as each layer ends, see DecoderIR.cpp). Attention layer
  // number `k` uses the pools %kc<k>, %vc<k>; mamba layer number `k` the
  // states `conv`, `ssm` and defines %cs<k>, %ss<k>.
  auto attentionLayer = [&](Phase p, int64_t l, int64_t k) {
    size_t b = base[static_cast<size_t>(l)];
    std::string in = "%x" + str(l), pre = "%l" + str(l);
    std::string args = in, types = x;
    weightArgs(b, b + 4, args, types);
    os << "  %x" << l + 1 << " = scf.execute_region -> " << x
       << " no_inline {\n"
       << "  " << pre << "q:3 = func.call @qkv(" << args << ") : (" << types
       << ") -> (" << rows(q) << ", " << rows(kv) << ", " << rows(kv) << ")\n";
    args = pre + "q#0, " + pre + "q#1, " + pre + "q#2, %positions";
    types = rows(q) + ", " + rows(kv) + ", " + rows(kv) + ", " + ids(p);
    if (p == Phase::Prefill) {
      args += ", %seq_starts, %slots";
      types += ", tensor<?xi32>, " + ids(p);
    }
    if (p == Phase::Decode) {
      args += ", %slots, %block_table, %lens";
      types += ", " + ids(p) + ", tensor<?x?xi32>, tensor<?xi32>";
    }
    if (p != Phase::Forward) {
      args += ", %kc" + str(k) + ", %vc" + str(k);
      types += ", " + cacheType + ", " + cacheType;
    }
    std::string fn = p == Phase::Prefill  ? "attention_prefill_full"
                     : p == Phase::Decode ? "attention_decode_full"
                                          : "attention_forward_full";
    os << "  " << pre << "o = func.call @" << fn << "(" << args << ") : ("
       << types << ") -> " << rows(q) << "\n";
    args = in + ", " + pre + "o";
    types = x + ", " + rows(q);
    weightArgs(b + 4, b + 9, args, types);
    os << "  " << pre << "y = func.call @mlp(" << args << ") : (" << types
       << ") -> " << x << "\n"
       << "  scf.yield " << pre << "y : " << x << "\n  }\n";
  };
  auto mambaLayer = [&](Phase p, int64_t l, int64_t k, const std::string &conv,
                        const std::string &ssm) {
    size_t b = base[static_cast<size_t>(l)];
    size_t n = mixerCount[static_cast<size_t>(l)];
    bool batch1 = p != Phase::Decode;
    std::string in = "%x" + str(l), pre = "%l" + str(l);
    std::string results =
        act(p) + ", " + convState(batch1) + ", " + ssmState(batch1);
    std::string args = pre + "a, " + conv + ", " + ssm, types = results;
    weightArgs(b, b + n, args, types);
    os << "  %x" << l + 1 << ", %cs" << k << ", %ss" << k
       << " = scf.execute_region -> (" << x << ", " << convState(batch1) << ", "
       << ssmState(batch1) << ") no_inline {\n"
       << "  " << pre << "a = tensor.expand_shape " << in
       << " [[0, 1], [2]] output_shape "
       << (batch1 ? "[1, %t, " + str(h) + "]" : "[%b, 1, " + str(h) + "]")
       << " : " << x << " into " << act(p) << "\n"
       << "  " << pre << "m:3 = func.call @mamba_layer_"
       << (batch1 ? "sequence" : "step") << "(" << args << ") : (" << types
       << ") -> (" << results << ")\n"
       << "  " << pre << "c = tensor.collapse_shape " << pre
       << "m#0 [[0, 1], [2]] : " << act(p) << " into " << x << "\n";
    args = pre + "c";
    types = x;
    weightArgs(b + n, b + n + 4, args, types);
    os << "  " << pre << "y = func.call @ffn(" << args << ") : (" << types
       << ") -> " << x << "\n"
       << "  scf.yield " << pre << "y, " << pre << "m#1, " << pre
       << "m#2 : " << x << ", " << convState(batch1) << ", " << ssmState(batch1)
       << "\n  }\n";
  };
  // Every layer of a phase; returns the new states as results (", %a, ..").
  auto layers = [&](Phase p) {
    std::string states;
    int64_t na = 0, nm = 0;
    for (int64_t l = 0; l < c.numLayers; ++l) {
      if (c.attentionLayers[static_cast<size_t>(l)]) {
        attentionLayer(p, l, na++);
        continue;
      }
      std::string s = str(nm);
      if (p == Phase::Forward) {
        mambaLayer(p, l, nm, "%cz", "%sz");
      } else if (p == Phase::Decode) {
        mambaLayer(p, l, nm, "%conv" + s, "%ssm" + s);
        states += ", %cs" + s + ", %ss" + s;
      } else {
        os << "  %ci" << s << " = tensor.cast %conv" << s << " : "
           << convState(false) << " to " << convState(true) << "\n"
           << "  %si" << s << " = tensor.cast %ssm" << s << " : "
           << ssmState(false) << " to " << ssmState(true) << "\n";
        mambaLayer(p, l, nm, "%ci" + s, "%si" + s);
        os << "  %conv_new" << s << " = tensor.cast %cs" << s << " : "
           << convState(true) << " to " << convState(false) << "\n"
           << "  %ssm_new" << s << " = tensor.cast %ss" << s << " : "
           << ssmState(true) << " to " << ssmState(false) << "\n";
        states += ", %conv_new" + s + ", %ssm_new" + s;
      }
      ++nm;
    }
    return states;
  };

  auto sessionParams = [&](Phase p) {
    std::string s = "%tokens: " + ids(p) + ", %positions: " + ids(p) +
                    ", %seq_starts: tensor<?xi32>, %slots: " + ids(p) +
                    ", %block_table: tensor<?x?xi32>, %lens: tensor<?xi32>";
    for (int64_t k = 0; k < a.numLayers; ++k)
      s += ", %kc" + str(k) + ": " + cacheType +
           " {bufferization.writable = true}, %vc" + str(k) + ": " + cacheType +
           " {bufferization.writable = true}";
    for (int64_t k = 0; k < m.numLayers; ++k)
      s += ", %conv" + str(k) + ": " + convState(false) + ", %ssm" + str(k) +
           ": " + ssmState(false);
    return s + weightParams();
  };
  std::string logitsType = tensor("?x" + str(v), "f32");
  std::string resultTypes = logitsType;
  for (int64_t k = 0; k < m.numLayers; ++k)
    resultTypes += ", " + convState(false) + ", " + ssmState(false);

  auto embed = [&](Phase p) {
    os << "  %emb = tok.embedding %tokens, %w0 : (" << ids(p) << ", "
       << mat(v, h) << ") -> " << act(p) << "\n"
       << "  %x0 = tensor.collapse_shape %emb [[0, 1], [2]] : " << act(p)
       << " into " << x << "\n";
  };
  // `in` [?, n] of the element type widened to f32 as `result`.
  auto toF32 = [&](const std::string &result, const std::string &in,
                   const std::string &count, int64_t n) {
    std::string src = rows(n), dst = tensor("?x" + str(n), "f32");
    if (t == "f32") {
      os << "  " << result << " = tensor.cast " << in << " : " << src << " to "
         << dst << "\n";
      return;
    }
    os << "  " << result << "_e = tensor.empty(" << count << ") : " << dst
       << "\n"
       << "  " << result
       << " = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, "
          "affine_map<(i, j) -> (i, j)>], iterator_types = [\"parallel\", "
          "\"parallel\"]} ins("
       << in << " : " << src << ") outs(" << result << "_e : " << dst << ") {\n"
       << "  ^bb0(%a: " << t << ", %unused: f32):\n"
       << "    %w = arith.extf %a : " << t << " to f32\n"
       << "    linalg.yield %w : f32\n"
       << "  } -> " << dst << "\n";
  };
  auto head = [&](const std::string &in, const std::string &count,
                  const std::string &states) {
    os << "  %nf = tok.rms_norm " << in << ", %w1 " << eps << " : (" << x
       << ", " << vec(h) << ") -> " << x << "\n"
       << "  %lg = tok.linear %nf, " << (c.tiedEmbeddings ? "%w0" : "%w2")
       << " : (" << x << ", " << mat(v, h) << ") -> " << rows(v) << "\n";
    toF32("%logits", "%lg", count, v);
    os << "  return %logits" << states << " : " << resultTypes << "\n}\n\n";
  };

  // @prefill: the logits of each sequence's last token.
  os << "func.func @prefill(" << sessionParams(Phase::Prefill) << ") -> ("
     << resultTypes << ") {\n"
     << "  %c0 = arith.constant 0 : index\n"
     << "  %c1 = arith.constant 1 : index\n"
     << "  %t = tensor.dim %tokens, %c1 : tensor<1x?xi32>\n";
  embed(Phase::Prefill);
  std::string states = layers(Phase::Prefill);
  os << lastRowOfEachSequence("%x" + str(c.numLayers), x, t);
  head("%last", "%n", states);

  // @decode: one token for each of B sequences.
  os << "func.func @decode(" << sessionParams(Phase::Decode) << ") -> ("
     << resultTypes << ") {\n"
     << "  %c0 = arith.constant 0 : index\n"
     << "  %b = tensor.dim %tokens, %c0 : tensor<?x1xi32>\n";
  embed(Phase::Decode);
  states = layers(Phase::Decode);
  head("%x" + str(c.numLayers), "%b", states);

  // @hidden: the final hidden states of one sequence, no cache, zero states.
  std::string hiddenType = tensor("?x" + str(h), "f32");
  os << "func.func @hidden(%tokens: tensor<1x?xi32>, %positions: "
        "tensor<1x?xi32>"
     << weightParams() << ") -> " << hiddenType << " {\n"
     << "  %c1 = arith.constant 1 : index\n"
     << "  %t = tensor.dim %tokens, %c1 : tensor<1x?xi32>\n";
  if (anyMamba)
    os << "  %zero = arith.constant 0.000000e+00 : " << t << "\n"
       << "  %zero32 = arith.constant 0.000000e+00 : f32\n"
       << "  %cze = tensor.empty() : " << convState(true) << "\n"
       << "  %cz = linalg.fill ins(%zero : " << t
       << ") outs(%cze : " << convState(true) << ") -> " << convState(true)
       << "\n"
       << "  %sze = tensor.empty() : " << ssmState(true) << "\n"
       << "  %sz = linalg.fill ins(%zero32 : f32) outs(%sze : "
       << ssmState(true) << ") -> " << ssmState(true) << "\n";
  embed(Phase::Forward);
  layers(Phase::Forward);
  os << "  %nf = tok.rms_norm %x" << c.numLayers << ", %w1 " << eps << " : ("
     << x << ", " << vec(h) << ") -> " << x << "\n";
  toF32("%hidden", "%nf", "%t", h);
  os << "  return %hidden : " << hiddenType << "\n}\n";
  return os.str();
}

} // namespace tokamak::frontend
