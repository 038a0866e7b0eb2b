//===- Session.cpp - Batched decoding of a compiled model -----------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/Session.h"

#include "tokamak/runtime/Artifact.h"
#include "tokamak/runtime/Npy.h"
#include "tokamak/runtime/SnapKVSelect.h"

#include "LayerStats.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <numeric>
#include <sstream>
#include <unordered_set>

#include <dirent.h>
#include <sys/stat.h>

using namespace tokamak::rt;

namespace {

/// "1, 2, 3".
std::string joinIds(const std::vector<SeqId> &ids) {
  std::string text;
  for (SeqId id : ids)
    text += (text.empty() ? "" : ", ") + std::to_string(id);
  return text;
}

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// A tensor viewing `tensor`'s storage (no copy, no ownership).
HostTensor view(const HostTensor &tensor) {
  return HostTensor::wrap(tensor.dtype(), tensor.shape(),
                          const_cast<void *>(tensor.rawData()));
}

} // namespace

Session::~Session() = default;

//===----------------------------------------------------------------------===//
// Creation
//===----------------------------------------------------------------------===//

StatusOr<std::unique_ptr<Session>>
Session::create(std::shared_ptr<Executable> executable,
                std::vector<HostTensor> weights, SessionOptions options) {
  if (!executable)
    return Status::errorOf("session: no executable");
  StatusOr<ModelABI> abi =
      ModelABI::derive(executable->metadata(), weights.size(), options.abi);
  if (!abi.ok()) {
    // A layout that fits another weight count means the weights, not the
    // model, are off (a missing wN.npy).
    for (size_t count = 0; count <= weights.size() + 64; ++count) {
      if (count == weights.size())
        continue;
      if (!ModelABI::derive(executable->metadata(), count, options.abi).ok())
        continue;
      return Status::errorOf("the model takes ", count,
                             count == 1 ? " weight" : " weights", ", but ",
                             weights.size(),
                             weights.size() == 1 ? " was" : " were", " given");
    }
    return abi.status();
  }

  for (size_t i = 0; i < weights.size(); ++i) {
    const TensorSignature &expected = abi->weights[i];
    if (weights[i].dtype() == DType::u16 && expected.dtype == DType::bf16)
      weights[i] = std::move(weights[i]).reinterpret(DType::bf16);
    if (!expected.matches(weights[i]))
      return Status::errorOf("weight ", i, " (argument ", abi->weightArg(i),
                             " of @", abi->decodeFunction, "): expected ",
                             expected.str(), ", got ", weights[i].typeString());
  }

  // The policy of every cache group: kvPolicy, then the group overrides.
  std::vector<KVPolicy> policies(abi->groups.size(), options.kvPolicy);
  for (const ModelKVPolicy::Override &range : options.groupPolicies) {
    if (range.first < 0 || range.last < range.first ||
        range.last >= int64_t(abi->groups.size()))
      return Status::errorOf(
          "kv policy for cache groups ", range.first,
          range.last == range.first ? std::string()
                                    : "-" + std::to_string(range.last),
          ": the model has ", abi->groups.size(), " cache group",
          abi->groups.size() == 1 ? "" : "s",
          abi->groups.empty()
              ? std::string()
              : " (0 to " + std::to_string(abi->groups.size() - 1) + ")");
    for (int64_t g = range.first; g <= range.last; ++g)
      policies[size_t(g)] = range.policy;
  }
  if (policies.empty())
    policies.push_back(options.kvPolicy);
  for (const KVPolicy &policy : policies) {
    switch (policy.kind) {
    case KVPolicyKind::Full:
      break;
    case KVPolicyKind::Window:
      if (!policy.fullHeads.empty() && !abi->headTables)
        return Status::errorOf(
            "kv policy '", policy.str(),
            "': full_heads need the per-head layout (block tables "
            "[N, Hkv, MaxBlocks] over one-head blocks); this model shares one "
            "table across heads");
      break;
    case KVPolicyKind::SnapKV: {
      const std::optional<ModelInfo> &info = executable->metadata().model;
      if (abi->kvLayers.empty())
        return Status::errorOf("kv policy '", policy.str(),
                               "': snapkv needs attention layers; this model "
                               "has none (it keeps no kv cache)");
      // The shared layout keeps one set of positions for every head of a
      // cache group, so no head can keep more than the others.
      if (!abi->headTables && !policy.fullHeads.empty())
        return Status::errorOf(
            "kv policy '", policy.str(),
            "': snapkv with full_heads needs the per-head layout (one block "
            "table per kv head); this model shares one table across heads");
      if (!executable->metadata().lookupFunction(kPrefillStatsFunction) ||
          !info || info->snapkvObs != policy.obsWindow)
        return Status::errorOf(
            "kv policy '", policy.str(),
            "': the model exports no attention stats with a ", policy.obsWindow,
            "-query window (@prefill_stats: tokamak-run compiles it for a "
            "model "
            "directory with a snapkv policy, tokamak-compile --snapkv-obs=O "
            "into an artifact)",
            info && info->snapkvObs > 0
                ? " (it has one for obs=" + std::to_string(info->snapkvObs) +
                      ")"
                : std::string());
      break;
    }
    case KVPolicyKind::H2O:
      if (Status s = checkHeavyHitters(*abi, *executable, policy); s.failed())
        return s;
      break;
    }
  }

  std::unique_ptr<Session> session(new Session());
  session->exe = std::move(executable);
  session->opts = std::move(options);
  session->modelAbi = std::move(*abi);
  session->weights = std::move(weights);
  const ModelABI &model = session->modelAbi;

  if (!model.kvLayers.empty()) {
    for (const KVPoolShape &shape : model.kvLayers) {
      StatusOr<HostKVPool> pool = HostKVPool::create(shape);
      if (!pool.ok())
        return pool.status().withContext("kv pool");
      session->pools.push_back(std::move(*pool));
    }
    for (HostKVPool &pool : session->pools)
      session->poolPtrs.push_back(&pool);
    // One manager per cache group: a KVCacheManager in the shared layout,
    // a HeadKVCacheManager (a table per kv head) in the per-head layout.
    for (size_t g = 0; g < model.groups.size(); ++g) {
      StatusOr<std::shared_ptr<BlockAllocator>> allocator =
          BlockAllocator::create(model.groupNumBlocks(g));
      if (!allocator.ok())
        return allocator.status();
      if (model.headTables) {
        StatusOr<HeadKVCacheManager> manager = HeadKVCacheManager::forPolicy(
            *allocator, model.groupBlockSize(g), model.headTables, policies[g]);
        if (!manager.ok())
          return manager.status();
        session->headKvs.push_back(std::move(*manager));
      } else {
        StatusOr<KVCacheManager> manager = KVCacheManager::create(
            *allocator, model.groupBlockSize(g), policies[g].eviction());
        if (!manager.ok())
          return manager.status();
        session->kvs.push_back(std::move(*manager));
      }
      const KVGroup &group = model.groups[g];
      std::vector<HostKVPool *> ptrs;
      for (size_t l = 0; l < group.numLayers; ++l)
        ptrs.push_back(&session->pools[group.firstLayer + l]);
      session->groupPools.push_back(std::move(ptrs));
    }
  }
  session->policies = std::move(policies);
  if (session->policies.front().kind == KVPolicyKind::H2O)
    session->heavy.emplace(session->policies.front().budget,
                           session->policies.front().recent);
  StatusOr<StateCache> stateCache = StateCache::create(model.states);
  if (!stateCache.ok())
    return stateCache.status();
  session->states.emplace(std::move(*stateCache));
  return session;
}

