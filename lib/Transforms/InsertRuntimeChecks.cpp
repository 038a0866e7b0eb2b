//===- InsertRuntimeChecks.cpp - Check sizes and indices at run time ------===//
//
// Part of the Tokamak project. See the pass description in Passes.td and
// docs/Artifacts.md for how the errors reach the caller.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Transforms/Passes.h"
#include "tokamak/Transforms/RuntimeChecks.h"
#include "tokamak/Transforms/RuntimeErrors.h"

#include "dialects/Tok/IR/TokOps.h"
#include "dialects/Tok/IR/Verification.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/TypeSwitch.h"

namespace tokamak {
#define GEN_PASS_DEF_INSERTRUNTIMECHECKS
#include "tokamak/Transforms/Passes.h.inc"
} // namespace tokamak

using namespace mlir;
using tok::DimRef;
using tok::RuntimeShapeCheck;

//===----------------------------------------------------------------------===//
// Tracing dims to the arguments of public functions
//===----------------------------------------------------------------------===//

namespace {

/// A size: argument `arg`'s dim `dim` of public function `fn`, or the
/// constant `dim` when `fn` is null.
struct SizeSource {
  func::FuncOp fn;
  int64_t arg = -1;
  int64_t dim = 0;

  bool isConstant() const { return !fn; }
  bool operator==(const SizeSource &o) const {
    return fn == o.fn && arg == o.arg && dim == o.dim;
  }
};

class DimTracer {
public:
  explicit DimTracer(ModuleOp module) : module(module) {}

  std::optional<SizeSource> trace(DimRef ref) {
    if (!ref.value)
      return SizeSource{func::FuncOp(), -1, ref.dim};
    return trace(ref.value, ref.dim, 0);
  }

private:
  static constexpr int kMaxDepth = 256;

  std::optional<SizeSource> trace(Value value, int64_t dim, int depth) {
    auto type = dyn_cast<ShapedType>(value.getType());
    if (!type || !type.hasRank() || dim < 0 || dim >= type.getRank() ||
        depth > kMaxDepth)
      return std::nullopt;
    if (ShapedType::isStatic(type.getDimSize(dim)))
      return SizeSource{func::FuncOp(), -1, type.getDimSize(dim)};

    if (auto arg = dyn_cast<BlockArgument>(value)) {
      auto fn = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
      if (!fn || arg.getOwner() != &fn.getBody().front())
        return std::nullopt;
      if (fn.isPublic())
        return SizeSource{fn, arg.getArgNumber(), dim};
      func::CallOp call = getOnlyCall(fn);
      if (!call)
        return std::nullopt;
      return trace(call.getOperand(arg.getArgNumber()), dim, depth + 1);
    }

    auto result = cast<OpResult>(value);
    Operation *op = result.getOwner();
    if (isa<tok::TokDialect>(op->getDialect())) {
      std::optional<DimRef> source = tok::getResultDimSource(result, dim);
      if (!source)
        return std::nullopt;
      if (!source->value)
        return SizeSource{func::FuncOp(), -1, source->dim};
      return trace(source->value, source->dim, depth + 1);
    }
    if (auto cast = dyn_cast<tensor::CastOp>(op))
      return trace(cast.getSource(), dim, depth + 1);
    if (auto empty = dyn_cast<tensor::EmptyOp>(op))
      return traceIndex(empty.getDynamicSize(dim), depth + 1);
    if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op)) {
      OpFoldResult size = expand.getMixedOutputShape()[dim];
      if (auto v = dyn_cast<Value>(size))
        return traceIndex(v, depth + 1);
      return std::nullopt;
    }
    if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(op)) {
      // A group of one dynamic dim and static 1s keeps that dim's size.
      ArrayRef<int64_t> srcShape = collapse.getSrcType().getShape();
      std::optional<int64_t> only;
      for (int64_t d : collapse.getReassociationIndices()[dim]) {
        if (srcShape[d] == 1)
          continue;
        if (only)
          return std::nullopt;
        only = d;
      }
      if (!only)
        return std::nullopt;
      return trace(collapse.getSrc(), *only, depth + 1);
    }
    if (auto dps = dyn_cast<DestinationStyleOpInterface>(op)) {
      if (dps.hasPureTensorSemantics())
        return trace(dps.getDpsInitOperand(result.getResultNumber())->get(),
                     dim, depth + 1);
      return std::nullopt;
    }
    if (op->hasTrait<OpTrait::SameOperandsAndResultShape>() &&
        op->getNumOperands() > 0)
      return trace(op->getOperand(0), dim, depth + 1);
    return std::nullopt;
  }

  /// An index value that is a dim (`tensor.dim`) or a constant.
  std::optional<SizeSource> traceIndex(Value index, int depth) {
    if (std::optional<int64_t> c = getConstantIntValue(index))
      return SizeSource{func::FuncOp(), -1, *c};
    auto dimOp = index.getDefiningOp<tensor::DimOp>();
    if (!dimOp)
      return std::nullopt;
    std::optional<int64_t> d = dimOp.getConstantIndex();
    if (!d)
      return std::nullopt;
    return trace(dimOp.getSource(), *d, depth);
  }

  /// The one func.call of private function `fn`, or null.
  func::CallOp getOnlyCall(func::FuncOp fn) {
    auto [it, inserted] = onlyCalls.try_emplace(fn.getOperation());
    if (!inserted)
      return it->second;
    std::optional<SymbolTable::UseRange> uses = fn.getSymbolUses(module);
    func::CallOp call;
    if (uses) {
      int count = 0;
      for (const SymbolTable::SymbolUse &use : *uses) {
        ++count;
        call = dyn_cast<func::CallOp>(use.getUser());
      }
      if (count != 1)
        call = func::CallOp();
    }
    it->second = call;
    return call;
  }

  ModuleOp module;
  DenseMap<Operation *, func::CallOp> onlyCalls;
};

} // namespace

