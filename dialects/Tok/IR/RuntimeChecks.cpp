//===- RuntimeChecks.cpp - Dim rules of the tok ops, at run time ----------===//
//
// Part of the Tokamak project.
//
// The verifiers check the dim rules of the tok ops on static dims and let a
// dynamic dim pass. collectRuntimeShapeChecks lists the same rules, with the
// verifiers' messages, for the compiled code to check on the actual sizes
// (tokamak-insert-runtime-checks, docs/Artifacts.md): without them a key
// shorter than its value or a zero head count reads out of bounds or divides
// by zero. Keep each op's list in the order of its verifier.
//
//===----------------------------------------------------------------------===//

#include "dialects/Tok/IR/TokOps.h"
#include "dialects/Tok/IR/Verification.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::tok;

using Kind = RuntimeShapeCheck::Kind;

int64_t DimRef::getStaticSize() const {
  if (!value)
    return dim;
  return cast<ShapedType>(value.getType()).getDimSize(dim);
}

namespace {

/// Builds the checks of one op with the wording of Verification.cpp.
class CheckCollector {
public:
  CheckCollector(Operation *op, SmallVectorImpl<RuntimeShapeCheck> &checks)
      : checks(checks) {
    prefix = ("'" + op->getName().getStringRef() + "' op ").str();
  }

  /// verifyDimsMatch.
  void dimsMatch(StringRef lhsName, DimRef lhs, StringRef rhsName, DimRef rhs,
                 StringRef what) {
    add(Kind::Equal, lhs, rhs,
        "expected " + escape(lhsName) + " and " + escape(rhsName) + " " +
            escape(what) + " to match, got %lld and %lld",
        {lhs, rhs});
  }

  /// verifyShape: `name`'s dims against `expected`.
  void shape(StringRef name, Value value, ArrayRef<DimRef> expected) {
    SmallVector<DimRef> actual = dimsOf(value);
    if (actual.size() != expected.size())
      return;
    SmallVector<DimRef> values(expected);
    values.append(actual);
    std::string format = "expected " + escape(name) + " shape " +
                         shapeFormat(expected.size()) + ", got " +
                         shapeFormat(actual.size());
    for (auto [e, a] : llvm::zip_equal(expected, actual))
      add(Kind::Equal, a, e, format, values);
  }

  /// verifyCompatibleShapes.
  void compatibleShapes(StringRef lhsName, Value lhs, StringRef rhsName,
                        Value rhs) {
    equalDims(lhs, rhs, [&](size_t rank) {
      return "expected " + escape(lhsName) + " and " + escape(rhsName) +
             " shapes to match, got " + shapeFormat(rank) + " and " +
             shapeFormat(rank);
    });
  }

  /// verifySameType: equal dims, dynamic ones included.
  void sameType(StringRef lhsName, Value lhs, StringRef rhsName, Value rhs) {
    equalDims(lhs, rhs, [&](size_t) {
      return "expected " + escape(lhsName) + " and " + escape(rhsName) +
             " types to match, got " + typeFormat(lhs) + " and " +
             typeFormat(rhs);
    });
  }

  /// Every dim of `lhs` equal to the same dim of `rhs` (of equal rank), with
  /// the message `format(rank)` over the dims of both.
  void equalDims(Value lhs, Value rhs,
                 function_ref<std::string(size_t rank)> format) {
    SmallVector<DimRef> l = dimsOf(lhs), r = dimsOf(rhs);
    if (l.size() != r.size())
      return;
    SmallVector<DimRef> values(l);
    values.append(r);
    std::string text = format(l.size());
    for (auto [a, b] : llvm::zip_equal(l, r))
      add(Kind::Equal, a, b, text, values);
  }

  /// verifyHeadGrouping of AttentionOps.cpp.
  void headGrouping(DimRef hq, StringRef kvName, DimRef hkv) {
    add(Kind::Multiple, hq, hkv,
        "expected query head count to be a multiple of " + escape(kvName) +
            " head count, got %lld and %lld",
        {hq, hkv});
  }

