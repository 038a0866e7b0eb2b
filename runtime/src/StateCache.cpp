//===- StateCache.cpp - Per-sequence recurrent state slots ----------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/StateCache.h"

#include <algorithm>
#include <cstring>
#include <sstream>

using namespace tokamak::rt;

namespace {

Status unknownSequence(SeqId id) {
  return Status::errorOf("unknown sequence ", id,
                         " (never added or already freed)");
}

/// Every state starts on a 64-byte boundary of the sequence's buffer.
constexpr size_t kAlign = 64;
/// One sequence's states are capped at 2^40 bytes.
constexpr uint64_t kMaxBytes = uint64_t(1) << 40;

} // namespace

StatusOr<StateCache> StateCache::create(std::vector<StateSpec> specs) {
  StateCache cache;
  uint64_t total = 0;
  for (size_t i = 0; i < specs.size(); ++i) {
    const StateSpec &s = specs[i];
    for (size_t j = 0; j < i; ++j)
      if (specs[j].layer == s.layer && specs[j].name == s.name)
        return Status::errorOf("state '", s.name, "' of layer ", s.layer,
                               " declared twice");
    uint64_t bytes = dtypeSize(s.dtype);
    for (int64_t d : s.shape) {
      if (d < 0)
        return Status::errorOf("state '", s.name, "' of layer ", s.layer,
                               " has negative dim ", d);
      if (d != 0 && bytes > kMaxBytes / uint64_t(d))
        return Status::errorOf("state '", s.name, "' of layer ", s.layer,
                               " is too large");
      bytes *= uint64_t(d);
    }
    total = (total + kAlign - 1) / kAlign * kAlign;
    if (total + bytes > kMaxBytes)
      return Status::errorOf("states of one sequence are too large");
    cache.offsets.push_back(size_t(total));
    cache.sizes.push_back(size_t(bytes));
    total += bytes;
  }
  cache.total = size_t(total);
  cache.specs = std::move(specs);
  return cache;
}

StatusOr<size_t> StateCache::find(int32_t layer, std::string_view name) const {
  for (size_t i = 0; i < specs.size(); ++i)
    if (specs[i].layer == layer && specs[i].name == name)
      return i;
  return Status::errorOf("no state '", name, "' in layer ", layer);
}

std::vector<int64_t> StateCache::batchShape(size_t state, int64_t batch) const {
  std::vector<int64_t> shape{batch};
  shape.insert(shape.end(), specs[state].shape.begin(),
               specs[state].shape.end());
  return shape;
}

Status StateCache::addSequence(SeqId id) {
  if (contains(id))
    return Status::errorOf("sequence ", id, " already exists");
  seqs.emplace(id, std::vector<uint8_t>(total, 0));
  return Status::success();
}

Status StateCache::free(SeqId id) {
  if (seqs.erase(id) == 0)
    return unknownSequence(id);
  return Status::success();
}

Status StateCache::fork(SeqId parent, SeqId child) {
  auto it = seqs.find(parent);
  if (it == seqs.end())
    return unknownSequence(parent);
  if (contains(child))
    return Status::errorOf("cannot fork sequence ", parent,
                           " onto existing sequence ", child);
  std::vector<uint8_t> copy = it->second;
  seqs.emplace(child, std::move(copy));
  return Status::success();
}

Status StateCache::reset(SeqId id) {
  auto it = seqs.find(id);
  if (it == seqs.end())
    return unknownSequence(id);
  std::fill(it->second.begin(), it->second.end(), 0);
  return Status::success();
}

StatusOr<uint8_t *> StateCache::data(SeqId id, size_t state) {
  if (state >= specs.size())
    return Status::errorOf("state ", state, " out of range (", specs.size(),
                           " states)");
  auto it = seqs.find(id);
  if (it == seqs.end())
    return unknownSequence(id);
  return it->second.data() + offsets[state];
}

StatusOr<const uint8_t *> StateCache::data(SeqId id, size_t state) const {
  auto mutableData = const_cast<StateCache *>(this)->data(id, state);
  if (!mutableData.ok())
    return mutableData.status();
  return static_cast<const uint8_t *>(*mutableData);
}

Status StateCache::checkBatch(size_t state, const std::vector<SeqId> &ids,
                              size_t bytes) const {
  if (state >= specs.size())
    return Status::errorOf("state ", state, " out of range (", specs.size(),
                           " states)");
  size_t expected = ids.size() * sizes[state];
  if (bytes != expected)
    return Status::errorOf("expected a buffer of ", expected, " bytes for ",
                           ids.size(), " sequences of state '",
                           specs[state].name, "' of layer ", specs[state].layer,
                           ", got ", bytes);
  for (SeqId id : ids)
    if (!contains(id))
      return unknownSequence(id);
  return Status::success();
}

Status StateCache::gather(size_t state, const std::vector<SeqId> &ids,
                          void *out, size_t outBytes) const {
  if (Status s = checkBatch(state, ids, outBytes); !s.ok())
    return s;
  if (outBytes != 0 && !out)
    return Status::errorOf("null gather buffer");
  auto *dst = static_cast<uint8_t *>(out);
  for (size_t b = 0; b < ids.size(); ++b)
    if (sizes[state] != 0)
      std::memcpy(dst + b * sizes[state],
                  seqs.at(ids[b]).data() + offsets[state], sizes[state]);
  return Status::success();
}

StatusOr<std::vector<uint8_t>>
StateCache::gather(size_t state, const std::vector<SeqId> &ids) const {
  if (state >= specs.size())
    return Status::errorOf("state ", state, " out of range (", specs.size(),
                           " states)");
  std::vector<uint8_t> out(ids.size() * sizes[state]);
  if (Status s = gather(state, ids, out.data(), out.size()); !s.ok())
    return s;
  return out;
}

Status StateCache::scatter(size_t state, const std::vector<SeqId> &ids,
                           const void *in, size_t inBytes) {
  if (Status s = checkBatch(state, ids, inBytes); !s.ok())
    return s;
  if (inBytes != 0 && !in)
    return Status::errorOf("null scatter buffer");
  std::vector<SeqId> sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  auto dup = std::adjacent_find(sorted.begin(), sorted.end());
  if (dup != sorted.end())
    return Status::errorOf("sequence ", *dup,
                           " appears twice in a state scatter");
  const auto *src = static_cast<const uint8_t *>(in);
  for (size_t b = 0; b < ids.size(); ++b)
    if (sizes[state] != 0)
      std::memcpy(seqs.at(ids[b]).data() + offsets[state],
                  src + b * sizes[state], sizes[state]);
  return Status::success();
}
