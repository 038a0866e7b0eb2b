//===- DecoderIR.cpp - tok IR of Llama-family decoders --------------------===//
//
// Part of the Tokamak project.
//
// Writes the module of a Llama-family decoder (llama, mistral, qwen2) as tok
// IR text, following HF's LlamaDecoderLayer:
//
//   h = x + o_proj(attention(rope(q_proj(n)), rope(k_proj(n)), v_proj(n)))
//       with n = rms_norm(x)
//   y = h + down_proj(act(gate_proj(m)) * up_proj(m)) with m = rms_norm(h)
//
// Each layer kind (full attention, or one sliding window) is one private
// function per phase: prefill (packed prompts, K/V written to the paged
// pools and read back through the slots), decode (tok.paged_attention over
// the pools) and forward (no cache, for @hidden). The public functions embed
// the tokens, call one function per layer and apply the final norm and the
// head. Text keeps the templates readable next to docs/Session.md; the
// module is parsed and verified before it is compiled.
//
//===----------------------------------------------------------------------===//

#include "DecoderIR.h"
#include "IRText.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>

namespace tokamak::frontend {
namespace {

using namespace irtext;

enum class Phase { Prefill, Decode, Forward };

/// The `statsWindow` of attentionFunction that asks for the stats of every
/// query (no `stats_window`; H2O's prefill and decode).
constexpr int64_t kStatsAllRows = -1;

/// Layer functions stay functions in LLVM: inlined into every call site, they
/// would make code size and compile time grow with depth.
constexpr const char *kNoInline = " attributes {passthrough = [\"noinline\"]}";

/// `v` rounded to the element type `type` (round to nearest even).
double roundToType(double v, const std::string &type) {
  float f = static_cast<float>(v);
  if (type == "bf16") {
    uint32_t bits;
    std::memcpy(&bits, &f, sizeof(bits));
    bits += 0x7fff + ((bits >> 16) & 1);
    bits &= 0xffff0000u;
    std::memcpy(&f, &bits, sizeof(bits));
  } else if (type == "f16") {
    f = static_cast<float>(static_cast<_Float16>(f));
  }
  return f;
}

/// Shapes and attributes shared by every function of one module.
struct Writer {
  const DecoderConfig &c;
  std::string t; // element type
  int64_t blockSize;
  std::ostringstream os;
  /// The per-head layout (docs/Session.md): one block table per kv head
  /// over pools of one-head blocks.
  bool perHead = false;

  int64_t q() const { return c.numHeads * c.headDim; }
  int64_t kv() const { return c.numKVHeads * c.headDim; }

  std::string cacheType() const {
    return tensor("?x" + str(blockSize) + "x" +
                      str(perHead ? 1 : c.numKVHeads) + "x" + str(c.headDim),
                  t);
  }
  /// The slots, block table and lens of a phase: `[1, T]` / `[B, 1]`,
  /// `[N, MaxBlocks]`, `[N]`, or per head `[1, Hkv, T]` / `[B, Hkv, 1]`,
  /// `[N, Hkv, MaxBlocks]`, `[N, Hkv]`.
  std::string slotsType(Phase p) const {
    if (!perHead)
      return ids(p);
    std::string h = str(c.numKVHeads);
    return p == Phase::Decode ? "tensor<?x" + h + "x1xi32>"
                              : "tensor<1x" + h + "x?xi32>";
  }
  std::string tableType() const {
    return perHead ? "tensor<?x" + str(c.numKVHeads) + "x?xi32>"
                   : "tensor<?x?xi32>";
  }
  std::string lensType() const {
    return perHead ? "tensor<?x" + str(c.numKVHeads) + "xi32>"
                   : "tensor<?xi32>";
  }

  /// `[rows, cols]` of activations in a phase: [1, ?, N] or [?, 1, N].
  std::string act(Phase p, int64_t n) const {
    return tensor(p == Phase::Decode ? "?x1x" + str(n) : "1x?x" + str(n), t);
  }
  /// Heads layout [1, H, ?, D] or [?, H, 1, D].
  std::string heads(Phase p, int64_t h) const {
    return tensor(p == Phase::Decode ? "?x" + str(h) + "x1x" + str(c.headDim)
                                     : "1x" + str(h) + "x?x" + str(c.headDim),
                  t);
  }
  /// Tokens-major layout [1, ?, H, D] or [?, 1, H, D].
  std::string split(Phase p, int64_t h) const {
    return tensor(p == Phase::Decode ? "?x1x" + str(h) + "x" + str(c.headDim)
                                     : "1x?x" + str(h) + "x" + str(c.headDim),
                  t);
  }
  std::string ids(Phase p) const {
    return p == Phase::Decode ? "tensor<?x1xi32>" : "tensor<1x?xi32>";
  }

  std::string ropeAttrs() const {
    std::string attrs;
    if (c.rotaryDim != c.headDim)
      attrs += "rotary_dim = " + str(c.rotaryDim) + " : i64";
    if (c.ropeScaled) {
      attrs +=
          std::string(attrs.empty() ? "" : ", ") + "inv_freq = array<f32: ";
      for (size_t i = 0; i < c.invFreq.size(); ++i)
        attrs += (i ? ", " : "") + fmtFloat(c.invFreq[i]);
      attrs += ">";
    } else {
      attrs += std::string(attrs.empty() ? "" : ", ") +
               "theta = " + fmtFloat(c.ropeTheta) + " : f32";
    }
    return "{" + attrs + "}";
  }

