//===- MambaIR.cpp - tok IR of Mamba-1 language models --------------------===//
//
// Part of the Tokamak project.
//
// Writes the module of a Mamba-1 model (HF MambaForCausalLM) as tok IR
// text, following MambaBlock and MambaMixer.slow_forward:
//
//   h = rms_norm(x); x', z = in_proj(h)
//   x' = silu(conv1d(x'))                    causal depthwise, kernel K
//   dt, B, C = x_proj(x'); dt = dt_proj.weight · dt
//   y = selective_scan(x', dt + dt_proj.bias (softplus), A = -exp(A_log),
//                      B, C, D) · silu(z)
//   x = x + out_proj(y)
//
// then norm_f and the head (tied to the embedding by default). The residual
// stream is f32 when residual_in_fp32 (rounded to the weights' dtype before
// each norm, as HF does); everything else runs in the weights' dtype with
// f32 inside each op. The scan parameter A is computed from A_log in the IR
// and the [I, 1, K] conv weight is collapsed to tok.conv1d's [I, K] in the
// IR, so the weights are passed as the checkpoint stores them.
//
// One private function per phase holds a layer: a sequence (batch 1, any
// length: @prefill and @hidden) and a step (any batch, one token: @decode).
// Each takes and returns the layer's two recurrent states, the conv state
// [B, I, K-1] in the element type (tok.conv1d keeps one type) and the SSM
// state [B, I, N] in f32; @hidden starts from zero states.
//
// tok.conv1d and tok.selective_scan take no seq_starts, so @prefill runs one
// sequence: its tokens are [1, T] and its states batch 1. rt::Session
// prefills a model with recurrent states one sequence per call; a call with
// more would get logits and states for one sequence back, which the session
// refuses ("returned logits ... for N sequences").
//
//===----------------------------------------------------------------------===//

#include "MambaIR.h"
#include "IRText.h"

#include "StateModelIR.h"

#include <cstdio>
#include <sstream>
#include <utility>

namespace tokamak::frontend {
namespace {

using namespace irtext;

enum class Phase { Sequence, Step };

/// Layer functions stay functions in LLVM (see DecoderIR.cpp).
constexpr const char *kNoInline = " attributes {passthrough = [\"noinline\"]}";

using Params = std::vector<std::pair<std::string, std::string>>;

/// Shapes and attributes shared by every function of one module.
struct Writer {
  const MambaConfig &c;
  std::string t; // element type of weights and activations
  std::string r; // element type of the residual stream
  std::ostringstream os;

  int64_t h() const { return c.hiddenSize; }
  int64_t i() const { return c.intermediateSize; }
  int64_t n() const { return c.stateSize; }
  int64_t k() const { return c.convKernel; }
  int64_t rank() const { return c.timeStepRank; }

  std::string vec(int64_t d, const std::string &ty) const {
    return tensor(str(d), ty);
  }
  std::string vec(int64_t d) const { return vec(d, t); }
  std::string mat(int64_t a, int64_t b) const {
    return tensor(str(a) + "x" + str(b), t);
  }
  /// Activations [1, ?, d] (sequence) or [?, 1, d] (step).
  std::string actShape(Phase p, int64_t d) const {
    return (p == Phase::Sequence ? "1x?x" : "?x1x") + str(d);
  }
  std::string act(Phase p, int64_t d, const std::string &ty) const {
    return tensor(actShape(p, d), ty);
  }
  std::string act(Phase p, int64_t d) const { return act(p, d, t); }
  /// B or C as the scan takes them, one group: [1, ?, 1, N] or [?, 1, 1, N].
  std::string groups(Phase p) const {
    return tensor((p == Phase::Sequence ? "1x?x1x" : "?x1x1x") + str(n()), t);
  }
  /// A state [b, I, d] with b = 1 (sequence), ? (step) or ? (the ABI).
  std::string state(bool dynamicBatch, int64_t d, const std::string &ty) const {
    return tensor((dynamicBatch ? "?x" : "1x") + str(i()) + "x" + str(d), ty);
  }
  std::string convState(Phase p) const {
    return state(p == Phase::Step, k() - 1, t);
  }
  std::string ssmState(Phase p) const {
    return state(p == Phase::Step, n(), "f32");
  }
  /// The dynamic dim of a phase's activations, as the layer names it.
  std::string dynamicDim(Phase p) const {
    return p == Phase::Sequence ? "%l" : "%b";
  }
  std::string epsAttr() const {
    return "{eps = " + fmtFloat(c.normEps) + " : f32}";
  }