/// `format` with its `index`-th `%lld` replaced by `?`.
static std::string blankValue(StringRef format, unsigned index) {
  std::string out;
  unsigned seen = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] == '%' && i + 1 < format.size() && format[i + 1] == '%') {
      out += "%%";
      ++i;
      continue;
    }
    if (format.substr(i).starts_with("%lld")) {
      if (seen++ == index) {
        out += "?";
        i += 3;
        continue;
      }
    }
    out += format[i];
  }
  return out;
}

/// The check with its sizes traced to one public function's arguments, or
/// nullopt when a size cannot be traced.
static std::optional<tokamak::TracedShapeCheck>
traceCheck(const RuntimeShapeCheck &check, DimTracer &tracer,
           func::FuncOp &fn) {
  tokamak::TracedShapeCheck traced;
  traced.kind = static_cast<int64_t>(check.kind);
  auto sameFunction = [&](const SizeSource &s) {
    if (s.isConstant())
      return true;
    if (!fn)
      fn = s.fn;
    return fn == s.fn;
  };
  auto encode = [](const SizeSource &s) {
    return std::array<int64_t, 2>{s.arg, s.dim};
  };
  std::optional<SizeSource> lhs = tracer.trace(check.lhs);
  std::optional<SizeSource> rhs = tracer.trace(check.rhs);
  if (!lhs || !rhs || !sameFunction(*lhs) || !sameFunction(*rhs))
    return std::nullopt;
  traced.lhs = encode(*lhs);
  traced.rhs = encode(*rhs);
  std::string format = check.format;
  unsigned blanked = 0;
  for (auto [i, ref] : llvm::enumerate(check.values)) {
    std::optional<SizeSource> value = tracer.trace(ref);
    if (!value || !sameFunction(*value) ||
        traced.values.size() == tokamak::kMaxErrorValues) {
      format = blankValue(format, i - blanked++);
      continue;
    }
    traced.values.push_back(encode(*value));
  }
  traced.format = std::move(format);
  return traced;
}

/// Evaluates a check whose sizes are all constants.
static bool holds(int64_t kind, int64_t lhs, int64_t rhs) {
  switch (static_cast<RuntimeShapeCheck::Kind>(kind)) {
  case RuntimeShapeCheck::Kind::Equal:
    return lhs == rhs;
  case RuntimeShapeCheck::Kind::Multiple:
    return rhs > 0 && lhs % rhs == 0;
  case RuntimeShapeCheck::Kind::AtLeast:
    return lhs >= rhs;
  case RuntimeShapeCheck::Kind::OneOrEqual:
    return lhs == 1 || lhs == rhs;
  case RuntimeShapeCheck::Kind::Even:
    return lhs % 2 == 0;
  case RuntimeShapeCheck::Kind::SequenceCount:
    return lhs == rhs - 1;
  }
  return true;
}