  /// A size that must be at least `min`: `<message>%lld`.
  void atLeast(DimRef size, int64_t min, StringRef message) {
    add(Kind::AtLeast, size, DimRef::constant(min),
        escape(message).append("%lld"), {size});
  }

  /// A dim that must be positive, `expected <name> to be positive, got
  /// <size>` (verifyPositiveDim).
  void positive(StringRef name, DimRef size) {
    atLeast(size, 1, ("expected " + name + " to be positive, got ").str());
  }

  /// The per-sequence state `state` of a scan or mixer: shape `dims`, whose
  /// dim 0 (the batch) is, with `seqStarts`, the number of packed sequences
  /// (the seq_starts length minus one) instead; also the packing rules of
  /// verifySeqStarts.
  void stateShape(StringRef name, Value state, ArrayRef<DimRef> dims,
                  Value seqStarts) {
    if (!seqStarts)
      return shape(name, state, dims);
    SmallVector<DimRef> rest(dims);
    rest[0] = DimRef::of(state, 0);
    shape(name, state, rest);
    add(Kind::SequenceCount, DimRef::of(state, 0), DimRef::of(seqStarts, 0),
        "expected " + escape(name) +
            " dim 0 to be the number of sequences (the seq_starts length "
            "%lld minus 1), got %lld",
        {DimRef::of(seqStarts, 0), DimRef::of(state, 0)});
  }

  /// The packing rules of verifySeqStarts on sizes: batch 1 and at least
  /// two offsets.
  void seqStarts(DimRef batch, Value seqStarts) {
    if (!seqStarts)
      return;
    add(Kind::Equal, batch, DimRef::constant(1),
        "expected batch size 1 with seq_starts, got %lld", {batch});
    atLeast(DimRef::of(seqStarts, 0), 2,
            "expected seq_starts length at least 2, "
            "got ");
  }

  /// An arbitrary rule with its own message.
  void rule(Kind kind, DimRef lhs, DimRef rhs, StringRef format,
            ArrayRef<DimRef> values) {
    add(kind, lhs, rhs, format.str(), values);
  }

  static SmallVector<DimRef> dimsOf(Value value) {
    SmallVector<DimRef> dims;
    for (int64_t i = 0, e = cast<ShapedType>(value.getType()).getRank(); i < e;
         ++i)
      dims.push_back(DimRef::of(value, i));
    return dims;
  }

  /// `s` with `%` doubled, for a printf format.
  static std::string escape(StringRef s) {
    std::string out;
    for (char c : s) {
      out += c;
      if (c == '%')
        out += '%';
    }
    return out;
  }

private:
  void add(Kind kind, DimRef lhs, DimRef rhs, std::string format,
           ArrayRef<DimRef> values) {
    // Fully static rules are the verifier's business.
    bool dynamic =
        ShapedType::isDynamic(lhs.getStaticSize()) ||
        (kind != Kind::Even && ShapedType::isDynamic(rhs.getStaticSize()));
    if (!dynamic)
      return;
    checks.push_back({kind, lhs, rhs, prefix + format,
                      SmallVector<DimRef>(values.begin(), values.end())});
  }

  static std::string shapeFormat(size_t rank) {
    std::string text = "[";
    for (size_t i = 0; i < rank; ++i)
      text += i ? ", %lld" : "%lld";
    return text + "]";
  }

  static std::string typeFormat(Value value) {
    auto type = cast<ShapedType>(value.getType());
    std::string text = "'tensor<";
    for (int64_t i = 0; i < type.getRank(); ++i)
      text += "%lldx";
    std::string element;
    llvm::raw_string_ostream os(element);
    os << type.getElementType();
    return text + escape(element) + ">'";
  }

