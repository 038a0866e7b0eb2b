//===- TileLinear.cpp - Tile, pack and vectorize tok.linear ---------------===//
//
// Part of the Tokamak project. Replaces each tok.linear (and the elementwise
// consumers it can absorb: a tok.activation, then a residual add) with the
// packed GEMM or the streaming GEMV of LinearKernels.h, on tensors:
//
//   x [..., K] --collapse--> [M, K]
//   M static and small  -> GEMV (W streamed once, no packing)
//   M static otherwise  -> packed GEMM
//   M dynamic           -> scf.if (M == 1) GEMV<1> else if (M == 2) ...
//                          else GEMM
//   [M, N] --expand--> [..., N]
//
// Linears it cannot handle (several dynamic leading dims, other element
// types) are left for convert-tok-to-linalg.
//
//===----------------------------------------------------------------------===//

#include "LinearKernels.h"

#include "dialects/Tok/IR/TokOps.h"
#include "dialects/Tok/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

#include <functional>

namespace mlir::tok {
#define GEN_PASS_DEF_TILELINEAR
#include "dialects/Tok/Transforms/Passes.h.inc"
} // namespace mlir::tok

using namespace mlir;
using namespace mlir::tok::detail;

namespace {

/// A tok.linear and the consumers folded into its epilogue.
struct LinearChain {
  tok::LinearOp linear;
  /// A tok.activation or a tok.glu consuming the linear (at most one).
  tok::ActivationOp activation;
  tok::GluOp glu;
  /// The residual add (`linalg.add` or tensor `arith.addf`) and its other
  /// operand.
  Operation *residualAdd = nullptr;
  Value residual;
  /// The last op of the chain: its result is what the kernel produces.
  Operation *root = nullptr;
};

/// The activation of a tok.glu (silu by default).
StringRef gluActivation(tok::GluOp glu) {
  if (StringAttr attr = glu.getActivationAttr())
    return attr.getValue();
  return "silu";
}

/// The single user of `v`, if it has exactly one use.
Operation *soleUser(Value v) {
  return v.hasOneUse() ? *v.getUsers().begin() : nullptr;
}

/// `linear`, then a tok.activation or tok.glu that is its only user, then an
/// add of a same-typed tensor that is the only user of that.
LinearChain matchChain(tok::LinearOp linear, bool fuse) {
  LinearChain chain;
  chain.linear = linear;
  chain.root = linear;
  if (!fuse)
    return chain;
  Value cur = linear.getOutput();
  Operation *first = soleUser(cur);
  if (auto act = dyn_cast_or_null<tok::ActivationOp>(first)) {
    if (isEpilogueActivation(act.getKind()) &&
        act.getOutput().getType() == cur.getType()) {
      chain.activation = act;
      chain.root = act;
      cur = act.getOutput();
    }
  } else if (auto glu = dyn_cast_or_null<tok::GluOp>(first)) {
    if (isEpilogueActivation(gluActivation(glu))) {
      chain.glu = glu;
      chain.root = glu;
      cur = glu.getOutput();
    }
  }
  Operation *user = soleUser(cur);
  if (!user || user->getNumResults() != 1 ||
      user->getResult(0).getType() != cur.getType())
    return chain;
  Value lhs, rhs;
  if (auto add = dyn_cast<linalg::AddOp>(user)) {
    if (!add.hasPureTensorSemantics() || add.getNumDpsInputs() != 2)
      return chain;
    lhs = add.getDpsInputs()[0];
    rhs = add.getDpsInputs()[1];
  } else if (auto add = dyn_cast<arith::AddFOp>(user)) {
    lhs = add.getLhs();
    rhs = add.getRhs();
  } else {
    return chain;
  }
  Value other = lhs == cur ? rhs : lhs;
  if (other == cur || other.getType() != cur.getType())
    return chain;
  chain.residualAdd = user;
  chain.residual = other;
  chain.root = user;
  return chain;
}

/// `t` (rank ≥ 1, at most one dynamic dim before the last) as a 2-D
/// `[rows, last]` tensor.
Value collapseRows(OpBuilder &b, Location loc, Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  int64_t rank = type.getRank();
  if (rank == 2)
    return t;
  if (rank == 1) {
    auto expanded =
        RankedTensorType::get({1, type.getDimSize(0)}, type.getElementType());
    return tensor::ExpandShapeOp::create(
        b, loc, expanded, t, ArrayRef<ReassociationIndices>{{0, 1}},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1),
                               tensor::getMixedSize(b, loc, t, 0)});
  }
  ReassociationIndices lead;
  for (int64_t i = 0; i + 1 < rank; ++i)
    lead.push_back(i);
  return tensor::CollapseShapeOp::create(
      b, loc, t, ArrayRef<ReassociationIndices>{lead, {rank - 1}});
}

/// The inverse of collapseRows: `y` `[rows, N]` back to `type`, whose leading
/// sizes are those of `like`.
Value expandRows(OpBuilder &b, Location loc, Value y, RankedTensorType type,
                 Value like) {
  int64_t rank = type.getRank();
  if (rank == 2)
    return y;
  if (rank == 1)
    return tensor::CollapseShapeOp::create(
        b, loc, type, y, ArrayRef<ReassociationIndices>{{0, 1}});
  ReassociationIndices lead;
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0; i + 1 < rank; ++i) {
    lead.push_back(i);
    sizes.push_back(tensor::getMixedSize(b, loc, like, i));
  }
  sizes.push_back(tensor::getMixedSize(b, loc, y, 1));
  return tensor::ExpandShapeOp::create(
      b, loc, type, y, ArrayRef<ReassociationIndices>{lead, {rank - 1}}, sizes);
}

struct TileLinearPass : tok::impl::TileLinearBase<TileLinearPass> {
  using TileLinearBase::TileLinearBase;