/// `format` with the constants of `values` printed in (for a compile-time
/// error found by tracing).
static std::string formatConstants(StringRef format,
                                   ArrayRef<std::array<int64_t, 2>> values) {
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format.substr(i).starts_with("%%")) {
      out += '%';
      ++i;
    } else if (format.substr(i).starts_with("%lld")) {
      out += next < values.size() ? std::to_string(values[next++][1]) : "?";
      i += 3;
    } else {
      out += format[i];
    }
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Index values
//===----------------------------------------------------------------------===//

static Value idx(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

static Value extractIndex(OpBuilder &b, Location loc, Value tensor,
                          ValueRange indices) {
  Value v = tensor::ExtractOp::create(b, loc, tensor, indices);
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}

static Value cmp(OpBuilder &b, Location loc, arith::CmpIPredicate p, Value l,
                 Value r) {
  return arith::CmpIOp::create(b, loc, p, l, r);
}

/// Records `format` with `values` when `bad` holds.
static void reportIf(OpBuilder &b, Location loc, ModuleOp module, Value bad,
                     StringRef format, ValueRange values) {
  auto ifOp = scf::IfOp::create(b, loc, bad, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&ifOp.getThenRegion().front());
  tokamak::emitRecordError(b, loc, module, format, values);
}

/// Records the error `format` (with `values`) when `bad` holds; returns
/// `allGood && !bad`, the running verdict of a check loop.
static Value checkValue(OpBuilder &b, Location loc, ModuleOp module, Value bad,
                        StringRef format, ValueRange values, Value allGood) {
  reportIf(b, loc, module, bad, format, values);
  Value good = arith::XOrIOp::create(
      b, loc, bad, arith::ConstantIntOp::create(b, loc, 1, 1));
  return arith::AndIOp::create(b, loc, allGood, good);
}

/// Moves `op` into `scf.if %ok` whose else branch yields `otherwise`.
static void guardOp(OpBuilder &b, Operation *op, Value ok,
                    function_ref<SmallVector<Value>(OpBuilder &)> otherwise) {
  Location loc = op->getLoc();
  auto ifOp = scf::IfOp::create(b, loc, op->getResultTypes(), ok,
                                /*withElseRegion=*/true);
  op->replaceAllUsesWith(ifOp.getResults());
  Block &thenBlock = ifOp.getThenRegion().front();
  op->moveBefore(&thenBlock, thenBlock.end());
  OpBuilder tb = OpBuilder::atBlockEnd(&thenBlock);
  scf::YieldOp::create(tb, loc, op->getResults());
  OpBuilder eb = OpBuilder::atBlockEnd(&ifOp.getElseRegion().front());
  scf::YieldOp::create(eb, loc, otherwise(eb));
}

/// Runs `body(builder, loc, head, acc)` once per head in [0, heads) in an
/// scf.for carrying the i1 `acc`, or once with a null head when `heads` is
/// null (operands without a head dim); returns the final accumulator.
static Value
forEachHead(OpBuilder &b, Location loc, Value heads, Value acc,
            function_ref<Value(OpBuilder &, Location, Value, Value)> body) {
  if (!heads)
    return body(b, loc, Value(), acc);
  auto loop = scf::ForOp::create(
      b, loc, idx(b, loc, 0), heads, idx(b, loc, 1), ValueRange{acc},
      [&](OpBuilder &hb, Location hl, Value hi, ValueRange headAcc) {
        scf::YieldOp::create(hb, hl, body(hb, hl, hi, headAcc[0]));
      });
  return loop.getResult(0);
}

/// cache_write: slot < 0 is skipped, slot < NumBlocks * BlockSize is written,
/// anything else is an error. Per-head slots [B, Hkv, S] are checked per
/// head.
static void guardCacheWrite(tok::CacheWriteOp op, ModuleOp module) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value cache = op.getCache(), slots = op.getSlots();
  bool perHead = cast<RankedTensorType>(slots.getType()).getRank() == 3;
  Value numBlocks = tensor::DimOp::create(b, loc, cache, 0);
  Value blockSize = tensor::DimOp::create(b, loc, cache, 1);
  Value capacity = arith::MulIOp::create(b, loc, numBlocks, blockSize);
  Value batch = tensor::DimOp::create(b, loc, slots, 0);
  Value heads =
      perHead ? Value(tensor::DimOp::create(b, loc, slots, 1)) : Value();
  Value length = tensor::DimOp::create(b, loc, slots, perHead ? 2 : 1);
  std::string format =
      tokamak::getErrorLocationPrefix(loc) +
      (perHead ? "'tok.cache_write' op expected slots[%lld, %lld, %lld] to be "
                 "negative (skipped) or less than %lld (%lld blocks of %lld "
                 "rows), got %lld"
               : "'tok.cache_write' op expected slots[%lld, %lld] to be "
                 "negative (skipped) or less than %lld (%lld blocks of %lld "
                 "rows), got %lld");
  Value yes = arith::ConstantIntOp::create(b, loc, 1, 1);
  auto outer = scf::ForOp::create(
      b, loc, idx(b, loc, 0), batch, idx(b, loc, 1), ValueRange{yes},
      [&](OpBuilder &ob, Location ol, Value bi, ValueRange outerAcc) {
        Value done = forEachHead(
            ob, ol, heads, outerAcc[0],
            [&](OpBuilder &hb, Location hl, Value hi, Value headAcc) {
              auto inner = scf::ForOp::create(
                  hb, hl, idx(hb, hl, 0), length, idx(hb, hl, 1),
                  ValueRange{headAcc},
                  [&](OpBuilder &ib, Location il, Value si, ValueRange acc) {
                    SmallVector<Value> at = {bi, si};
                    if (hi)
                      at.insert(at.begin() + 1, hi);
                    Value slot = extractIndex(ib, il, slots, at);
                    Value bad =
                        cmp(ib, il, arith::CmpIPredicate::sge, slot, capacity);
                    SmallVector<Value> values = at;
                    values.append({capacity, numBlocks, blockSize, slot});
                    scf::YieldOp::create(ib, il,
                                         checkValue(ib, il, module, bad, format,
                                                    values, acc[0]));
                  });
              return inner.getResult(0);
            });
        scf::YieldOp::create(ob, ol, done);
      });
  guardOp(b, op, outer.getResult(0),
          [&](OpBuilder &) { return SmallVector<Value>{cache}; });
}