  SmallVectorImpl<RuntimeShapeCheck> &checks;
  std::string prefix;
};

DimRef dimOf(Value value, int64_t dim) { return DimRef::of(value, dim); }

/// The first of `refs` with a static size, else the first: the best known
/// source of a dim several operands share (mergeDims at run time; the
/// checks make them agree).
DimRef merge(ArrayRef<DimRef> refs) {
  for (const DimRef &ref : refs)
    if (ShapedType::isStatic(ref.getStaticSize()))
      return ref;
  return refs.front();
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

/// verifyBlockSparsity of AttentionOps.cpp on the batch and kv head dims of
/// block_indices (`[B, Hkv, Nqb, MaxSel]` for tok.attention, `[B, Hkv,
/// MaxSel]` for tok.paged_attention) and on block_counts against
/// block_indices. For tok.attention the number of
/// query blocks (ceil(Sq / block_q)) is checked only when static: the kernels
/// give the rows of a query block past the lists no keys.
void collectBlockLists(Value indices, Value counts, DimRef batch, DimRef hkv,
                       CheckCollector &c) {
  if (!indices)
    return;
  int64_t rank = cast<ShapedType>(indices.getType()).getRank();
  SmallVector<DimRef> values = {batch, hkv};
  for (int64_t d = 2; d < rank; ++d)
    values.push_back(dimOf(indices, d));
  SmallVector<DimRef> actual = CheckCollector::dimsOf(indices);
  values.append(actual);
  std::string dims;
  for (int64_t d = 0; d < rank; ++d)
    dims += d ? ", %lld" : "%lld";
  std::string format =
      "expected block_indices shape [" + dims + "], got [" + dims + "]";
  c.rule(Kind::Equal, dimOf(indices, 0), batch, format, values);
  c.rule(Kind::Equal, dimOf(indices, 1), hkv, format, values);
  if (counts) {
    SmallVector<DimRef> expected = actual;
    expected.pop_back();
    c.shape("block_counts", counts, expected);
  }
}

void collect(AttentionOp op, CheckCollector &c) {
  Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
  c.dimsMatch("query", dimOf(q, 0), "key", dimOf(k, 0), "batch sizes");
  c.dimsMatch("key", dimOf(k, 0), "value", dimOf(v, 0), "batch sizes");
  c.dimsMatch("key", dimOf(k, 1), "value", dimOf(v, 1), "head counts");
  DimRef hkv = merge({dimOf(k, 1), dimOf(v, 1)});
  c.headGrouping(dimOf(q, 1), "key", hkv);
  c.dimsMatch("query", dimOf(q, 3), "key", dimOf(k, 3), "head dims");
  c.dimsMatch("key", dimOf(k, 2), "value", dimOf(v, 2), "sequence lengths");
  c.positive("query head count", dimOf(q, 1));

  DimRef batch = merge({dimOf(q, 0), dimOf(k, 0), dimOf(v, 0)});
  DimRef keyLength = merge({dimOf(k, 2), dimOf(v, 2)});
  c.shape("output", op.getOutput(),
          {batch, dimOf(q, 1), dimOf(q, 2), dimOf(v, 3)});
  if (Value lse = op.getLse())
    c.shape("lse", lse, {batch, dimOf(q, 1), dimOf(q, 2)});

  if (Value bias = op.getBias()) {
    SmallVector<DimRef> scores = {batch, dimOf(q, 1), dimOf(q, 2), keyLength};
    int64_t rank = cast<ShapedType>(bias.getType()).getRank();
    ArrayRef<DimRef> aligned = ArrayRef(scores).take_back(rank);
    SmallVector<DimRef> values = CheckCollector::dimsOf(bias);
    values.append(scores.begin(), scores.end());
    std::string format = "expected bias shape [";
    for (int64_t i = 0; i < rank; ++i)
      format += i ? ", %lld" : "%lld";
    format += "] to broadcast to [%lld, %lld, %lld, %lld]";
    for (auto [i, scoreDim] : llvm::enumerate(aligned))
      c.rule(Kind::OneOrEqual, dimOf(bias, i), scoreDim, format, values);
  }

  if (Value seqStarts = op.getSeqStarts()) {
    c.rule(Kind::Equal, batch, DimRef::constant(1),
           "expected batch size 1 with seq_starts, got %lld", {batch});
    c.atLeast(dimOf(seqStarts, 0), 2,
              "expected seq_starts length at least 2, "
              "got ");
  }
  collectBlockLists(op.getBlockIndices(), op.getBlockCounts(), batch, hkv, c);
}

void collect(PagedAttentionOp op, CheckCollector &c) {
  Value q = op.getQuery(), kc = op.getKeyCache(), vc = op.getValueCache();
  Value table = op.getBlockTable(), lens = op.getLens();
  c.compatibleShapes("key_cache", kc, "value_cache", vc);
  bool perHead = cast<ShapedType>(lens.getType()).getRank() == 2;
  bool headTables = cast<ShapedType>(table.getType()).getRank() == 3;
  if (headTables)
    c.dimsMatch("lens", dimOf(lens, 1), "block_table", dimOf(table, 1),
                "kv head counts");
  // Per-head lens: the cache's (static) head dim is Hkv or 1.
  if (perHead && cast<ShapedType>(kc.getType()).getDimSize(2) != 1)
    c.rule(Kind::Equal, dimOf(kc, 2), dimOf(lens, 1),
           "expected key_cache to hold every kv head or one per block (dim 2 "
           "of %lld or 1), got %lld",
           {dimOf(lens, 1), dimOf(kc, 2)});
  if (perHead)
    c.headGrouping(dimOf(q, 1), "lens", dimOf(lens, 1));
  else
    c.headGrouping(dimOf(q, 1), "key_cache",
                   merge({dimOf(kc, 2), dimOf(vc, 2)}));
  c.dimsMatch("query", dimOf(q, 3), "key_cache", dimOf(kc, 3), "head dims");
  c.dimsMatch("query", dimOf(q, 0), "block_table", dimOf(table, 0),
              "batch sizes");
  c.dimsMatch("query", dimOf(q, 0), "lens", dimOf(lens, 0), "batch sizes");
  c.positive("query head count", dimOf(q, 1));
  c.positive("key_cache block size", merge({dimOf(kc, 1), dimOf(vc, 1)}));
  DimRef batch = merge({dimOf(q, 0), dimOf(table, 0), dimOf(lens, 0)});
  c.shape(
      "output", op.getOutput(),
      {batch, dimOf(q, 1), dimOf(q, 2), merge({dimOf(vc, 3), dimOf(kc, 3)})});

  // Block lists [B, Hkv, MaxSel] (any list length) and counts [B, Hkv].
  if (!op.getBlockIndices())
    return;
  DimRef hkv = perHead ? dimOf(lens, 1) : merge({dimOf(kc, 2), dimOf(vc, 2)});
  collectBlockLists(op.getBlockIndices(), op.getBlockCounts(), batch, hkv, c);
}

void collect(CacheWriteOp op, CheckCollector &c) {
  Value cache = op.getCache(), update = op.getUpdate(), slots = op.getSlots();
  bool perHead = cast<ShapedType>(slots.getType()).getRank() == 3;
  if (perHead)
    c.dimsMatch("update", dimOf(update, 1), "slots", dimOf(slots, 1),
                "head counts");
  // Per-head slots: the cache's (static) head dim is Hkv or 1.
  if (!perHead || cast<ShapedType>(cache.getType()).getDimSize(2) != 1)
    c.dimsMatch("cache", dimOf(cache, 2), "update", dimOf(update, 1),
                "head counts");
  c.dimsMatch("cache", dimOf(cache, 3), "update", dimOf(update, 3),
              "head dims");
  c.dimsMatch("update", dimOf(update, 0), "slots", dimOf(slots, 0),
              "batch sizes");
  c.dimsMatch("update", dimOf(update, 2), "slots",
              dimOf(slots, perHead ? 2 : 1), "sequence lengths");
  c.positive("cache block size", dimOf(cache, 1));
  c.sameType("cache", cache, "result", op.getResult());
}

void collect(LseMergeOp op, CheckCollector &c) {
  c.sameType("output1", op.getOutput1(), "output2", op.getOutput2());
  c.sameType("lse1", op.getLse1(), "lse2", op.getLse2());
  SmallVector<DimRef> rows = CheckCollector::dimsOf(op.getOutput1());
  rows.pop_back();
  c.shape("lse1", op.getLse1(), rows);
  c.sameType("output1", op.getOutput1(), "output", op.getOutput());
  c.sameType("lse1", op.getLse1(), "lse", op.getLse());
}

//===----------------------------------------------------------------------===//
// Scans
//===----------------------------------------------------------------------===//

void collect(SelectiveScanOp op, CheckCollector &c) {
  Value x = op.getX(), dt = op.getDt(), a = op.getA(), b = op.getB(),
        cc = op.getC();
  c.compatibleShapes("x", x, "dt", dt);
  c.dimsMatch("x", dimOf(x, 2), "A", dimOf(a, 0), "channel counts");
  c.compatibleShapes("B", b, "C", cc);
  c.dimsMatch("x", dimOf(x, 0), "B", dimOf(b, 0), "batch sizes");
  c.dimsMatch("x", dimOf(x, 1), "B", dimOf(b, 1), "sequence lengths");
  c.dimsMatch("A", dimOf(a, 1), "B", dimOf(b, 3), "state sizes");

  DimRef batch = merge({dimOf(x, 0), dimOf(dt, 0), dimOf(b, 0), dimOf(cc, 0)});
  DimRef length = merge({dimOf(x, 1), dimOf(dt, 1), dimOf(b, 1), dimOf(cc, 1)});
  DimRef channels = merge({dimOf(x, 2), dimOf(dt, 2), dimOf(a, 0)});
  DimRef state = merge({dimOf(a, 1), dimOf(b, 3), dimOf(cc, 3)});
  DimRef groups = merge({dimOf(b, 2), dimOf(cc, 2)});
  c.rule(Kind::Multiple, channels, groups,
         "expected x channel count to be a multiple of B group count, got "
         "%lld and %lld",
         {channels, groups});
  if (Value d = op.getD())
    c.dimsMatch("x", channels, "D", dimOf(d, 0), "channel counts");
  if (Value z = op.getZ())
    c.compatibleShapes("x", x, "z", z);
  if (Value dtBias = op.getDtBias())
    c.dimsMatch("x", channels, "dt_bias", dimOf(dtBias, 0), "channel counts");
  Value seqStarts = op.getSeqStarts();
  c.seqStarts(batch, seqStarts);
  if (Value init = op.getInit())
    c.stateShape("init", init, {batch, channels, state}, seqStarts);
  c.shape("y", op.getY(), {batch, length, channels});
  if (Value final = op.getFinalState())
    c.stateShape("final_state", final, {batch, channels, state}, seqStarts);
}

void collect(LinearScanOp op, CheckCollector &c) {
  Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
  c.compatibleShapes("query", q, "key", k);
  c.dimsMatch("query", dimOf(q, 0), "value", dimOf(v, 0), "batch sizes");
  c.dimsMatch("query", dimOf(q, 1), "value", dimOf(v, 1), "head counts");
  c.dimsMatch("query", dimOf(q, 2), "value", dimOf(v, 2), "sequence lengths");
  DimRef batch = merge({dimOf(q, 0), dimOf(k, 0), dimOf(v, 0)});
  DimRef heads = merge({dimOf(q, 1), dimOf(k, 1), dimOf(v, 1)});
  DimRef length = merge({dimOf(q, 2), dimOf(k, 2), dimOf(v, 2)});
  DimRef keyDim = merge({dimOf(q, 3), dimOf(k, 3)});
  if (Value decay = op.getDecay()) {
    if (cast<ShapedType>(decay.getType()).getRank() == 3)
      c.shape("decay", decay, {batch, heads, length});
    else
      c.shape("decay", decay, {batch, heads, length, keyDim});
  }
  if (Value beta = op.getBeta())
    c.shape("beta", beta, {batch, heads, length});
  Value seqStarts = op.getSeqStarts();
  c.seqStarts(batch, seqStarts);
  if (Value init = op.getInit())
    c.stateShape("init", init, {batch, heads, keyDim, dimOf(v, 3)}, seqStarts);
  c.shape("output", op.getOutput(), {batch, heads, length, dimOf(v, 3)});
  if (Value final = op.getFinalState())
    c.stateShape("final_state", final, {batch, heads, keyDim, dimOf(v, 3)},
                 seqStarts);
}

void collect(AssocScanOp op, CheckCollector &c) {
  Value first = op.getInputs().front();
  for (auto [index, input, result] :
       llvm::enumerate(op.getInputs(), op.getResults())) {
    std::string name = "input " + std::to_string(index);
    c.compatibleShapes("input 0", first, name, input);
    c.sameType(name, input, "result " + std::to_string(index), result);
  }
}

//===----------------------------------------------------------------------===//
// Token mixers
//===----------------------------------------------------------------------===//

void collect(Conv1dOp op, CheckCollector &c) {
  Value x = op.getInput(), w = op.getWeight();
  c.dimsMatch("input", dimOf(x, 2), "weight", dimOf(w, 0), "channel counts");
  c.atLeast(dimOf(w, 1), 1, "expected weight kernel size at least 1, got ");
  DimRef channels = merge({dimOf(x, 2), dimOf(w, 0)});
  if (Value bias = op.getBias())
    c.dimsMatch("input", channels, "bias", dimOf(bias, 0), "channel counts");
  // The state's window is K - 1: a static window needs a static kernel size
  // (the verifier's rule); checked here only through the other dims.
  c.shape("output", op.getOutput(), {dimOf(x, 0), dimOf(x, 1), channels});
  Value seqStarts = op.getSeqStarts();
  c.seqStarts(dimOf(x, 0), seqStarts);
  if (Value init = op.getInit()) {
    if (seqStarts)
      c.stateShape("init", init, {dimOf(x, 0), channels, dimOf(init, 2)},
                   seqStarts);
    else
      c.dimsMatch("input", dimOf(x, 0), "init", dimOf(init, 0), "batch sizes");
    c.dimsMatch("input", channels, "init", dimOf(init, 1), "channel counts");
  }
}

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

void collect(LinearOp op, CheckCollector &c) {
  Value x = op.getInput(), w = op.getWeight();
  int64_t rank = cast<ShapedType>(x.getType()).getRank();
  c.dimsMatch("input", dimOf(x, rank - 1), "weight", dimOf(w, 1),
              "in-feature counts");
  if (Value bias = op.getBias())
    c.dimsMatch("weight", dimOf(w, 0), "bias", dimOf(bias, 0),
                "out-feature counts");
  c.positive("weight out-feature count", dimOf(w, 0));
  c.positive("weight in-feature count", dimOf(w, 1));
  SmallVector<DimRef> expected = CheckCollector::dimsOf(x);
  expected.back() = dimOf(w, 0);
  c.shape("output", op.getOutput(), expected);
}

void collectNorm(Value x, Value weight, Value bias, Value output,
                 CheckCollector &c) {
  int64_t rank = cast<ShapedType>(x.getType()).getRank();
  DimRef size = dimOf(x, rank - 1);
  c.dimsMatch("input", size, "weight", dimOf(weight, 0), "normalized sizes");
  if (bias)
    c.dimsMatch("input", size, "bias", dimOf(bias, 0), "normalized sizes");
  c.sameType("input", x, "output", output);
}

void collect(RopeOp op, CheckCollector &c) {
  Value x = op.getInput(), pos = op.getPositions();
  c.dimsMatch("input", dimOf(x, 0), "positions", dimOf(pos, 0), "batch sizes");
  c.dimsMatch("input", dimOf(x, 2), "positions", dimOf(pos, 1),
              "sequence lengths");
  c.sameType("input", x, "output", op.getOutput());
  if (IntegerAttr rotaryDim = op.getRotaryDimAttr()) {
    c.rule(Kind::AtLeast, dimOf(x, 3), DimRef::constant(rotaryDim.getInt()),
           "expected rotary_dim to be at most the input head dim %lld, got " +
               std::to_string(rotaryDim.getInt()),
           {dimOf(x, 3)});
  } else {
    c.rule(Kind::Even, dimOf(x, 3), DimRef::constant(0),
           "expected input head dim to be even without rotary_dim, got %lld",
           {dimOf(x, 3)});
  }
}

void collect(GluOp op, CheckCollector &c) {
  Value x = op.getInput();
  int64_t rank = cast<ShapedType>(x.getType()).getRank();
  c.rule(Kind::Even, dimOf(x, rank - 1), DimRef::constant(0),
         "expected input last dim to be even, got %lld", {dimOf(x, rank - 1)});
  // The output's last dim is half the input's: only the others can be
  // compared as dims.
  SmallVector<DimRef> in = CheckCollector::dimsOf(x);
  SmallVector<DimRef> out = CheckCollector::dimsOf(op.getOutput());
  for (int64_t i = 0; i + 1 < rank; ++i)
    c.dimsMatch("input", in[i], "output", out[i], "dims " + std::to_string(i));
}

void collect(EmbeddingOp op, CheckCollector &c) {
  SmallVector<DimRef> expected = CheckCollector::dimsOf(op.getIds());
  expected.push_back(dimOf(op.getTable(), 1));
  c.shape("output", op.getOutput(), expected);
}

//===----------------------------------------------------------------------===//
// Selection
//===----------------------------------------------------------------------===//

void collect(TopKOp op, CheckCollector &c) {
  Value x = op.getInput();
  int64_t dim = op.getSelectedDim(), groupDim = op.getGroupedDim();
  bool grouped = op.getGroup().has_value();
  if (grouped) {
    int64_t group = op.getGroupSize();
    c.rule(Kind::Multiple, dimOf(x, groupDim), DimRef::constant(group),
           "expected input dim " + std::to_string(groupDim) +
               " to be a multiple of group " + std::to_string(group) +
               ", got %lld",
           {dimOf(x, groupDim)});
  }
  // The grouped dim of a result is the input's divided by G, which no
  // DimRef expresses: that dim is compared with itself.
  auto expectedOf = [&](Value result, bool withDim) {
    SmallVector<DimRef> dims = CheckCollector::dimsOf(x);
    dims[dim] = DimRef::constant(op.getK());
    if (grouped)
      dims[groupDim] =
          dimOf(result, withDim || groupDim < dim ? groupDim : groupDim - 1);
    if (!withDim)
      dims.erase(dims.begin() + dim);
    return dims;
  };
  c.shape("values", op.getValues(), expectedOf(op.getValues(), true));
  c.shape("indices", op.getIndices(), expectedOf(op.getIndices(), true));
  if (Value budget = op.getBudget())
    c.shape("budget", budget, expectedOf(budget, false));
  if (Value count = op.getCount())
    c.shape("count", count, expectedOf(count, false));
}

} // namespace

void mlir::tok::collectRuntimeShapeChecks(
    Operation *op, SmallVectorImpl<RuntimeShapeCheck> &checks) {
  CheckCollector c(op, checks);
  llvm::TypeSwitch<Operation *>(op)
      .Case<AttentionOp, PagedAttentionOp, CacheWriteOp, LseMergeOp,
            SelectiveScanOp, LinearScanOp, AssocScanOp, Conv1dOp, LinearOp,
            RopeOp, GluOp, EmbeddingOp, TopKOp>(
          [&](auto typed) { collect(typed, c); })
      .Case([&](RmsNormOp norm) {
        collectNorm(norm.getInput(), norm.getWeight(), Value(),
                    norm.getOutput(), c);
      })
      .Case([&](LayerNormOp norm) {
        collectNorm(norm.getInput(), norm.getWeight(), norm.getBias(),
                    norm.getOutput(), c);
      })
      .Case([&](Pool2dOp pool) {
        c.sameType("input", pool.getInput(), "output", pool.getOutput());
      })
      .Case([&](ActivationOp act) {
        c.sameType("input", act.getInput(), "output", act.getOutput());
      });
}

//===----------------------------------------------------------------------===//
// Result dims
//===----------------------------------------------------------------------===//

std::optional<DimRef> mlir::tok::getResultDimSource(OpResult result,
                                                    int64_t dim) {
  Operation *op = result.getOwner();
  unsigned number = result.getResultNumber();
  auto same = [&](Value v) -> std::optional<DimRef> {
    return DimRef::of(v, dim);
  };
  auto pick = [&](ArrayRef<DimRef> dims) -> std::optional<DimRef> {
    if (dim < 0 || dim >= static_cast<int64_t>(dims.size()))
      return std::nullopt;
    return dims[dim];
  };
  return llvm::TypeSwitch<Operation *, std::optional<DimRef>>(op)
      .Case([&](AttentionOp a) {
        Value q = a.getQuery();
        return pick(
            {dimOf(q, 0), dimOf(q, 1), dimOf(q, 2), dimOf(a.getValue(), 3)});
      })
      .Case([&](PagedAttentionOp a) {
        Value q = a.getQuery();
        return pick({dimOf(q, 0), dimOf(q, 1), dimOf(q, 2),
                     dimOf(a.getValueCache(), 3)});
      })
      .Case([&](CacheWriteOp w) { return same(w.getCache()); })
      .Case([&](LseMergeOp m) {
        return same(number == 0 ? m.getOutput1() : m.getLse1());
      })
      .Case([&](SelectiveScanOp s) -> std::optional<DimRef> {
        if (number == 0)
          return same(s.getX());
        // With seq_starts, dim 0 of the state counts the sequences.
        if (dim == 0 && s.getSeqStarts())
          return std::nullopt;
        return pick(
            {dimOf(s.getX(), 0), dimOf(s.getX(), 2), dimOf(s.getA(), 1)});
      })
      .Case([&](LinearScanOp s) -> std::optional<DimRef> {
        Value q = s.getQuery(), v = s.getValue();
        if (number == 0)
          return pick({dimOf(q, 0), dimOf(q, 1), dimOf(q, 2), dimOf(v, 3)});
        if (dim == 0 && s.getSeqStarts())
          return std::nullopt;
        return pick({dimOf(q, 0), dimOf(q, 1), dimOf(q, 3), dimOf(v, 3)});
      })
      .Case([&](AssocScanOp s) { return same(s.getInputs()[number]); })
      .Case([&](Conv1dOp conv) -> std::optional<DimRef> {
        Value x = conv.getInput();
        if (number == 0)
          return same(x);
        if (dim == 2 || (dim == 0 && conv.getSeqStarts()))
          return std::nullopt;
        return pick({dimOf(x, 0), dimOf(x, 2)});
      })
      .Case([&](LinearOp l) -> std::optional<DimRef> {
        int64_t rank = cast<ShapedType>(l.getInput().getType()).getRank();
        if (dim == rank - 1)
          return dimOf(l.getWeight(), 0);
        return same(l.getInput());
      })
      .Case([&](GluOp g) -> std::optional<DimRef> {
        int64_t rank = cast<ShapedType>(g.getInput().getType()).getRank();
        if (dim == rank - 1)
          return std::nullopt;
        return same(g.getInput());
      })
      .Case<RmsNormOp, LayerNormOp, RopeOp, ActivationOp, Pool2dOp>(
          [&](auto o) { return same(o.getInput()); })
      .Case([&](EmbeddingOp e) -> std::optional<DimRef> {
        int64_t rank = cast<ShapedType>(e.getIds().getType()).getRank();
        if (dim == rank)
          return dimOf(e.getTable(), 1);
        return same(e.getIds());
      })
      .Case([&](TopKOp t) -> std::optional<DimRef> {
        int64_t selected = t.getSelectedDim();
        if (number < 2 && dim == selected)
          return DimRef::constant(t.getK());
        // count has no selected dim: its dim j is the input's j or j + 1.
        int64_t in = number < 2 || dim < selected ? dim : dim + 1;
        if (t.getGroup() && in == t.getGroupedDim())
          return std::nullopt;
        return DimRef::of(t.getInput(), in);
      })
      .Default([](Operation *) { return std::nullopt; });
}
