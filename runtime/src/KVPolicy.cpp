//===- KVPolicy.cpp - KV cache eviction and compression -------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/KVPolicy.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <iterator>
#include <numeric>
#include <sstream>

using namespace tokamak::rt;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    parts.push_back(trim(s.substr(start, end - start)));
    if (end == std::string_view::npos)
      return parts;
    start = end + 1;
  }
}

/// A non-negative decimal integer (no sign, no trailing characters).
bool parseCount(std::string_view s, int64_t &out) {
  if (s.empty() || s.front() < '0' || s.front() > '9')
    return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

/// Checks that every full head of `policy` names one of `numKVHeads` heads.
Status checkFullHeads(const KVPolicy &policy, int32_t numKVHeads) {
  if (!policy.fullHeads.empty() && policy.fullHeads.back() >= numKVHeads)
    return Status::errorOf("full head ", policy.fullHeads.back(),
                           " out of range for ", numKVHeads, " kv heads");
  return Status::success();
}

} // namespace

//===----------------------------------------------------------------------===//
// KVPolicy
//===----------------------------------------------------------------------===//

StatusOr<KVPolicy> KVPolicy::parse(std::string_view spec) {
  std::string text(spec);
  auto bad = [&](const auto &...why) {
    return Status::errorOf("invalid kv policy '", printableBytes(text),
                           "': ", why...);
  };
  KVPolicy policy;
  bool sawKind = false, sawSinks = false, sawObs = false, sawKernel = false,
       sawPool = false, sawHeads = false, sawRecent = false;
  std::vector<std::string_view> seen;
  for (std::string_view item : split(trim(spec), ',')) {
    size_t eq = item.find('=');
    std::string_view key = trim(item.substr(0, eq));
    std::string_view value = eq == std::string_view::npos
                                 ? std::string_view()
                                 : trim(item.substr(eq + 1));
    if (key.empty())
      return bad("expected full, window=W[,sinks=S], snapkv=BUDGET[,obs=O]"
                 "[,kernel=K][,pool=avg|max] or h2o=B[,recent=R]");
    static const char *const kKeys[] = {
        "full", "window", "snapkv", "h2o",        "sinks",
        "obs",  "kernel", "pool",   "full_heads", "recent"};
    if (std::find(std::begin(kKeys), std::end(kKeys), key) == std::end(kKeys))
      return bad("unknown ", eq == std::string_view::npos ? "policy" : "key",
                 " '", printableBytes(key),
                 "' (the policies are full, window=W[,sinks=S], "
                 "snapkv=BUDGET[,obs=O][,kernel=K][,pool=avg|max] and "
                 "h2o=B[,recent=R], in lower case; window and snapkv also "
                 "take full_heads=H1/H2/...)");
    if (std::find(seen.begin(), seen.end(), key) != seen.end())
      return bad("'", key, "' given twice");
    seen.push_back(key);
    bool isKind =
        key == "full" || key == "window" || key == "snapkv" || key == "h2o";
    if (isKind && sawKind)
      return bad("more than one of full, window, snapkv and h2o");
    if (key == "full") {
      if (eq != std::string_view::npos)
        return bad("'full' takes no value");
      policy.kind = KVPolicyKind::Full;
      sawKind = true;
      continue;
    }
    if (eq == std::string_view::npos)
      return bad("expected '", key, "=VALUE'");
    if (key == "pool") {
      if (value == "avg")
        policy.pooling = SnapKVPooling::Avg;
      else if (value == "max")
        policy.pooling = SnapKVPooling::Max;
      else
        return bad("pool must be avg or max, got '", printableBytes(value),
                   "'");
      sawPool = true;
      continue;
    }
    if (key == "full_heads") {
      for (std::string_view h : split(value, '/')) {
        int64_t head = 0;
        if (!parseCount(h, head) || head > INT32_MAX)
          return bad("expected full_heads=H1/H2/... with head indices, got '",
                     printableBytes(value), "'");
        policy.fullHeads.push_back(static_cast<int32_t>(head));
      }
      std::sort(policy.fullHeads.begin(), policy.fullHeads.end());
      policy.fullHeads.erase(
          std::unique(policy.fullHeads.begin(), policy.fullHeads.end()),
          policy.fullHeads.end());
      sawHeads = true;
      continue;
    }
    int64_t n = 0;
    if (!parseCount(value, n))
      return bad("expected a non-negative integer for ", key, ", got '",
                 printableBytes(value), "'");
    // Positions and cache rows are 32-bit in the model ABI.
    if (n > INT32_MAX)
      return bad(key, " must be at most ", INT32_MAX, ", got ", n);
    if (key == "window") {
      if (n < 1)
        return bad("window must be at least 1, got ", n);
      policy.kind = KVPolicyKind::Window;
      policy.window = n;
      sawKind = true;
    } else if (key == "snapkv") {
      policy.kind = KVPolicyKind::SnapKV;
      policy.budget = n;
      sawKind = true;
    } else if (key == "h2o") {
      policy.kind = KVPolicyKind::H2O;
      policy.budget = n;
      sawKind = true;
    } else if (key == "recent") {
      policy.recent = n;
      sawRecent = true;
    } else if (key == "sinks") {
      policy.sinks = n;
      sawSinks = true;
    } else if (key == "obs") {
      if (n < 1)
        return bad("obs must be at least 1, got ", n);
      policy.obsWindow = n;
      sawObs = true;
    } else if (key == "kernel") {
      if (n < 1 || n % 2 == 0)
        return bad("kernel must be odd and positive, got ", n);
      policy.kernel = n;
      sawKernel = true;
    } else {
      return bad("unknown key '", key, "'");
    }
  }
  if (!sawKind)
    return bad("expected full, window=W, snapkv=BUDGET or h2o=B");
  if (sawSinks && policy.kind != KVPolicyKind::Window)
    return bad("sinks need a window policy");
  if ((sawObs || sawKernel || sawPool) && policy.kind != KVPolicyKind::SnapKV)
    return bad("obs, kernel and pool need a snapkv policy");
  if (sawHeads && policy.kind == KVPolicyKind::Full)
    return bad("full_heads needs a window or snapkv policy");
  if (sawRecent && policy.kind != KVPolicyKind::H2O)
    return bad("recent needs an h2o policy");
  if (policy.kind == KVPolicyKind::H2O) {
    if (sawHeads)
      return bad("h2o takes no full_heads (one block table serves every "
                 "head)");
    if (!sawRecent)
      policy.recent = policy.budget;
    if (policy.budget + policy.recent < 1)
      return bad("h2o must keep at least one row (B + R >= 1), got B = ",
                 policy.budget, " and R = ", policy.recent);
  }
  return policy;
}

