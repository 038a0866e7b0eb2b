//===- AttentionOps.cpp - Verifiers of the attention ops ------------------===//
//
// Part of the Tokamak project.
//
// Every verifier checks, in this order: operand and result ranks, element
// types, dims (a dynamic dim passes), then attribute ranges. Attribute rules
// shared by the attention ops:
//   * window >= 1 (tok.attention also requires causal with it),
//   * sinks >= 0,
//   * scale finite and nonzero (a negative scale is allowed: it is well
//     defined, if unusual; zero would erase the scores and infinities or NaN
//     poison every row),
//   * softcap finite and > 0 (c · tanh(s / c) needs c > 0).
//
//===----------------------------------------------------------------------===//

#include "dialects/Tok/IR/TokOps.h"
#include "dialects/Tok/IR/Verification.h"

using namespace mlir;
using namespace mlir::tok;

/// The attribute rules of the attention ops (see the file comment).
static LogicalResult verifyAttentionAttrs(Operation *op, IntegerAttr window,
                                          IntegerAttr sinks, FloatAttr scale,
                                          FloatAttr softcap) {
  if (failed(verifyIntAtLeast(op, "window", window, 1)) ||
      failed(verifyIntAtLeast(op, "sinks", sinks, 0)) ||
      failed(verifyFiniteNonzeroFloat(op, "scale", scale)) ||
      failed(verifyPositiveFloat(op, "softcap", softcap)))
    return failure();
  return success();
}

/// `expected query head count to be a multiple of <kvName> head count, got
/// <hq> and <hkv>` unless `hq % hkv == 0` (or either is dynamic).
static LogicalResult verifyHeadGrouping(Operation *op, int64_t hq,
                                        StringRef kvName, int64_t hkv) {
  if (ShapedType::isDynamic(hq) || ShapedType::isDynamic(hkv))
    return success();
  if (hkv != 0 && hq % hkv == 0)
    return success();
  return op->emitOpError("expected query head count to be a multiple of ")
         << kvName << " head count, got " << hq << " and " << hkv;
}

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

/// The stats result and its attributes: `stats_window` (>= 1) and
/// `stats_per_query_head` only with a stats result, which is f32
/// `[B, Hkv, Skv]` (or `[B, Hq, Skv]` per query head).
static LogicalResult verifyAttentionStats(AttentionOp op, int64_t batch,
                                          int64_t keyLength) {
  Operation *operation = op.getOperation();
  if (!op.getStats()) {
    if (op.getStatsWindowAttr())
      return op.emitOpError("expected a stats result with stats_window");
    if (op.getStatsPerQueryHead())
      return op.emitOpError(
          "expected a stats result with stats_per_query_head");
    return success();
  }
  RankedTensorType statsType = op.getStats().getType();
  if (failed(verifyRank(operation, "stats", statsType, 3)) ||
      failed(verifyElementType(operation, "stats", statsType,
                               Float32Type::get(op.getContext()))))
    return failure();
  int64_t heads = op.getStatsPerQueryHead()
                      ? op.getQuery().getType().getDimSize(1)
                      : op.getKey().getType().getDimSize(1);
  if (failed(verifyShape(operation, "stats", statsType,
                         {batch, heads, keyLength})))
    return failure();
  return verifyIntAtLeast(operation, "stats_window", op.getStatsWindowAttr(),
                          1);
}

