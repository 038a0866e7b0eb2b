//===- ModelABI.cpp - The functions a decoder model exports ---------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/ModelABI.h"

#include <sstream>

using namespace tokamak::rt;

namespace {

const char *const kLeadingNames[kNumModelArgs] = {
    "tokens", "positions", "seq_starts", "slots", "block_table", "lens"};

/// Whether `fn` uses the per-head layout (a 3-d block table).
bool perHeadLayout(const FunctionSignature &fn) {
  return fn.inputs.size() > kArgBlockTable &&
         fn.inputs[kArgBlockTable].shape.size() == 3;
}

/// Checks the leading six arguments of `fn`.
Status checkLeading(const FunctionSignature &fn, bool isDecode) {
  static const size_t ranks[kNumModelArgs] = {2, 2, 1, 2, 2, 1};
  static const size_t headRanks[kNumModelArgs] = {2, 2, 1, 3, 3, 2};
  bool perHead = perHeadLayout(fn);
  for (size_t i = 0; i < kNumModelArgs; ++i) {
    const TensorSignature &arg = fn.inputs[i];
    size_t rank = perHead ? headRanks[i] : ranks[i];
    if (arg.dtype != DType::i32 || arg.shape.size() != rank)
      return Status::errorOf(
          "@", fn.name, ": argument ", i, " (", kLeadingNames[i],
          ") must be a ", rank, "-d i32 tensor",
          perHead ? " (per-head layout)" : "", ", got ", arg.str());
  }
  if (perHead) {
    int64_t heads = fn.inputs[kArgBlockTable].shape[1];
    if (heads == kDynamicDim || heads <= 0 || heads > INT32_MAX ||
        fn.inputs[kArgLens].shape[1] != heads ||
        fn.inputs[kArgSlots].shape[1] != heads)
      return Status::errorOf(
          "@", fn.name,
          ": the per-head layout needs one static kv head count in slots "
          "[B, Hkv, S], block_table [N, Hkv, MaxBlocks] and lens [N, Hkv], "
          "got ",
          fn.inputs[kArgSlots].str(), ", ", fn.inputs[kArgBlockTable].str(),
          " and ", fn.inputs[kArgLens].str());
  }
  for (size_t i :
       {size_t(kArgTokens), size_t(kArgPositions), size_t(kArgSlots)}) {
    size_t dim = isDecode ? 1 : 0;
    if (perHead && i == kArgSlots)
      dim = isDecode ? 2 : 0;
    int64_t inner = fn.inputs[i].shape[dim];
    if (inner != kDynamicDim && inner != 1)
      return Status::errorOf(
          "@", fn.name, ": argument ", i, " (", kLeadingNames[i], ") must be ",
          perHead && i == kArgSlots ? (isDecode ? "[B, Hkv, 1]" : "[1, Hkv, T]")
          : isDecode                ? "[B, 1]"
                                    : "[1, T]",
          ", got ", fn.inputs[i].str());
  }
  return Status::success();
}

/// The shape of a pool argument as a KVPoolShape (dims may be kDynamicDim).
struct PoolDims {
  int64_t blocks, rows, heads, dim;
  DType dtype;
};

StatusOr<PoolDims> poolDims(const FunctionSignature &fn, size_t arg,
                            size_t layer, const char *which) {
  const TensorSignature &sig = fn.inputs[arg];
  bool floatType = sig.dtype == DType::f32 || sig.dtype == DType::f16 ||
                   sig.dtype == DType::bf16;
  if (sig.shape.size() != 4 || !floatType)
    return Status::errorOf("@", fn.name, ": argument ", arg, " (the ", which,
                           " cache of attention layer ", layer,
                           ") must be a 4-d f32, f16 or bf16 tensor "
                           "[NumBlocks, BlockSize, Hkv, D], got ",
                           sig.str());
  if (sig.shape[2] == kDynamicDim || sig.shape[3] == kDynamicDim)
    return Status::errorOf("@", fn.name, ": argument ", arg, " (the ", which,
                           " cache of attention layer ", layer,
                           ") needs static head count and head dim, got ",
                           sig.str());
  for (size_t d : {2, 3})
    if (sig.shape[d] <= 0 || sig.shape[d] > INT32_MAX)
      return Status::errorOf("@", fn.name, ": argument ", arg, " (the ", which,
                             " cache of attention layer ", layer, ") has ",
                             d == 2 ? "head count " : "head dim ", sig.shape[d],
                             "; expected 1 to ", INT32_MAX, ", got ",
                             sig.str());
  return PoolDims{sig.shape[0], sig.shape[1], sig.shape[2], sig.shape[3],
                  sig.dtype};
}

/// Resolves a pool dim from the signature and the option; `what` names it.
StatusOr<int32_t> resolveDim(const FunctionSignature &fn, size_t arg,
                             int64_t fromSignature, int32_t fromOptions,
                             const char *what, const char *option) {
  std::string where = "@" + fn.name + ": argument " + std::to_string(arg) +
                      " (" + fn.inputs[arg].str() + ")";
  if (fromSignature == kDynamicDim) {
    if (fromOptions <= 0)
      return Status::errorOf(where, " has a dynamic ", what, "; set ", option);
    return fromOptions;
  }
  if (fromOptions > 0 && fromOptions != fromSignature)
    return Status::errorOf(where, " has ", what, " ", fromSignature, " but ",
                           option, " is ", fromOptions);
  if (fromSignature <= 0 || fromSignature > INT32_MAX)
    return Status::errorOf(where, " has ", what, " ", fromSignature);
  return static_cast<int32_t>(fromSignature);
}

/// Derives the layout of one function.
StatusOr<ModelABI> deriveOne(const FunctionSignature &fn, size_t numWeights,
                             bool isDecode, const ModelABIOptions &options) {
  size_t minInputs = kNumModelArgs + numWeights;
  if (fn.inputs.size() < minInputs)
    return Status::errorOf("@", fn.name, " takes ", fn.inputs.size(),
                           " arguments, fewer than the 6 leading ones plus ",
                           numWeights, " weights");
  if (Status s = checkLeading(fn, isDecode); s.failed())
    return s;
  if (fn.results.empty())
    return Status::errorOf("@", fn.name,
                           " returns nothing; it must return the "
                           "logits [N, Vocab] first");
  const TensorSignature &logits = fn.results[0];
  if (logits.dtype != DType::f32 || logits.shape.size() != 2)
    return Status::errorOf("@", fn.name,
                           ": result 0 (the logits) must be a 2-d f32 "
                           "tensor [N, Vocab], got ",
                           logits.str());

  ModelABI abi;
  abi.vocab = logits.shape[1];
  abi.maxBlocks = fn.inputs[kArgBlockTable].shape.back();
  if (perHeadLayout(fn))
    abi.headTables = static_cast<int32_t>(fn.inputs[kArgBlockTable].shape[1]);
  size_t numStates = fn.results.size() - 1;
  size_t middle = fn.inputs.size() - minInputs;
  if (middle < numStates)
    return Status::errorOf("@", fn.name, " returns ", numStates,
                           " recurrent states after the logits, so of its ",
                           middle, " arguments between the leading 6 and the ",
                           numWeights, " weights the last ", numStates,
                           " are states and the rest K/V cache pairs, but ",
                           "there are too few");
  // Walk the arguments between the leading six and the states: a triple of
  // i32 tensors shaped like slots, block_table and lens starts a cache
  // group, anything else is a K/V pair of the current group.
  const size_t end = fn.inputs.size() - numWeights - numStates;
  auto isGroupHeader = [&](size_t p) {
    if (p + 2 >= end)
      return false;
    for (size_t i = 0; i < 3; ++i) {
      const TensorSignature &arg = fn.inputs[p + i];
      if (arg.dtype != DType::i32 ||
          arg.shape.size() != fn.inputs[kArgSlots + i].shape.size())
        return false;
    }
    return true;
  };
  abi.groups.push_back(KVGroup());
  abi.groups.back().maxBlocks = abi.maxBlocks;
  size_t layer = 0;
  for (size_t p = kNumModelArgs; p < end; ++layer) {
    if (isGroupHeader(p)) {
      size_t g = abi.groups.size();
      if (abi.groups.back().numLayers == 0)
        return Status::errorOf("@", fn.name, ": cache group ", g - 1,
                               " holds no attention layer (arguments ", p,
                               " to ", p + 2,
                               " start the next group right away)");
      // In the per-head layout every group has per-head slots, tables and
      // lens with the leading ones' kv head count.
      if (abi.headTables && (fn.inputs[p].shape[1] != abi.headTables ||
                             fn.inputs[p + 1].shape[1] != abi.headTables ||
                             fn.inputs[p + 2].shape[1] != abi.headTables))
        return Status::errorOf(
            "@", fn.name, ": arguments ", p, " to ", p + 2, " (cache group ", g,
            ") must be per-head slots, block table and lens with ",
            abi.headTables, " kv heads, as the leading ones, got ",
            fn.inputs[p].str(), ", ", fn.inputs[p + 1].str(), " and ",
            fn.inputs[p + 2].str());
      int64_t inner =
          fn.inputs[p].shape[isDecode ? (abi.headTables ? 2 : 1) : 0];
      if (inner != kDynamicDim && inner != 1)
        return Status::errorOf("@", fn.name, ": argument ", p,
                               " (the slots of cache group ", g, ") must be ",
                               abi.headTables
                                   ? (isDecode ? "[B, Hkv, 1]" : "[1, Hkv, T]")
                               : isDecode ? "[B, 1]"
                                          : "[1, T]",
                               ", got ", fn.inputs[p].str());
      KVGroup group;
      group.firstLayer = layer;
      group.slotsArg = p;
      group.tableArg = p + 1;
      group.lensArg = p + 2;
      group.maxBlocks = fn.inputs[p + 1].shape.back();
      abi.groups.push_back(group);
      p += 3;
      --layer;
      continue;
    }
    if (p + 1 >= end)
      return Status::errorOf("@", fn.name, " returns ", numStates,
                             " recurrent states after the logits, so of its ",
                             middle,
                             " arguments between the leading 6 and the ",
                             numWeights, " weights the last ", numStates,
                             " are states and the rest K/V cache pairs, but "
                             "an odd number is left");
    size_t kArg = p, vArg = p + 1;
    p += 2;
    StatusOr<PoolDims> k = poolDims(fn, kArg, layer, "K");
    if (!k.ok())
      return k.status();
    StatusOr<PoolDims> v = poolDims(fn, vArg, layer, "V");
    if (!v.ok())
      return v.status();
    if (k->blocks != v->blocks || k->rows != v->rows || k->heads != v->heads ||
        k->dtype != v->dtype)
      return Status::errorOf(
          "@", fn.name, ": the K and V caches of attention layer ", layer,
          " (arguments ", kArg, " and ", vArg,
          ") disagree on blocks, rows per block, kv heads or "
          "element type: ",
          fn.inputs[kArg].str(), " vs ", fn.inputs[vArg].str());
    size_t g = abi.groups.size() - 1;
    int32_t blocksOption = options.numBlocks;
    if (k->blocks == kDynamicDim && g < options.groupNumBlocks.size() &&
        options.groupNumBlocks[g] > 0)
      blocksOption = options.groupNumBlocks[g];
    StatusOr<int32_t> blocks = resolveDim(fn, kArg, k->blocks, blocksOption,
                                          "number of blocks", "numBlocks");
    if (!blocks.ok())
      return blocks.status();
    StatusOr<int32_t> rows = resolveDim(fn, kArg, k->rows, options.blockSize,
                                        "block size", "blockSize");
    if (!rows.ok())
      return rows.status();
    if (abi.headTables && k->heads != 1)
      return Status::errorOf("@", fn.name, ": argument ", kArg,
                             " (the K cache "
                             "of attention layer ",
                             layer,
                             ") must hold one kv "
                             "head per block [NumBlocks, BlockSize, 1, D] in "
                             "the per-head layout, got ",
                             fn.inputs[kArg].str());
    KVPoolShape shape;
    shape.numBlocks = *blocks;
    shape.blockSize = *rows;
    shape.numKVHeads = static_cast<int32_t>(k->heads);
    shape.headDim = static_cast<int32_t>(k->dim);
    shape.valueHeadDim = static_cast<int32_t>(v->dim);
    shape.dtype = k->dtype;
    KVGroup &group = abi.groups.back();
    if (group.numLayers > 0) {
      const KVPoolShape &first = abi.kvLayers[group.firstLayer];
      if (shape.numBlocks != first.numBlocks ||
          shape.blockSize != first.blockSize)
        return Status::errorOf(
            "@", fn.name, ": attention layer ", layer, " has ", shape.numBlocks,
            " blocks of ", shape.blockSize, " rows but layer ",
            group.firstLayer, " has ", first.numBlocks, " of ", first.blockSize,
            abi.groups.size() == 1
                ? std::string(": every layer shares one block table")
                : ": the layers of cache group " +
                      std::to_string(abi.groups.size() - 1) +
                      " share one block table");
    }
    ++group.numLayers;
    abi.kvLayers.push_back(shape);
  }
  if (abi.groups.back().numLayers == 0) {
    if (abi.groups.size() > 1)
      return Status::errorOf("@", fn.name, ": cache group ",
                             abi.groups.size() - 1,
                             " holds no attention layer");
    abi.groups.clear();
  }

  for (size_t state = 0; state < numStates; ++state) {
    size_t arg = end + state;
    const TensorSignature &in = fn.inputs[arg];
    const TensorSignature &out = fn.results[1 + state];
    bool same = in.dtype == out.dtype && in.shape.size() == out.shape.size() &&
                !in.shape.empty();
    for (size_t d = 1; same && d < in.shape.size(); ++d)
      same = in.shape[d] == out.shape[d] && in.shape[d] != kDynamicDim;
    if (!same)
      return Status::errorOf(
          "@", fn.name, ": recurrent state ", state, " (argument ", arg, ", ",
          in.str(), ") and its new value (result ", 1 + state, ", ", out.str(),
          ") must be [N, ...] with the same static dims after N");
    StateSpec spec;
    spec.layer = static_cast<int32_t>(state);
    spec.name = "state";
    spec.shape.assign(in.shape.begin() + 1, in.shape.end());
    spec.dtype = in.dtype;
    abi.states.push_back(std::move(spec));
  }
  abi.weights.assign(fn.inputs.end() - numWeights, fn.inputs.end());
  return abi;
}

} // namespace