StatusOr<std::vector<HostTensor>>
Session::readNpyWeights(const std::string &dir) {
  struct stat info;
  if (::stat(dir.c_str(), &info) != 0)
    return Status::fromErrno(errno, dir);
  if (!S_ISDIR(info.st_mode))
    return Status::errorOf(dir, ": not a directory");
  std::vector<HostTensor> weights;
  for (size_t i = 0;; ++i) {
    std::string path = dir + "/w" + std::to_string(i) + ".npy";
    if (::stat(path.c_str(), &info) != 0)
      break;
    StatusOr<HostTensor> tensor = readNpy(path);
    if (!tensor.ok())
      return tensor.status();
    weights.push_back(std::move(*tensor));
  }
  // The numbering has no gaps: a later wN.npy means one is missing.
  if (DIR *listing = ::opendir(dir.c_str())) {
    size_t next = weights.size(), highest = 0;
    bool later = false;
    while (struct dirent *entry = ::readdir(listing)) {
      std::string name = entry->d_name;
      if (name.size() < 6 || name[0] != 'w' ||
          name.compare(name.size() - 4, 4, ".npy") != 0)
        continue;
      std::string digits = name.substr(1, name.size() - 5);
      if (digits.empty() || digits.size() > 9 ||
          digits.find_first_not_of("0123456789") != std::string::npos)
        continue;
      size_t index = std::stoul(digits);
      if (index > next) {
        later = true;
        highest = std::max(highest, index);
      }
    }
    ::closedir(listing);
    if (later)
      return Status::errorOf(dir, "/w", next, ".npy is missing, but ", dir,
                             "/w", highest,
                             ".npy exists (the weights are w0.npy, w1.npy, ... "
                             "without gaps)");
  }
  return weights;
}

StatusOr<std::unique_ptr<Session>>
Session::load(const std::string &artifactPath, const std::string &weightDir,
              SessionOptions options) {
  StatusOr<std::unique_ptr<SharedLibraryExecutable>> library =
      SharedLibraryExecutable::load(artifactPath);
  if (!library.ok())
    return library.status();
  StatusOr<std::vector<HostTensor>> weights = readNpyWeights(weightDir);
  if (!weights.ok())
    return weights.status();
  return create(std::shared_ptr<Executable>(std::move(*library)),
                std::move(*weights), std::move(options));
}

//===----------------------------------------------------------------------===//
// Sequences
//===----------------------------------------------------------------------===//

Status Session::addSequence(SeqId id) {
  if (contains(id))
    return Status::errorOf("sequence ", id, " already exists");
  for (size_t g = 0; g < kvs.size(); ++g)
    if (Status s = kvs[g].addSequence(id); s.failed()) {
      for (size_t done = 0; done < g; ++done)
        (void)kvs[done].free(id);
      return s;
    }
  for (size_t g = 0; g < headKvs.size(); ++g)
    if (Status s = headKvs[g].addSequence(id); s.failed()) {
      for (size_t done = 0; done < g; ++done)
        (void)headKvs[done].free(id);
      return s;
    }
  if (Status s = states->addSequence(id); s.failed()) {
    for (KVCacheManager &m : kvs)
      (void)m.free(id);
    for (HeadKVCacheManager &m : headKvs)
      (void)m.free(id);
    return s;
  }
  seqs.emplace(id, Sequence());
  return Status::success();
}

Status Session::freeSequence(SeqId id) {
  if (!contains(id))
    return Status::errorOf("unknown sequence ", id);
  for (KVCacheManager &m : kvs)
    (void)m.free(id);
  for (HeadKVCacheManager &m : headKvs)
    (void)m.free(id);
  (void)states->free(id);
  if (heavy)
    heavy->erase(id);
  seqs.erase(id);
  return Status::success();
}

