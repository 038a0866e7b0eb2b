//===- Mamba2IR.cpp - tok IR of Mamba-2 language models -------------------===//
//
// Part of the Tokamak project.
//
// Writes the module of a Mamba-2 model (HF Mamba2ForCausalLM) as tok IR
// text, following Mamba2Block and Mamba2Mixer.torch_forward:
//
//   h = rms_norm(x); z, xBC, dt = in_proj(h)         rows I, I + 2GN, nh
//   xBC = silu(conv1d(xBC))                          causal depthwise
//   x, B, C = xBC                                    I, GN, GN
//   dt = clamp(softplus(dt + dt_bias), time_step_limit); A = -exp(A_log)
//   per head h (group g = h / (nh / G)), with S [N, P]:
//     S_t = exp(dt·A)·S_{t-1} + B_t (dt·x_t)ᵀ;  y_t = S_tᵀ C_t + D·x_t
//   y = rms_norm_per_group(y · silu(z)) · norm.weight
//   x = x + out_proj(y)
//
// then norm_f and the head (separate by default). The scan is one
// tok.linear_scan (q = C broadcast over the group's heads, k = B,
// v = dt·x, decay dt·A) in f32; the elementwise parts are linalg.generic
// ops in f32; the projections and the conv run in the weights' dtype. The
// residual stream is f32 when residual_in_fp32, as in MambaIR.cpp.
//
// Layer functions, the session ABI and @hidden follow MambaIR.cpp: the
// conv state is [B, I + 2GN, K-1] in the element type, the SSM state
// [B, nh, N, P] in f32 (tok.linear_scan's [B, H, Dk, Dv]); @prefill runs
// one sequence.
//
//===----------------------------------------------------------------------===//

#include "Mamba2IR.h"
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

/// `affine_map<(d0, ..) -> (results)>` of `rank` dims.
std::string amap(int rank, const std::string &results) {
  std::string dims;
  for (int i = 0; i < rank; ++i)
    dims += (i ? ", d" : "d") + std::to_string(i);
  return "affine_map<(" + dims + ") -> (" + results + ")>";
}

using Params = std::vector<std::pair<std::string, std::string>>;

/// An input of a linalg.generic: value, type, element type and map.
struct In {
  std::string name, type, elem, map;
};

struct Writer {
  const Mamba2Config &c;
  std::string t; // element type of weights and activations
  std::string r; // element type of the residual stream
  std::ostringstream os;

  int64_t h() const { return c.hiddenSize; }
  int64_t i() const { return c.intermediateSize; }
  int64_t n() const { return c.stateSize; }
  int64_t k() const { return c.convKernel; }
  int64_t g() const { return c.numGroups; }
  int64_t nh() const { return c.numHeads; }
  int64_t hp() const { return c.headDim; }
  int64_t convDim() const { return i() + 2 * g() * n(); }
  int64_t projRows() const { return i() + convDim() + nh(); }

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
  /// [b, L, a, d] (time-major) and [b, a, L, d] (head-major) shapes.
  std::string tm(Phase p, int64_t a, int64_t d) const {
    return (p == Phase::Sequence ? "1x?x" : "?x1x") + str(a) + "x" + str(d);
  }
  std::string hm(Phase p, int64_t a, int64_t d) const {
    return p == Phase::Sequence ? "1x" + str(a) + "x?x" + str(d)
                                : "?x" + str(a) + "x1x" + str(d);
  }
  /// [b, nh, L] per-step values.
  std::string perStep(Phase p) const {
    return p == Phase::Sequence ? "1x" + str(nh()) + "x?"
                                : "?x" + str(nh()) + "x1";
  }
  std::string convState(Phase p) const {
    return tensor((p == Phase::Step ? "?x" : "1x") + str(convDim()) + "x" +
                      str(k() - 1),
                  t);
  }
  std::string ssmState(Phase p) const {
    return tensor((p == Phase::Step ? "?x" : "1x") + str(nh()) + "x" +
                      str(n()) + "x" + str(hp()),
                  "f32");
  }
  std::string dynamicDim(Phase p) const {
    return p == Phase::Sequence ? "%l" : "%b";
  }
  /// `output_shape` of an expand_shape to [b, L, a, d].
  std::string tmSizes(Phase p, int64_t a, int64_t d) const {
    return p == Phase::Sequence ? "[1, %l, " + str(a) + ", " + str(d) + "]"
                                : "[%b, 1, " + str(a) + ", " + str(d) + "]";
  }
  std::string epsAttr() const {
    return "{eps = " + fmtFloat(c.normEps) + " : f32}";
  }

