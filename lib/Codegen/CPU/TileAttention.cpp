//===- TileAttention.cpp - FlashAttention-style tiling of attention -------===//
//
// Part of the Tokamak project. The tok-tile-attention pass: gathers the
// attributes and operands of tok.attention / tok.paged_attention into an
// AttentionProblem and replaces the op with the tiled code of
// AttentionKernels.cpp. Ops it cannot tile stay for convert-tok-to-linalg.
//
//===----------------------------------------------------------------------===//

#include "AttentionKernels.h"
#include "PassTarget.h"
#include "dialects/Tok/IR/TokOps.h"
#include "tokamak/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace tokamak::cpu {
#define GEN_PASS_DEF_TILEATTENTION
#include "tokamak/Codegen/CPU/Passes.h.inc"
} // namespace tokamak::cpu

using namespace mlir;
using namespace tokamak::cpu;

/// The common attributes of both attention ops.
template <typename OpTy>
static void readAttributes(OpTy op, AttentionProblem &p) {
  if (std::optional<APFloat> s = op.getScale())
    p.scale = s->convertToDouble();
  if (std::optional<APFloat> c = op.getSoftcap())
    p.softcap = c->convertToDouble();
  if (std::optional<uint64_t> w = op.getWindow())
    p.window = static_cast<int64_t>(*w);
  if (std::optional<uint64_t> n = op.getSinks())
    p.sinks = static_cast<int64_t>(*n);
  p.outputElementType = op.getOutput().getType().getElementType();
}

/// Fuses a tok.rope that produces the query (static head dim) into the
/// query packing of the tiles.
static void fuseQueryRope(AttentionProblem &p) {
  auto rope = p.query.getDefiningOp<tok::RopeOp>();
  // The fused prologue derives θ_i from theta; an explicit inv_freq table
  // (RoPE scaling) keeps the op on its own.
  if (!rope || rope.getInvFreq())
    return;
  auto type = cast<RankedTensorType>(rope.getInput().getType());
  if (ShapedType::isDynamic(type.getDimSize(3)))
    return;
  QueryRope r;
  r.input = rope.getInput();
  r.positions = rope.getPositions();
  if (FloatAttr theta = rope.getThetaAttr())
    r.theta = theta.getValueAsDouble();
  r.rotaryDim = type.getDimSize(3);
  if (std::optional<uint64_t> rd = rope.getRotaryDim())
    r.rotaryDim = static_cast<int64_t>(*rd);
  r.interleaved = rope.getInterleaved();
  p.queryRope = r;
}

/// The stats result of tok.attention; the kernel computes it from the lse,
/// so the lse is computed with it (and dropped by the pass when the op has
/// none).
static void readStats(tok::AttentionOp op, AttentionProblem &p) {
  if (!op.getStats())
    return;
  p.withStats = true;
  p.withLse = true;
  if (std::optional<uint64_t> w = op.getStatsWindow())
    p.statsWindow = static_cast<int64_t>(*w);
  p.statsPerQueryHead = op.getStatsPerQueryHead();
}

static AttentionProblem problemOf(tok::AttentionOp op) {
  AttentionProblem p;
  p.query = op.getQuery();
  p.key = op.getKey();
  p.value = op.getValue();
  p.bias = op.getBias();
  p.seqStarts = op.getSeqStarts();
  p.blockIndices = op.getBlockIndices();
  p.blockCounts = op.getBlockCounts();
  if (std::optional<uint64_t> q = op.getBlockQ())
    p.blockQ = static_cast<int64_t>(*q);
  if (std::optional<uint64_t> k = op.getBlockK())
    p.blockK = static_cast<int64_t>(*k);
  if (!op.getScoreMod().empty())
    p.scoreMod = &op.getScoreMod();
  p.causal = op.getCausal();
  p.withLse = static_cast<bool>(op.getLse());
  readStats(op, p);
  readAttributes(op, p);
  return p;
}