Status Session::forkSequence(SeqId parent, SeqId child) {
  auto it = seqs.find(parent);
  if (it == seqs.end())
    return Status::errorOf("unknown sequence ", parent);
  if (contains(child))
    return Status::errorOf("cannot fork sequence ", parent, " onto sequence ",
                           child, ", which already exists");
  for (size_t g = 0; g < kvs.size(); ++g)
    if (Status s = kvs[g].fork(parent, child); s.failed()) {
      for (size_t done = 0; done < g; ++done)
        (void)kvs[done].free(child);
      return s;
    }
  for (size_t g = 0; g < headKvs.size(); ++g)
    if (Status s = headKvs[g].fork(parent, child); s.failed()) {
      for (size_t done = 0; done < g; ++done)
        (void)headKvs[done].free(child);
      return s;
    }
  if (Status s = states->fork(parent, child); s.failed()) {
    for (KVCacheManager &m : kvs)
      (void)m.free(child);
    for (HeadKVCacheManager &m : headKvs)
      (void)m.free(child);
    return s;
  }
  if (heavy)
    heavy->fork(parent, child);
  Sequence copy = it->second;
  seqs.emplace(child, std::move(copy));
  return Status::success();
}

std::vector<SeqId> Session::sequenceIds() const {
  std::vector<SeqId> ids;
  for (const auto &entry : seqs)
    ids.push_back(entry.first);
  std::sort(ids.begin(), ids.end());
  return ids;
}

StatusOr<int64_t> Session::numTokens(SeqId id) const {
  auto it = seqs.find(id);
  if (it == seqs.end())
    return Status::errorOf("unknown sequence ", id);
  return it->second.tokens;
}

StatusOr<int64_t> Session::cacheRows(SeqId id) const {
  if (!contains(id))
    return Status::errorOf("unknown sequence ", id);
  int64_t most = 0;
  for (const HeadKVCacheManager &m : headKvs) {
    StatusOr<std::vector<int64_t>> rows = m.lengths(id);
    if (!rows.ok())
      return rows.status();
    most = std::max(most, *std::max_element(rows->begin(), rows->end()));
  }
  for (const KVCacheManager &m : kvs)
    most = std::max(most, *m.length(id));
  return most;
}

StatusOr<int64_t> Session::groupCacheRows(SeqId id, size_t group) const {
  if (!contains(id))
    return Status::errorOf("unknown sequence ", id);
  if (group >= numGroups())
    return Status::errorOf("cache group ", group, " out of range [0, ",
                           numGroups(), ")");
  if (!headKvs.empty()) {
    std::vector<int64_t> rows = *headKvs[group].lengths(id);
    return *std::max_element(rows.begin(), rows.end());
  }
  return kvs[group].length(id);
}

StatusOr<std::vector<int32_t>> Session::groupBlockTable(SeqId id,
                                                        size_t group) const {
  if (!contains(id))
    return Status::errorOf("unknown sequence ", id);
  if (group >= numGroups())
    return Status::errorOf("cache group ", group, " out of range [0, ",
                           numGroups(), ")");
  if (!headKvs.empty())
    return headKvs[group].head(0).blockTable(id);
  return kvs[group].blockTable(id);
}

int32_t Session::numUsedBlocks(size_t group) const {
  if (!headKvs.empty())
    return group < headKvs.size() ? headKvs[group].numUsedBlocks() : 0;
  return group < kvs.size() ? kvs[group].allocator().numUsed() : 0;
}

int32_t Session::numFreeBlocks(size_t group) const {
  if (!headKvs.empty())
    return group < headKvs.size() ? headKvs[group].numFreeBlocks() : 0;
  return group < kvs.size() ? kvs[group].numFreeBlocks() : 0;
}

StatusOr<std::vector<int64_t>> Session::headCacheRows(SeqId id,
                                                      size_t group) const {
  if (!contains(id))
    return Status::errorOf("unknown sequence ", id);
  if (hasKV() && group >= numGroups())
    return Status::errorOf("cache group ", group, " out of range [0, ",
                           numGroups(), ")");
  if (!headKvs.empty())
    return headKvs[group].lengths(id);
  std::vector<int64_t> rows;
  if (!kvs.empty())
    rows.assign(size_t(modelAbi.kvLayers.front().numKVHeads),
                *kvs[group].length(id));
  return rows;
}

StatusOr<std::vector<int32_t>> Session::blockTable(SeqId id,
                                                   int32_t head) const {
  if (!contains(id))
    return Status::errorOf("unknown sequence ", id);
  if (!headKvs.empty()) {
    const HeadKVCacheManager &m = headKvs.front();
    if (head < 0 || head >= m.numKVHeads())
      return Status::errorOf("kv head ", head, " out of range [0, ",
                             m.numKVHeads(), ")");
    return m.head(head).blockTable(id);
  }
  return kvs.empty() ? StatusOr<std::vector<int32_t>>(std::vector<int32_t>())
                     : kvs.front().blockTable(id);
}

int32_t Session::numFreeBlocks() const {
  int32_t free = 0;
  for (const HeadKVCacheManager &m : headKvs)
    free += m.numFreeBlocks();
  for (const KVCacheManager &m : kvs)
    free += m.numFreeBlocks();
  return free;
}

int32_t Session::numUsedBlocks() const {
  int32_t used = 0;
  for (const HeadKVCacheManager &m : headKvs)
    used += m.numUsedBlocks();
  for (const KVCacheManager &m : kvs)
    used += m.allocator().numUsed();
  return used;
}

StatusOr<std::vector<float>> Session::logits(SeqId id) const {
  auto it = seqs.find(id);
  if (it == seqs.end())
    return Status::errorOf("unknown sequence ", id);
  return it->second.logits;
}

//===----------------------------------------------------------------------===//
// Checks and planning
//===----------------------------------------------------------------------===//

Status Session::checkIds(const char *what,
                         const std::vector<SeqId> &ids) const {
  if (ids.empty())
    return Status::errorOf(what, ": no sequences");
  std::unordered_set<SeqId> seen;
  for (SeqId id : ids) {
    if (!contains(id))
      return Status::errorOf(what, ": unknown sequence ", id);
    if (!seen.insert(id).second)
      return Status::errorOf(what, ": sequence ", id, " appears twice");
  }
  return Status::success();
}