std::string KVPolicy::str() const {
  std::ostringstream os;
  switch (kind) {
  case KVPolicyKind::Full:
    return "full";
  case KVPolicyKind::Window:
    os << "window=" << window << ",sinks=" << sinks;
    break;
  case KVPolicyKind::SnapKV:
    os << "snapkv=" << budget << ",obs=" << obsWindow << ",kernel=" << kernel
       << ",pool=" << (pooling == SnapKVPooling::Avg ? "avg" : "max");
    break;
  case KVPolicyKind::H2O:
    os << "h2o=" << budget << ",recent=" << recent;
    break;
  }
  for (size_t i = 0; i < fullHeads.size(); ++i)
    os << (i ? "/" : ",full_heads=") << fullHeads[i];
  return os.str();
}

bool KVPolicy::keepsAll(int32_t head) const {
  return kind == KVPolicyKind::Full ||
         std::binary_search(fullHeads.begin(), fullHeads.end(), head);
}

bool KVPolicy::isLossless(int64_t length) const {
  switch (kind) {
  case KVPolicyKind::Full:
    return true;
  case KVPolicyKind::Window:
    return window + sinks >= length;
  case KVPolicyKind::SnapKV:
    return length - std::min(obsWindow, length) <= budget;
  case KVPolicyKind::H2O:
    return budget + recent >= length;
  }
  return false;
}