  /// A layer's weights as (SSA name, type) pairs, in mambaWeights' order.
  Params layerParams() const {
    Params p;
    p.push_back({"%norm", vec(h())});
    p.push_back({"%in_w", mat(2 * i(), h())});
    if (c.projBias)
      p.push_back({"%in_b", vec(2 * i())});
    p.push_back({"%conv_w", tensor(str(i()) + "x1x" + str(k()), t)});
    if (c.convBias)
      p.push_back({"%conv_b", vec(i())});
    p.push_back({"%x_w", mat(rank() + 2 * n(), i())});
    p.push_back({"%dt_w", mat(i(), rank())});
    p.push_back({"%dt_b", vec(i())});
    p.push_back({"%a_log", mat(i(), n())});
    p.push_back({"%d", vec(i())});
    p.push_back({"%out_w", mat(h(), i())});
    if (c.projBias)
      p.push_back({"%out_b", vec(h())});
    if (c.dtNorms) {
      p.push_back({"%dt_norm", vec(rank())});
      p.push_back({"%b_norm", vec(n())});
      p.push_back({"%c_norm", vec(n())});
    }
    return p;
  }

  /// Converts `in` (`tensor<shape x from>`) elementwise to `to`; returns
  /// the value's name (`in` itself when the types agree). `dims` lists the
  /// dynamic sizes of `shape`.
  std::string convert(const std::string &result, const std::string &in,
                      const std::string &shape, int rank,
                      const std::string &dims, const std::string &from,
                      const std::string &to) {
    if (from == to)
      return in;
    std::string src = tensor(shape, from), dst = tensor(shape, to);
    const char *op = from == "f32" ? "arith.truncf" : "arith.extf";
    os << "  " << result << "_e = tensor.empty(" << dims << ") : " << dst
       << "\n"
       << "  " << result << " = linalg.generic {indexing_maps = ["
       << identityMap(rank) << ", " << identityMap(rank)
       << "], iterator_types = " << parallel(rank) << "} ins(" << in << " : "
       << src << ") outs(" << result << "_e : " << dst << ") {\n"
       << "  ^bb0(%a: " << from << ", %unused: " << to << "):\n"
       << "    %v = " << op << " %a : " << from << " to " << to << "\n"
       << "    linalg.yield %v : " << to << "\n"
       << "  } -> " << dst << "\n";
    return result;
  }

  void linear(const std::string &result, const std::string &x,
              const std::string &w, const std::string &bias, Phase p,
              int64_t out, int64_t in) {
    os << "  " << result << " = tok.linear " << x << ", " << w;
    if (!bias.empty())
      os << " bias(" << bias << " : " << vec(out) << ")";
    os << " : (" << act(p, in) << ", " << mat(out, in) << ") -> " << act(p, out)
       << "\n";
  }

  /// Rows [off, off + count) of the matrix `w` [total, cols] (a view).
  void rows(const std::string &result, const std::string &w, int64_t off,
            int64_t count, int64_t total, int64_t cols) {
    os << "  " << result << " = tensor.extract_slice " << w << "[" << off
       << ", 0] [" << count << ", " << cols << "] [1, 1] : " << mat(total, cols)
       << " to " << mat(count, cols) << "\n";
  }

