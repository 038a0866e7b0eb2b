//===- ModelABI.h - The functions a decoder model exports ------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// The calling convention between a compiled decoder model and rt::Session
// (docs/Session.md). A model exports `decode` and optionally `prefill`, both
// taking the same arguments in this order:
//
//   0 tokens       i32   prefill [1, T] (N sequences packed)   decode [B, 1]
//   1 positions    i32   prefill [1, T]                         decode [B, 1]
//   2 seq_starts   i32   [N + 1] offsets of each sequence in the packed
//                        tokens (decode: 0, 1, ..., B)
//   3 slots        i32   same shape as tokens: cache slot of each token
//                        (block * BlockSize + row; -1: not stored)
//   4 block_table  i32   [N, MaxBlocks]
//   5 lens         i32   [N] cache rows per sequence, the new tokens included
//   then, per attention layer l, K_l and V_l: `[NumBlocks, BlockSize, Hkv,
//        D]` pools, donated ({bufferization.writable = true}), not returned
//        (cache groups: each further group starts with its own slots,
//        block_table and lens, followed by its layers' K/V pairs)
//   then every recurrent state `[N, ...]` (gathered from the StateCache)
//   then the weights, in the order the session was given them
//
// and returning the f32 logits `[N, Vocab]` (prefill: of each sequence's last
// token), then the new value of every recurrent state in argument order.
//
// The metadata of an artifact (or JIT executable) gives only signatures, so
// the layout is derived from them and the weight count: states are the
// results after the logits, K/V pairs the arguments left between the leading
// six and the states.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_MODELABI_H
#define TOKAMAK_RUNTIME_MODELABI_H

#include "tokamak/runtime/Executable.h"
#include "tokamak/runtime/KVCache.h"
#include "tokamak/runtime/StateCache.h"
#include "tokamak/runtime/Status.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tokamak::rt {

/// Positions of the leading arguments of `prefill` and `decode`.
enum ModelArg : size_t {
  kArgTokens = 0,
  kArgPositions = 1,
  kArgSeqStarts = 2,
  kArgSlots = 3,
  kArgBlockTable = 4,
  kArgLens = 5,
  kNumModelArgs = 6
};

/// What the signatures may leave open, and the function names.
struct ModelABIOptions {
  std::string prefillFunction = "prefill";
  std::string decodeFunction = "decode";
  /// Blocks per pool and rows per block, for caches whose signature has `?`
  /// there; must agree with the signature where it is static. 0: from the
  /// signature.
  int32_t numBlocks = 0;
  int32_t blockSize = 0;
  /// Blocks per pool of cache group g where its signature has `?` there
  /// (a windowed group needs fewer); missing or 0: numBlocks.
  std::vector<int32_t> groupNumBlocks;
};

/// A cache group: consecutive attention layers (in argument order) that
/// share one block table, lens, slots and block allocator, and so one KV
/// policy. Group 0 uses the leading slots, block_table and lens; group g > 0
/// takes its own three arguments right before its first K pool.
struct KVGroup {
  size_t firstLayer = 0;
  size_t numLayers = 0;
  size_t slotsArg = kArgSlots;
  size_t tableArg = kArgBlockTable;
  size_t lensArg = kArgLens;
  /// Block-table width fixed by the model, or kDynamicDim.
  int64_t maxBlocks = kDynamicDim;
};

/// The layout of a model's functions, derived from its metadata.
struct ModelABI {
  std::string prefillFunction;
  std::string decodeFunction;
  /// False when the module exports no prefill function: prompts then run
  /// through decode one token at a time.
  bool hasPrefill = false;
  /// One K/V pool shape per attention layer, in argument order; the layers
  /// of a cache group share numBlocks and blockSize.
  std::vector<KVPoolShape> kvLayers;
  /// The cache groups, covering kvLayers in order (one group unless the
  /// model takes further slots/block_table/lens triples; none without
  /// attention layers).
  std::vector<KVGroup> groups;
  /// One per recurrent state in argument order; `layer` is the state's
  /// index and `name` "state".
  std::vector<StateSpec> states;
  /// The weights' signatures, in argument order.
  std::vector<TensorSignature> weights;
  /// Group 0's block-table width fixed by the model, or kDynamicDim.
  int64_t maxBlocks = kDynamicDim;
  /// The per-head layout (docs/Session.md): slots `[B, Hkv, S]`, block
  /// tables `[N, Hkv, MaxBlocks]`, lens `[N, Hkv]` and pools of one-head
  /// blocks `[NumBlocks, BlockSize, 1, D]`; `headTables` is its Hkv (0: the
  /// shared layout).
  int32_t headTables = 0;
  /// Logits per row fixed by the model, or kDynamicDim.
  int64_t vocab = kDynamicDim;

  size_t numKVLayers() const { return kvLayers.size(); }
  size_t numGroups() const { return groups.size(); }
  /// The cache group holding attention layer `layer`.
  size_t groupOf(size_t layer) const {
    size_t g = 0;
    while (g + 1 < groups.size() && groups[g + 1].firstLayer <= layer)
      ++g;
    return g;
  }
  /// Argument index of layer `layer`'s K pool (its V pool follows).
  size_t keyArg(size_t layer) const {
    return kNumModelArgs + 2 * layer + 3 * groupOf(layer);
  }
  /// Argument index of recurrent state `state`.
  size_t stateArg(size_t state) const {
    return kNumModelArgs + 2 * kvLayers.size() +
           3 * (groups.empty() ? 0 : groups.size() - 1) + state;
  }
  /// Argument index of weight `weight`.
  size_t weightArg(size_t weight) const {
    return stateArg(states.size()) + weight;
  }
  size_t numInputs() const { return weightArg(weights.size()); }
  /// Blocks per pool and rows per block (0 without attention layers).
  int32_t numBlocks() const {
    return kvLayers.empty() ? 0 : kvLayers.front().numBlocks;
  }
  int32_t blockSize() const {
    return kvLayers.empty() ? 0 : kvLayers.front().blockSize;
  }
  /// Group `group`'s blocks per pool and rows per block.
  int32_t groupNumBlocks(size_t group) const {
    return kvLayers[groups[group].firstLayer].numBlocks;
  }
  int32_t groupBlockSize(size_t group) const {
    return kvLayers[groups[group].firstLayer].blockSize;
  }

  /// Derives the layout from the `decode` (and, when exported, `prefill`)
  /// signatures of `metadata` for a model taking `numWeights` weights.
  /// Errors name the function, the argument and what was expected.
  static StatusOr<ModelABI> derive(const ModuleMetadata &metadata,
                                   size_t numWeights,
                                   const ModelABIOptions &options = {});
};

/// Whether `fn` is a session-ABI @prefill or @decode: that name and the six
/// leading i32 arguments.
bool isSessionFunction(const FunctionSignature &fn);

/// Checks the leading arguments of a session-ABI function that a host built
/// rather than rt::Session (tokamak-run --input to @decode): token ids inside
/// a static vocabulary, non-negative positions, seq_starts rising from 0 to
/// the token count, and, when argument 6 is a K/V pool [NumBlocks,
/// BlockSize, ...], every slot in [-1, NumBlocks * BlockSize), every length
/// within its block-table row and every block the lengths use in [0,
/// NumBlocks); the same for every further cache group's slots, table and
/// lens against the pool after them. Other functions, and arguments whose
/// types do not match the signature (invoke names those), pass. Errors name the
/// input, the index and the value.
Status checkSessionInputs(const FunctionSignature &fn,
                          const std::vector<HostTensor> &inputs);

} // namespace tokamak::rt

#endif // TOKAMAK_RUNTIME_MODELABI_H