WindowEviction KVPolicy::eviction() const {
  if (kind != KVPolicyKind::Window || !fullHeads.empty())
    return {};
  return {window, sinks};
}

//===----------------------------------------------------------------------===//
// ModelKVPolicy
//===----------------------------------------------------------------------===//

StatusOr<ModelKVPolicy> ModelKVPolicy::parse(std::string_view spec,
                                             std::string_view unit) {
  ModelKVPolicy model;
  std::vector<std::string_view> clauses = split(spec, ';');
  for (size_t i = 0; i < clauses.size(); ++i) {
    std::string_view clause = clauses[i];
    size_t colon = clause.find(':');
    if (colon == std::string_view::npos) {
      if (i != 0)
        return Status::errorOf("invalid kv policy '", std::string(spec),
                               "': only the first clause may omit '", unit,
                               "S:'");
      auto policy = KVPolicy::parse(clause);
      if (!policy.ok())
        return policy.status();
      model.defaults = *policy;
      continue;
    }
    std::string_view layers = trim(clause.substr(0, colon));
    size_t dash = layers.find('-');
    Override o;
    bool okFirst = parseCount(trim(layers.substr(0, dash)), o.first);
    bool okLast = dash == std::string_view::npos
                      ? (o.last = o.first, okFirst)
                      : parseCount(trim(layers.substr(dash + 1)), o.last);
    if (!okFirst || !okLast || o.last < o.first)
      return Status::errorOf(
          "invalid kv policy '", std::string(spec), "': expected ", unit,
          ": or FIRST-LAST: before a policy, got '", layers, "'");
    auto policy = KVPolicy::parse(clause.substr(colon + 1));
    if (!policy.ok())
      return policy.status();
    o.policy = *policy;
    model.overrides.push_back(std::move(o));
  }
  return model;
}

const KVPolicy &ModelKVPolicy::forLayer(int64_t layer) const {
  for (auto it = overrides.rbegin(); it != overrides.rend(); ++it)
    if (layer >= it->first && layer <= it->last)
      return it->policy;
  return defaults;
}