Status Session::checkToken(SeqId id, int32_t token) const {
  if (token < 0 || (modelAbi.vocab != kDynamicDim && token >= modelAbi.vocab))
    return Status::errorOf(
        "token ", token, " of sequence ", id, " is outside the vocabulary [0, ",
        modelAbi.vocab == kDynamicDim ? std::string("?")
                                      : std::to_string(modelAbi.vocab),
        ")");
  return Status::success();
}

int64_t Session::blocksAfter(size_t group, SeqId id, int64_t n) const {
  if (headKvs.empty())
    return blocksAfter(kvs[group], id, n);
  const HeadKVCacheManager &m = headKvs[group];
  int64_t most = 0;
  for (int32_t h = 0; h < m.numKVHeads(); ++h)
    most = std::max(most, blocksAfter(m.head(h), id, n));
  return most;
}

int64_t Session::blocksAfter(const KVCacheManager &m, SeqId id, int64_t n) {
  // Mirrors KVCacheManager's window eviction: before appending, every block
  // whose rows all hold non-sink positions below numTokens - window + 1 goes.
  const WindowEviction &evict = m.eviction();
  int64_t bs = m.blockSize();
  int64_t rows = *m.length(id);
  if (evict.window > 0 && n > 0) {
    std::vector<int64_t> pos = *m.positions(id);
    int64_t threshold = *m.numTokens(id) - evict.window + 1;
    int64_t kept = rows;
    for (int64_t first = 0; first < rows; first += bs) {
      int64_t last = std::min(first + bs, rows) - 1;
      if (pos[size_t(first)] >= evict.sinks && pos[size_t(last)] < threshold)
        kept -= last - first + 1;
    }
    rows = kept;
  }
  return ceilDiv(rows + n, bs);
}

StatusOr<std::vector<std::vector<size_t>>>
Session::planAppends(const char *what, const std::vector<SeqId> &ids,
                     const std::vector<int64_t> &counts) const {
  if (!hasKV()) {
    std::vector<size_t> order(ids.size());
    std::iota(order.begin(), order.end(), size_t(0));
    return std::vector<std::vector<size_t>>{order};
  }
  // Appends run one after another on each group's free list. Running those
  // that return at least as many blocks as they take (window eviction)
  // first makes every prefix fit whenever the total does.
  size_t numPlans = numGroups();
  bool perHead = !headKvs.empty();
  std::vector<std::vector<size_t>> plans;
  for (size_t g = 0; g < numPlans; ++g) {
    std::vector<int64_t> surplus(ids.size());
    int64_t need = 0, reclaimed = 0;
    int64_t free =
        perHead ? headKvs[g].numFreeBlocks() : kvs[g].numFreeBlocks();
    int64_t maxBlocks = modelAbi.groups[g].maxBlocks;
    for (size_t i = 0; i < ids.size(); ++i) {
      StatusOr<int64_t> needed =
          perHead ? headKvs[g].blocksNeeded(ids[i], counts[i])
                  : kvs[g].blocksNeeded(ids[i], counts[i]);
      if (!needed.ok())
        return needed.status().withContext(what);
      StatusOr<int64_t> available =
          perHead ? headKvs[g].blocksAvailable(ids[i], counts[i])
                  : kvs[g].blocksAvailable(ids[i], counts[i]);
      if (!available.ok())
        return available.status().withContext(what);
      need += *needed;
      reclaimed += *available - free;
      surplus[i] = (*available - free) - *needed;
      if (maxBlocks != kDynamicDim) {
        int64_t blocks = blocksAfter(g, ids[i], counts[i]);
        if (blocks > maxBlocks)
          return Status::errorOf(
              what, ": sequence ", ids[i], " would need ", blocks,
              " blocks of ", modelAbi.groupBlockSize(g),
              " rows, but the model's block table",
              numPlans > 1 ? " of cache group " + std::to_string(g) : "",
              " holds ", maxBlocks);
      }
    }
    if (need > free + reclaimed)
      return Status::errorOf(
          what, ": out of KV blocks",
          numPlans > 1 ? " in cache group " + std::to_string(g) : "", ": need ",
          need, ", have ", free + reclaimed, " (sequences ", joinIds(ids), ")");
    std::vector<size_t> planned;
    for (bool giving : {true, false})
      for (size_t i = 0; i < ids.size(); ++i)
        if ((surplus[i] >= 0) == giving)
          planned.push_back(i);
    plans.push_back(std::move(planned));
  }
  return plans;
}

//===----------------------------------------------------------------------===//
// Running the model
//===----------------------------------------------------------------------===//

