//===- ModelABIFuzzer.cpp - Fuzz the session ABI derivation ---------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// libFuzzer entry point: decodes the input into the signatures of a model's
// @decode (and @prefill), derives the session ABI from them with
// ModelABI::derive, and checks host-built leading arguments against one of
// them with checkSessionInputs. The input is read byte by byte (bytes past
// its end read as 0):
//
//   header      the weight count (mod 16), the numBlocks and blockSize
//               options (int8), flags: bit 0 a @prefill follows @decode,
//               bit 1 build @prefill's inputs rather than @decode's, bit 2
//               name the decode function @decoder (no @decode)
//   function    the input count (mod 24), the result count (mod 6), then a
//               signature for each
//   signature   the dtype (index into f32 f16 bf16 f64 i8 i16 i32 i64 u8
//               u16 i1, mod 11), the rank (mod 6), one byte per dim: 0-250
//               itself, 0xff ? (dynamic), 0xfe 2^31, 0xfd 2^32, 0xfc
//               INT64_MAX, 0xfb INT32_MAX
//   inputs      one byte (mod 8) per dynamic dim of the leading six
//               arguments; the rank (mod 6) and dims of argument 6 (byte
//               mod 16; 0xff 2^62, 0xfe 2^31, 0xfd INT64_MAX); then one
//               byte per element of the leading six
//
// int8 values read 0x7f as INT32_MAX and 0x80 as INT32_MIN.
//
// The checks below abort when a derived ABI breaks its promises (layout
// indices that cover the signature, K/V pools that are the signature's
// 4-d float arguments with the same sizes, no size cut to 32 bits, states
// with static dims equal in argument and result, weights that are the last
// arguments, @prefill agreeing with @decode), when deriving again with the
// derived pool sizes as options gives another ABI, when checkSessionInputs
// disagrees with a reference written from its documentation, or when an
// error is not one printable sentence.
//
//===----------------------------------------------------------------------===//

#include "FuzzSupport.h"

#include "tokamak/runtime/ModelABI.h"

#include <climits>

using namespace tokamak;
using namespace tokamak::fuzz;
using rt::DType;
using rt::FunctionSignature;
using rt::HostTensor;
using rt::kDynamicDim;
using rt::ModelABI;
using rt::StatusOr;
using rt::TensorSignature;