std::string ModelKVPolicy::str() const {
  std::string out = defaults.str();
  for (const Override &o : overrides) {
    out += ";" + std::to_string(o.first);
    if (o.last != o.first)
      out += "-" + std::to_string(o.last);
    out += ":" + o.policy.str();
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Keep sets
//===----------------------------------------------------------------------===//

std::vector<int64_t> tokamak::rt::windowKeep(int64_t length, int64_t window,
                                             int64_t sinks) {
  std::vector<int64_t> keep;
  int64_t tail = std::max<int64_t>(length - window, 0);
  for (int64_t p = 0; p < length; ++p)
    if (p < sinks || p >= tail)
      keep.push_back(p);
  return keep;
}

StatusOr<KeepPlan> tokamak::rt::keepPositions(const KVPolicy &policy,
                                              int32_t numKVHeads,
                                              int64_t length) {
  if (numKVHeads <= 0 || length < 0)
    return Status::errorOf(
        "expected positive kv heads and a non-negative length, "
        "got ",
        numKVHeads, " and ", length);
  if (Status s = checkFullHeads(policy, numKVHeads); !s.ok())
    return s;
  if (policy.kind == KVPolicyKind::SnapKV && !policy.isLossless(length))
    return Status::errorOf("snapkv selection needs attention scores "
                           "(use snapkvKeep)");
  if (policy.kind == KVPolicyKind::H2O && !policy.isLossless(length))
    return Status::errorOf("h2o selection needs accumulated attention "
                           "(use HeavyHitters)");
  std::vector<int64_t> all(static_cast<size_t>(length));
  std::iota(all.begin(), all.end(), 0);
  std::vector<int64_t> window =
      policy.kind == KVPolicyKind::Window
          ? windowKeep(length, policy.window, policy.sinks)
          : all;
  KeepPlan plan;
  for (int32_t h = 0; h < numKVHeads; ++h)
    plan.push_back(policy.keepsAll(h) ? all : window);
  return plan;
}

StatusOr<std::vector<float>>
tokamak::rt::averageQueryHeadScores(const float *scores, int32_t numQueryHeads,
                                    int32_t numKVHeads, int64_t obs,
                                    int64_t length) {
  if (!scores || numQueryHeads <= 0 || numKVHeads <= 0 ||
      numQueryHeads % numKVHeads != 0 || obs < 0 || length < 0)
    return Status::errorOf(
        "expected scores [Hq, obs, length] with Hq a multiple "
        "of Hkv, got Hq=",
        numQueryHeads, " Hkv=", numKVHeads, " obs=", obs, " length=", length);
  int32_t group = numQueryHeads / numKVHeads;
  size_t plane = size_t(obs * length);
  std::vector<float> out(size_t(numKVHeads) * plane);
  for (int32_t h = 0; h < numKVHeads; ++h)
    for (size_t i = 0; i < plane; ++i) {
      double sum = 0;
      for (int32_t g = 0; g < group; ++g)
        sum += scores[size_t(h * group + g) * plane + i];
      out[size_t(h) * plane + i] = static_cast<float>(sum / group);
    }
  return out;
}

std::vector<double> tokamak::rt::snapkvPool(const double *votes, int64_t n,
                                            int64_t kernel,
                                            SnapKVPooling pooling) {
  std::vector<double> out(size_t(std::max<int64_t>(n, 0)));
  int64_t half = kernel / 2;
  for (int64_t j = 0; j < n; ++j) {
    int64_t lo = std::max<int64_t>(j - half, 0);
    int64_t hi = std::min<int64_t>(j + half, n - 1);
    double acc = pooling == SnapKVPooling::Avg ? 0.0 : votes[lo];
    for (int64_t t = lo; t <= hi; ++t)
      acc = pooling == SnapKVPooling::Avg ? acc + votes[t]
                                          : std::max(acc, votes[t]);
    out[size_t(j)] = pooling == SnapKVPooling::Avg ? acc / double(kernel) : acc;
  }
  return out;
}

StatusOr<KeepPlan> tokamak::rt::snapkvKeep(const KVPolicy &policy,
                                           const float *scores,
                                           int32_t numKVHeads, int64_t obs,
                                           int64_t length) {
  if (policy.kind != KVPolicyKind::SnapKV)
    return Status::errorOf("snapkvKeep needs a snapkv policy, got '",
                           policy.str(), "'");
  if (!scores || numKVHeads <= 0 || length < 0)
    return Status::errorOf(
        "expected scores [Hkv, obs, length] with Hkv > 0, got "
        "Hkv=",
        numKVHeads, " length=", length);
  if (Status s = checkFullHeads(policy, numKVHeads); !s.ok())
    return s;
  int64_t expectedObs = std::min(policy.obsWindow, length);
  if (obs != expectedObs)
    return Status::errorOf("expected ", expectedObs,
                           " observation queries in the snapkv scores, got ",
                           obs);
  std::vector<double> votes(size_t(numKVHeads) * size_t(length), 0.0);
  for (int32_t h = 0; h < numKVHeads; ++h) {
    const float *head = scores + size_t(h) * size_t(obs * length);
    double *row = votes.data() + size_t(h) * size_t(length);
    for (int64_t i = 0; i < obs; ++i)
      for (int64_t j = 0; j < length; ++j)
        row[j] += head[i * length + j];
  }
  return snapkvKeepFromVotes(policy, votes.data(), numKVHeads, length);
}

StatusOr<KeepPlan> tokamak::rt::snapkvKeepFromVotes(const KVPolicy &policy,
                                                    const double *votes,
                                                    int32_t numKVHeads,
                                                    int64_t length) {
  if (policy.kind != KVPolicyKind::SnapKV)
    return Status::errorOf("snapkvKeep needs a snapkv policy, got '",
                           policy.str(), "'");
  if (!votes || numKVHeads <= 0 || length < 0)
    return Status::errorOf("expected votes [Hkv, length] with Hkv > 0, got "
                           "Hkv=",
                           numKVHeads, " length=", length);
  if (Status s = checkFullHeads(policy, numKVHeads); !s.ok())
    return s;
  int64_t obs = std::min(policy.obsWindow, length);
  int64_t prefix = length - obs;
  std::vector<int64_t> all(static_cast<size_t>(length));
  std::iota(all.begin(), all.end(), 0);
  KeepPlan plan;
  std::vector<int64_t> order(static_cast<size_t>(prefix));
  for (int32_t h = 0; h < numKVHeads; ++h) {
    if (policy.keepsAll(h) || prefix <= policy.budget) {
      plan.push_back(all);
      continue;
    }
    // Only the prefix votes: the observation window is kept whole.
    std::vector<double> pooled =
        snapkvPool(votes + size_t(h) * size_t(length), prefix, policy.kernel,
                   policy.pooling);
    std::iota(order.begin(), order.end(), 0);
    auto better = [&](int64_t a, int64_t b) {
      return pooled[size_t(a)] != pooled[size_t(b)]
                 ? pooled[size_t(a)] > pooled[size_t(b)]
                 : a < b;
    };
    std::partial_sort(order.begin(), order.begin() + policy.budget, order.end(),
                      better);
    std::vector<int64_t> keep(order.begin(), order.begin() + policy.budget);
    std::sort(keep.begin(), keep.end());
    for (int64_t p = prefix; p < length; ++p)
      keep.push_back(p);
    plan.push_back(std::move(keep));
  }
  return plan;
}

StatusOr<KeepPlan> tokamak::rt::snapkvKeepFromQueryHeads(
    const KVPolicy &policy, const float *scores, int32_t numQueryHeads,
    int32_t numKVHeads, int64_t obs, int64_t length) {
  auto grouped =
      averageQueryHeadScores(scores, numQueryHeads, numKVHeads, obs, length);
  if (!grouped.ok())
    return grouped.status();
  return snapkvKeep(policy, grouped->data(), numKVHeads, obs, length);
}

StatusOr<std::vector<int64_t>>
tokamak::rt::compactHost(KVCacheManager &manager,
                         const std::vector<HostKVPool *> &pools, SeqId id,
                         const KeepPlan &kept) {
  for (const HostKVPool *pool : pools) {
    if (!pool)
      return Status::errorOf("null kv pool");
    const KVPoolShape &s = pool->shape();
    if (s.blockSize != manager.blockSize() ||
        s.numBlocks < manager.allocator().numBlocks() ||
        s.numKVHeads != static_cast<int64_t>(kept.size()))
      return Status::errorOf(
          "kv pool [", s.numBlocks, ", ", s.blockSize, ", ", s.numKVHeads, ", ",
          s.headDim, "] does not match the manager (block size ",
          manager.blockSize(), ", ", manager.allocator().numBlocks(),
          " blocks) and ", kept.size(), " kept lists");
  }
  auto plan = manager.compact(id, kept);
  if (!plan.ok())
    return plan.status();
  for (HostKVPool *pool : pools)
    for (int32_t b : plan->newBlocks)
      (void)pool->zeroBlock(b);
  // Moves only read old blocks and write new ones, so order does not matter.
  if (Status s = applyRowMoves(pools, plan->moves); !s.ok())
    return s;
  return plan->headLengths;
}