  std::string epsAttr() const {
    return "{eps = " + fmtFloat(c.normEps) + " : f32}";
  }

  std::string rows(int64_t n) const { return tensor("?x" + str(n), t); }
  std::string vec(int64_t n) const { return tensor(str(n), t); }
  std::string mat(int64_t n, int64_t k) const {
    return tensor(str(n) + "x" + str(k), t);
  }

  /// The weights of the attention input projections and of the rest of a
  /// layer, as (SSA name, type) pairs in argument order.
  std::vector<std::pair<std::string, std::string>> qkvParams() const {
    std::vector<std::pair<std::string, std::string>> p;
    p.push_back({"%ln1", vec(c.hiddenSize)});
    p.push_back({"%wq", mat(q(), c.hiddenSize)});
    if (c.qkvBias)
      p.push_back({"%bq", vec(q())});
    p.push_back({"%wk", mat(kv(), c.hiddenSize)});
    if (c.qkvBias)
      p.push_back({"%bk", vec(kv())});
    p.push_back({"%wv", mat(kv(), c.hiddenSize)});
    if (c.qkvBias)
      p.push_back({"%bv", vec(kv())});
    return p;
  }
  std::vector<std::pair<std::string, std::string>> mlpParams() const {
    std::vector<std::pair<std::string, std::string>> p;
    p.push_back({"%wo", mat(c.hiddenSize, q())});
    if (c.outputBias)
      p.push_back({"%bo", vec(c.hiddenSize)});
    p.push_back({"%ln2", vec(c.hiddenSize)});
    if (c.sandwichNorms)
      p.push_back({"%ln3", vec(c.hiddenSize)});
    p.push_back({"%wg", mat(c.intermediateSize, c.hiddenSize)});
    if (c.mlpBias)
      p.push_back({"%bg", vec(c.intermediateSize)});
    p.push_back({"%wu", mat(c.intermediateSize, c.hiddenSize)});
    if (c.mlpBias)
      p.push_back({"%bu", vec(c.intermediateSize)});
    p.push_back({"%wd", mat(c.hiddenSize, c.intermediateSize)});
    if (c.mlpBias)
      p.push_back({"%bd", vec(c.hiddenSize)});
    if (c.sandwichNorms)
      p.push_back({"%ln4", vec(c.hiddenSize)});
    return p;
  }

  std::string linear(const std::string &result, const std::string &x,
                     const std::string &w, const std::string &bias,
                     const std::string &xType, int64_t n, int64_t k,
                     const std::string &yType) {
    std::string b =
        bias.empty() ? "" : " bias(" + bias + " : " + tensor(str(n), t) + ")";
    return "  " + result + " = tok.linear " + x + ", " + w + b + " : (" +
           xType + ", " + tensor(str(n) + "x" + str(k), t) + ") -> " + yType +
           "\n";
  }

  void params(const std::vector<std::pair<std::string, std::string>> &ps) {
    for (auto &[n, ty] : ps)
      os << ", " << n << ": " << ty;
  }

  /// `result = rms_norm(in) * w` of rows [N, H]; with normPlusOne (Gemma)
  /// the scale is 1 + w, formed from the weight argument at run time (the
  /// weights are never copied or rewritten at load).
  /// TODO(#10): in bf16 the scale is rounded to bf16 where HF keeps it in
  /// f32; an offset attribute on tok.rms_norm would keep it exact.
  void norm(const std::string &result, const std::string &in,
            const std::string &weight) {
    std::string x = rows(c.hiddenSize), wt = vec(c.hiddenSize);
    std::string scale = weight;
    if (c.normPlusOne) {
      scale = result + "_w";
      os << "  " << scale << "_e = tensor.empty() : " << wt << "\n"
         << "  " << scale
         << " = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, "
            "affine_map<(i) -> (i)>], iterator_types = [\"parallel\"]} ins("
         << weight << " : " << wt << ") outs(" << scale << "_e : " << wt
         << ") {\n"
         << "  ^bb0(%a: " << t << ", %unused: " << t << "):\n";
      if (t == "f32") {
        os << "    %one = arith.constant 1.0 : f32\n"
           << "    %s = arith.addf %a, %one : f32\n"
           << "    linalg.yield %s : f32\n";
      } else {
        os << "    %one = arith.constant 1.0 : f32\n"
           << "    %w = arith.extf %a : " << t << " to f32\n"
           << "    %s32 = arith.addf %w, %one : f32\n"
           << "    %s = arith.truncf %s32 : f32 to " << t << "\n"
           << "    linalg.yield %s : " << t << "\n";
      }
      os << "  } -> " << wt << "\n";
    }
    os << "  " << result << " = tok.rms_norm " << in << ", " << scale << " "
       << epsAttr() << " : (" << x << ", " << wt << ") -> " << x << "\n";
  }