  Params layerParams() const {
    Params p;
    p.push_back({"%norm", vec(h())});
    p.push_back({"%in_w", mat(projRows(), h())});
    if (c.projBias)
      p.push_back({"%in_b", vec(projRows())});
    p.push_back({"%conv_w", tensor(str(convDim()) + "x1x" + str(k()), t)});
    if (c.convBias)
      p.push_back({"%conv_b", vec(convDim())});
    p.push_back({"%dt_b", vec(nh())});
    p.push_back({"%a_log", vec(nh())});
    p.push_back({"%d", vec(nh())});
    p.push_back({"%gnorm", vec(i())});
    p.push_back({"%out_w", mat(h(), i())});
    if (c.projBias)
      p.push_back({"%out_b", vec(h())});
    return p;
  }

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

  /// A parallel linalg.generic of rank `rank` writing `outShape` in
  /// `outElem` (`dims`: its dynamic sizes). The body sees the inputs as
  /// %a0, %a1, ... widened to f32 (%a<i> is the f32 value), must define
  /// %res (f32), and is converted to `outElem` at the end.
  void generic(const std::string &result, const std::vector<In> &ins,
               const std::string &outShape, const std::string &outElem,
               const std::string &dims, int rank, const std::string &body) {
    std::string outType = tensor(outShape, outElem);
    os << "  " << result << "_e = tensor.empty(" << dims << ") : " << outType
       << "\n  " << result << " = linalg.generic {indexing_maps = [";
    for (const In &in : ins)
      os << in.map << ", ";
    os << identityMap(rank) << "], iterator_types = " << parallel(rank)
       << "} ins(";
    for (size_t j = 0; j < ins.size(); ++j)
      os << (j ? ", " : "") << ins[j].name;
    os << " : ";
    for (size_t j = 0; j < ins.size(); ++j)
      os << (j ? ", " : "") << ins[j].type;
    os << ") outs(" << result << "_e : " << outType << ") {\n  ^bb0(";
    for (size_t j = 0; j < ins.size(); ++j)
      os << "%in" << j << ": " << ins[j].elem << ", ";
    os << "%unused: " << outElem << "):\n";
    for (size_t j = 0; j < ins.size(); ++j) {
      if (ins[j].elem == "f32")
        os << "    %a" << j << " = arith.addf %in" << j << ", %zero_f : f32\n";
      else
        os << "    %a" << j << " = arith.extf %in" << j << " : " << ins[j].elem
           << " to f32\n";
    }
    os << body;
    if (outElem == "f32") {
      os << "    linalg.yield %res : f32\n";
    } else {
      os << "    %resn = arith.truncf %res : f32 to " << outElem << "\n"
         << "    linalg.yield %resn : " << outElem << "\n";
    }
    os << "  } -> " << outType << "\n";
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

  void rows(const std::string &result, const std::string &w, int64_t off,
            int64_t count, int64_t total, int64_t cols) {
    os << "  " << result << " = tensor.extract_slice " << w << "[" << off
       << ", 0] [" << count << ", " << cols << "] [1, 1] : " << mat(total, cols)
       << " to " << mat(count, cols) << "\n";
  }

  void elems(const std::string &result, const std::string &v, int64_t off,
             int64_t count, int64_t total) {
    os << "  " << result << " = tensor.extract_slice " << v << "[" << off
       << "] [" << count << "] [1] : " << vec(total) << " to " << vec(count)
       << "\n";
  }

  /// Channels [off, off + count) of the activation `x` [.., total].
  void channels(const std::string &result, const std::string &x, Phase p,
                int64_t off, int64_t count, int64_t total) {
    std::string sizes = p == Phase::Sequence ? "[1, %l, " + str(count) + "]"
                                             : "[%b, 1, " + str(count) + "]";
    os << "  " << result << " = tensor.extract_slice " << x << "[0, 0, " << off
       << "] " << sizes << " [1, 1, 1] : " << act(p, total) << " to "
       << act(p, count) << "\n";
  }

  void expand(const std::string &result, const std::string &x, Phase p,
              int64_t a, int64_t d, const std::string &ty) {
    os << "  " << result << " = tensor.expand_shape " << x
       << " [[0], [1], [2, 3]] output_shape " << tmSizes(p, a, d) << " : "
       << act(p, a * d, ty) << " into " << tensor(tm(p, a, d), ty) << "\n";
  }

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
       << "  " << dim << " = tensor.dim %x, %c" << index << " : " << x << "\n"
       << "  %zero_f = arith.constant 0.000000e+00 : f32\n";
    std::string xn = convert("%xn", "%x", actShape(p, h()), 3, dim, r, t);
    os << "  %h = tok.rms_norm " << xn << ", %norm " << epsAttr() << " : ("
       << act(p, h()) << ", " << vec(h()) << ") -> " << act(p, h()) << "\n";

    // in_proj: z, xBC and dt from row blocks of the weight (views).
    int64_t cd = convDim(), rowsTotal = projRows();
    rows("%wz", "%in_w", 0, i(), rowsTotal, h());
    rows("%wxbc", "%in_w", i(), cd, rowsTotal, h());
    rows("%wdt", "%in_w", i() + cd, nh(), rowsTotal, h());
    if (c.projBias) {
      elems("%bz", "%in_b", 0, i(), rowsTotal);
      elems("%bxbc", "%in_b", i(), cd, rowsTotal);
      elems("%bdt", "%in_b", i() + cd, nh(), rowsTotal);
    }
    linear("%z", "%h", "%wz", c.projBias ? "%bz" : "", p, i(), h());
    linear("%xbc", "%h", "%wxbc", c.projBias ? "%bxbc" : "", p, cd, h());
    linear("%dt", "%h", "%wdt", c.projBias ? "%bdt" : "", p, nh(), h());

    // Causal depthwise conv1d with silu over [conv state ; xBC].
    os << "  %cw = tensor.collapse_shape %conv_w [[0, 1], [2]] : "
       << tensor(str(cd) + "x1x" + str(k()), t) << " into " << mat(cd, k())
       << "\n"
       << "  %xc, %conv1 = tok.conv1d %xbc, %cw";
    if (c.convBias)
      os << " bias(%conv_b : " << vec(cd) << ")";
    os << " init(%conv0 : " << convState(p) << ") {activation = \"silu\"} : ("
       << act(p, cd) << ", " << mat(cd, k()) << ") -> (" << act(p, cd) << ", "
       << convState(p) << ")\n";
    int64_t gn = g() * n();
    channels("%xs", "%xc", p, 0, i(), cd);
    channels("%bs", "%xc", p, i(), gn, cd);
    channels("%cs", "%xc", p, i() + gn, gn, cd);
    expand("%x4", "%xs", p, nh(), hp(), t);
    expand("%b4", "%bs", p, g(), n(), t);
    expand("%c4", "%cs", p, g(), n(), t);
    expand("%z4", "%z", p, nh(), hp(), t);

    // dt = clamp(softplus(dt + dt_bias)) [b, nh, L] in f32 (softplus as
    // torch's: x beyond 20 passes through).
    std::string body = "    %s = arith.addf %a0, %a1 : f32\n"
                       "    %ex = math.exp %s : f32\n"
                       "    %lp = math.log1p %ex : f32\n"
                       "    %c20 = arith.constant 2.000000e+01 : f32\n"
                       "    %big = arith.cmpf ogt, %s, %c20 : f32\n"
                       "    %sp = arith.select %big, %s, %lp : f32\n"
                       "    %lo = arith.constant " +
                       fmtFloat(c.timeStepMin) +
                       " : f32\n"
                       "    %res0 = arith.maximumf %sp, %lo : f32\n";
    if (c.timeStepMaxFinite)
      body += "    %hi = arith.constant " + fmtFloat(c.timeStepMax) +
              " : f32\n    %res = arith.minimumf %res0, %hi : f32\n";
    else
      body += "    %res = arith.addf %res0, %zero_f : f32\n";
    generic("%dts",
            {{"%dt", act(p, nh()), t, amap(3, "d0, d2, d1")},
             {"%dt_b", vec(nh()), t, amap(3, "d1")}},
            perStep(p), "f32", dim, 3, body);
    std::string stepType = tensor(perStep(p), "f32");
    // The decay dt·A with A = -exp(A_log), in log space.
    generic("%decay",
            {{"%dts", stepType, "f32", identityMap(3)},
             {"%a_log", vec(nh()), t, amap(3, "d1")}},
            perStep(p), "f32", dim, 3,
            "    %ea = math.exp %a1 : f32\n"
            "    %na = arith.negf %ea : f32\n"
            "    %res = arith.mulf %a0, %na : f32\n");
    // v = dt·x [b, nh, L, P].
    generic(
        "%v",
        {{"%dts", stepType, "f32", amap(4, "d0, d1, d2")},
         {"%x4", tensor(tm(p, nh(), hp()), t), t, amap(4, "d0, d2, d1, d3")}},
        hm(p, nh(), hp()), "f32", dim, 4,
        "    %res = arith.mulf %a0, %a1 : f32\n");
    // q = C and k = B broadcast to the heads of their group: [b, G, nh/G,
    // L, N] collapsed to [b, nh, L, N].
    int64_t rep = nh() / g();
    std::string bc5 = p == Phase::Sequence
                          ? "1x" + str(g()) + "x" + str(rep) + "x?x" + str(n())
                          : "?x" + str(g()) + "x" + str(rep) + "x1x" + str(n());
    std::string qk = tensor(hm(p, nh(), n()), "f32");
    for (const char *m : {"c", "b"}) {
      std::string five = std::string("%") + m + "5";
      generic(five,
              {{std::string("%") + m + "4", tensor(tm(p, g(), n()), t), t,
                amap(5, "d0, d3, d1, d4")}},
              bc5, "f32", dim, 5, "    %res = arith.addf %a0, %zero_f : f32\n");
      os << "  %" << m << "h = tensor.collapse_shape " << five
         << " [[0], [1, 2], [3], [4]] : " << tensor(bc5, "f32") << " into "
         << qk << "\n";
    }
    std::string vType = tensor(hm(p, nh(), hp()), "f32");
    os << "  %o, %ssm1 = tok.linear_scan %ch, %bh, %v decay(%decay : "
       << stepType << ") init(%ssm0 : " << ssmState(p) << ") : (" << qk << ", "
       << qk << ", " << vType << ") -> (" << vType << ", " << ssmState(p)
       << ")\n";

    // y = (o + D·x)·silu(z) [b, L, nh, P] in f32.
    generic("%yg",
            {{"%o", vType, "f32", amap(4, "d0, d2, d1, d3")},
             {"%d", vec(nh()), t, amap(4, "d2")},
             {"%x4", tensor(tm(p, nh(), hp()), t), t, identityMap(4)},
             {"%z4", tensor(tm(p, nh(), hp()), t), t, identityMap(4)}},
            tm(p, nh(), hp()), "f32", dim, 4,
            "    %dx = arith.mulf %a1, %a2 : f32\n"
            "    %y = arith.addf %a0, %dx : f32\n"
            "    %nz = arith.negf %a3 : f32\n"
            "    %ez = math.exp %nz : f32\n"
            "    %one = arith.constant 1.000000e+00 : f32\n"
            "    %den = arith.addf %ez, %one : f32\n"
            "    %sz = arith.divf %a3, %den : f32\n"
            "    %res = arith.mulf %y, %sz : f32\n");
    // The gated RMSNorm per group of I/G channels, then norm.weight.
    int64_t width = i() / g();
    os << "  %yc = tensor.collapse_shape %yg [[0], [1], [2, 3]] : "
       << tensor(tm(p, nh(), hp()), "f32") << " into " << act(p, i(), "f32")
       << "\n";
    expand("%yq", "%yc", p, g(), width, "f32");
    std::string gType = tensor(tm(p, g(), width), "f32");
    os << "  %ones = arith.constant dense<1.000000e+00> : " << vec(width, "f32")
       << "\n"
       << "  %yn = tok.rms_norm %yq, %ones " << epsAttr() << " : (" << gType
       << ", " << vec(width, "f32") << ") -> " << gType << "\n"
       << "  %gw = tensor.expand_shape %gnorm [[0, 1]] output_shape [" << g()
       << ", " << width << "] : " << vec(i()) << " into " << mat(g(), width)
       << "\n";
    generic("%yw",
            {{"%yn", gType, "f32", identityMap(4)},
             {"%gw", mat(g(), width), t, amap(4, "d2, d3")}},
            tm(p, g(), width), t, dim, 4,
            "    %res = arith.mulf %a0, %a1 : f32\n");
    os << "  %y = tensor.collapse_shape %yw [[0], [1], [2, 3]] : "
       << tensor(tm(p, g(), width), t) << " into " << act(p, i()) << "\n";
    linear("%out", "%y", "%out_w", c.projBias ? "%out_b" : "", p, h(), i());

    // The residual, in the residual stream's type.
    os << "  %re = tensor.empty(" << dim << ") : " << x << "\n";
    if (r == t) {
      os << "  %res = linalg.add ins(%x, %out : " << x << ", " << x
         << ") outs(%re : " << x << ") -> " << x << "\n";
    } else {
      os << "  %res = linalg.generic {indexing_maps = [" << identityMap(3)
         << ", " << identityMap(3) << ", " << identityMap(3)
         << "], iterator_types = " << parallel(3) << "} ins(%x, %out : " << x
         << ", " << act(p, h()) << ") outs(%re : " << x << ") {\n"
         << "  ^bb0(%in: " << r << ", %o2: " << t << ", %unused: " << r
         << "):\n"
         << "    %ow = arith.extf %o2 : " << t << " to " << r << "\n"
         << "    %sum = arith.addf %in, %ow : " << r << "\n"
         << "    linalg.yield %sum : " << r << "\n"
         << "  } -> " << x << "\n";
    }
    os << "  return %res, %conv1, %ssm1 : " << x << ", " << convState(p) << ", "
       << ssmState(p) << "\n}\n\n";
  }
};

} // namespace