Status Session::call(const std::string &function, bool packed,
                     const std::vector<SeqId> &ids,
                     const std::vector<std::vector<int32_t>> &tokens,
                     std::vector<HostTensor> *extra) {
  const char *what = packed ? "prefill" : "decode";
  const FunctionSignature *fn = exe->metadata().lookupFunction(function);
  if (!fn)
    return Status::errorOf(what, ": the model exports no @", function);
  const int64_t n = static_cast<int64_t>(ids.size());
  std::vector<int64_t> counts;
  int64_t total = 0;
  for (const std::vector<int32_t> &list : tokens) {
    counts.push_back(static_cast<int64_t>(list.size()));
    total += counts.back();
  }
  StatusOr<std::vector<std::vector<size_t>>> orders =
      planAppends(what, ids, counts);
  if (!orders.ok())
    return orders.status();

  // Every input, shaped before anything changes.
  std::vector<int64_t> tokenShape =
      packed ? std::vector<int64_t>{1, total} : std::vector<int64_t>{n, 1};
  // Block-table width of each cache group (one entry without attention).
  std::vector<int64_t> widths;
  for (size_t g = 0; g < std::max<size_t>(1, modelAbi.groups.size()); ++g) {
    int64_t w = g < modelAbi.groups.size() ? modelAbi.groups[g].maxBlocks
                                           : modelAbi.maxBlocks;
    if (w == kDynamicDim) {
      w = 1;
      if (hasKV())
        for (size_t i = 0; i < ids.size(); ++i)
          w = std::max(w, blocksAfter(g, ids[i], counts[i]));
    }
    widths.push_back(w);
  }
  // The per-head layout: slots [1, Hkv, T] or [B, Hkv, 1], tables
  // [N, Hkv, MaxBlocks], lens [N, Hkv].
  const int64_t heads = modelAbi.headTables;
  // The slots, block table and lens of cache group g.
  auto groupShapes = [&](size_t g) {
    if (!heads)
      return std::vector<std::vector<int64_t>>{tokenShape, {n, widths[g]}, {n}};
    return std::vector<std::vector<int64_t>>{
        packed ? std::vector<int64_t>{1, heads, total}
               : std::vector<int64_t>{n, heads, 1},
        {n, heads, widths[g]},
        {n, heads}};
  };
  std::vector<std::vector<int64_t>> shapes = {tokenShape, tokenShape, {n + 1}};
  for (const std::vector<int64_t> &shape : groupShapes(0))
    shapes.push_back(shape);
  std::vector<HostTensor> inputs;
  for (const std::vector<int64_t> &shape : shapes) {
    StatusOr<HostTensor> tensor = HostTensor::create(DType::i32, shape);
    if (!tensor.ok())
      return tensor.status().withContext(what);
    inputs.push_back(std::move(*tensor));
  }
  for (size_t layer = 0; layer < pools.size(); ++layer) {
    // A further cache group starts with its slots, block table and lens.
    size_t group = modelAbi.groupOf(layer);
    if (group > 0 && modelAbi.groups[group].firstLayer == layer) {
      for (const std::vector<int64_t> &shape : groupShapes(group)) {
        StatusOr<HostTensor> tensor = HostTensor::create(DType::i32, shape);
        if (!tensor.ok())
          return tensor.status().withContext(what);
        inputs.push_back(std::move(*tensor));
      }
    }
    const HostKVPool &pool = pools[layer];
    const KVPoolShape &s = pool.shape();
    inputs.push_back(HostTensor::wrap(
        s.dtype, {s.numBlocks, s.blockSize, s.numKVHeads, s.headDim},
        const_cast<uint8_t *>(pool.keys())));
    inputs.push_back(HostTensor::wrap(
        s.dtype, {s.numBlocks, s.blockSize, s.numKVHeads, s.valueHeadDim},
        const_cast<uint8_t *>(pool.values())));
  }
  for (size_t state = 0; state < states->numStates(); ++state) {
    StatusOr<HostTensor> tensor = HostTensor::create(
        states->spec(state).dtype, states->batchShape(state, n));
    if (!tensor.ok())
      return tensor.status().withContext(what);
    if (Status s =
            states->gather(state, ids, tensor->rawData(), tensor->byteSize());
        s.failed())
      return s.withContext(what);
    inputs.push_back(std::move(*tensor));
  }
  for (const HostTensor &weight : weights)
    inputs.push_back(view(weight));
  if (inputs.size() != fn->inputs.size())
    return Status::errorOf(what, ": @", function, " takes ", fn->inputs.size(),
                           " arguments, the session passes ", inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!fn->inputs[i].matches(inputs[i]))
      return Status::errorOf(what, ": argument ", i, " of @", function,
                             ": expected ", fn->inputs[i].str(), ", got ",
                             inputs[i].typeString(),
                             " (batch and token dims must be dynamic: the "
                             "session passes no padding)");

  // Leading arguments: tokens, positions and sequence starts.
  int32_t *tokenData = inputs[kArgTokens].data<int32_t>();
  int32_t *positionData = inputs[kArgPositions].data<int32_t>();
  int32_t *startData = inputs[kArgSeqStarts].data<int32_t>();
  int32_t *slotData = inputs[kArgSlots].data<int32_t>();
  std::vector<int64_t> offsets(ids.size() + 1, 0);
  for (size_t i = 0; i < ids.size(); ++i) {
    offsets[i + 1] = offsets[i] + counts[i];
    startData[i] = static_cast<int32_t>(packed ? offsets[i] : int64_t(i));
    int64_t before = seqs.at(ids[i]).tokens;
    for (int64_t j = 0; j < counts[i]; ++j) {
      tokenData[offsets[i] + j] = tokens[i][size_t(j)];
      positionData[offsets[i] + j] = static_cast<int32_t>(before + j);
    }
  }
  std::fill(slotData, slotData + inputs[kArgSlots].numel(), -1);
  startData[ids.size()] = static_cast<int32_t>(packed ? total : n);

  // From here on the cache changes: append, copy-on-write, slots.
  for (size_t g = 0; g < headKvs.size(); ++g) {
    const KVGroup &group = modelAbi.groups[g];
    int32_t *groupSlots = inputs[group.slotsArg].data<int32_t>();
    if (g > 0)
      std::fill(groupSlots, groupSlots + inputs[group.slotsArg].numel(), -1);
    for (size_t i : (*orders)[g]) {
      StatusOr<HeadAppendResult> appended =
          headKvs[g].append(ids[i], counts[i]);
      if (!appended.ok())
        return appended.status().withContext(what);
      if (Status s = applyBlockCopies(groupPools[g], appended->copies);
          s.failed())
        return s.withContext(what);
      // Slot of head h, token j: [0, h, offsets[i] + j] packed, [i, h, 0]
      // in decode.
      for (int64_t h = 0; h < heads; ++h)
        for (int64_t j = 0; j < counts[i]; ++j)
          groupSlots[packed ? h * total + offsets[i] + j
                            : int64_t(i) * heads + h] =
              appended->slots[size_t(h)][size_t(j)];
    }
    StatusOr<HeadBatchTables> tables = headKvs[g].batchTables(ids, widths[g]);
    if (!tables.ok())
      return tables.status().withContext(what);
    std::copy(tables->table.begin(), tables->table.end(),
              inputs[group.tableArg].data<int32_t>());
    std::copy(tables->lens.begin(), tables->lens.end(),
              inputs[group.lensArg].data<int32_t>());
  }
  for (size_t g = 0; g < kvs.size(); ++g) {
    const KVGroup &group = modelAbi.groups[g];
    int32_t *groupSlots = inputs[group.slotsArg].data<int32_t>();
    if (g > 0)
      std::fill(groupSlots, groupSlots + inputs[group.slotsArg].numel(), -1);
    for (size_t i : (*orders)[g]) {
      StatusOr<AppendResult> appended = kvs[g].append(ids[i], counts[i]);
      if (!appended.ok())
        return appended.status().withContext(what);
      if (Status s = applyBlockCopies(groupPools[g], appended->copies);
          s.failed())
        return s.withContext(what);
      std::copy(appended->slots.begin(), appended->slots.end(),
                groupSlots + offsets[i]);
    }
    StatusOr<BatchBlockTables> tables = kvs[g].batchTables(ids, widths[g]);
    if (!tables.ok())
      return tables.status().withContext(what);
    std::copy(tables->table.begin(), tables->table.end(),
              inputs[group.tableArg].data<int32_t>());
    std::copy(tables->lens.begin(), tables->lens.end(),
              inputs[group.lensArg].data<int32_t>());
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    Sequence &seq = seqs.at(ids[i]);
    seq.tokens += counts[i];
    seq.logits.clear();
    if (!hasKV())
      inputs[kArgLens].data<int32_t>()[i] = static_cast<int32_t>(seq.tokens);
  }

  StatusOr<std::vector<HostTensor>> results = invoke(*exe, function, inputs);
  if (!results.ok())
    return results.status().withContext(what);
  const HostTensor &logits = (*results)[0];
  if (logits.rank() != 2 || logits.shape()[0] != n || logits.shape()[1] < 1)
    return Status::errorOf(what, ": @", function, " returned logits ",
                           logits.typeString(), " for ", n, " sequences");
  for (size_t state = 0; state < states->numStates(); ++state) {
    const HostTensor &value = (*results)[1 + state];
    if (value.shape() != states->batchShape(state, n))
      return Status::errorOf(what, ": @", function, " returned ",
                             value.typeString(), " for recurrent state ", state,
                             " of ", n, " sequences");
    if (Status s =
            states->scatter(state, ids, value.rawData(), value.byteSize());
        s.failed())
      return s.withContext(what);
  }
  int64_t vocab = logits.shape()[1];
  for (size_t i = 0; i < ids.size(); ++i) {
    const float *row = logits.data<float>() + int64_t(i) * vocab;
    seqs.at(ids[i]).logits.assign(row, row + vocab);
  }
  if (extra)
    for (size_t r = 1 + states->numStates(); r < results->size(); ++r)
      extra->push_back(std::move((*results)[r]));
  return Status::success();
}