StatusOr<ModelABI> ModelABI::derive(const ModuleMetadata &metadata,
                                    size_t numWeights,
                                    const ModelABIOptions &options) {
  const FunctionSignature *decode =
      metadata.lookupFunction(options.decodeFunction);
  if (!decode)
    return Status::errorOf("the model exports no @", options.decodeFunction,
                           " function");
  StatusOr<ModelABI> abi = deriveOne(*decode, numWeights, true, options);
  if (!abi.ok())
    return abi.status();
  abi->decodeFunction = options.decodeFunction;
  abi->prefillFunction = options.prefillFunction;

  const FunctionSignature *prefill =
      metadata.lookupFunction(options.prefillFunction);
  if (!prefill)
    return abi;
  abi->hasPrefill = true;
  StatusOr<ModelABI> other = deriveOne(*prefill, numWeights, false, options);
  if (!other.ok())
    return other.status();
  // Everything after the leading arguments must agree, except the batch dim
  // of the states.
  if (prefill->inputs.size() != decode->inputs.size() ||
      prefill->results.size() != decode->results.size())
    return Status::errorOf(
        "@", prefill->name, " and @", decode->name,
        " must take the same arguments after the leading 6 and "
        "return as many results; they take ",
        prefill->inputs.size(), " and ", decode->inputs.size(), " and return ",
        prefill->results.size(), " and ", decode->results.size());
  for (size_t i = kNumModelArgs; i < decode->inputs.size(); ++i) {
    TensorSignature a = prefill->inputs[i], b = decode->inputs[i];
    bool isState = i >= abi->stateArg(0) && i < abi->weightArg(0);
    if (isState && !a.shape.empty() && !b.shape.empty())
      a.shape[0] = b.shape[0] = kDynamicDim;
    // A further group's slots are [1, T] in @prefill and [B, 1] in @decode.
    for (size_t g = 1; g < abi->groups.size(); ++g)
      if (i == abi->groups[g].slotsArg && a.shape.size() == b.shape.size())
        a.shape = b.shape;
    if (a.dtype != b.dtype || a.shape != b.shape)
      return Status::errorOf(
          "@", prefill->name, " and @", decode->name, " disagree on argument ",
          i, ": ", prefill->inputs[i].str(), " vs ", decode->inputs[i].str());
  }
  int64_t pv = other->vocab, dv = abi->vocab;
  if (pv != kDynamicDim && dv != kDynamicDim && pv != dv)
    return Status::errorOf("@", prefill->name, " and @", decode->name,
                           " disagree on the vocabulary: ", pv, " vs ", dv,
                           " logits per row");
  if (dv == kDynamicDim)
    abi->vocab = pv;
  if (other->headTables != abi->headTables)
    return Status::errorOf("@", prefill->name, " and @", decode->name,
                           " disagree on the block table layout: ",
                           prefill->inputs[kArgBlockTable].str(), " vs ",
                           decode->inputs[kArgBlockTable].str());
  bool sameGroups = other->groups.size() == abi->groups.size();
  for (size_t g = 0; sameGroups && g < abi->groups.size(); ++g)
    sameGroups = other->groups[g].firstLayer == abi->groups[g].firstLayer &&
                 other->groups[g].maxBlocks == abi->groups[g].maxBlocks;
  if (!sameGroups)
    return Status::errorOf("@", prefill->name, " and @", decode->name,
                           " disagree on the cache groups or their block "
                           "table widths");
  if (other->maxBlocks != abi->maxBlocks)
    return Status::errorOf("@", prefill->name, " and @", decode->name,
                           " disagree on the block table width: ",
                           prefill->inputs[kArgBlockTable].str(), " vs ",
                           decode->inputs[kArgBlockTable].str());
  return abi;
}