/// The block-sparsity operands of tok.attention: block_indices
/// `[B, Hkv, ceil(Sq / block_q), MaxSel]` and block_counts
/// `[B, Hkv, ceil(Sq / block_q)]`, both i32, with block_q, block_k >= 1;
/// block_counts, block_q and block_k only with block_indices.
static LogicalResult verifyBlockSparsity(AttentionOp op, int64_t batch,
                                         int64_t kvHeads, int64_t queryLength) {
  Operation *raw = op.getOperation();
  Value indices = op.getBlockIndices(), counts = op.getBlockCounts();
  IntegerAttr blockQ = op.getBlockQAttr(), blockK = op.getBlockKAttr();
  if (!indices) {
    if (counts)
      return op.emitOpError("expected block_indices with block_counts");
    if (blockQ || blockK)
      return op.emitOpError("expected block_indices with block_q and block_k");
    return success();
  }
  if (!blockQ || !blockK)
    return op.emitOpError("expected block_q and block_k with block_indices");
  auto indicesType = cast<RankedTensorType>(indices.getType());
  auto countsType =
      counts ? cast<RankedTensorType>(counts.getType()) : RankedTensorType();
  Type i32 = IntegerType::get(op.getContext(), 32);
  if (failed(verifyRank(raw, "block_indices", indicesType, 4)) ||
      (countsType && failed(verifyRank(raw, "block_counts", countsType, 3))) ||
      failed(verifyElementType(raw, "block_indices", indicesType, i32)) ||
      (countsType &&
       failed(verifyElementType(raw, "block_counts", countsType, i32))) ||
      failed(verifyIntAtLeast(raw, "block_q", blockQ, 1)) ||
      failed(verifyIntAtLeast(raw, "block_k", blockK, 1)))
    return failure();
  int64_t numQueryBlocks = ShapedType::isDynamic(queryLength)
                               ? ShapedType::kDynamic
                               : llvm::divideCeil(queryLength, blockQ.getInt());
  if (failed(
          verifyShape(raw, "block_indices", indicesType,
                      {batch, kvHeads, numQueryBlocks, ShapedType::kDynamic})))
    return failure();
  if (countsType && failed(verifyShape(raw, "block_counts", countsType,
                                       indicesType.getShape().drop_back())))
    return failure();
  return success();
}

LogicalResult AttentionOp::verify() {
  Operation *op = getOperation();
  RankedTensorType queryType = getQuery().getType();
  RankedTensorType keyType = getKey().getType();
  RankedTensorType valueType = getValue().getType();
  RankedTensorType outputType = getOutput().getType();
  RankedTensorType lseType = getLse() ? getLse().getType() : nullptr;
  RankedTensorType biasType = getBias() ? getBias().getType() : nullptr;
  RankedTensorType seqStartsType =
      getSeqStarts() ? getSeqStarts().getType() : nullptr;

  // Ranks.
  if (failed(verifyRank(op, "query", queryType, 4)) ||
      failed(verifyRank(op, "key", keyType, 4)) ||
      failed(verifyRank(op, "value", valueType, 4)) ||
      (biasType && failed(verifyRankAtMost(op, "bias", biasType, 4))) ||
      (seqStartsType &&
       failed(verifyRank(op, "seq_starts", seqStartsType, 1))) ||
      failed(verifyRank(op, "output", outputType, 4)) ||
      (lseType && failed(verifyRank(op, "lse", lseType, 3))))
    return failure();

  // Element types.
  Builder builder(getContext());
  if (failed(verifyFloatElementType(op, "query", queryType)) ||
      failed(verifySameElementType(op, "query", queryType, "key", keyType)) ||
      failed(
          verifySameElementType(op, "query", queryType, "value", valueType)) ||
      (biasType && failed(verifyFloatElementType(op, "bias", biasType))) ||
      (seqStartsType &&
       failed(verifyElementType(op, "seq_starts", seqStartsType,
                                builder.getI32Type()))) ||
      failed(verifySameElementType(op, "query", queryType, "output",
                                   outputType)) ||
      (lseType &&
       failed(verifyElementType(op, "lse", lseType, builder.getF32Type()))))
    return failure();

  // Dims.
  ArrayRef<int64_t> q = queryType.getShape();
  ArrayRef<int64_t> k = keyType.getShape();
  ArrayRef<int64_t> v = valueType.getShape();
  if (failed(verifyDimsMatch(op, "query", q[0], "key", k[0], "batch sizes")) ||
      failed(verifyDimsMatch(op, "key", k[0], "value", v[0], "batch sizes")) ||
      failed(verifyDimsMatch(op, "key", k[1], "value", v[1], "head counts")) ||
      failed(verifyHeadGrouping(op, q[1], "key", mergeDims({k[1], v[1]}))) ||
      failed(verifyDimsMatch(op, "query", q[3], "key", k[3], "head dims")) ||
      failed(verifyDimsMatch(op, "key", k[2], "value", v[2],
                             "sequence lengths")) ||
      failed(verifyPositiveDim(op, "query head count", q[1])))
    return failure();

  int64_t batch = mergeDims({q[0], k[0], v[0]});
  int64_t keyLength = mergeDims({k[2], v[2]});
  if (failed(verifyShape(op, "output", outputType, {batch, q[1], q[2], v[3]})))
    return failure();
  if (lseType && failed(verifyShape(op, "lse", lseType, {batch, q[1], q[2]})))
    return failure();

  if (biasType) {
    // Broadcast by trailing alignment: each bias dim is 1 or equals the dim
    // of [B, Hq, Sq, Skv] it lines up with.
    SmallVector<int64_t> scores = {batch, q[1], q[2], keyLength};
    ArrayRef<int64_t> bias = biasType.getShape();
    ArrayRef<int64_t> aligned = ArrayRef(scores).take_back(bias.size());
    for (auto [biasDim, scoreDim] : llvm::zip_equal(bias, aligned)) {
      if (biasDim != 1 && dimsConflict(biasDim, scoreDim))
        return emitOpError("expected bias shape ")
               << formatShape(bias) << " to broadcast to "
               << formatShape(scores);
    }
  }

  if (seqStartsType) {
    if (ShapedType::isStatic(batch) && batch != 1)
      return emitOpError("expected batch size 1 with seq_starts, got ")
             << batch;
    int64_t numStarts = seqStartsType.getDimSize(0);
    if (ShapedType::isStatic(numStarts) && numStarts < 2)
      return emitOpError("expected seq_starts length at least 2, got ")
             << numStarts;
  }

  if (failed(verifyBlockSparsity(*this, batch, mergeDims({k[1], v[1]}), q[2])))
    return failure();

  // Attributes.
  if (getWindowAttr() && !getCausal())
    return emitOpError("expected causal when window is set");
  if (failed(verifyAttentionAttrs(op, getWindowAttr(), getSinksAttr(),
                                  getScaleAttr(), getSoftcapAttr())))
    return failure();
  return verifyAttentionStats(*this, batch, keyLength);
}