namespace {

constexpr const char *kFuzzer = "model ABI";
/// Host-built inputs above this many bytes in all are not built.
constexpr uint64_t kMaxInputBytes = 1 << 20;

/// The input, byte by byte; 0 after its end.
class Reader {
public:
  Reader(const uint8_t *data, size_t size) : data(data), end(data + size) {}
  uint8_t next() { return data < end ? *data++ : 0; }

private:
  const uint8_t *data;
  const uint8_t *end;
};

int64_t signatureDim(uint8_t byte) {
  switch (byte) {
  case 0xff:
    return kDynamicDim;
  case 0xfe:
    return int64_t(1) << 31;
  case 0xfd:
    return int64_t(1) << 32;
  case 0xfc:
    return INT64_MAX;
  case 0xfb:
    return INT32_MAX;
  default:
    return byte;
  }
}

int64_t tensorDim(uint8_t byte) {
  switch (byte) {
  case 0xff:
    return int64_t(1) << 62;
  case 0xfe:
    return int64_t(1) << 31;
  case 0xfd:
    return INT64_MAX;
  default:
    return byte % 16;
  }
}

int32_t int8Value(uint8_t byte) {
  if (byte == 0x7f)
    return INT32_MAX;
  if (byte == 0x80)
    return INT32_MIN;
  return static_cast<int8_t>(byte);
}

TensorSignature readSignature(Reader &in) {
  TensorSignature signature;
  signature.dtype = kAllDTypes[in.next() % kNumDTypes];
  unsigned rank = in.next() % 6;
  for (unsigned d = 0; d < rank; ++d)
    signature.shape.push_back(signatureDim(in.next()));
  return signature;
}

FunctionSignature readFunction(Reader &in, std::string name) {
  FunctionSignature function;
  function.entry = "_tok_entry_" + name;
  function.name = std::move(name);
  unsigned numInputs = in.next() % 24, numResults = in.next() % 6;
  for (unsigned i = 0; i < numInputs; ++i)
    function.inputs.push_back(readSignature(in));
  for (unsigned i = 0; i < numResults; ++i)
    function.results.push_back(readSignature(in));
  return function;
}

bool isPoolType(const TensorSignature &signature) {
  return signature.shape.size() == 4 &&
         (signature.dtype == DType::f32 || signature.dtype == DType::f16 ||
          signature.dtype == DType::bf16);
}

/// A pool dim of the ABI is the signature's, or the option where that is
/// dynamic.
bool poolDimMatches(int32_t derived, int64_t fromSignature,
                    int32_t fromOptions) {
  if (derived <= 0)
    return false;
  return fromSignature == kDynamicDim ? derived == fromOptions
                                      : derived == fromSignature;
}

bool sameSignature(const TensorSignature &a, const TensorSignature &b) {
  return a.dtype == b.dtype && a.shape == b.shape;
}

bool sameABI(const ModelABI &a, const ModelABI &b) {
  if (a.prefillFunction != b.prefillFunction ||
      a.decodeFunction != b.decodeFunction || a.hasPrefill != b.hasPrefill ||
      a.maxBlocks != b.maxBlocks || a.vocab != b.vocab ||
      a.kvLayers.size() != b.kvLayers.size() ||
      a.states.size() != b.states.size() ||
      a.weights.size() != b.weights.size())
    return false;
  for (size_t i = 0; i < a.kvLayers.size(); ++i) {
    const rt::KVPoolShape &x = a.kvLayers[i], &y = b.kvLayers[i];
    if (x.numBlocks != y.numBlocks || x.blockSize != y.blockSize ||
        x.numKVHeads != y.numKVHeads || x.headDim != y.headDim ||
        x.valueHeadDim != y.valueHeadDim || x.dtype != y.dtype)
      return false;
  }
  for (size_t i = 0; i < a.states.size(); ++i)
    if (a.states[i].layer != b.states[i].layer ||
        a.states[i].name != b.states[i].name ||
        a.states[i].shape != b.states[i].shape ||
        a.states[i].dtype != b.states[i].dtype)
      return false;
  for (size_t i = 0; i < a.weights.size(); ++i)
    if (!sameSignature(a.weights[i], b.weights[i]))
      return false;
  return true;
}

/// The promises of an ABI derived from `decode` (and `prefill`, or null).
void checkABI(const ModelABI &abi, const FunctionSignature &decode,
              const FunctionSignature *prefill, size_t numWeights,
              const rt::ModelABIOptions &options) {
  if (abi.numInputs() != decode.inputs.size() ||
      abi.weights.size() != numWeights)
    broken(kFuzzer, "the layout does not cover the arguments", decode.name);
  if (abi.hasPrefill != (prefill != nullptr) ||
      abi.decodeFunction != decode.name)
    broken(kFuzzer, "wrong function names", abi.decodeFunction);
  for (size_t i = 0; i < rt::kNumModelArgs; ++i)
    if (decode.inputs[i].dtype != DType::i32)
      broken(kFuzzer, "a leading argument is not i32", decode.inputs[i].str());
  const TensorSignature &logits = decode.results.front();
  if (logits.dtype != DType::f32 || logits.shape.size() != 2 ||
      (logits.shape[1] != kDynamicDim && abi.vocab != logits.shape[1]))
    broken(kFuzzer, "the vocabulary is not the logits'", logits.str());
  if (abi.maxBlocks != decode.inputs[rt::kArgBlockTable].shape[1])
    broken(kFuzzer, "the block table width is not the signature's",
           decode.inputs[rt::kArgBlockTable].str());

  for (size_t layer = 0; layer < abi.numKVLayers(); ++layer) {
    const rt::KVPoolShape &pool = abi.kvLayers[layer];
    const TensorSignature &k = decode.inputs[abi.keyArg(layer)];
    const TensorSignature &v = decode.inputs[abi.keyArg(layer) + 1];
    if (!isPoolType(k) || !isPoolType(v) || k.dtype != pool.dtype ||
        v.dtype != pool.dtype)
      broken(kFuzzer, "a K/V pool is not a 4-d float argument",
             k.str() + " " + v.str());
    if (!poolDimMatches(pool.numBlocks, k.shape[0], options.numBlocks) ||
        !poolDimMatches(pool.blockSize, k.shape[1], options.blockSize) ||
        pool.numBlocks != abi.groupNumBlocks(abi.groupOf(layer)) ||
        pool.blockSize != abi.groupBlockSize(abi.groupOf(layer)))
      broken(kFuzzer, "pool sizes are not the signature's or the options'",
             k.str());
    if (pool.numKVHeads != k.shape[2] || pool.numKVHeads != v.shape[2] ||
        pool.headDim != k.shape[3] || pool.valueHeadDim != v.shape[3])
      broken(kFuzzer, "pool heads or head dims are not the signature's",
             k.str() + " " + v.str() + " -> " +
                 std::to_string(pool.numKVHeads) + " heads of " +
                 std::to_string(pool.headDim) + "/" +
                 std::to_string(pool.valueHeadDim));
  }

  // Cache groups cover the layers in order; a further group's slots, table
  // and lens are i32 arguments right before its first K pool.
  size_t covered = 0;
  for (size_t g = 0; g < abi.numGroups(); ++g) {
    const rt::KVGroup &group = abi.groups[g];
    if (group.firstLayer != covered || group.numLayers == 0)
      broken(kFuzzer, "cache groups do not cover the layers in order",
             std::to_string(g));
    covered += group.numLayers;
    for (size_t arg : {group.slotsArg, group.tableArg, group.lensArg})
      if (decode.inputs[arg].dtype != DType::i32)
        broken(kFuzzer, "a cache group's slots, table or lens is not i32",
               decode.inputs[arg].str());
    if (g > 0 && group.lensArg + 1 != abi.keyArg(group.firstLayer))
      broken(kFuzzer, "a cache group's arguments do not precede its pools",
             std::to_string(g));
  }
  if (covered != abi.numKVLayers())
    broken(kFuzzer, "cache groups do not cover the layers",
           std::to_string(covered));

  if (abi.states.size() + 1 != decode.results.size())
    broken(kFuzzer, "not one state per result after the logits",
           std::to_string(abi.states.size()));
  for (size_t state = 0; state < abi.states.size(); ++state) {
    const rt::StateSpec &spec = abi.states[state];
    const TensorSignature &in = decode.inputs[abi.stateArg(state)];
    const TensorSignature &out = decode.results[1 + state];
    std::vector<int64_t> tail(in.shape.begin() + (in.shape.empty() ? 0 : 1),
                              in.shape.end());
    if (in.shape.empty() || spec.shape != tail || spec.dtype != in.dtype ||
        out.dtype != in.dtype || out.shape.size() != in.shape.size() ||
        !std::equal(tail.begin(), tail.end(), out.shape.begin() + 1))
      broken(kFuzzer, "a state is not its argument's and result's",
             in.str() + " -> " + out.str());
    for (int64_t dim : spec.shape)
      if (dim < 0)
        broken(kFuzzer, "a state has a dynamic dim", in.str());
  }
  for (size_t w = 0; w < numWeights; ++w)
    if (!sameSignature(abi.weights[w],
                       decode.inputs[decode.inputs.size() - numWeights + w]))
      broken(kFuzzer, "weights are not the last arguments",
             abi.weights[w].str());

  if (!prefill)
    return;
  if (prefill->inputs.size() != decode.inputs.size() ||
      prefill->results.size() != decode.results.size())
    broken(kFuzzer, "@prefill and @decode differ in arity", prefill->name);
  for (size_t i = rt::kNumModelArgs; i < decode.inputs.size(); ++i) {
    TensorSignature a = prefill->inputs[i], b = decode.inputs[i];
    bool isState = i >= abi.stateArg(0) && i < abi.weightArg(0);
    if (isState && !a.shape.empty() && !b.shape.empty())
      a.shape[0] = b.shape[0] = 0;
    // A further group's slots are [1, T] in @prefill and [B, 1] in @decode.
    for (size_t g = 1; g < abi.numGroups(); ++g)
      if (i == abi.groups[g].slotsArg && a.shape.size() == b.shape.size())
        a.shape = b.shape;
    if (!sameSignature(a, b))
      broken(kFuzzer, "@prefill and @decode disagree on an argument",
             a.str() + " vs " + b.str());
  }
  int64_t prefillVocab = prefill->results.front().shape[1];
  if (prefillVocab != kDynamicDim && abi.vocab != prefillVocab)
    broken(kFuzzer, "the vocabulary is not @prefill's",
           std::to_string(abi.vocab));
}

/// checkSessionInputs' documented rules, as a yes or no.
bool referenceAccepts(const FunctionSignature &fn,
                      const std::vector<HostTensor> &inputs) {
  static const size_t ranks[rt::kNumModelArgs] = {2, 2, 1, 2, 2, 1};
  if ((fn.name != "prefill" && fn.name != "decode") ||
      fn.inputs.size() < rt::kNumModelArgs || inputs.size() != fn.inputs.size())
    return true;
  for (size_t i = 0; i < rt::kNumModelArgs; ++i)
    if (fn.inputs[i].dtype != DType::i32 ||
        fn.inputs[i].shape.size() != ranks[i] ||
        !fn.inputs[i].matches(inputs[i]))
      return true;
  const HostTensor &tokens = inputs[rt::kArgTokens];
  const HostTensor &starts = inputs[rt::kArgSeqStarts];
  const HostTensor &table = inputs[rt::kArgBlockTable];
  const HostTensor &lens = inputs[rt::kArgLens];
  if (inputs[rt::kArgPositions].shape() != tokens.shape() ||
      inputs[rt::kArgSlots].shape() != tokens.shape())
    return false;
  int64_t numTokens = tokens.numel(), numSeqs = lens.numel();
  if (starts.numel() != numSeqs + 1 || table.shape()[0] != numSeqs)
    return false;
  int64_t vocab = !fn.results.empty() && fn.results[0].shape.size() == 2
                      ? fn.results[0].shape[1]
                      : kDynamicDim;
  for (int64_t t = 0; t < numTokens; ++t) {
    int32_t token = tokens.data<int32_t>()[t];
    if (token < 0 || (vocab != kDynamicDim && token >= vocab) ||
        inputs[rt::kArgPositions].data<int32_t>()[t] < 0)
      return false;
  }
  const int32_t *start = starts.data<int32_t>();
  if (start[0] != 0 || start[numSeqs] != numTokens)
    return false;
  for (int64_t b = 0; b < numSeqs; ++b)
    if (start[b + 1] < start[b])
      return false;
  if (inputs.size() <= rt::kNumModelArgs ||
      inputs[rt::kNumModelArgs].rank() != 4)
    return true;
  using Wide = __int128;
  const HostTensor &pool = inputs[rt::kNumModelArgs];
  Wide numBlocks = pool.shape()[0], blockSize = pool.shape()[1];
  for (int64_t t = 0; t < numTokens; ++t) {
    int32_t slot = inputs[rt::kArgSlots].data<int32_t>()[t];
    if (slot < -1 || slot >= numBlocks * blockSize)
      return false;
  }
  int64_t width = table.shape()[1];
  for (int64_t b = 0; b < numSeqs; ++b) {
    Wide len = lens.data<int32_t>()[b];
    if (len < 0 || len > width * blockSize)
      return false;
    Wide used = blockSize == 0 ? 0 : (len + blockSize - 1) / blockSize;
    for (int64_t j = 0; j < used; ++j) {
      int32_t block = table.data<int32_t>()[b * width + j];
      if (block < 0 || block >= numBlocks)
        return false;
    }
  }
  return true;
}

/// Builds inputs for `fn` from the rest of the input and checks them;
/// skips inputs that would be too large to build.
void checkInputs(const FunctionSignature &fn, Reader &in) {
  std::vector<std::pair<DType, std::vector<int64_t>>> types;
  for (size_t i = 0; i < fn.inputs.size(); ++i) {
    const TensorSignature &signature = fn.inputs[i];
    std::vector<int64_t> shape;
    if (i < rt::kNumModelArgs) {
      for (int64_t dim : signature.shape)
        shape.push_back(dim == kDynamicDim ? in.next() % 8 : dim);
    } else if (i == rt::kNumModelArgs) {
      unsigned rank = in.next() % 6;
      for (unsigned d = 0; d < rank; ++d)
        shape.push_back(tensorDim(in.next()));
    }
    types.emplace_back(signature.dtype, std::move(shape));
  }
  uint64_t bytes = 0;
  for (const auto &[dtype, shape] : types) {
    StatusOr<int64_t> numel = rt::checkedNumElements(shape, dtype);
    if (!numel.ok())
      return;
    bytes += uint64_t(*numel) * rt::dtypeSize(dtype);
    if (bytes > kMaxInputBytes)
      return;
  }
  std::vector<HostTensor> inputs;
  for (auto &[dtype, shape] : types) {
    StatusOr<HostTensor> tensor = HostTensor::create(dtype, std::move(shape));
    if (!tensor.ok())
      broken(kFuzzer, "cannot create an input", tensor.status().message());
    inputs.push_back(std::move(*tensor));
  }
  for (size_t i = 0; i < inputs.size() && i < rt::kNumModelArgs; ++i)
    if (inputs[i].dtype() == DType::i32)
      for (int64_t e = 0; e < inputs[i].numel(); ++e)
        inputs[i].data<int32_t>()[e] = int8Value(in.next());

  rt::Status status = rt::checkSessionInputs(fn, inputs);
  if (status.failed())
    checkError(kFuzzer, status);
  if (status.ok() != referenceAccepts(fn, inputs))
    broken(kFuzzer,
           status.ok() ? "checkSessionInputs accepted inputs it must refuse"
                       : "checkSessionInputs refused valid inputs",
           status.message());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Reader in(data, size);
  size_t numWeights = in.next() % 16;
  rt::ModelABIOptions options;
  options.numBlocks = int8Value(in.next());
  options.blockSize = int8Value(in.next());
  uint8_t flags = in.next();

  rt::ModuleMetadata metadata;
  metadata.functions.push_back(
      readFunction(in, flags & 4 ? "decoder" : "decode"));
  if (flags & 1)
    metadata.functions.push_back(readFunction(in, "prefill"));
  const FunctionSignature &decode = metadata.functions.front();
  const FunctionSignature *prefill = metadata.lookupFunction("prefill");

  StatusOr<ModelABI> abi = ModelABI::derive(metadata, numWeights, options);
  if (abi.ok()) {
    if (flags & 4)
      broken(kFuzzer, "derived an ABI without @decode", "");
    checkABI(*abi, decode, prefill, numWeights, options);
    // The derived sizes as options give the same ABI.
    rt::ModelABIOptions fixed = options;
    fixed.numBlocks = abi->numBlocks();
    fixed.blockSize = abi->blockSize();
    StatusOr<ModelABI> again = ModelABI::derive(metadata, numWeights, fixed);
    if (!again.ok() || !sameABI(*abi, *again))
      broken(kFuzzer, "the derived pool sizes as options change the ABI",
             again.ok() ? "" : again.status().message());
  } else {
    checkError(kFuzzer, abi.status());
  }

  checkInputs(flags & 2 && prefill ? *prefill : decode, in);
  return 0;
}
