//===- SessionHeavyHitters.cpp - The h2o policy of a Session --------------===//
//
// Part of the Tokamak project.
//
// H2O in generation (docs/Session.md): under `h2o=B[,recent=R]` a fresh
// prompt goes through @prefill_h2o, whose per-layer stats hold the column
// sums of every prompt query's attention probabilities, and every decode
// step through @decode_stats, whose per-layer tok.paged_attention stats
// hold that step's. Summed over layers and kv heads they add to each
// cached row's score (HeavyHitters); after every call, a sequence holding
// more than B + R rows is compacted (Session::compact) to its R newest rows
// and the B others with the highest scores. Eviction is exact, not
// amortized: no call ends with more than B + R rows in a sequence's cache.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/Session.h"

#include "LayerStats.h"

#include <algorithm>
#include <string>

using namespace tokamak::rt;

Status Session::checkHeavyHitters(const ModelABI &abi,
                                  const Executable &executable,
                                  const KVPolicy &policy) {
  auto refuse = [&](const auto &...why) {
    return Status::errorOf("kv policy '", policy.str(), "': ", why...);
  };
  if (abi.kvLayers.empty())
    return refuse("h2o needs attention layers; this model has none (it "
                  "keeps no kv cache)");
  if (abi.headTables || abi.groups.size() > 1)
    return refuse("h2o needs the shared layout with one cache group (one "
                  "block table for every layer and head, which the "
                  "accumulated attention of all of them selects rows for); "
                  "this model has ",
                  abi.headTables
                      ? "per-head block tables"
                      : std::to_string(abi.groups.size()) + " cache groups");
  const ModuleMetadata &meta = executable.metadata();
  if (!meta.lookupFunction(kPrefillH2OFunction) ||
      !meta.lookupFunction(kDecodeStatsFunction) || !meta.model ||
      !meta.model->h2o)
    return refuse("the model exports no @", kPrefillH2OFunction, " and @",
                  kDecodeStatsFunction,
                  " (every layer's attention stats: tokamak-run compiles them "
                  "for a model directory with an h2o policy, tokamak-compile "
                  "--h2o into an artifact)");
  return Status::success();
}

Status Session::h2oUpdate(SeqId id, const std::vector<HostTensor> &stats,
                          int64_t row, int64_t offset) {
  const KVCacheManager &manager = kvs.front();
  StatusOr<std::vector<int64_t>> positions = manager.positions(id);
  if (!positions.ok())
    return positions.status();
  const int64_t rows = static_cast<int64_t>(positions->size());
  std::vector<double> sums(size_t(rows), 0.0);
  for (const HostTensor &layer : stats) {
    const int64_t heads = layer.shape()[1], width = layer.shape()[2];
    for (int64_t h = 0; h < heads; ++h) {
      const float *col = layer.data<float>() + (row * heads + h) * width;
      for (int64_t r = 0; r < rows; ++r)
        sums[size_t(r)] += col[offset + r];
    }
  }
  if (Status s = heavy->accumulate(id, *positions, sums.data()); s.failed())
    return s;
  std::vector<int64_t> kept = heavy->selection(id);
  if (kept.empty())
    return Status::success();
  // One set of positions for every kv head: the shared layout's one table.
  KeepPlan plan(size_t(modelAbi.kvLayers.front().numKVHeads), kept);
  if (Status s = compact(id, plan); s.failed())
    return s;
  StatusOr<std::vector<int64_t>> after = manager.positions(id);
  if (!after.ok())
    return after.status();
  return heavy->accumulate(id, *after);
}

Status Session::h2oPrefill(const std::vector<SeqId> &ids,
                           const std::vector<std::vector<int32_t>> &tokens) {
  for (SeqId id : ids)
    heavy->reset(id);
  std::vector<HostTensor> stats;
  if (Status s = call(kPrefillH2OFunction, true, ids, tokens, &stats);
      s.failed())
    return s;
  int64_t total = 0;
  for (const std::vector<int32_t> &list : tokens)
    total += static_cast<int64_t>(list.size());
  if (Status s =
          checkLayerStats(stats, kPrefillH2OFunction, modelAbi.kvLayers.size(),
                          1, modelAbi.kvLayers.front().numKVHeads, total,
                          /*exactWidth=*/true);
      s.failed())
    return s.withContext("prefill");
  // Sequence i's keys are the packed columns [offset, offset + length).
  int64_t offset = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (Status s = h2oUpdate(ids[i], stats, 0, offset); s.failed())
      return s.withContext("prefill");
    offset += static_cast<int64_t>(tokens[i].size());
  }
  return Status::success();
}

Status Session::decodeStep(const std::vector<SeqId> &ids,
                           const std::vector<std::vector<int32_t>> &tokens) {
  if (!heavy)
    return call(modelAbi.decodeFunction, false, ids, tokens);
  std::vector<HostTensor> stats;
  if (Status s = call(kDecodeStatsFunction, false, ids, tokens, &stats);
      s.failed())
    return s;
  // Row r of sequence i is column r of entry i (table order).
  int64_t rows = 0;
  for (SeqId id : ids)
    rows = std::max(rows, *kvs.front().length(id));
  if (Status s = checkLayerStats(stats, kDecodeStatsFunction,
                                 modelAbi.kvLayers.size(), int64_t(ids.size()),
                                 modelAbi.kvLayers.front().numKVHeads, rows,
                                 /*exactWidth=*/false);
      s.failed())
    return s.withContext("decode");
  for (size_t i = 0; i < ids.size(); ++i)
    if (Status s = h2oUpdate(ids[i], stats, int64_t(i), 0); s.failed())
      return s.withContext("decode");
  return Status::success();
}
