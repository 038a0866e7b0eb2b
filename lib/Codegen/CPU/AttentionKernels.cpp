//===- AttentionKernels.cpp - FlashAttention-style tiles on tensors -------===//
//
// Part of the Tokamak project. The body of one attention tile, in the
// vector dialect on static shapes so that it becomes AVX-512 or AVX2 code
// (vectors of the target's f32 lanes L):
//
//   rows r = g * Tq + t (G heads of a kv group x Tq query positions):
//   Qs[Rpad, D]  = scale * Q rows (f32), packed once per tile
//   per query position t: the visible key range [lo_t, hi_t] and the sink
//     range [sLo_t, sHi_t]; their union and intersection over the tile give
//     the key blocks to visit and the ones that need no mask
//   for each key block (masked boundary blocks, unmasked interior blocks):
//     Kt[D, Bk]  = K block transposed (LxL transposes; gathered through the
//                  block table for paged caches), f32
//     for each block of 4 rows:
//       S[4, Bk] = sum_d bcast(Qs[r, d]) * Kt[d, :]            (FMA)
//       softcap, score_mod, bias, mask (boundary blocks only)
//       online softmax: m, l per row, P = exp(S - m), alpha = exp(m' - m)
//     Acc[r, :] = alpha * Acc[r, :] + sum_j bcast(P[r, j]) * V[j, :]  (FMA)
//
// The register blocks of S and P.V come from chooseAttentionTiles. This
// file holds the geometry and the entry points; the pieces are in the
// Attention*.cpp files listed in AttentionEmitter.h. Everything is on
// tensors (scratch tensors are loop-carried and updated in place), so
// one-shot bufferization turns them into per-tile buffers.
//
//===----------------------------------------------------------------------===//

#include "AttentionEmitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>
#include <numeric>
#include <string>

using namespace mlir;
using namespace tokamak::cpu;
using namespace tokamak::cpu::attention;

//===----------------------------------------------------------------------===//
// Scratch tensors
//===----------------------------------------------------------------------===//

Value Emitter::filled2d(int64_t numRows, int64_t cols, double value) {
  Value tensor = allocTensor({numRows, cols}, f32);
  Value row = cstF(value, cols);
  return loop(cst(0), cst(numRows), 1, ValueRange{tensor},
              [&](Value r, ValueRange args) -> Values {
                return {write(row, args[0], {r, idx(0)}, {true})};
              })[0];
}

Value Emitter::filled1d(int64_t n, double value) {
  Value tensor = allocTensor({n}, f32);
  return write(cstF(value, n), tensor, {idx(0)}, {true});
}

Value Emitter::rowSlice(Value t, Value off, int64_t n) {
  auto type = cast<RankedTensorType>(t.getType());
  SmallVector<OpFoldResult> offsets = {off}, sizes = {b.getIndexAttr(n)};
  SmallVector<int64_t> shape = {n};
  if (type.getRank() == 2) {
    offsets.push_back(b.getIndexAttr(0));
    sizes.push_back(b.getIndexAttr(type.getDimSize(1)));
    shape.push_back(type.getDimSize(1));
  }
  SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), t, offsets,
      sizes, strides);
}

Value Emitter::insertRows(Value src, Value dst, Value off) {
  auto type = cast<RankedTensorType>(src.getType());
  SmallVector<OpFoldResult> offsets = {off}, sizes;
  for (int64_t d : type.getShape())
    sizes.push_back(b.getIndexAttr(d));
  if (type.getRank() == 2)
    offsets.push_back(b.getIndexAttr(0));
  SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
  return tensor::InsertSliceOp::create(b, loc, src, dst, offsets, sizes,
                                       strides);
}

//===----------------------------------------------------------------------===//
// AttentionProblem
//===----------------------------------------------------------------------===//

bool AttentionProblem::perHeadLens() const {
  return lens && cast<RankedTensorType>(lens.getType()).getRank() == 2;
}

bool AttentionProblem::headTables() const {
  return blockTable &&
         cast<RankedTensorType>(blockTable.getType()).getRank() == 3;
}

bool AttentionProblem::oneHeadBlocks() const {
  return perHeadLens() &&
         cast<RankedTensorType>(key.getType()).getDimSize(2) == 1;
}

int64_t AttentionProblem::numKvHeads() const {
  if (perHeadLens())
    return cast<RankedTensorType>(lens.getType()).getDimSize(1);
  return cast<RankedTensorType>(key.getType()).getDimSize(isPaged() ? 2 : 1);
}