LogicalResult AttentionOp::verifyRegions() {
  Region &region = getScoreMod();
  if (region.empty())
    return success();
  if (!region.hasOneBlock())
    return emitOpError("expected score_mod region to have one block, got ")
           << region.getBlocks().size();

  // (score, batch, head, query index, key index) -> score.
  Block &block = region.front();
  Builder builder(getContext());
  Type f32 = builder.getF32Type();
  Type index = builder.getIndexType();
  if (failed(verifyBlockArguments(getOperation(), "score_mod", block,
                                  {f32, index, index, index, index})))
    return failure();
  auto yield = block.empty() ? YieldOp() : dyn_cast<YieldOp>(block.back());
  if (!yield)
    return emitOpError("expected score_mod region to end with tok.yield");
  return verifyYieldedTypes(getOperation(), "score_mod",
                            yield.getValues().getTypes(), {f32});
}

//===----------------------------------------------------------------------===//
// PagedAttentionOp
//===----------------------------------------------------------------------===//

/// The kv head count of a paged cache whose dim 2 is `cacheHeads`, given
/// per-head `heads` (dynamic: none): `expected <cacheName> to hold every kv
/// head or one per block (dim 2 of <heads> or 1), got <cacheHeads>` unless
/// the cache's head dim is `heads` or 1. Returns the kv head count.
static FailureOr<int64_t> verifyCacheHeads(Operation *op, StringRef cacheName,
                                           int64_t cacheHeads, int64_t heads,
                                           bool perHead) {
  if (!perHead)
    return cacheHeads;
  if (ShapedType::isDynamic(cacheHeads))
    return op->emitOpError("expected ")
           << cacheName << " head dim (dim 2) to be static with per-head "
           << "lens or slots";
  if (ShapedType::isDynamic(heads) || cacheHeads == heads || cacheHeads == 1)
    return heads;
  return op->emitOpError("expected ")
         << cacheName << " to hold every kv head or one per block (dim 2 of "
         << heads << " or 1), got " << cacheHeads;
}