std::vector<WeightArg> mamba2Weights(const Mamba2Config &c) {
  int64_t h = c.hiddenSize, i = c.intermediateSize, nh = c.numHeads;
  int64_t cd = i + 2 * c.numGroups * c.stateSize;
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
    add("mixer.in_proj.weight", {i + cd + nh, h});
    if (c.projBias)
      add("mixer.in_proj.bias", {i + cd + nh});
    add("mixer.conv1d.weight", {cd, 1, c.convKernel});
    if (c.convBias)
      add("mixer.conv1d.bias", {cd});
    add("mixer.dt_bias", {nh});
    add("mixer.A_log", {nh});
    add("mixer.D", {nh});
    add("mixer.norm.weight", {i});
    add("mixer.out_proj.weight", {h, i});
    if (c.projBias)
      add("mixer.out_proj.bias", {h});
  }
  return w;
}

std::string buildMamba2Module(const Mamba2Config &c,
                              const std::string &elementType) {
  const std::string &t = elementType;
  Writer w{c, t, c.residualInFp32 ? "f32" : t, {}};
  std::vector<WeightArg> weights = mamba2Weights(c);

  w.layerFunction(Phase::Sequence, "mamba2_layer_sequence");
  w.layerFunction(Phase::Step, "mamba2_layer_step");

  emitStateModelFunctions(w, c, weights, "mamba2_layer_", Phase::Sequence,
                          Phase::Step);
  return w.os.str();
}

} // namespace tokamak::frontend