  void runOnOperation() override {
    if (tileRows <= 0 || tileCols <= 0 || tileCols % kLinearVectorWidth != 0 ||
        cacheTileN <= 0 || cacheTileN % tileCols != 0 || cacheTileK <= 0 ||
        cacheTileK % kLinearVectorWidth != 0 || numThreads <= 0 ||
        gemvTileN <= 0) {
      getOperation().emitError()
          << "tok-tile-linear: expected register-tile-cols a positive multiple "
             "of "
          << kLinearVectorWidth << ", cache-tile-n of register-tile-cols and "
          << "cache-tile-k of " << kLinearVectorWidth << ", got "
          << tileRows.getValue() << "x" << tileCols.getValue() << ", "
          << cacheTileN.getValue() << " and " << cacheTileK.getValue();
      return signalPassFailure();
    }
    SmallVector<tok::LinearOp> linears;
    getOperation().walk([&](tok::LinearOp op) { linears.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (tok::LinearOp op : linears)
      (void)tile(rewriter, matchChain(op, fuseEpilogues));
  }

  /// Whether the kernels handle this linear; the others stay for the
  /// reference lowering.
  static bool isSupported(tok::LinearOp op) {
    RankedTensorType xType = op.getInput().getType();
    if (!isa<Float32Type, Float16Type, BFloat16Type>(xType.getElementType()))
      return false;
    if (llvm::count_if(xType.getShape().drop_back(), ShapedType::isDynamic) > 1)
      return false;
    // K = 0 has no K block to seed the bias from.
    return op.getWeight().getType().getDimSize(1) != 0;
  }

  LogicalResult tile(IRRewriter &rewriter, LinearChain chain) {
    tok::LinearOp op = chain.linear;
    if (!isSupported(op))
      return failure();
    Location loc = op.getLoc();
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(chain.root);

    LinearTiling tiling;
    tiling.tileRows = tileRows;
    tiling.tileCols = tileCols;
    tiling.cacheTileN = cacheTileN;
    tiling.cacheTileK = cacheTileK;
    tiling.numThreads = numThreads;
    tiling.gemvTileN = gemvTileN;
    LinearEpilogue epilogue;
    epilogue.bias = op.getBias();
    if (chain.activation)
      epilogue.activation = chain.activation.getKind();
    if (chain.glu) {
      epilogue.glu = true;
      epilogue.activation = gluActivation(chain.glu);
    }
    if (chain.residual)
      epilogue.residual = collapseRows(rewriter, loc, chain.residual);

    Value x = collapseRows(rewriter, loc, op.getInput());
    Value w = op.getWeight();
    auto rootType = cast<RankedTensorType>(chain.root->getResult(0).getType());
    Type elemType = rootType.getElementType();
    OpFoldResult m = tensor::getMixedSize(rewriter, loc, x, 0);
    // Output columns: N, or N/2 after a GLU.
    OpFoldResult n = tensor::getMixedSize(rewriter, loc, w, 0);
    if (!rootType.isDynamicDim(rootType.getRank() - 1))
      n = rewriter.getIndexAttr(rootType.getShape().back());
    else if (chain.glu)
      n = arith::DivUIOp::create(
              rewriter, loc, getValueOrCreateConstantIndexOp(rewriter, loc, n),
              arith::ConstantIndexOp::create(rewriter, loc, 2))
              .getResult();
    Value out = tensor::EmptyOp::create(rewriter, loc,
                                        ArrayRef<OpFoldResult>{m, n}, elemType);

    Value y;
    std::optional<int64_t> staticM = getConstantIntValue(m);
    if (staticM && *staticM <= gemvMaxRows) {
      y = buildLinearGemv(rewriter, loc, x, w, out, *staticM, epilogue, tiling);
    } else if (staticM) {
      y = buildLinearGemm(rewriter, loc, x, w, out, epilogue, tiling);
    } else {
      // Dynamic rows: decode steps (1 to gemv-max-rows rows at run time)
      // take the GEMV specialized for their row count, the rest the GEMM.
      Value mVal = getValueOrCreateConstantIndexOp(rewriter, loc, m);
      std::function<Value(int64_t)> dispatch = [&](int64_t rows) -> Value {
        if (rows > gemvMaxRows)
          return buildLinearGemm(rewriter, loc, x, w, out, epilogue, tiling);
        Value count = arith::ConstantIndexOp::create(rewriter, loc, rows);
        Value match = arith::CmpIOp::create(
            rewriter, loc, arith::CmpIPredicate::eq, mVal, count);
        auto ifOp = scf::IfOp::create(rewriter, loc, TypeRange{out.getType()},
                                      match, /*withElseRegion=*/true);
        OpBuilder::InsertionGuard g(rewriter);
        rewriter.setInsertionPointToStart(&ifOp.getThenRegion().front());
        scf::YieldOp::create(
            rewriter, loc,
            buildLinearGemv(rewriter, loc, x, w, out, rows, epilogue, tiling));
        rewriter.setInsertionPointToStart(&ifOp.getElseRegion().front());
        scf::YieldOp::create(rewriter, loc, dispatch(rows + 1));
        return ifOp.getResult(0);
      };
      y = dispatch(1);
    }

    y = expandRows(rewriter, loc, y, rootType, op.getInput());
    if (y.getType() != rootType)
      y = tensor::CastOp::create(rewriter, loc, rootType, y);
    rewriter.replaceOp(chain.root, y);
    for (Operation *mid :
         {chain.activation.getOperation(), chain.glu.getOperation()})
      if (mid && mid != chain.root)
        rewriter.eraseOp(mid);
    if (op != chain.root)
      rewriter.eraseOp(op);
    return success();
  }
};

} // namespace