Status
Session::stepThroughDecode(const std::vector<SeqId> &ids,
                           const std::vector<std::vector<int32_t>> &tokens) {
  size_t steps = 0;
  for (const std::vector<int32_t> &list : tokens)
    steps = std::max(steps, list.size());
  for (size_t step = 0; step < steps; ++step) {
    std::vector<SeqId> batch;
    std::vector<std::vector<int32_t>> next;
    for (size_t i = 0; i < ids.size(); ++i) {
      if (step < tokens[i].size()) {
        batch.push_back(ids[i]);
        next.push_back({tokens[i][step]});
      }
    }
    if (Status s = decodeStep(batch, next); s.failed())
      return s;
  }
  return Status::success();
}

StatusOr<HostTensor>
Session::gatherLogits(const std::vector<SeqId> &ids) const {
  int64_t vocab = static_cast<int64_t>(seqs.at(ids.front()).logits.size());
  StatusOr<HostTensor> out =
      HostTensor::create(DType::f32, {static_cast<int64_t>(ids.size()), vocab});
  if (!out.ok())
    return out.status();
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::vector<float> &row = seqs.at(ids[i]).logits;
    if (static_cast<int64_t>(row.size()) != vocab)
      return Status::errorOf("sequences ", ids.front(), " and ", ids[i],
                             " have logits of different sizes");
    std::copy(row.begin(), row.end(), out->data<float>() + int64_t(i) * vocab);
  }
  return out;
}

