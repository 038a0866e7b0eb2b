//===- StateCache.h - Per-sequence recurrent state slots -------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// Decode state of recurrent layers, one slot per sequence: the selective_scan
// state `[Dm, N]`, the linear_scan state `[H, Dk, Dv]`, the conv1d state
// `[C, K-1]`, or any other tensor declared up front as (layer, name, shape,
// dtype). A sequence's states are zero when it is added (h_0 = 0, conv inputs
// before t = 0 are 0), are copied by fork and released by free. gather/scatter
// build the contiguous `[B, ...]` tensors a batched kernel reads (`init`) and
// write its final states back.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_STATECACHE_H
#define TOKAMAK_RUNTIME_STATECACHE_H

#include "tokamak/runtime/DType.h"
#include "tokamak/runtime/KVCache.h"
#include "tokamak/runtime/Status.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tokamak::rt {

/// One recurrent state tensor of a layer, per sequence.
struct StateSpec {
  int32_t layer = 0;
  /// Unique within the layer, e.g. "ssm" or "conv".
  std::string name;
  /// Per-sequence shape (no batch dim); dims >= 0.
  std::vector<int64_t> shape;
  DType dtype = DType::f32;
};

/// Zero-initialized state slots of every sequence.
class StateCache {
public:
  /// A cache holding `specs`; (layer, name) pairs must be unique.
  static StatusOr<StateCache> create(std::vector<StateSpec> specs);

  size_t numStates() const { return specs.size(); }
  /// Spec of state `state`; `state` < numStates().
  const StateSpec &spec(size_t state) const { return specs[state]; }
  /// Index of the state (layer, name).
  StatusOr<size_t> find(int32_t layer, std::string_view name) const;
  /// Bytes of state `state` for one sequence.
  size_t stateBytes(size_t state) const { return sizes[state]; }
  /// Bytes held per sequence (all states, 64-byte aligned each).
  size_t bytesPerSequence() const { return total; }
  /// `[batch, ...shape]` of state `state`.
  std::vector<int64_t> batchShape(size_t state, int64_t batch) const;

  /// Adds a sequence with all states zero.
  Status addSequence(SeqId id);
  /// Releases the sequence's states.
  Status free(SeqId id);
  /// Adds `child` with a copy of `parent`'s states.
  Status fork(SeqId parent, SeqId child);
  /// Zeroes every state of `id`.
  Status reset(SeqId id);
  bool contains(SeqId id) const { return seqs.count(id) != 0; }
  size_t numSequences() const { return seqs.size(); }

  /// Address of state `state` of sequence `id` (stateBytes(state) bytes).
  StatusOr<uint8_t *> data(SeqId id, size_t state);
  StatusOr<const uint8_t *> data(SeqId id, size_t state) const;

  /// Copies state `state` of `ids` into `out`, a contiguous `[B, ...shape]`
  /// buffer of `outBytes` = B * stateBytes(state) bytes. Ids may repeat.
  Status gather(size_t state, const std::vector<SeqId> &ids, void *out,
                size_t outBytes) const;
  /// gather into a new buffer.
  StatusOr<std::vector<uint8_t>> gather(size_t state,
                                        const std::vector<SeqId> &ids) const;
  /// Writes row b of `in` (`[B, ...shape]`, `inBytes` bytes) back as state
  /// `state` of `ids[b]`. Ids must be distinct; on error nothing is written.
  Status scatter(size_t state, const std::vector<SeqId> &ids, const void *in,
                 size_t inBytes);

private:
  StateCache() = default;
  Status checkBatch(size_t state, const std::vector<SeqId> &ids,
                    size_t bytes) const;

  std::vector<StateSpec> specs;
  std::vector<size_t> sizes;
  std::vector<size_t> offsets;
  size_t total = 0;
  std::unordered_map<SeqId, std::vector<uint8_t>> seqs;
};

} // namespace tokamak::rt

#endif // TOKAMAK_RUNTIME_STATECACHE_H