  /// @qkv: x [N, H] -> q [N, Hq·D], k, v [N, Hkv·D] (rms_norm fused into the
  /// projections' prologue). Shared by every phase and layer kind.
  void qkvFunction() {
    std::string x = rows(c.hiddenSize);
    os << "func.func private @qkv(%x: " << x;
    params(qkvParams());
    os << ") -> (" << rows(q()) << ", " << rows(kv()) << ", " << rows(kv())
       << ")" << kNoInline << " {\n";
    norm("%n", "%x", "%ln1");
    os << linear("%q", "%n", "%wq", c.qkvBias ? "%bq" : "", x, q(),
                 c.hiddenSize, rows(q()));
    os << linear("%k", "%n", "%wk", c.qkvBias ? "%bk" : "", x, kv(),
                 c.hiddenSize, rows(kv()));
    os << linear("%v", "%n", "%wv", c.qkvBias ? "%bv" : "", x, kv(),
                 c.hiddenSize, rows(kv()));
    os << "  return %q, %k, %v : " << rows(q()) << ", " << rows(kv()) << ", "
       << rows(kv()) << "\n}\n\n";
  }

  /// @mlp: the attention output projection with the residual, then the
  /// gated MLP with its residual: x, o [N, Hq·D] -> y [N, H].
  void mlpFunction() {
    std::string x = rows(c.hiddenSize), mid = rows(c.intermediateSize);
    os << "func.func private @mlp(%x: " << x << ", %o: " << rows(q());
    params(mlpParams());
    os << ") -> " << x << kNoInline << " {\n"
       << "  %c0 = arith.constant 0 : index\n"
       << "  %rows = tensor.dim %x, %c0 : " << x << "\n";
    os << linear("%po", "%o", "%wo", c.outputBias ? "%bo" : "", rows(q()),
                 c.hiddenSize, q(), x);
    // Gemma 2 normalizes each block's output before the residual add, and
    // has its own norm before the MLP.
    std::string attnOut = "%po";
    if (c.sandwichNorms) {
      norm("%pn", "%po", "%ln2");
      attnOut = "%pn";
    }
    os << "  %he = tensor.empty(%rows) : " << x << "\n"
       << "  %h = linalg.add ins(%x, " << attnOut << " : " << x << ", " << x
       << ") outs(%he : " << x << ") -> " << x << "\n";
    norm("%n", "%h", c.sandwichNorms ? "%ln3" : "%ln2");
    os << linear("%g", "%n", "%wg", c.mlpBias ? "%bg" : "", x,
                 c.intermediateSize, c.hiddenSize, mid);
    os << "  %ga = tok.activation %g {kind = \"" << c.activation << "\"} : ("
       << mid << ") -> " << mid << "\n";
    os << linear("%u", "%n", "%wu", c.mlpBias ? "%bu" : "", x,
                 c.intermediateSize, c.hiddenSize, mid);
    os << "  %me = tensor.empty(%rows) : " << mid << "\n"
       << "  %m = linalg.mul ins(%ga, %u : " << mid << ", " << mid
       << ") outs(%me : " << mid << ") -> " << mid << "\n";
    os << linear("%d", "%m", "%wd", c.mlpBias ? "%bd" : "", mid, c.hiddenSize,
                 c.intermediateSize, x);
    std::string mlpOut = "%d";
    if (c.sandwichNorms) {
      norm("%dn", "%d", "%ln4");
      mlpOut = "%dn";
    }
    os << "  %ye = tensor.empty(%rows) : " << x << "\n"
       << "  %y = linalg.add ins(%h, " << mlpOut << " : " << x << ", " << x
       << ") outs(%ye : " << x << ") -> " << x << "\n"
       << "  return %y : " << x << "\n}\n\n";
  }

  /// Reads the rows just written through the slots back from a pool (see
  /// docs/Session.md: a cache write nothing reads would be erased).
  /// In the per-head layout the slots are per head and every block holds
  /// one head (head 0 of the pool).
  void readBack(const std::string &result, const std::string &pool) {
    std::string out = heads(Phase::Prefill, c.numKVHeads);
    os << "  " << result << "_e = tensor.empty(%t) : " << out << "\n"
       << "  " << result
       << " = linalg.generic {indexing_maps = [affine_map<(b, h, s, d) -> "
       << (perHead ? "(b, h, s)" : "(b, s)")
       << ">, affine_map<(b, h, s, d) -> (b, h, s, d)>], "
          "iterator_types = [\"parallel\", \"parallel\", \"parallel\", "
          "\"parallel\"]} ins(%slots : "
       << slotsType(Phase::Prefill) << ") outs(" << result << "_e : " << out
       << ") {\n"
       << "  ^bb0(%slot: i32, %unused: " << t << "):\n"
       << "    %hh = linalg.index 1 : index\n"
       << "    %dd = linalg.index 3 : index\n"
       << "    %si = arith.index_cast %slot : i32 to index\n"
       << "    %blk = arith.divui %si, %cbs : index\n"
       << "    %row = arith.remui %si, %cbs : index\n"
       << "    %val = tensor.extract " << pool << "[%blk, %row, "
       << (perHead ? "%c0" : "%hh") << ", %dd] : " << cacheType() << "\n"
       << "    linalg.yield %val : " << t << "\n"
       << "  } -> " << out << "\n";
  }

  /// [N, h·D] rows split into heads and moved head-major.
  void toHeads(Phase p, const std::string &result, const std::string &in,
               int64_t h) {
    std::string dim = p == Phase::Decode ? "%b" : "%t";
    std::string shape = p == Phase::Decode
                            ? "[%b, 1, " + str(h) + ", " + str(c.headDim) + "]"
                            : "[1, %t, " + str(h) + ", " + str(c.headDim) + "]";
    os << "  " << result << "_s = tensor.expand_shape " << in
       << " [[0, 1], [2, 3]] output_shape " << shape << " : "
       << rows(h * c.headDim) << " into " << split(p, h) << "\n"
       << "  " << result << "_e = tensor.empty(" << dim << ") : " << heads(p, h)
       << "\n"
       << "  " << result << " = linalg.transpose ins(" << result
       << "_s : " << split(p, h) << ") outs(" << result
       << "_e : " << heads(p, h) << ") permutation = [0, 2, 1, 3]\n";
  }

