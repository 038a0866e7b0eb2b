//===- AttentionScoreMods.cpp - Score modifications of attention tiles ----===//
//
// Part of the Tokamak project. What happens to a row of scores between
// S = Q.Kᵀ and the mask: the tanh softcap, the score_mod region (on vectors
// when its body is elementwise, lane by lane otherwise) and the bias.
//
//===----------------------------------------------------------------------===//

#include "AttentionEmitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace tokamak::cpu;
using namespace tokamak::cpu::attention;

/// Whether the score_mod body can run on vectors: every op that depends on
/// the score or the key index is elementwise-mappable.
static bool isVectorizableScoreMod(Region &region) {
  Block &block = region.front();
  llvm::SmallPtrSet<Value, 16> varying = {block.getArgument(0),
                                          block.getArgument(4)};
  for (Operation &op : block.without_terminator()) {
    bool dependsOnLanes = llvm::any_of(
        op.getOperands(), [&](Value v) { return varying.contains(v); });
    if (!dependsOnLanes) {
      if (op.getNumRegions() != 0)
        return false;
      continue;
    }
    if (op.getNumRegions() != 0 || op.getNumResults() != 1 ||
        !op.hasTrait<OpTrait::Elementwise>() ||
        !op.hasTrait<OpTrait::Vectorizable>())
      return false;
    varying.insert(op.getResult(0));
  }
  return true;
}

Value Emitter::applyScoreMod(const TileCoords &c, Value s, Value head,
                             Value query, Value j0) {
  Region &region = *p.scoreMod;
  Block &block = region.front();
  int64_t n = blockKeys;
  // Key indices clamped into range: lanes past the end are masked later but
  // must not make a captured tensor read out of bounds.
  Value lastKey = val(sub(c.keyEnd, cst(1)));
  if (isVectorizableScoreMod(region)) {
    auto indexVec = VectorType::get({n}, b.getIndexType());
    Value keys = vector::StepOp::create(b, loc, indexVec);
    keys = arith::AddIOp::create(b, loc, keys, splat(j0, n));
    keys = arith::MinSIOp::create(b, loc, keys, splat(lastKey, n));
    IRMapping scalars;
    scalars.map(block.getArgument(1), c.batch);
    scalars.map(block.getArgument(2), head);
    scalars.map(block.getArgument(3), query);
    llvm::DenseMap<Value, Value> vectors;
    vectors[block.getArgument(0)] = s;
    vectors[block.getArgument(4)] = keys;
    for (Operation &op : block.without_terminator()) {
      bool dependsOnLanes = llvm::any_of(
          op.getOperands(), [&](Value v) { return vectors.count(v); });
      if (!dependsOnLanes) {
        b.clone(op, scalars);
        continue;
      }
      SmallVector<Value> operands;
      for (Value v : op.getOperands()) {
        if (auto it = vectors.find(v); it != vectors.end())
          operands.push_back(it->second);
        else
          operands.push_back(splat(scalars.lookupOrDefault(v), n));
      }
      Type resultType = VectorType::get({n}, op.getResult(0).getType());
      Operation *vecOp = b.create(loc, op.getName().getIdentifier(), operands,
                                  TypeRange{resultType}, op.getAttrs());
      vectors[op.getResult(0)] = vecOp->getResult(0);
    }
    Value yielded = block.getTerminator()->getOperand(0);
    if (auto it = vectors.find(yielded); it != vectors.end())
      return it->second;
    return splat(scalars.lookupOrDefault(yielded), n);
  }

  // General bodies run lane by lane.
  return loop(
      cst(0), cst(n), 1, ValueRange{s},
      [&](Value lane, ValueRange args) -> Values {
        Value score = vector::ExtractOp::create(b, loc, args[0],
                                                ArrayRef<OpFoldResult>{lane});
        Value key = val(min(add(j0, lane), lastKey));
        IRMapping mapping;
        mapping.map(block.getArgument(0), score);
        mapping.map(block.getArgument(1), c.batch);
        mapping.map(block.getArgument(2), head);
        mapping.map(block.getArgument(3), query);
        mapping.map(block.getArgument(4), key);
        for (Operation &op : block.without_terminator())
          b.clone(op, mapping);
        Value r = mapping.lookupOrDefault(block.getTerminator()->getOperand(0));
        return {vector::InsertOp::create(b, loc, r, args[0],
                                         ArrayRef<OpFoldResult>{lane})};
      })[0];
}

Value Emitter::modifyScores(const TileCoords &c, Value s, Value head,
                            Value query, Value j0) {
  int64_t n = blockKeys;
  if (p.softcap) {
    Value inv = cstF(1.0 / *p.softcap, n);
    Value cap = cstF(*p.softcap, n);
    s = mulf(cap, math::TanhOp::create(b, loc, mulf(s, inv)));
  }
  if (p.scoreMod)
    s = applyScoreMod(c, s, head, query, j0);
  if (p.bias) {
    // Trailing alignment with [B, Hq, Sq, Skv]; size-1 dims broadcast.
    auto biasType = cast<RankedTensorType>(p.bias.getType());
    int64_t rank = biasType.getRank();
    Value full[4] = {c.batch, head, query, j0};
    SmallVector<Value> at;
    for (int64_t k = 0; k < rank; ++k)
      at.push_back(biasType.getDimSize(k) == 1 ? idx(0) : full[4 - rank + k]);
    Value row;
    if (biasType.getDimSize(rank - 1) == 1)
      row = bcast(extract(p.bias, at), n);
    else
      row = read(p.bias, at, n, /*inBounds=*/false);
    s = addf(s, row);
  }
  return s;
}