static AttentionProblem problemOf(tok::PagedAttentionOp op) {
  AttentionProblem p;
  p.query = op.getQuery();
  p.key = op.getKeyCache();
  p.value = op.getValueCache();
  p.blockTable = op.getBlockTable();
  p.lens = op.getLens();
  p.blockIndices = op.getBlockIndices();
  p.blockCounts = op.getBlockCounts();
  if (std::optional<uint64_t> k = op.getBlockK())
    p.blockK = static_cast<int64_t>(*k);
  p.causal = true;
  // The stats result needs the lse, as for tok.attention.
  if (op.getStats()) {
    p.withStats = true;
    p.withLse = true;
    p.statsPerQueryHead = op.getStatsPerQueryHead();
  }
  readAttributes(op, p);
  return p;
}

namespace {

struct TileAttentionPass
    : tokamak::cpu::impl::TileAttentionBase<TileAttentionPass> {
  using Base::Base;

  void runOnOperation() override {
    FailureOr<CpuTarget> target = resolvePassTarget(
        getOperation(), getArgument(), cpu, cpuFeatures, numThreads, remarks);
    if (failed(target))
      return signalPassFailure();
    AttentionTiles tiles = chooseAttentionTiles(*target);
    if (blockKeys <= 0 || blockKeys % tiles.lanes != 0 || blockRows <= 0 ||
        kvSplits <= 0) {
      getOperation()->emitError()
          << "tok-tile-attention: expected block-keys to be a positive "
             "multiple of the f32 lanes ("
          << tiles.lanes << ") and block-rows, kv-splits to be positive, got "
          << blockKeys.getValue() << ", " << blockRows.getValue() << ", "
          << kvSplits.getValue();
      return signalPassFailure();
    }
    if (remarks)
      getOperation()->emitRemark()
          << "tok-tile-attention: tiles lanes=" << tiles.lanes
          << " transpose=" << tiles.lanes << "x" << tiles.lanes
          << " qk=" << tiles.rowBlock << "x" << tiles.qkKeys
          << " pv=" << tiles.pvRows << "x" << tiles.pvCols
          << " block-keys=" << blockKeys.getValue();
    AttentionTiling tiling;
    tiling.tiles = tiles;
    tiling.blockRows = blockRows;
    tiling.blockKeys = blockKeys;
    tiling.decodeRows = decodeRows;
    tiling.kvSplits = kvSplits;
    tiling.minSplitKeys = minSplitKeys;

    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa<tok::AttentionOp, tok::PagedAttentionOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      AttentionProblem p = isa<tok::AttentionOp>(op)
                               ? problemOf(cast<tok::AttentionOp>(op))
                               : problemOf(cast<tok::PagedAttentionOp>(op));
      std::string reason;
      if (failed(canTileAttention(p, reason)) ||
          failed(canTileBlockLists(p, tiling, reason))) {
        remarkUntiled(op, getArgument(), remarks, reason);
        continue;
      }
      if (fuseRope)
        fuseQueryRope(p);
      OpBuilder b(op);
      FailureOr<SmallVector<Value>> results =
          emitTiledAttention(b, op->getLoc(), p, tiling);
      if (failed(results))
        continue;
      // An lse computed only for the stats is not a result of the op.
      if (p.withStats && results->size() > op->getNumResults())
        results->erase(results->begin() + 1);
      // The tiled results may be more dynamic than the op's types.
      SmallVector<Value> replacements;
      for (auto [v, type] : llvm::zip(*results, op->getResultTypes()))
        replacements.push_back(
            v.getType() == type
                ? v
                : Value(tensor::CastOp::create(b, op->getLoc(), type, v)));
      op->replaceAllUsesWith(replacements);
      Operation *rope = p.query.getDefiningOp();
      op->erase();
      // The rotated query is dead once its only reader is fused.
      if (p.queryRope && rope->use_empty())
        rope->erase();
    }
  }
};

} // namespace