  /// The attention of one layer kind in one phase: q, k, v [N, ·] rows ->
  /// o [N, Hq·D]. Prefill and decode write K/V to the layer's pools.
  /// With `statsWindow` > 0 (prefill only) the function also returns the
  /// attention's stats `[1, Hkv, T]` f32 over each sequence's last
  /// `statsWindow` queries; with kStatsAllRows over all of them (prefill),
  /// or (decode) tok.paged_attention's stats `[B, Hkv, MaxRows]`.
  void attentionFunction(Phase p, int64_t window, const std::string &name,
                         int64_t statsWindow = 0) {
    std::string ids = this->ids(p);
    os << "func.func private @" << name << "(%q: " << rows(q())
       << ", %k: " << rows(kv()) << ", %v: " << rows(kv())
       << ", %positions: " << ids;
    if (p == Phase::Prefill)
      os << ", %seq_starts: tensor<?xi32>, %slots: " << slotsType(p);
    if (p == Phase::Decode)
      os << ", %slots: " << slotsType(p) << ", %block_table: " << tableType()
         << ", %lens: " << lensType();
    if (p != Phase::Forward)
      os << ", %kc: " << cacheType() << ", %vc: " << cacheType();
    os << ") -> ";
    if (statsWindow != 0)
      os << "(" << rows(q()) << ", " << statsType(p) << ")";
    else
      os << rows(q());
    os << kNoInline << " {\n";
    std::string dim = p == Phase::Decode ? "%b" : "%t";
    os << "  %c0 = arith.constant 0 : index\n"
       << "  %c1 = arith.constant 1 : index\n"
       << "  " << dim << " = tensor.dim %positions, "
       << (p == Phase::Decode ? "%c0" : "%c1") << " : " << ids << "\n";
    if (p == Phase::Prefill)
      os << "  %cbs = arith.constant " << blockSize << " : index\n";
    toHeads(p, "%qh", "%q", c.numHeads);
    toHeads(p, "%kh", "%k", c.numKVHeads);
    toHeads(p, "%vh", "%v", c.numKVHeads);
    std::string qh = heads(p, c.numHeads), kh = heads(p, c.numKVHeads);
    // Without positional encoding (Jamba) q and k go in as they are.
    std::string qr = "%qh", kr = "%kh";
    if (c.rope) {
      os << "  %qr = tok.rope %qh, %positions " << ropeAttrs() << " : (" << qh
         << ", " << ids << ") -> " << qh << "\n"
         << "  %kr = tok.rope %kh, %positions " << ropeAttrs() << " : (" << kh
         << ", " << ids << ") -> " << kh << "\n";
      qr = "%qr";
      kr = "%kr";
    }
    // Attributes besides causal: window, scale, softcap (in the order the
    // printer sorts them does not matter to the parser).
    std::string extra;
    auto attr = [&](const std::string &a) {
      extra += (extra.empty() ? "" : ", ") + a;
    };
    if (c.attentionScale)
      attr("scale = " + fmtFloat(*c.attentionScale) + " : f32");
    if (c.attentionSoftcap > 0)
      attr("softcap = " + fmtFloat(c.attentionSoftcap) + " : f32");
    if (window > 0)
      attr("window = " + str(window) + " : i64");
    if (p != Phase::Forward) {
      os << "  %kc2 = tok.cache_write %kc, " << kr << ", %slots : ("
         << cacheType() << ", " << kh << ", " << slotsType(p) << ") -> "
         << cacheType() << "\n"
         << "  %vc2 = tok.cache_write %vc, %vh, %slots : (" << cacheType()
         << ", " << kh << ", " << slotsType(p) << ") -> " << cacheType()
         << "\n";
    }
    if (p == Phase::Decode) {
      os << "  %o" << (statsWindow != 0 ? ", %st" : "")
         << " = tok.paged_attention " << qr
         << ", %kc2, %vc2, %block_table, %lens"
         << (extra.empty() ? "" : " {" + extra + "}") << " : (" << qh << ", "
         << cacheType() << ", " << cacheType() << ", " << tableType() << ", "
         << lensType() << ") -> "
         << (statsWindow != 0 ? "(" + qh + ", stats " + statsType(p) + ")" : qh)
         << "\n";
    } else {
      std::string k = kr, v = "%vh", packed;
      if (p == Phase::Prefill) {
        readBack("%kb", "%kc2");
        readBack("%vb", "%vc2");
        k = "%kb";
        v = "%vb";
        packed = " seq_starts(%seq_starts : tensor<?xi32>)";
      }
      if (statsWindow > 0)
        attr("stats_window = " + str(statsWindow) + " : i64");
      os << "  %o" << (statsWindow != 0 ? ", %st" : "") << " = tok.attention "
         << qr << ", " << k << ", " << v << packed << " {causal"
         << (extra.empty() ? "" : ", " + extra) << "} : (" << qh << ", " << kh
         << ", " << kh << ") -> ";
      if (statsWindow != 0)
        os << "(" << qh << ", stats " << statsType() << ")\n";
      else
        os << qh << "\n";
    }
    os << "  %oe = tensor.empty(" << dim << ") : " << split(p, c.numHeads)
       << "\n"
       << "  %ot = linalg.transpose ins(%o : " << qh
       << ") outs(%oe : " << split(p, c.numHeads)
       << ") permutation = [0, 2, 1, 3]\n"
       << "  %oc = tensor.collapse_shape %ot [[0, 1], [2, 3]] : "
       << split(p, c.numHeads) << " into " << rows(q()) << "\n"
       << "  return %oc"
       << (statsWindow != 0 ? ", %st : " + rows(q()) + ", " + statsType(p)
                            : " : " + rows(q()))
       << "\n}\n\n";
  }