//===----------------------------------------------------------------------===//
// Host-built leading arguments
//===----------------------------------------------------------------------===//

namespace {

/// Whether `fn` takes the session ABI's six leading arguments.
bool hasLeadingArgs(const FunctionSignature &fn) {
  static const size_t ranks[kNumModelArgs] = {2, 2, 1, 2, 2, 1};
  if (fn.inputs.size() < kNumModelArgs)
    return false;
  for (size_t i = 0; i < kNumModelArgs; ++i)
    if (fn.inputs[i].dtype != DType::i32 ||
        fn.inputs[i].shape.size() != ranks[i])
      return false;
  return true;
}

/// Checks one cache group's slots, block table and lens (inputs `first` to
/// `first + 2`) against the pool right after them.
Status checkGroupInputs(const FunctionSignature &fn,
                        const std::vector<HostTensor> &inputs, size_t first,
                        int64_t numTokens, int64_t numSeqs) {
  auto arg = [&](size_t i) {
    std::string name = i < kNumModelArgs
                           ? std::string(kLeadingNames[i])
                           : std::string(kLeadingNames[kArgSlots + i - first]) +
                                 " of a cache group";
    return "input " + std::to_string(i) + " (" + name + ") of @" + fn.name;
  };
  const HostTensor &slots = inputs[first];
  const HostTensor &table = inputs[first + 1];
  const HostTensor &lens = inputs[first + 2];
  const HostTensor &pool =
      inputs[first == kArgSlots ? kNumModelArgs : first + 3];
  int64_t numBlocks = pool.shape()[0], blockSize = pool.shape()[1];
  // Products saturate: an empty pool may still have huge dims.
  auto product = [](int64_t a, int64_t b) -> int64_t {
    if (a == 0 || b == 0)
      return 0;
    return a > INT64_MAX / b ? INT64_MAX : a * b;
  };
  int64_t rows = product(numBlocks, blockSize);
  const int32_t *slotData = slots.data<int32_t>();
  for (int64_t t = 0; t < numTokens; ++t)
    if (slotData[t] < -1 || slotData[t] >= rows)
      return Status::errorOf(arg(first), ": slot ", slotData[t], " at index ",
                             t, " is outside the K/V pools' ", rows,
                             " rows (-1 skips the write)");
  int64_t width = table.shape()[1];
  const int32_t *tableData = table.data<int32_t>();
  const int32_t *lenData = lens.data<int32_t>();
  for (int64_t b = 0; b < numSeqs; ++b) {
    int64_t capacity = product(width, blockSize);
    if (lenData[b] < 0 || lenData[b] > capacity)
      return Status::errorOf(arg(first + 2), ": length ", lenData[b],
                             " of sequence ", b, " is outside [0, ", capacity,
                             "] (", width, width == 1 ? " block" : " blocks",
                             " of ", blockSize, " rows)");
    int64_t used = blockSize > 0
                       ? lenData[b] / blockSize + (lenData[b] % blockSize != 0)
                       : 0;
    for (int64_t j = 0; j < used; ++j) {
      int32_t block = tableData[b * width + j];
      if (block < 0 || block >= numBlocks)
        return Status::errorOf(arg(first + 1), ": block ", block, " at [", b,
                               ", ", j, "] is outside the K/V pools' ",
                               numBlocks, " blocks");
    }
  }
  return Status::success();
}

} // namespace