StatusOr<HostTensor>
Session::prefill(const std::vector<SeqId> &ids,
                 const std::vector<std::vector<int32_t>> &tokens) {
  if (Status s = checkIds("prefill", ids); s.failed())
    return s;
  if (tokens.size() != ids.size())
    return Status::errorOf("prefill: ", ids.size(), " sequences but ",
                           tokens.size(), " token lists");
  std::vector<int64_t> counts;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (tokens[i].empty())
      return Status::errorOf("prefill: no tokens for sequence ", ids[i]);
    for (int32_t token : tokens[i])
      if (Status s = checkToken(ids[i], token); s.failed())
        return s.withContext("prefill");
    counts.push_back(static_cast<int64_t>(tokens[i].size()));
  }
  // The whole request fits (stepping through decode evicts at least as much
  // as one append of every token would).
  if (StatusOr<std::vector<std::vector<size_t>>> plan =
          planAppends("prefill", ids, counts);
      !plan.ok())
    return plan.status();

  std::vector<SeqId> fresh, rest;
  std::vector<std::vector<int32_t>> freshTokens, restTokens;
  for (size_t i = 0; i < ids.size(); ++i) {
    bool packable = modelAbi.hasPrefill && seqs.at(ids[i]).tokens == 0;
    (packable ? fresh : rest).push_back(ids[i]);
    (packable ? freshTokens : restTokens).push_back(tokens[i]);
  }
  // SnapKV: prompts longer than some cache group's snapkv policy keeps go
  // through @prefill_stats, then each is compacted to its selection.
  bool selects = false;
  for (const KVPolicy &policy : policies)
    if (policy.kind == KVPolicyKind::SnapKV && hasKV())
      for (const std::vector<int32_t> &list : freshTokens)
        selects |= !policy.isLossless(int64_t(list.size()));
  if (!fresh.empty() && heavy) {
    if (Status s = h2oPrefill(fresh, freshTokens); s.failed())
      return s;
  } else if (!fresh.empty() && selects) {
    std::vector<HostTensor> stats;
    if (Status s =
            call(kPrefillStatsFunction, true, fresh, freshTokens, &stats);
        s.failed())
      return s;
    if (Status s = snapkvCompact(fresh, freshTokens, stats); s.failed())
      return s;
  } else if (!fresh.empty()) {
    if (states->numStates() == 0) {
      if (Status s = call(modelAbi.prefillFunction, true, fresh, freshTokens);
          s.failed())
        return s;
    } else {
      for (size_t i = 0; i < fresh.size(); ++i)
        if (Status s = call(modelAbi.prefillFunction, true, {fresh[i]},
                            {freshTokens[i]});
            s.failed())
          return s;
    }
  }
  if (!rest.empty())
    if (Status s = stepThroughDecode(rest, restTokens); s.failed())
      return s;
  return gatherLogits(ids);
}

StatusOr<HostTensor> Session::decode(const std::vector<SeqId> &ids,
                                     const std::vector<int32_t> &tokens) {
  if (Status s = checkIds("decode", ids); s.failed())
    return s;
  if (tokens.size() != ids.size())
    return Status::errorOf("decode: expected one token per sequence (",
                           ids.size(), "), got ", tokens.size());
  std::vector<std::vector<int32_t>> lists;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (Status s = checkToken(ids[i], tokens[i]); s.failed())
      return s.withContext("decode");
    lists.push_back({tokens[i]});
  }
  if (Status s = decodeStep(ids, lists); s.failed())
    return s;
  return gatherLogits(ids);
}

//===----------------------------------------------------------------------===//
// Sampling and generation
//===----------------------------------------------------------------------===//

namespace {
/// sampler.sample on one row, with the reason when it returns -1.
StatusOr<int32_t> sampleOne(Sampler &sampler, const float *logits,
                            int64_t vocab, const std::string &what) {
  // NaN logits mean the model's arithmetic went wrong; no token is right.
  for (int64_t i = 0; i < vocab; ++i)
    if (std::isnan(logits[i]))
      return Status::errorOf(what, ": the logits hold NaN (first at token ", i,
                             " of ", vocab, "): the model produced NaN");
  int32_t token = sampler.sample(logits, vocab);
  if (token >= 0)
    return token;
  if (sampler.status().failed())
    return sampler.status().withContext(what);
  return Status::errorOf(what, ": no logit is above -inf");
}
} // namespace

StatusOr<std::vector<int32_t>> Session::sample(const std::vector<SeqId> &ids,
                                               Sampler &sampler) const {
  std::vector<int32_t> tokens;
  for (SeqId id : ids) {
    auto it = seqs.find(id);
    if (it == seqs.end())
      return Status::errorOf("sample: unknown sequence ", id);
    const std::vector<float> &row = it->second.logits;
    if (row.empty())
      return Status::errorOf("sample: sequence ", id, " has no logits yet");
    StatusOr<int32_t> token =
        sampleOne(sampler, row.data(), static_cast<int64_t>(row.size()),
                  "sample: sequence " + std::to_string(id));
    if (!token.ok())
      return token.status();
    tokens.push_back(*token);
  }
  return tokens;
}

StatusOr<std::vector<int32_t>> Session::sampleRows(const HostTensor &logits,
                                                   Sampler &sampler) {
  if (logits.dtype() != DType::f32 || logits.rank() != 2)
    return Status::errorOf("sample: expected f32 logits [B, Vocab], got ",
                           logits.typeString());
  std::vector<int32_t> tokens;
  int64_t vocab = logits.shape()[1];
  for (int64_t b = 0; b < logits.shape()[0]; ++b) {
    StatusOr<int32_t> token =
        sampleOne(sampler, logits.data<float>() + b * vocab, vocab,
                  "sample: row " + std::to_string(b));
    if (!token.ok())
      return token.status();
    tokens.push_back(*token);
  }
  return tokens;
}

StatusOr<std::vector<std::vector<int32_t>>>
Session::generate(const std::vector<SeqId> &ids,
                  const std::vector<std::vector<int32_t>> &prompts,
                  int64_t maxNewTokens, Sampler &sampler,
                  std::vector<HostTensor> *stepLogits) {
  if (maxNewTokens < 0)
    return Status::errorOf("generate: maxNewTokens must be >= 0, got ",
                           maxNewTokens);
  StatusOr<HostTensor> first = prefill(ids, prompts);
  if (!first.ok())
    return first.status();
  int64_t vocab = first->shape()[1];
  std::vector<std::vector<int32_t>> generated(ids.size());
  std::vector<std::vector<float>> chosen(ids.size());
  for (int64_t step = 0; step < maxNewTokens; ++step) {
    if (stepLogits)
      for (size_t i = 0; i < ids.size(); ++i) {
        const std::vector<float> &row = seqs.at(ids[i]).logits;
        chosen[i].insert(chosen[i].end(), row.begin(), row.end());
      }
    StatusOr<std::vector<int32_t>> next = sample(ids, sampler);
    if (!next.ok())
      return next.status();
    for (size_t i = 0; i < ids.size(); ++i)
      generated[i].push_back((*next)[i]);
    if (step + 1 < maxNewTokens) {
      StatusOr<HostTensor> logits = decode(ids, *next);
      if (!logits.ok())
        return logits.status();
    }
  }
  if (stepLogits) {
    stepLogits->clear();
    for (size_t i = 0; i < ids.size(); ++i) {
      StatusOr<HostTensor> rows =
          HostTensor::create(DType::f32, {maxNewTokens, vocab});
      if (!rows.ok())
        return rows.status();
      std::copy(chosen[i].begin(), chosen[i].end(), rows->data<float>());
      stepLogits->push_back(std::move(*rows));
    }
  }
  return generated;
}