  /// The stats of one prefill attention layer: `[1, Hkv, T]` f32.
  std::string statsType() const {
    return tensor("1x" + str(c.numKVHeads) + "x?", "f32");
  }
  /// The stats of one attention layer in phase `p`: decode's are
  /// `[B, Hkv, MaxRows]` f32 (tok.paged_attention).
  std::string statsType(Phase p) const {
    if (p == Phase::Decode)
      return tensor("?x" + str(c.numKVHeads) + "x?", "f32");
    return statsType();
  }

  /// Widens `in` ([?, N] of the element type) to f32 into `result`.
  void toF32(const std::string &result, const std::string &in,
             const std::string &rows, int64_t n, double softcap = 0) {
    std::string src = tensor("?x" + str(n), t);
    std::string dst = tensor("?x" + str(n), "f32");
    if (softcap > 0) {
      // c·tanh(x/c) in f32 (Gemma 2's final logits).
      os << "  " << result << "_e = tensor.empty(" << rows << ") : " << dst
         << "\n"
         << "  " << result
         << " = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, "
            "j)>, affine_map<(i, j) -> (i, j)>], iterator_types = "
            "[\"parallel\", \"parallel\"]} ins("
         << in << " : " << src << ") outs(" << result << "_e : " << dst
         << ") {\n"
         << "  ^bb0(%a: " << t << ", %unused: f32):\n"
         << (t == "f32" ? "" : "    %x = arith.extf %a : " + t + " to f32\n")
         << "    %cap = arith.constant " << fmtFloat(softcap) << " : f32\n"
         << "    %d = arith.divf " << (t == "f32" ? "%a" : "%x")
         << ", %cap : f32\n"
         << "    %th = math.tanh %d : f32\n"
         << "    %r = arith.mulf %th, %cap : f32\n"
         << "    linalg.yield %r : f32\n"
         << "  } -> " << dst << "\n";
      return;
    }
    if (t == "f32") {
      os << "  " << result << " = tensor.cast " << in << " : " << src << " to "
         << dst << "\n";
      return;
    }
    os << "  " << result << "_e = tensor.empty(" << rows << ") : " << dst
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
  }
};

/// The distinct windows of the layers, each a layer kind.
std::string kindName(int64_t window) {
  return window > 0 ? "window" + std::to_string(window) : "full";
}

} // namespace

std::vector<WeightArg> decoderWeights(const DecoderConfig &c) {
  std::vector<WeightArg> w;
  int64_t q = c.numHeads * c.headDim, kv = c.numKVHeads * c.headDim;
  w.push_back({"model.embed_tokens.weight", {c.vocabSize, c.hiddenSize}});
  w.push_back({"model.norm.weight", {c.hiddenSize}});
  if (!c.tiedEmbeddings)
    w.push_back({"lm_head.weight", {c.vocabSize, c.hiddenSize}});
  for (int64_t l = 0; l < c.numLayers; ++l) {
    std::string p = "model.layers." + std::to_string(l) + ".";
    auto add = [&](const std::string &name, std::vector<int64_t> shape) {
      w.push_back({p + name, std::move(shape)});
    };
    add("input_layernorm.weight", {c.hiddenSize});
    add("self_attn.q_proj.weight", {q, c.hiddenSize});
    if (c.qkvBias)
      add("self_attn.q_proj.bias", {q});
    add("self_attn.k_proj.weight", {kv, c.hiddenSize});
    if (c.qkvBias)
      add("self_attn.k_proj.bias", {kv});
    add("self_attn.v_proj.weight", {kv, c.hiddenSize});
    if (c.qkvBias)
      add("self_attn.v_proj.bias", {kv});
    add("self_attn.o_proj.weight", {c.hiddenSize, q});
    if (c.outputBias)
      add("self_attn.o_proj.bias", {c.hiddenSize});
    add("post_attention_layernorm.weight", {c.hiddenSize});
    if (c.sandwichNorms)
      add("pre_feedforward_layernorm.weight", {c.hiddenSize});
    add("mlp.gate_proj.weight", {c.intermediateSize, c.hiddenSize});
    if (c.mlpBias)
      add("mlp.gate_proj.bias", {c.intermediateSize});
    add("mlp.up_proj.weight", {c.intermediateSize, c.hiddenSize});
    if (c.mlpBias)
      add("mlp.up_proj.bias", {c.intermediateSize});
    add("mlp.down_proj.weight", {c.hiddenSize, c.intermediateSize});
    if (c.mlpBias)
      add("mlp.down_proj.bias", {c.hiddenSize});
    if (c.sandwichNorms)
      add("post_feedforward_layernorm.weight", {c.hiddenSize});
  }
  return w;
}

std::string buildDecoderLayerFunctions(const DecoderConfig &c,
                                       const std::string &elementType,
                                       int64_t blockSize) {
  Writer w{c, elementType, blockSize, {}};
  w.qkvFunction();
  w.mlpFunction();
  std::map<int64_t, bool> kinds;
  for (int64_t window : c.layerWindow)
    kinds[window] = true;
  for (auto &[window, unused] : kinds) {
    w.attentionFunction(Phase::Prefill, window,
                        "attention_prefill_" + kindName(window));
    w.attentionFunction(Phase::Decode, window,
                        "attention_decode_" + kindName(window));
    w.attentionFunction(Phase::Forward, window,
                        "attention_forward_" + kindName(window));
  }
  return w.os.str();
}

std::string buildDecoderModule(const DecoderConfig &c,
                               const std::string &elementType,
                               int64_t blockSize, int64_t snapkvObs,
                               bool perHead, bool perLayerGroups, bool h2o) {
  Writer w{c, elementType, blockSize, {}};
  w.perHead = perHead;
  std::ostringstream &os = w.os;
  const std::string &t = elementType;
  std::vector<WeightArg> weights = decoderWeights(c);
  size_t numGlobals = c.tiedEmbeddings ? 2 : 3;
  size_t perLayer = (weights.size() - numGlobals) /
                    static_cast<size_t>(std::max<int64_t>(c.numLayers, 1));

  // The projections are shared by every layer; attention is one function
  // per distinct window and phase.
  w.qkvFunction();
  w.mlpFunction();
  std::map<int64_t, bool> kinds;
  for (int64_t window : c.layerWindow)
    kinds[window] = true;
  for (auto &[window, unused] : kinds) {
    w.attentionFunction(Phase::Prefill, window,
                        "attention_prefill_" + kindName(window));
    w.attentionFunction(Phase::Decode, window,
                        "attention_decode_" + kindName(window));
    w.attentionFunction(Phase::Forward, window,
                        "attention_forward_" + kindName(window));
    if (snapkvObs > 0)
      w.attentionFunction(Phase::Prefill, window,
                          "attention_prefill_stats_" + kindName(window),
                          snapkvObs);
    if (h2o) {
      w.attentionFunction(Phase::Prefill, window,
                          "attention_prefill_h2o_" + kindName(window),
                          kStatsAllRows);
      w.attentionFunction(Phase::Decode, window,
                          "attention_decode_stats_" + kindName(window),
                          kStatsAllRows);
    }
  }

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
  std::string embedType = weightType(weights[0]);
  std::string headName = c.tiedEmbeddings ? "%w0" : "%w2";
  std::string normType = tensor(str(c.hiddenSize), t);
  size_t numQkv = w.qkvParams().size();
  // Cache groups: one per distinct window (full layers first), so layers
  // with different windows get their own block tables and the session can
  // evict a windowed group's blocks while the full group keeps all of its
  // rows. A model whose layers share one window has one group (the plain
  // session ABI). With perLayerGroups every layer is its own group (its own
  // block table and policy; SnapKV then selects per layer).
  std::vector<int64_t> groupWindows;
  for (int64_t window : c.layerWindow)
    if (std::find(groupWindows.begin(), groupWindows.end(), window) ==
        groupWindows.end())
      groupWindows.push_back(window);
  std::sort(groupWindows.begin(), groupWindows.end());
  size_t numGroups =
      perLayerGroups ? static_cast<size_t>(c.numLayers) : groupWindows.size();
  auto groupOf = [&](int64_t l) -> size_t {
    if (perLayerGroups)
      return static_cast<size_t>(l);
    return static_cast<size_t>(
        std::find(groupWindows.begin(), groupWindows.end(),
                  c.layerWindow[static_cast<size_t>(l)]) -
        groupWindows.begin());
  };
  // The layers in the order of their K/V pool arguments (group by group),
  // which is also the order of @prefill_stats' stats.
  std::vector<int64_t> argOrder;
  for (size_t grp = 0; grp < numGroups; ++grp)
    for (int64_t l = 0; l < c.numLayers; ++l)
      if (groupOf(l) == grp)
        argOrder.push_back(l);
  auto groupSuffix = [](size_t g) {
    return g == 0 ? std::string() : "_g" + std::to_string(g);
  };
  // One layer on rows [N, H]: @qkv, the phase's attention, @mlp.
  // With `stats` the layer runs the `statsName` variant of the phase's
  // attention (attention_<phase>_<statsName>_<kind>) and `out` names two
  // results: the rows and the layer's stats.
  auto layerCall = [&](Phase p, int64_t l, const std::string &in,
                       const std::string &out, bool stats = false,
                       const std::string &statsName = "stats") {
    size_t base = numGlobals + static_cast<size_t>(l) * perLayer;
    auto weightArgs = [&](size_t from, size_t to, std::string &args,
                          std::string &types) {
      for (size_t i = from; i < to; ++i) {
        args += ", %w" + std::to_string(base + i);
        types += ", " + weightType(weights[base + i]);
      }
    };
    std::string x = w.rows(c.hiddenSize);
    std::string args = in, types = x;
    weightArgs(0, numQkv, args, types);
    std::string pre = "%l" + str(l);
    // One region per layer: ownership-based deallocation frees buffers at
    // the end of their block, so without it every layer's q, k, v and
    // attention output would live until the function returns (memory
    // growing with depth); with it they are freed as each layer ends.
    os << "  " << out << (stats ? ":2" : "") << " = scf.execute_region -> "
       << (stats ? "(" + x + ", " + w.statsType(p) + ")" : x)
       << " no_inline {\n";
    os << "  " << pre << "q:3 = func.call @qkv(" << args << ") : (" << types
       << ") -> (" << w.rows(w.q()) << ", " << w.rows(w.kv()) << ", "
       << w.rows(w.kv()) << ")\n";
    // The layer's cache group: its own slots, block table and lens.
    std::string g = groupSuffix(groupOf(l));
    std::string fn = (p == Phase::Prefill  ? "attention_prefill_"
                      : p == Phase::Decode ? "attention_decode_"
                                           : "attention_forward_") +
                     (stats ? statsName + "_" : "") +
                     kindName(c.layerWindow[static_cast<size_t>(l)]);
    std::string ids = w.ids(p);
    args = pre + "q#0, " + pre + "q#1, " + pre + "q#2, %positions";
    types = w.rows(w.q()) + ", " + w.rows(w.kv()) + ", " + w.rows(w.kv()) +
            ", " + ids;
    if (p == Phase::Prefill) {
      args += ", %seq_starts, %slots" + g;
      types += ", tensor<?xi32>, " + w.slotsType(p);
    }
    if (p == Phase::Decode) {
      args += ", %slots" + g + ", %block_table" + g + ", %lens" + g;
      types +=
          ", " + w.slotsType(p) + ", " + w.tableType() + ", " + w.lensType();
    }
    if (p != Phase::Forward) {
      args += ", %kc" + str(l) + ", %vc" + str(l);
      types += ", " + w.cacheType() + ", " + w.cacheType();
    }
    os << "  " << pre << "o" << (stats ? ":2" : "") << " = func.call @" << fn
       << "(" << args << ") : (" << types << ") -> "
       << (stats ? "(" + w.rows(w.q()) + ", " + w.statsType(p) + ")"
                 : w.rows(w.q()))
       << "\n";
    args = in + ", " + pre + (stats ? "o#0" : "o");
    types = x + ", " + w.rows(w.q());
    weightArgs(numQkv, perLayer, args, types);
    os << "  " << pre << "y = func.call @mlp(" << args << ") : (" << types
       << ") -> " << x << "\n"
       << "  scf.yield " << pre << "y"
       << (stats ? ", " + pre + "o#1 : " + x + ", " + w.statsType(p)
                 : " : " + x)
       << "\n  }\n";
  };
  auto sessionParams = [&](Phase p) {
    std::string ids = w.ids(p);
    std::string s = "%tokens: " + ids + ", %positions: " + ids +
                    ", %seq_starts: tensor<?xi32>, %slots: " + w.slotsType(p) +
                    ", %block_table: " + w.tableType() +
                    ", %lens: " + w.lensType();
    // Cache groups in order, each group's layers ascending; a further group
    // starts with its own slots, block table and lens (docs/Session.md).
    for (size_t grp = 0; grp < numGroups; ++grp) {
      std::string g = groupSuffix(grp);
      if (grp > 0)
        s += ", %slots" + g + ": " + w.slotsType(p) + ", %block_table" + g +
             ": " + w.tableType() + ", %lens" + g + ": " + w.lensType();
      for (int64_t l = 0; l < c.numLayers; ++l)
        if (groupOf(l) == grp)
          s += ", %kc" + str(l) + ": " + w.cacheType() +
               " {bufferization.writable = true}, %vc" + str(l) + ": " +
               w.cacheType() + " {bufferization.writable = true}";
    }
    return s + weightParams();
  };
  std::string logitsType = tensor("?x" + str(c.vocabSize), "f32");

  std::string rowsType = w.rows(c.hiddenSize);
  // The token embeddings as rows [N, H].
  auto embed = [&](Phase p, const std::string &count) {
    std::string x = w.act(p, c.hiddenSize);
    os << "  %emb = tok.embedding %tokens, %w0 : (" << w.ids(p) << ", "
       << embedType << ") -> " << x << "\n"
       << "  %x0" << (c.scaleEmbeddings ? "r" : "")
       << " = tensor.collapse_shape %emb [[0, 1], [2]] : " << x << " into "
       << rowsType << "\n";
    if (!c.scaleEmbeddings)
      return;
    // Gemma: times sqrt(hidden) rounded to the weights' dtype, multiplied in
    // that dtype (as HF does).
    os << "  %x0e = tensor.empty(" << count << ") : " << rowsType << "\n"
       << "  %x0 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, "
          "j)>, affine_map<(i, j) -> (i, j)>], iterator_types = "
          "[\"parallel\", \"parallel\"]} ins(%x0r : "
       << rowsType << ") outs(%x0e : " << rowsType << ") {\n"
       << "  ^bb0(%a: " << t << ", %unused: " << t << "):\n"
       << "    %s = arith.constant "
       << fmtFloat(roundToType(std::sqrt(static_cast<double>(c.hiddenSize)), t))
       << " : " << t << "\n"
       << "    %m = arith.mulf %a, %s : " << t << "\n"
       << "    linalg.yield %m : " << t << "\n"
       << "  } -> " << rowsType << "\n";
  };

  // The final norm and the head (norm fused into its prologue).
  // `extra` returns further values after the logits (", %a, %b : T, T").
  auto head = [&](const std::string &in, const std::string &count,
                  const std::string &extraValues = "",
                  const std::string &extraTypes = "") {
    std::string lt = w.rows(c.vocabSize);
    w.norm("%nf", in, "%w1");
    os << w.linear("%lg", "%nf", headName, "", rowsType, c.vocabSize,
                   c.hiddenSize, lt);
    w.toF32("%logits", "%lg", count, c.vocabSize, c.finalSoftcap);
    os << "  return %logits" << extraValues << " : " << logitsType << extraTypes
       << "\n}\n\n";
  };
  // @prefill: packed prompts; logits of each sequence's last token. With
  // `stats` (@prefill_stats, @prefill_h2o) every layer's attention stats
  // (of the `statsName` attention variant) follow the logits.
  auto prefillFunction = [&](const std::string &name, bool stats,
                             const std::string &statsName = "stats") {
    // Layer l's output rows (#0 of a stats layer's two results).
    auto hidden = [&](int64_t l) {
      return "%x" + str(l) + (stats && l > 0 ? "#0" : "");
    };
    std::string resultTypes = logitsType;
    if (stats) {
      resultTypes = "(" + logitsType;
      for (int64_t l = 0; l < c.numLayers; ++l)
        resultTypes += ", " + w.statsType();
      resultTypes += ")";
    }
    os << "func.func @" << name << "(" << sessionParams(Phase::Prefill)
       << ") -> " << resultTypes << " {\n"
       << "  %c0 = arith.constant 0 : index\n"
       << "  %c1 = arith.constant 1 : index\n"
       << "  %t = tensor.dim %tokens, %c1 : tensor<1x?xi32>\n";
    embed(Phase::Prefill, "%t");
    for (int64_t l = 0; l < c.numLayers; ++l)
      layerCall(Phase::Prefill, l, hidden(l), "%x" + str(l + 1), stats,
                statsName);
    os << lastRowOfEachSequence(hidden(c.numLayers), rowsType, t);
    std::string extraValues, extraTypes;
    if (stats)
      for (int64_t l : argOrder) {
        extraValues += ", %x" + str(l + 1) + "#1";
        extraTypes += ", " + w.statsType();
      }
    head("%last", "%n", extraValues, extraTypes);
  };
  prefillFunction("prefill", false);
  if (snapkvObs > 0)
    prefillFunction("prefill_stats", true);
  if (h2o)
    prefillFunction("prefill_h2o", true, "h2o");

  // @decode: one new token per sequence.
  os << "func.func @decode(" << sessionParams(Phase::Decode) << ") -> "
     << logitsType << " {\n"
     << "  %c0 = arith.constant 0 : index\n"
     << "  %b = tensor.dim %tokens, %c0 : tensor<?x1xi32>\n";
  embed(Phase::Decode, "%b");
  for (int64_t l = 0; l < c.numLayers; ++l)
    layerCall(Phase::Decode, l, "%x" + str(l), "%x" + str(l + 1));
  head("%x" + str(c.numLayers), "%b");

  // @decode_stats (H2O): @decode returning, after the logits, every
  // attention layer's tok.paged_attention stats [B, Hkv, MaxRows].
  if (h2o) {
    std::string resultTypes = "(" + logitsType;
    std::string extraValues, extraTypes;
    for (int64_t l = 0; l < c.numLayers; ++l) {
      resultTypes += ", " + w.statsType(Phase::Decode);
      extraValues += ", %x" + str(l + 1) + "#1";
      extraTypes += ", " + w.statsType(Phase::Decode);
    }
    os << "func.func @decode_stats(" << sessionParams(Phase::Decode) << ") -> "
       << resultTypes << ")" << " {\n"
       << "  %c0 = arith.constant 0 : index\n"
       << "  %b = tensor.dim %tokens, %c0 : tensor<?x1xi32>\n";
    embed(Phase::Decode, "%b");
    for (int64_t l = 0; l < c.numLayers; ++l)
      layerCall(Phase::Decode, l, "%x" + str(l) + (l > 0 ? "#0" : ""),
                "%x" + str(l + 1), true);
    head("%x" + str(c.numLayers) + (c.numLayers > 0 ? "#0" : ""), "%b",
         extraValues, extraTypes);
  }

  // @hidden: the final hidden states of one sequence, no cache.
  os << "func.func @hidden(%tokens: tensor<1x?xi32>, %positions: "
        "tensor<1x?xi32>"
     << weightParams() << ") -> " << tensor("?x" + str(c.hiddenSize), "f32")
     << " {\n"
     << "  %c1 = arith.constant 1 : index\n"
     << "  %t = tensor.dim %tokens, %c1 : tensor<1x?xi32>\n";
  embed(Phase::Forward, "%t");
  for (int64_t l = 0; l < c.numLayers; ++l)
    layerCall(Phase::Forward, l, "%x" + str(l), "%x" + str(l + 1));
  w.norm("%nf", "%x" + str(c.numLayers), "%w1");
  w.toF32("%hidden", "%nf", "%t", c.hiddenSize);
  os << "  return %hidden : " << tensor("?x" + str(c.hiddenSize), "f32")
     << "\n}\n";
  return os.str();
}

} // namespace tokamak::frontend