bool tokamak::rt::isSessionFunction(const FunctionSignature &fn) {
  return (fn.name == "prefill" || fn.name == "decode") && hasLeadingArgs(fn);
}

Status tokamak::rt::checkSessionInputs(const FunctionSignature &fn,
                                       const std::vector<HostTensor> &inputs) {
  if (!isSessionFunction(fn) || inputs.size() != fn.inputs.size())
    return Status::success();
  for (size_t i = 0; i < kNumModelArgs; ++i)
    if (!fn.inputs[i].matches(inputs[i]))
      return Status::success(); // invoke() names the mismatch.
  auto arg = [&](size_t i) {
    return "input " + std::to_string(i) + " (" + kLeadingNames[i] + ") of @" +
           fn.name;
  };
  const HostTensor &tokens = inputs[kArgTokens];
  const HostTensor &positions = inputs[kArgPositions];
  const HostTensor &starts = inputs[kArgSeqStarts];
  const HostTensor &slots = inputs[kArgSlots];
  const HostTensor &table = inputs[kArgBlockTable];
  const HostTensor &lens = inputs[kArgLens];
  for (size_t i : {size_t(kArgPositions), size_t(kArgSlots)})
    if (inputs[i].shape() != tokens.shape())
      return Status::errorOf(arg(i), ": expected the shape of the tokens, ",
                             tokens.typeString(), ", got ",
                             inputs[i].typeString());
  int64_t numTokens = tokens.numel();
  int64_t numSeqs = lens.numel();
  if (starts.numel() != numSeqs + 1 || table.shape()[0] != numSeqs)
    return Status::errorOf(
        "@", fn.name, ": ", numSeqs, " sequences (lens ", lens.typeString(),
        ") need seq_starts of ", numSeqs + 1, " and block_table rows of ",
        numSeqs, ", got ", starts.typeString(), " and ", table.typeString());

  // Token ids inside the vocabulary when the logits fix it.
  int64_t vocab = !fn.results.empty() && fn.results[0].shape.size() == 2
                      ? fn.results[0].shape[1]
                      : kDynamicDim;
  const int32_t *tokenData = tokens.data<int32_t>();
  const int32_t *positionData = positions.data<int32_t>();
  for (int64_t t = 0; t < numTokens; ++t) {
    if (tokenData[t] < 0 || (vocab != kDynamicDim && tokenData[t] >= vocab))
      return Status::errorOf(
          arg(kArgTokens), ": token ", tokenData[t], " at index ", t,
          " is outside the vocabulary [0, ",
          vocab == kDynamicDim ? std::string("?") : std::to_string(vocab), ")");
    if (positionData[t] < 0)
      return Status::errorOf(arg(kArgPositions), ": position ", positionData[t],
                             " at index ", t, " is negative");
  }
  // Sequence starts: 0, non-decreasing, ending at the token count.
  const int32_t *startData = starts.data<int32_t>();
  for (int64_t b = 0; b <= numSeqs; ++b) {
    int64_t previous = b == 0 ? 0 : startData[b - 1];
    bool ok = b == 0 ? startData[0] == 0 : startData[b] >= previous;
    if (b == numSeqs)
      ok = ok && startData[b] == numTokens;
    if (!ok)
      return Status::errorOf(arg(kArgSeqStarts),
                             ": expected offsets rising from 0 "
                             "to the token count ",
                             numTokens, ", got ", startData[b], " at index ",
                             b);
  }

  // Slots, block table and lengths address the K/V pools: every one used
  // must lie inside them. Group 0's are the leading ones; every further
  // cache group's come right before its first K pool.
  auto isPool = [&](size_t i) {
    return i < inputs.size() && inputs[i].rank() == 4;
  };
  if (!isPool(kNumModelArgs))
    return Status::success();
  if (Status s = checkGroupInputs(fn, inputs, kArgSlots, numTokens, numSeqs);
      s.failed())
    return s;
  for (size_t p = kNumModelArgs; p < inputs.size();) {
    if (isPool(p)) {
      p += 2;
      continue;
    }
    bool header = p + 3 < inputs.size() && isPool(p + 3);
    static const size_t ranks[3] = {2, 2, 1};
    for (size_t i = 0; header && i < 3; ++i)
      header = inputs[p + i].dtype() == DType::i32 &&
               inputs[p + i].rank() == ranks[i] &&
               fn.inputs[p + i].matches(inputs[p + i]);
    if (!header)
      break;
    if (inputs[p].shape() != tokens.shape() ||
        inputs[p + 1].shape()[0] != numSeqs || inputs[p + 2].numel() != numSeqs)
      return Status::errorOf("@", fn.name,
                             ": the slots, block table and lens "
                             "of a cache group (inputs ",
                             p, " to ", p + 2,
                             ") must be shaped like the "
                             "leading ones, got ",
                             inputs[p].typeString(), ", ",
                             inputs[p + 1].typeString(), " and ",
                             inputs[p + 2].typeString());
    if (Status s = checkGroupInputs(fn, inputs, p, numTokens, numSeqs);
        s.failed())
      return s;
    p += 3;
  }
  return Status::success();
}