//===----------------------------------------------------------------------===//
// Compaction
//===----------------------------------------------------------------------===//

Status Session::snapkvCompact(const std::vector<SeqId> &ids,
                              const std::vector<std::vector<int32_t>> &tokens,
                              const std::vector<HostTensor> &stats) {
  // Kv heads of the stats: the per-head layout's Hkv (its pools hold one
  // head per block), else the pools' head count.
  const int64_t numKVHeads = modelAbi.headTables
                                 ? modelAbi.headTables
                                 : modelAbi.kvLayers.front().numKVHeads;
  int64_t total = 0;
  for (const std::vector<int32_t> &list : tokens)
    total += int64_t(list.size());
  if (Status s = checkLayerStats(stats, kPrefillStatsFunction,
                                 modelAbi.kvLayers.size(), 1, numKVHeads, total,
                                 /*exactWidth=*/true);
      s.failed())
    return s.withContext("prefill");
  int64_t offset = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    const int64_t length = int64_t(tokens[i].size());
    // Per cache group (one block table each), the votes of the group's
    // layers (the stats come in K/V argument order, so group by group). In
    // the per-head layout every kv head selects its own positions (SnapKV
    // proper with one group per layer); the shared layout keeps one set for
    // every head of the group, chosen by the votes summed over the heads.
    for (size_t g = 0; g < numGroups(); ++g) {
      const KVPolicy &policy = policies[g];
      if (policy.kind != KVPolicyKind::SnapKV || policy.isLossless(length))
        continue;
      const KVGroup &group = modelAbi.groups[g];
      const int64_t rows = modelAbi.headTables ? numKVHeads : 1;
      std::vector<double> votes(size_t(rows * length), 0.0);
      for (size_t l = group.firstLayer; l < group.firstLayer + group.numLayers;
           ++l)
        for (int64_t h = 0; h < numKVHeads; ++h) {
          const float *row = stats[l].data<float>() + h * total + offset;
          double *into = votes.data() + (rows > 1 ? h : 0) * length;
          for (int64_t j = 0; j < length; ++j)
            into[j] += row[j];
        }
      StatusOr<KeepPlan> keep =
          snapkvSelect(*exe, policy, votes.data(), int32_t(rows), length);
      if (!keep.ok())
        return keep.status().withContext("prefill");
      KeepPlan kept = rows > 1 ? std::move(*keep)
                               : KeepPlan(size_t(numKVHeads), keep->front());
      if (Status s = compactGroup(ids[i], g, kept); s.failed())
        return s.withContext("prefill");
    }
    offset += length;
  }
  return Status::success();
}

Status Session::compactGroup(SeqId id, size_t g, const KeepPlan &kept) {
  if (!headKvs.empty()) {
    StatusOr<std::vector<int64_t>> lengths =
        compactHeadsHost(headKvs[g], groupPools[g], id, kept);
    if (!lengths.ok())
      return lengths.status().withContext("compact");
    return Status::success();
  }
  StatusOr<std::vector<int64_t>> lengths =
      compactHost(kvs[g], groupPools[g], id, kept);
  if (!lengths.ok())
    return lengths.status().withContext("compact");
  return Status::success();
}

Status Session::compact(SeqId id, const KeepPlan &kept) {
  if (!contains(id))
    return Status::errorOf("compact: unknown sequence ", id);
  if (!hasKV())
    return Status::errorOf("compact: the model has no attention layers");
  if (!headKvs.empty()) {
    // Every group's heads must be compactable before any changes.
    for (const HeadKVCacheManager &m : headKvs)
      for (int32_t h = 0; h < m.numKVHeads(); ++h)
        if (m.head(h).eviction().window > 0)
          return Status::errorOf(
              "compact: not available with the window policy (kv head ", h,
              headKvs.size() > 1 ? " of a cache group" : "",
              " evicts by window)");
    for (size_t g = 0; g < headKvs.size(); ++g)
      if (Status s = compactGroup(id, g, kept); s.failed())
        return s;
    return Status::success();
  }
  for (const KVCacheManager &m : kvs)
    if (m.eviction().window > 0)
      return Status::errorOf(
          "compact: not available with the window policy",
          kvs.size() > 1 ? " (a cache group evicts by window)" : "");
  for (const KVPoolShape &shape : modelAbi.kvLayers)
    if (shape.numKVHeads != static_cast<int32_t>(kept.size()))
      return Status::errorOf("compact: expected a keep set per KV head (",
                             shape.numKVHeads, "), got ", kept.size());
  for (const std::vector<int64_t> &head : kept)
    if (head.size() != kept.front().size())
      return Status::errorOf(
          "compact: every KV head must keep as many positions "
          "(tok.paged_attention takes one length per sequence), got ",
          kept.front().size(), " and ", head.size());
  for (size_t g = 0; g < kvs.size(); ++g)
    if (Status s = compactGroup(id, g, kept); s.failed())
      return s;
  return Status::success();
}