/// The block lists of tok.paged_attention: block_indices `[B, Hkv, MaxSel]`
/// and block_counts `[B, Hkv]`, both i32, with block_k >= 1; block_counts
/// and block_k only with block_indices.
static LogicalResult verifyPagedBlockLists(PagedAttentionOp op, int64_t batch,
                                           int64_t kvHeads) {
  Operation *raw = op.getOperation();
  Value indices = op.getBlockIndices(), counts = op.getBlockCounts();
  IntegerAttr blockK = op.getBlockKAttr();
  if (!indices) {
    if (counts)
      return op.emitOpError("expected block_indices with block_counts");
    if (blockK)
      return op.emitOpError("expected block_indices with block_k");
    return success();
  }
  if (!blockK)
    return op.emitOpError("expected block_k with block_indices");
  auto indicesType = cast<RankedTensorType>(indices.getType());
  auto countsType =
      counts ? cast<RankedTensorType>(counts.getType()) : RankedTensorType();
  Type i32 = IntegerType::get(op.getContext(), 32);
  if (failed(verifyRank(raw, "block_indices", indicesType, 3)) ||
      (countsType && failed(verifyRank(raw, "block_counts", countsType, 2))) ||
      failed(verifyElementType(raw, "block_indices", indicesType, i32)) ||
      (countsType &&
       failed(verifyElementType(raw, "block_counts", countsType, i32))) ||
      failed(verifyIntAtLeast(raw, "block_k", blockK, 1)))
    return failure();
  if (failed(verifyShape(raw, "block_indices", indicesType,
                         {batch, kvHeads, ShapedType::kDynamic})))
    return failure();
  if (countsType && failed(verifyShape(raw, "block_counts", countsType,
                                       indicesType.getShape().drop_back())))
    return failure();
  return success();
}

/// The stats result of tok.paged_attention: f32 `[B, Hkv, MaxRows]` (or
/// `[B, Hq, MaxRows]` per query head), MaxRows = MaxBlocks * BlockSize;
/// `stats_per_query_head` only with it.
static LogicalResult verifyPagedStats(PagedAttentionOp op, int64_t batch,
                                      int64_t kvHeads) {
  Operation *raw = op.getOperation();
  if (!op.getStats()) {
    if (op.getStatsPerQueryHead())
      return op.emitOpError(
          "expected a stats result with stats_per_query_head");
    return success();
  }
  RankedTensorType statsType = op.getStats().getType();
  if (failed(verifyRank(raw, "stats", statsType, 3)) ||
      failed(verifyElementType(raw, "stats", statsType,
                               Float32Type::get(op.getContext()))))
    return failure();
  int64_t heads = op.getStatsPerQueryHead()
                      ? op.getQuery().getType().getDimSize(1)
                      : kvHeads;
  int64_t maxBlocks = op.getBlockTable().getType().getShape().back();
  int64_t blockSize = mergeDims({op.getKeyCache().getType().getDimSize(1),
                                 op.getValueCache().getType().getDimSize(1)});
  int64_t maxRows =
      ShapedType::isDynamic(maxBlocks) || ShapedType::isDynamic(blockSize)
          ? ShapedType::kDynamic
          : maxBlocks * blockSize;
  return verifyShape(raw, "stats", statsType, {batch, heads, maxRows});
}