  /// @mamba_layer_<phase>: the residual stream x and the layer's states and
  /// weights -> the new x and states.
  void layerFunction(Phase p, const std::string &name) {
    std::string x = act(p, h(), r), dim = dynamicDim(p);
    const char *index = p == Phase::Sequence ? "1" : "0";
    os << "func.func private @" << name << "(%x: " << x
       << ", %conv0: " << convState(p) << ", %ssm0: " << ssmState(p);
    for (auto &[param, type] : layerParams())
      os << ", " << param << ": " << type;
    os << ") -> (" << x << ", " << convState(p) << ", " << ssmState(p) << ")"
       << kNoInline << " {\n"
       << "  %c" << index << " = arith.constant " << index << " : index\n"
       << "  " << dim << " = tensor.dim %x, %c" << index << " : " << x << "\n";
    std::string xn = convert("%xn", "%x", actShape(p, h()), 3, dim, r, t);
    os << "  %h = tok.rms_norm " << xn << ", %norm " << epsAttr() << " : ("
       << act(p, h()) << ", " << vec(h()) << ") -> " << act(p, h()) << "\n";

    // in_proj: x' and z from the two halves of the weight (views).
    rows("%wx", "%in_w", 0, i(), 2 * i(), h());
    rows("%wz", "%in_w", i(), i(), 2 * i(), h());
    if (c.projBias)
      os << "  %bx = tensor.extract_slice %in_b[0] [" << i()
         << "] [1] : " << vec(2 * i()) << " to " << vec(i()) << "\n"
         << "  %bz = tensor.extract_slice %in_b[" << i() << "] [" << i()
         << "] [1] : " << vec(2 * i()) << " to " << vec(i()) << "\n";
    linear("%xs", "%h", "%wx", c.projBias ? "%bx" : "", p, i(), h());
    linear("%z", "%h", "%wz", c.projBias ? "%bz" : "", p, i(), h());

    // Causal depthwise conv1d with silu over [conv state ; x'].
    os << "  %cw = tensor.collapse_shape %conv_w [[0, 1], [2]] : "
       << tensor(str(i()) + "x1x" + str(k()), t) << " into " << mat(i(), k())
       << "\n"
       << "  %xc, %conv1 = tok.conv1d %xs, %cw";
    if (c.convBias)
      os << " bias(%conv_b : " << vec(i()) << ")";
    os << " init(%conv0 : " << convState(p) << ") {activation = \"silu\"} : ("
       << act(p, i()) << ", " << mat(i(), k()) << ") -> (" << act(p, i())
       << ", " << convState(p) << ")\n";

    // x_proj: dt [R], B [N], C [N] from row blocks of the weight.
    int64_t xRows = rank() + 2 * n();
    rows("%wdt", "%x_w", 0, rank(), xRows, i());
    rows("%wb", "%x_w", rank(), n(), xRows, i());
    rows("%wc", "%x_w", rank() + n(), n(), xRows, i());
    linear("%dtr", "%xc", "%wdt", "", p, rank(), i());
    linear("%bm", "%xc", "%wb", "", p, n(), i());
    linear("%cm", "%xc", "%wc", "", p, n(), i());
    std::string dtr = "%dtr", bm = "%bm", cm = "%cm";
    if (c.dtNorms) {
      // Jamba: RMSNorms on dt, B and C before dt_proj and the scan.
      auto norm = [&](const std::string &result, const std::string &in,
                      const std::string &weight, int64_t d) {
        os << "  " << result << " = tok.rms_norm " << in << ", " << weight
           << " " << epsAttr() << " : (" << act(p, d) << ", " << vec(d)
           << ") -> " << act(p, d) << "\n";
      };
      norm("%dtrn", "%dtr", "%dt_norm", rank());
      norm("%bmn", "%bm", "%b_norm", n());
      norm("%cmn", "%cm", "%c_norm", n());
      dtr = "%dtrn";
      bm = "%bmn";
      cm = "%cmn";
    }
    // dt_proj without its bias: the scan adds it before the softplus.
    linear("%dt", dtr, "%dt_w", "", p, i(), rank());
    std::string shape4 = p == Phase::Sequence ? "[1, %l, 1, " + str(n()) + "]"
                                              : "[%b, 1, 1, " + str(n()) + "]";
    for (const char *m : {"%bm", "%cm"})
      os << "  " << m << "4 = tensor.expand_shape "
         << (std::string(m) == "%bm" ? bm : cm)
         << " [[0], [1], [2, 3]] output_shape " << shape4 << " : "
         << act(p, n()) << " into " << groups(p) << "\n";

    // A = -exp(A_log) in f32.
    std::string aType = tensor(str(i()) + "x" + str(n()), "f32");
    os << "  %ae = tensor.empty() : " << aType << "\n"
       << "  %a = linalg.generic {indexing_maps = [" << identityMap(2) << ", "
       << identityMap(2) << "], iterator_types = " << parallel(2)
       << "} ins(%a_log : " << mat(i(), n()) << ") outs(%ae : " << aType
       << ") {\n"
       << "  ^bb0(%v: " << t << ", %unused: f32):\n";
    std::string wide = "%v";
    if (t != "f32") {
      os << "    %w = arith.extf %v : " << t << " to f32\n";
      wide = "%w";
    }
    os << "    %e = math.exp " << wide << " : f32\n"
       << "    %ne = arith.negf %e : f32\n"
       << "    linalg.yield %ne : f32\n"
       << "  } -> " << aType << "\n";

    os << "  %y, %ssm1 = tok.selective_scan %xc, %dt, %a, %bm4, %cm4 D(%d : "
       << vec(i()) << ") z(%z : " << act(p, i())
       << ") dt_bias(%dt_b : " << vec(i()) << ") init(%ssm0 : " << ssmState(p)
       << ") {dt_softplus} : (" << act(p, i()) << ", " << act(p, i()) << ", "
       << aType << ", " << groups(p) << ", " << groups(p) << ") -> ("
       << act(p, i()) << ", " << ssmState(p) << ")\n";
    linear("%o", "%y", "%out_w", c.projBias ? "%out_b" : "", p, h(), i());

    // The residual, in the residual stream's type.
    os << "  %re = tensor.empty(" << dim << ") : " << x << "\n";
    if (r == t) {
      os << "  %res = linalg.add ins(%x, %o : " << x << ", " << x
         << ") outs(%re : " << x << ") -> " << x << "\n";
    } else {
      os << "  %res = linalg.generic {indexing_maps = [" << identityMap(3)
         << ", " << identityMap(3) << ", " << identityMap(3)
         << "], iterator_types = " << parallel(3) << "} ins(%x, %o : " << x
         << ", " << act(p, h()) << ") outs(%re : " << x << ") {\n"
         << "  ^bb0(%in: " << r << ", %out: " << t << ", %unused: " << r
         << "):\n"
         << "    %ow = arith.extf %out : " << t << " to " << r << "\n"
         << "    %sum = arith.addf %in, %ow : " << r << "\n"
         << "    linalg.yield %sum : " << r << "\n"
         << "  } -> " << x << "\n";
    }
    os << "  return %res, %conv1, %ssm1 : " << x << ", " << convState(p) << ", "
       << ssmState(p) << "\n}\n\n";
  }
};

} // namespace

std::vector<WeightArg> mambaWeights(const MambaConfig &c) {
  int64_t h = c.hiddenSize, i = c.intermediateSize, n = c.stateSize;
  std::vector<WeightArg> w;
  w.push_back({"backbone.embeddings.weight", {c.vocabSize, h}});
  w.push_back({"backbone.norm_f.weight", {h}});
  if (!c.tiedEmbeddings)
    w.push_back({"lm_head.weight", {c.vocabSize, h}});
  for (int64_t l = 0; l < c.numLayers; ++l) {
    std::string p = "backbone.layers." + std::to_string(l) + ".";
    auto add = [&](const std::string &name, std::vector<int64_t> shape) {
      w.push_back({p + name, std::move(shape)});
    };
    add("norm.weight", {h});
    add("mixer.in_proj.weight", {2 * i, h});
    if (c.projBias)
      add("mixer.in_proj.bias", {2 * i});
    add("mixer.conv1d.weight", {i, 1, c.convKernel});
    if (c.convBias)
      add("mixer.conv1d.bias", {i});
    add("mixer.x_proj.weight", {c.timeStepRank + 2 * n, i});
    add("mixer.dt_proj.weight", {i, c.timeStepRank});
    add("mixer.dt_proj.bias", {i});
    add("mixer.A_log", {i, n});
    add("mixer.D", {i});
    add("mixer.out_proj.weight", {h, i});
    if (c.projBias)
      add("mixer.out_proj.bias", {h});
  }
  return w;
}

std::string buildMambaLayerFunctions(const MambaConfig &c,
                                     const std::string &elementType) {
  Writer w{c, elementType, c.residualInFp32 ? "f32" : elementType, {}};
  w.layerFunction(Phase::Sequence, "mamba_layer_sequence");
  w.layerFunction(Phase::Step, "mamba_layer_step");
  return w.os.str();
}

std::string buildMambaModule(const MambaConfig &c,
                             const std::string &elementType) {
  const std::string &t = elementType;
  Writer w{c, t, c.residualInFp32 ? "f32" : t, {}};
  std::vector<WeightArg> weights = mambaWeights(c);

  w.layerFunction(Phase::Sequence, "mamba_layer_sequence");
  w.layerFunction(Phase::Step, "mamba_layer_step");

  emitStateModelFunctions(w, c, weights, "mamba_layer_", Phase::Sequence,
                          Phase::Step);
  return w.os.str();
}

} // namespace tokamak::frontend