/// paged_attention: 0 <= lens[b] <= MaxBlocks * BlockSize, and the block ids
/// of the first ceil(lens[b] / BlockSize) table entries are in [0,
/// NumBlocks); per head (lens[b, h], table[b, h, j]) for per-head operands.
static void guardPagedAttention(tok::PagedAttentionOp op, ModuleOp module) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  using P = arith::CmpIPredicate;
  Value cache = op.getKeyCache(), table = op.getBlockTable(),
        lens = op.getLens();
  bool perHead = cast<RankedTensorType>(lens.getType()).getRank() == 2;
  bool headTables = cast<RankedTensorType>(table.getType()).getRank() == 3;
  Value numBlocks = tensor::DimOp::create(b, loc, cache, 0);
  Value blockSize = tensor::DimOp::create(b, loc, cache, 1);
  Value maxBlocks = tensor::DimOp::create(b, loc, table, headTables ? 2 : 1);
  Value capacity = arith::MulIOp::create(b, loc, maxBlocks, blockSize);
  Value batch = tensor::DimOp::create(b, loc, lens, 0);
  Value heads =
      perHead ? Value(tensor::DimOp::create(b, loc, lens, 1)) : Value();
  // A zero block size is an error checked at the entry; do not divide by it
  // in the meantime.
  Value divisor = arith::MaxSIOp::create(b, loc, blockSize, idx(b, loc, 1));
  std::string prefix =
      tokamak::getErrorLocationPrefix(loc) + "'tok.paged_attention' op ";
  std::string lensFormat =
      prefix + (perHead ? "expected lens[%lld, %lld]" : "expected lens[%lld]") +
      " to be in [0, %lld] (%lld block table entries of %lld rows), got %lld";
  std::string tableFormat =
      prefix +
      (headTables ? "expected block_table[%lld, %lld, %lld]"
                  : "expected block_table[%lld, %lld]") +
      " to be in [0, %lld) (the key_cache block count), got %lld";
  Value yes = arith::ConstantIntOp::create(b, loc, 1, 1);
  auto outer = scf::ForOp::create(
      b, loc, idx(b, loc, 0), batch, idx(b, loc, 1), ValueRange{yes},
      [&](OpBuilder &bb, Location bl, Value bi, ValueRange batchAcc) {
        Value done = forEachHead(
            bb, bl, heads, batchAcc[0],
            [&](OpBuilder &ob, Location ol, Value hi, Value headAcc) {
              SmallVector<Value> lenAt = {bi};
              if (hi)
                lenAt.push_back(hi);
              Value len = extractIndex(ob, ol, lens, lenAt);
              Value badLen = arith::OrIOp::create(
                  ob, ol, cmp(ob, ol, P::slt, len, idx(ob, ol, 0)),
                  cmp(ob, ol, P::sgt, len, capacity));
              SmallVector<Value> lenValues = lenAt;
              lenValues.append({capacity, maxBlocks, blockSize, len});
              Value acc0 = checkValue(ob, ol, module, badLen, lensFormat,
                                      lenValues, headAcc);
              Value used = arith::SelectOp::create(
                  ob, ol, badLen, idx(ob, ol, 0),
                  arith::CeilDivSIOp::create(ob, ol, len, divisor));
              auto inner = scf::ForOp::create(
                  ob, ol, idx(ob, ol, 0), used, idx(ob, ol, 1),
                  ValueRange{acc0},
                  [&](OpBuilder &ib, Location il, Value j, ValueRange acc) {
                    SmallVector<Value> at = {bi, j};
                    if (headTables)
                      at.insert(at.begin() + 1, hi);
                    Value id = extractIndex(ib, il, table, at);
                    Value bad = arith::OrIOp::create(
                        ib, il, cmp(ib, il, P::slt, id, idx(ib, il, 0)),
                        cmp(ib, il, P::sge, id, numBlocks));
                    SmallVector<Value> values = at;
                    values.append({numBlocks, id});
                    scf::YieldOp::create(ib, il,
                                         checkValue(ib, il, module, bad,
                                                    tableFormat, values,
                                                    acc[0]));
                  });
              return inner.getResult(0);
            });
        scf::YieldOp::create(bb, bl, done);
      });
  guardOp(b, op, outer.getResult(0), [&](OpBuilder &eb) {
    auto type = cast<RankedTensorType>(op.getOutput().getType());
    SmallVector<Value> dynamicSizes;
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (type.isDynamicDim(d))
        dynamicSizes.push_back(
            tensor::DimOp::create(eb, loc, op.getQuery(), d));
    SmallVector<Value> results = {tensor::EmptyOp::create(
        eb, loc, type.getShape(), type.getElementType(), dynamicSizes)};
    // The stats [B, Hs, MaxBlocks * BlockSize].
    if (Value stats = op.getStats()) {
      auto statsType = cast<RankedTensorType>(stats.getType());
      SmallVector<Value> statsSizes;
      if (statsType.isDynamicDim(0))
        statsSizes.push_back(tensor::DimOp::create(eb, loc, op.getQuery(), 0));
      if (statsType.isDynamicDim(1)) {
        // Hq per query head, else Hkv (per-head lens, or the cache's heads).
        auto [source, dim] = op.getStatsPerQueryHead()
                                 ? std::pair<Value, int64_t>(op.getQuery(), 1)
                                 : std::pair<Value, int64_t>(
                                       perHead ? lens : cache, perHead ? 1 : 2);
        statsSizes.push_back(tensor::DimOp::create(eb, loc, source, dim));
      }
      if (statsType.isDynamicDim(2))
        statsSizes.push_back(capacity);
      results.push_back(tensor::EmptyOp::create(eb, loc, statsType.getShape(),
                                                statsType.getElementType(),
                                                statsSizes));
    }
    return results;
  });
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {
struct InsertRuntimeChecksPass
    : tokamak::impl::InsertRuntimeChecksBase<InsertRuntimeChecksPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Operation *> tokOps;
    module.walk([&](Operation *op) {
      if (isa<tok::TokDialect>(op->getDialect()))
        tokOps.push_back(op);
    });

    // Dim rules, grouped by the public function they are checked in.
    DimTracer tracer(module);
    llvm::MapVector<Operation *, SmallVector<tokamak::TracedShapeCheck>>
        perFunction;
    bool failedStatically = false;
    for (Operation *op : tokOps) {
      SmallVector<RuntimeShapeCheck> checks;
      tok::collectRuntimeShapeChecks(op, checks);
      std::string prefix = tokamak::getErrorLocationPrefix(op->getLoc());
      for (const RuntimeShapeCheck &check : checks) {
        func::FuncOp fn;
        std::optional<tokamak::TracedShapeCheck> traced =
            traceCheck(check, tracer, fn);
        if (!traced)
          continue;
        if (!fn) {
          // Every size is known after all (through calls or casts).
          if (!holds(traced->kind, traced->lhs[1], traced->rhs[1])) {
            std::string message =
                formatConstants(traced->format, traced->values);
            StringRef body = message;
            body.consume_front(
                ("'" + op->getName().getStringRef() + "' op ").str());
            op->emitOpError(body);
            failedStatically = true;
          }
          continue;
        }
        if (traced->kind ==
                static_cast<int64_t>(RuntimeShapeCheck::Kind::Equal) &&
            traced->lhs == traced->rhs)
          continue;
        traced->format = prefix + traced->format;
        auto &list = perFunction[fn.getOperation()];
        if (!llvm::is_contained(list, *traced))
          list.push_back(std::move(*traced));
      }
    }
    if (failedStatically)
      return signalPassFailure();
    for (auto &[fn, checks] : perFunction)
      tokamak::setRuntimeShapeChecks(cast<func::FuncOp>(fn), checks);

    // Index values.
    for (Operation *op : tokOps) {
      if (auto write = dyn_cast<tok::CacheWriteOp>(op))
        guardCacheWrite(write, module);
      else if (auto paged = dyn_cast<tok::PagedAttentionOp>(op))
        guardPagedAttention(paged, module);
    }
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// The attribute
//===----------------------------------------------------------------------===//

void tokamak::setRuntimeShapeChecks(func::FuncOp fn,
                                    ArrayRef<TracedShapeCheck> checks) {
  Builder b(fn.getContext());
  SmallVector<Attribute> list;
  for (const TracedShapeCheck &check : checks) {
    SmallVector<int64_t> values;
    for (const auto &v : check.values)
      values.append(v.begin(), v.end());
    list.push_back(b.getDictionaryAttr({
        b.getNamedAttr("kind", b.getI64IntegerAttr(check.kind)),
        b.getNamedAttr("lhs", b.getDenseI64ArrayAttr(check.lhs)),
        b.getNamedAttr("rhs", b.getDenseI64ArrayAttr(check.rhs)),
        b.getNamedAttr("format", b.getStringAttr(check.format)),
        b.getNamedAttr("values", b.getDenseI64ArrayAttr(values)),
    }));
  }
  fn->setAttr(kRuntimeChecksAttr, b.getArrayAttr(list));
}

FailureOr<SmallVector<tokamak::TracedShapeCheck>>
tokamak::getRuntimeShapeChecks(func::FuncOp fn) {
  SmallVector<TracedShapeCheck> checks;
  Attribute attr = fn->getAttr(kRuntimeChecksAttr);
  if (!attr)
    return checks;
  auto fail = [&] {
    return fn.emitOpError("malformed ") << kRuntimeChecksAttr << " attribute";
  };
  auto list = dyn_cast<ArrayAttr>(attr);
  if (!list)
    return fail();
  int64_t numArgs = fn.getNumArguments();
  auto pairOk = [&](ArrayRef<int64_t> p) {
    return p.size() == 2 && p[0] >= -1 && p[0] < numArgs;
  };
  for (Attribute element : list) {
    auto dict = dyn_cast<DictionaryAttr>(element);
    if (!dict)
      return fail();
    auto kind = dict.getAs<IntegerAttr>("kind");
    auto lhs = dict.getAs<DenseI64ArrayAttr>("lhs");
    auto rhs = dict.getAs<DenseI64ArrayAttr>("rhs");
    auto format = dict.getAs<StringAttr>("format");
    auto values = dict.getAs<DenseI64ArrayAttr>("values");
    if (!kind || !lhs || !rhs || !format || !values ||
        !pairOk(lhs.asArrayRef()) || !pairOk(rhs.asArrayRef()) ||
        values.size() % 2 != 0 ||
        values.size() / 2 > static_cast<int64_t>(kMaxErrorValues) ||
        kind.getInt() <
            static_cast<int64_t>(tok::RuntimeShapeCheck::Kind::Equal) ||
        kind.getInt() >
            static_cast<int64_t>(tok::RuntimeShapeCheck::Kind::SequenceCount))
      return fail();
    TracedShapeCheck check;
    check.kind = kind.getInt();
    check.lhs = {lhs[0], lhs[1]};
    check.rhs = {rhs[0], rhs[1]};
    check.format = format.getValue().str();
    for (int64_t i = 0; i < values.size(); i += 2) {
      if (!pairOk({values[i], values[i + 1]}))
        return fail();
      check.values.push_back({values[i], values[i + 1]});
    }
    checks.push_back(std::move(check));
  }
  return checks;
}