LogicalResult PagedAttentionOp::verify() {
  Operation *op = getOperation();
  RankedTensorType queryType = getQuery().getType();
  RankedTensorType keyCacheType = getKeyCache().getType();
  RankedTensorType valueCacheType = getValueCache().getType();
  RankedTensorType tableType = getBlockTable().getType();
  RankedTensorType lensType = getLens().getType();
  RankedTensorType outputType = getOutput().getType();

  // Ranks: lens [B] with table [B, MaxBlocks], or per-head lens [B, Hkv]
  // with a shared or per-head ([B, Hkv, MaxBlocks]) table.
  if (failed(verifyRank(op, "query", queryType, 4)) ||
      failed(verifyRank(op, "key_cache", keyCacheType, 4)) ||
      failed(verifyRank(op, "value_cache", valueCacheType, 4)) ||
      failed(verifyRank(op, "output", outputType, 4)))
    return failure();
  if (lensType.getRank() != 1 && lensType.getRank() != 2)
    return emitOpError("expected lens rank 1 or 2 (per kv head), got ")
           << lensType.getRank();
  bool perHead = lensType.getRank() == 2;
  if (!perHead && failed(verifyRank(op, "block_table", tableType, 2)))
    return failure();
  if (perHead && tableType.getRank() != 2 && tableType.getRank() != 3)
    return emitOpError("expected block_table rank 2 or 3 with per-head lens, "
                       "got ")
           << tableType.getRank();

  // Element types.
  Type i32 = IntegerType::get(getContext(), 32);
  if (failed(verifyFloatElementType(op, "query", queryType)) ||
      failed(verifySameElementType(op, "query", queryType, "key_cache",
                                   keyCacheType)) ||
      failed(verifySameElementType(op, "query", queryType, "value_cache",
                                   valueCacheType)) ||
      failed(verifyElementType(op, "block_table", tableType, i32)) ||
      failed(verifyElementType(op, "lens", lensType, i32)) ||
      failed(
          verifySameElementType(op, "query", queryType, "output", outputType)))
    return failure();

  // Dims: both caches are [NumBlocks, BlockSize, Hc, D].
  ArrayRef<int64_t> q = queryType.getShape();
  ArrayRef<int64_t> kc = keyCacheType.getShape();
  ArrayRef<int64_t> vc = valueCacheType.getShape();
  ArrayRef<int64_t> table = tableType.getShape();
  ArrayRef<int64_t> lens = lensType.getShape();
  bool headTables = table.size() == 3;
  if (headTables && failed(verifyDimsMatch(op, "lens", lens[1], "block_table",
                                           table[1], "kv head counts")))
    return failure();
  int64_t cacheHeads = mergeDims({kc[2], vc[2]});
  int64_t heads = perHead
                      ? mergeDims({lens[1], headTables ? table[1] : lens[1]})
                      : cacheHeads;
  if (failed(verifyCompatibleShapes(op, "key_cache", keyCacheType,
                                    "value_cache", valueCacheType)))
    return failure();
  FailureOr<int64_t> kvHeads =
      verifyCacheHeads(op, "key_cache", cacheHeads, heads, perHead);
  if (failed(kvHeads) ||
      failed(verifyHeadGrouping(op, q[1], perHead ? "lens" : "key_cache",
                                *kvHeads)) ||
      failed(verifyDimsMatch(op, "query", q[3], "key_cache", kc[3],
                             "head dims")) ||
      failed(verifyDimsMatch(op, "query", q[0], "block_table", table[0],
                             "batch sizes")) ||
      failed(
          verifyDimsMatch(op, "query", q[0], "lens", lens[0], "batch sizes")) ||
      failed(verifyPositiveDim(op, "query head count", q[1])) ||
      failed(verifyPositiveDim(op, "key_cache block size",
                               mergeDims({kc[1], vc[1]}))))
    return failure();
  int64_t batch = mergeDims({q[0], table[0], lens[0]});
  if (failed(verifyShape(op, "output", outputType,
                         {batch, q[1], q[2], mergeDims({vc[3], kc[3]})})))
    return failure();

  if (failed(verifyPagedBlockLists(*this, batch, *kvHeads)) ||
      failed(verifyPagedStats(*this, batch, *kvHeads)))
    return failure();

  // Attributes (masking is always causal, so window needs nothing more).
  return verifyAttentionAttrs(op, getWindowAttr(), getSinksAttr(),
                              getScaleAttr(), getSoftcapAttr());
}

//===----------------------------------------------------------------------===//
// CacheWriteOp
//===----------------------------------------------------------------------===//