//===----------------------------------------------------------------------===//
// Geometry
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Value>> Emitter::emit() {
  auto qType = cast<RankedTensorType>(p.query.getType());
  auto kType = cast<RankedTensorType>(p.key.getType());
  auto vType = cast<RankedTensorType>(p.value.getType());
  numHeads = qType.getDimSize(1);
  numKvHeads = p.numKvHeads();
  groups = numHeads / numKvHeads;
  headDim = qType.getDimSize(3);
  valueDim = vType.getDimSize(3);
  paddedHeadDim = llvm::alignTo(headDim, lanes);
  blockKeys = kernelBlockKeys(p, t);
  queryType = qType.getElementType();
  keyType = kType.getElementType();
  valueType = vType.getElementType();
  directValues = !p.isPaged() && valueType.isF32();

  batchSize = val(dim(queryShape(), 0));
  querySize = val(dim(queryShape(), 2));
  if (p.isPaged()) {
    pageSize = val(dim(p.key, 1));
    if (!kType.isDynamicDim(1))
      staticPageSize = kType.getDimSize(1);
    numPages = val(dim(p.key, 0));
    keySize = val(mul(dim(p.blockTable, p.headTables() ? 2 : 1), pageSize));
  } else {
    keySize = val(dim(p.key, 2));
  }
  if (p.seqStarts)
    numSeqs = val(sub(dim(p.seqStarts, 0), cst(1)));
  scale =
      cstF(p.scale ? *p.scale : 1.0 / std::sqrt(static_cast<double>(headDim)));
  SmallVector<int32_t> iota(blockKeys);
  for (int64_t k = 0; k < blockKeys; ++k)
    iota[k] = static_cast<int32_t>(k);
  keyIota = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(VectorType::get({blockKeys}, b.getI32Type()),
                             ArrayRef<int32_t>(iota)));

  // Decode: a static, small number of query rows per kv group.
  int64_t sq = qType.getDimSize(2);
  // Paged block lists keep the split-KV driver: every split walks the list
  // and visits the listed kernel blocks inside its key chunk.
  bool decode = !ShapedType::isDynamic(sq) && !p.seqStarts &&
                (!p.blockIndices || p.isPaged()) && sq * groups <= t.decodeRows;
  if (decode) {
    tileQueries = sq;
  } else {
    tileQueries = std::max<int64_t>(1, t.blockRows / groups);
    // A tile stays within one query block of the block lists (paged
    // attention's single list per kv head holds every query).
    if (p.blockIndices && !p.isPaged())
      tileQueries = std::gcd(tileQueries, p.blockQ);
    if (!ShapedType::isDynamic(sq))
      tileQueries = std::min(tileQueries, std::max<int64_t>(sq, 1));
  }
  rows = groups * tileQueries;
  rowDot = decode && headDim % lanes == 0;
  // A function argument bufferizes to an identity-layout buffer.
  auto asBuffer = [&](Value v) -> Value {
    if (!rowDot || !isa<BlockArgument>(v))
      return Value();
    auto type = cast<RankedTensorType>(v.getType());
    return bufferization::ToBufferOp::create(
        b, loc, MemRefType::get(type.getShape(), type.getElementType()), v,
        b.getUnitAttr());
  };
  keyBuffer = asBuffer(p.key);
  if (p.isPaged())
    valueBuffer = asBuffer(p.value);
  rowBlock = std::min(t.tiles.rowBlock, rows);
  paddedRows = llvm::alignTo(rows, rowBlock);
  FailureOr<SmallVector<Value>> results =
      decode ? emitSplitKv() : emitPrefill();
  if (succeeded(results) && p.withStats)
    results->push_back(emitStats((*results)[1]));
  return results;
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

LogicalResult tokamak::cpu::canTileAttention(const AttentionProblem &p,
                                             std::string &reason) {
  auto qType = cast<RankedTensorType>(p.query.getType());
  auto kType = cast<RankedTensorType>(p.key.getType());
  auto vType = cast<RankedTensorType>(p.value.getType());
  int64_t hq = qType.getDimSize(1);
  int64_t hkv = p.numKvHeads();
  if (ShapedType::isDynamic(hq) || ShapedType::isDynamic(hkv) || hkv <= 0 ||
      hq % hkv != 0) {
    reason = "dynamic or mismatched head counts";
    return failure();
  }
  if (ShapedType::isDynamic(qType.getDimSize(3)) ||
      ShapedType::isDynamic(vType.getDimSize(3))) {
    reason = "dynamic head dims";
    return failure();
  }
  if (qType.getDimSize(2) == 0 || qType.getDimSize(3) == 0 ||
      vType.getDimSize(3) == 0) {
    reason = "empty queries or head dims";
    return failure();
  }
  if (p.scoreMod && !p.scoreMod->hasOneBlock()) {
    reason = "multi-block score_mod";
    return failure();
  }
  // Rows of the head dims live in vector registers and the query heads of a
  // kv head are unrolled: far beyond real models (issue 13: 2^30 never
  // finished compiling) the reference lowering's loops take over.
  constexpr int64_t kMaxTiledHeadDim = 4096, kMaxTiledGroups = 4096;
  if (qType.getDimSize(3) > kMaxTiledHeadDim ||
      vType.getDimSize(3) > kMaxTiledHeadDim || hq / hkv > kMaxTiledGroups) {
    reason = "head dims or query heads per kv head too large";
    return failure();
  }
  return success();
}

int64_t tokamak::cpu::kernelBlockKeys(const AttentionProblem &p,
                                      const AttentionTiling &t) {
  if (!p.blockIndices || p.blockK % t.blockKeys == 0)
    return t.blockKeys;
  return std::gcd(t.blockKeys, p.blockK);
}

LogicalResult tokamak::cpu::canTileBlockLists(const AttentionProblem &p,
                                              const AttentionTiling &t,
                                              std::string &reason) {
  if (!p.blockIndices)
    return success();
  // The stats sweep of tok.attention walks every key block; it does not
  // read the lists (tok.paged_attention's one list per kv head it does).
  if (p.withStats && !p.isPaged()) {
    reason = "the stats result with block lists is left for the reference "
             "lowering";
    return failure();
  }
  int64_t keys = kernelBlockKeys(p, t);
  if (keys % t.tiles.lanes != 0) {
    reason = "block_k " + std::to_string(p.blockK) + " and block-keys " +
             std::to_string(t.blockKeys) +
             " share no multiple of the f32 lanes " +
             std::to_string(t.tiles.lanes);
    return failure();
  }
  return success();
}

FailureOr<SmallVector<Value>>
tokamak::cpu::emitTiledAttention(OpBuilder &b, Location loc,
                                 const AttentionProblem &p,
                                 const AttentionTiling &t) {
  return Emitter(b, loc, p, t).emit();
}