LogicalResult CacheWriteOp::verify() {
  Operation *op = getOperation();
  RankedTensorType cacheType = getCache().getType();
  RankedTensorType updateType = getUpdate().getType();
  RankedTensorType slotsType = getSlots().getType();
  RankedTensorType resultType = getResult().getType();

  if (failed(verifyRank(op, "cache", cacheType, 4)) ||
      failed(verifyRank(op, "update", updateType, 4)) ||
      failed(verifyRank(op, "result", resultType, 4)))
    return failure();
  if (slotsType.getRank() != 2 && slotsType.getRank() != 3)
    return emitOpError("expected slots rank 2 or 3 (per kv head), got ")
           << slotsType.getRank();

  if (failed(verifyFloatElementType(op, "cache", cacheType)) ||
      failed(verifySameElementType(op, "cache", cacheType, "update",
                                   updateType)) ||
      failed(verifyElementType(op, "slots", slotsType,
                               IntegerType::get(getContext(), 32))))
    return failure();

  // cache [N, BS, Hkv, D], update [B, Hkv, S, D], slots [B, S]; or per-head
  // slots [B, Hkv, S] with a cache [N, BS, Hkv or 1, D].
  ArrayRef<int64_t> cache = cacheType.getShape();
  ArrayRef<int64_t> update = updateType.getShape();
  ArrayRef<int64_t> slots = slotsType.getShape();
  bool perHead = slots.size() == 3;
  if (perHead && (failed(verifyDimsMatch(op, "update", update[1], "slots",
                                         slots[1], "head counts")) ||
                  failed(verifyCacheHeads(op, "cache", cache[2],
                                          mergeDims({update[1], slots[1]}),
                                          /*perHead=*/true))))
    return failure();
  if ((!perHead && failed(verifyDimsMatch(op, "cache", cache[2], "update",
                                          update[1], "head counts"))) ||
      failed(verifyDimsMatch(op, "cache", cache[3], "update", update[3],
                             "head dims")) ||
      failed(verifyDimsMatch(op, "update", update[0], "slots", slots[0],
                             "batch sizes")) ||
      failed(verifyDimsMatch(op, "update", update[2], "slots", slots.back(),
                             "sequence lengths")) ||
      failed(verifyPositiveDim(op, "cache block size", cache[1])))
    return failure();
  return verifySameType(op, "cache", cacheType, "result", resultType);
}

//===----------------------------------------------------------------------===//
// LseMergeOp
//===----------------------------------------------------------------------===//

LogicalResult LseMergeOp::verify() {
  Operation *op = getOperation();
  RankedTensorType output1Type = getOutput1().getType();
  RankedTensorType output2Type = getOutput2().getType();
  RankedTensorType lse1Type = getLse1().getType();
  RankedTensorType lse2Type = getLse2().getType();
  RankedTensorType outputType = getOutput().getType();
  RankedTensorType lseType = getLse().getType();

  // Ranks: outputs [..., Dv], log-sum-exps [...].
  int64_t rank = output1Type.getRank();
  if (failed(verifyRankAtLeast(op, "output1", output1Type, 1)) ||
      failed(
          verifySameRank(op, "output2", output2Type, "output1", output1Type)) ||
      failed(verifyRank(op, "lse1", lse1Type, rank - 1)) ||
      failed(verifyRank(op, "lse2", lse2Type, rank - 1)))
    return failure();

  Type f32 = Float32Type::get(getContext());
  if (failed(verifyFloatElementType(op, "output1", output1Type)) ||
      failed(verifyElementType(op, "lse1", lse1Type, f32)))
    return failure();

  if (failed(
          verifySameType(op, "output1", output1Type, "output2", output2Type)) ||
      failed(verifySameType(op, "lse1", lse1Type, "lse2", lse2Type)) ||
      failed(verifyShape(op, "lse1", lse1Type,
                         output1Type.getShape().drop_back())) ||
      failed(
          verifySameType(op, "output1", output1Type, "output", outputType)) ||
      failed(verifySameType(op, "lse1", lse1Type, "lse", lseType)))
    return failure();
  return success();
}
