//===- TileLinear.cpp - Tile, pack and vectorize tok.linear ---------------===//
//
// Part of the Tokamak project. Replaces each tok.linear (and the elementwise
// consumers it can absorb: a tok.activation or tok.glu, then a residual add;
// and the tok.rms_norm or tok.layer_norm producing its input) with the packed
// GEMM or the streaming GEMV of LinearKernels.h, on tensors:
//
//   x [..., K] --collapse--> [M, K]
//   M static and small  -> GEMV (W streamed once, no packing)
//   M static otherwise  -> packed GEMM
//   M dynamic           -> scf.if (M == 1) GEMV<1> else if (M == 2) ...
//                          else GEMM
//   [M, N] --expand--> [..., N]
//
// A norm whose result feeds linears is fused into each of them
// (LinearPrologue.h); what the consumers share is built once, where the norm
// was: the per-row statistics (one pass over x) for GEMMs, which normalize
// rows of x while packing them, and, when M is static and small, the
// normalized rows themselves (K elements each) for GEMVs. The norm stays for
// its other users, if any.
//
// Linears it cannot handle (several dynamic leading dims, other element
// types) are left for convert-tok-to-linalg.
//
//===----------------------------------------------------------------------===//

#include "LinearKernels.h"
#include "PassTarget.h"

#include "dialects/Tok/IR/TokOps.h"
#include "tokamak/Codegen/CPU/Passes.h"

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
#include "mlir/Interfaces/LoopLikeInterface.h"

#include <functional>

namespace tokamak::cpu {
#define GEN_PASS_DEF_TILELINEAR
#include "tokamak/Codegen/CPU/Passes.h.inc"
} // namespace tokamak::cpu

using namespace mlir;
using namespace tokamak::cpu;

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

/// Largest buffer of a norm prologue (statistics, normalized rows) kept on
/// the function's stack.
constexpr int64_t kPrologueMaxStackBytes = 256 << 10;

/// An f32 tensor of `sizes` to fill once per call: a stack buffer of the
/// function when its size is static and small and `op` is in no loop (an
/// alloca there would grow the stack per iteration), else a heap tensor.
Value prologueBuffer(OpBuilder &b, Location loc, Operation *op,
                     ArrayRef<OpFoldResult> sizes) {
  Type f32 = b.getF32Type();
  SmallVector<int64_t> shape;
  SmallVector<Value> dynamic;
  int64_t bytes = 4;
  for (OpFoldResult size : sizes) {
    std::optional<int64_t> s = getConstantIntValue(size);
    shape.push_back(s.value_or(ShapedType::kDynamic));
    if (s)
      bytes *= *s;
    else
      dynamic.push_back(cast<Value>(size));
  }
  auto type = RankedTensorType::get(shape, f32);
  if (!dynamic.empty() || bytes > kPrologueMaxStackBytes ||
      op->getParentOfType<LoopLikeOpInterface>())
    return tensor::EmptyOp::create(b, loc, shape, f32, dynamic);
  Value buffer = memref::AllocaOp::create(b, loc, MemRefType::get(shape, f32),
                                          b.getI64IntegerAttr(64));
  return bufferization::ToTensorOp::create(b, loc, type, buffer,
                                           /*restrict=*/true,
                                           /*writable=*/true);
}

/// A tok.rms_norm or tok.layer_norm fused into the linears it feeds, and
/// what they share, built at the norm's position on first use.
struct NormFusion {
  Operation *op = nullptr;
  /// The norm's input as rows `[M, K]`.
  Value x;
  double eps = 0.0;
  /// Statistics, γ, β (LinearPrologue.h); `prologue.stats` once built.
  LinearPrologue prologue;
  /// The normalized rows `[M, K]` f32 for GEMVs (static M only), once built.
  Value rows;
};

struct TileLinearPass : tokamak::cpu::impl::TileLinearBase<TileLinearPass> {
  using TileLinearBase::TileLinearBase;

  /// The tiles of this run: the options, or the target's choice.
  GemmTiles tiles;
  /// f32 lanes and vector registers of the target.
  int64_t lanes = 16, vectorRegisters = 32;

  void runOnOperation() override {
    FailureOr<CpuTarget> target = resolvePassTarget(
        getOperation(), getArgument(), cpu, cpuFeatures, numThreads, remarks);
    if (failed(target))
      return signalPassFailure();
    // Every vector the kernels emit is one register of the target.
    lanes = target->f32Lanes();
    vectorRegisters = target->vectorRegisters;
    // Options left at 0 take the target's choice.
    GemmTiles chosen = chooseGemmTiles(*target);
    tiles.rows = tileRows ? tileRows : chosen.rows;
    tiles.cols = tileCols ? tileCols : chosen.cols;
    tiles.cacheN = cacheTileN ? cacheTileN : chosen.cacheN;
    tiles.cacheK = cacheTileK ? cacheTileK : chosen.cacheK;
    if (tiles.rows <= 0 || tiles.cols <= 0 || tiles.cols % lanes != 0 ||
        tiles.cacheN <= 0 || tiles.cacheN % tiles.cols != 0 ||
        tiles.cacheK <= 0 || tiles.cacheK % lanes != 0 || gemvTileN <= 0 ||
        gemvMaxRows <= 0) {
      getOperation().emitError()
          << "tok-tile-linear: expected register-tile-cols a positive multiple "
             "of the target's "
          << lanes << " f32 lanes, cache-tile-n of register-tile-cols and "
          << "cache-tile-k of " << lanes << ", got " << tiles.rows << "x"
          << tiles.cols << ", " << tiles.cacheN << " and " << tiles.cacheK;
      return signalPassFailure();
    }
    if (remarks)
      getOperation().emitRemark()
          << "tok-tile-linear: GEMM register tile " << tiles.rows << "x"
          << tiles.cols << ", packed block " << tiles.cacheK << "x"
          << tiles.cacheN << ", GEMV " << gemvTileN.getValue()
          << " rows of W per task, " << lanes << " f32 lanes";
    SmallVector<tok::LinearOp> linears;
    getOperation().walk([&](tok::LinearOp op) { linears.push_back(op); });
    // Options that cannot tile a linear fail the pass before any rewrite.
    for (tok::LinearOp op : linears)
      if (failed(checkGlu(matchChain(op, fuseEpilogues))))
        return signalPassFailure();
    // Chains are matched as the linears are rewritten: an add two chains
    // could end in is fused into the first one only.
    IRRewriter rewriter(&getContext());
    for (tok::LinearOp op : linears)
      (void)tile(rewriter, matchChain(op, fuseEpilogues));
    // Norms whose users were all fused linears.
    for (NormFusion &norm : norms)
      if (norm.op->use_empty())
        rewriter.eraseOp(norm.op);
    norms.clear();
    normIndex.clear();
  }

  /// The norm producing the input of `op`, set up for fusion, or null.
  NormFusion *normFor(IRRewriter &rewriter, tok::LinearOp op) {
    Operation *def = op.getInput().getDefiningOp();
    if (!fuseNorms || !isa_and_nonnull<tok::RmsNormOp, tok::LayerNormOp>(def))
      return nullptr;
    auto it = normIndex.find(def);
    if (it != normIndex.end())
      return &norms[it->second];
    NormFusion norm;
    norm.op = def;
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(def);
    FloatAttr eps;
    Value input;
    if (auto rms = dyn_cast<tok::RmsNormOp>(def)) {
      input = rms.getInput();
      norm.prologue.gamma = rms.getWeight();
      eps = rms.getEpsAttr();
      norm.eps = eps ? eps.getValueAsDouble() : 1e-6;
    } else {
      auto ln = cast<tok::LayerNormOp>(def);
      input = ln.getInput();
      norm.prologue.gamma = ln.getWeight();
      norm.prologue.beta = ln.getBias();
      norm.prologue.centered = true;
      eps = ln.getEpsAttr();
      norm.eps = eps ? eps.getValueAsDouble() : 1e-5;
    }
    norm.x = collapseRows(rewriter, def->getLoc(), input);
    normIndex[def] = norms.size();
    norms.push_back(norm);
    return &norms.back();
  }

  /// The per-row statistics of `norm`, built once before the norm.
  const LinearPrologue &statsOf(IRRewriter &rewriter, NormFusion &norm) {
    if (norm.prologue.stats)
      return norm.prologue;
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(norm.op);
    Location loc = norm.op->getLoc();
    Value dest = prologueBuffer(
        rewriter, loc, norm.op,
        {tensor::getMixedSize(rewriter, loc, norm.x, 0),
         rewriter.getIndexAttr(normStatsCols(norm.prologue.centered))});
    norm.prologue.stats =
        buildNormStats(rewriter, loc, norm.x, norm.prologue.centered, norm.eps,
                       dest, numThreads, lanes);
    return norm.prologue;
  }

  /// The normalized rows of `norm` (M static, `rows`), built once before the
  /// norm: the GEMV prologue its linears share.
  Value rowsOf(IRRewriter &rewriter, NormFusion &norm, int64_t rows) {
    if (norm.rows)
      return norm.rows;
    const LinearPrologue &prologue = statsOf(rewriter, norm);
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(norm.op);
    Location loc = norm.op->getLoc();
    Value dest =
        prologueBuffer(rewriter, loc, norm.op,
                       {rewriter.getIndexAttr(rows),
                        tensor::getMixedSize(rewriter, loc, norm.x, 1)});
    norm.rows =
        buildNormalizedRows(rewriter, loc, norm.x, rewriter.getIndexAttr(rows),
                            prologue, dest, lanes);
    return norm.rows;
  }

  /// A fused GLU splits each packed panel into a gate half and an up half of
  /// whole vectors: the register tile needs an even number of them.
  LogicalResult checkGlu(LinearChain chain) {
    if (!chain.glu || !isSupported(chain.linear) ||
        tiles.cols % (2 * lanes) == 0)
      return success();
    return chain.linear.emitError()
           << "tok-tile-linear: a fused GLU needs register-tile-cols a "
              "multiple of "
           << 2 * lanes << " (gate and up vectors of " << lanes
           << " f32 lanes per panel), got " << tiles.cols;
  }

  /// Why the kernels do not handle this linear (it stays for the reference
  /// lowering), or nothing when they do.
  static std::optional<StringRef> unsupportedReason(tok::LinearOp op) {
    RankedTensorType xType = op.getInput().getType();
    if (!isa<Float32Type, Float16Type, BFloat16Type>(xType.getElementType()))
      return StringRef("the input is not f32, f16 or bf16");
    if (llvm::count_if(xType.getShape().drop_back(), ShapedType::isDynamic) > 1)
      return StringRef("more than one leading dim of the input is dynamic");
    // K = 0 has no K block to seed the bias from.
    if (op.getWeight().getType().getDimSize(1) == 0)
      return StringRef("the reduction dim K is 0");
    return std::nullopt;
  }
  static bool isSupported(tok::LinearOp op) { return !unsupportedReason(op); }

  LogicalResult tile(IRRewriter &rewriter, LinearChain chain) {
    tok::LinearOp op = chain.linear;
    if (std::optional<StringRef> why = unsupportedReason(op)) {
      remarkUntiled(op, getArgument(), remarks, *why);
      return failure();
    }
    Location loc = op.getLoc();
    NormFusion *norm = normFor(rewriter, op);
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(chain.root);

    LinearTiling tiling;
    tiling.lanes = lanes;
    tiling.vectorRegisters = vectorRegisters;
    tiling.tileRows = tiles.rows;
    tiling.tileCols = tiles.cols;
    tiling.cacheTileN = tiles.cacheN;
    tiling.cacheTileK = tiles.cacheK;
    tiling.numThreads = numThreads;
    tiling.gemvTileN = gemvTileN;
    tiling.inLoop = op->getParentOfType<LoopLikeOpInterface>() != nullptr;
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

    // With a fused norm, x is the norm's input.
    Value x = norm ? norm->x : collapseRows(rewriter, loc, op.getInput());
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
    LinearPrologue prologue;
    if (norm && !(staticM && *staticM <= gemvMaxRows))
      prologue = statsOf(rewriter, *norm);
    // The GEMV of a norm's rows reads them normalized: shared when M is
    // static, else built for each row count.
    auto normalized = [&](OpFoldResult rows) -> Value {
      if (!norm)
        return x;
      if (staticM)
        return rowsOf(rewriter, *norm, *staticM);
      return buildNormalizedRows(
          rewriter, loc, x, rows, prologue,
          prologueBuffer(rewriter, loc, op,
                         {rows, tensor::getMixedSize(rewriter, loc, x, 1)}),
          lanes);
    };
    if (staticM && *staticM <= gemvMaxRows) {
      y = buildLinearGemv(rewriter, loc, normalized(m), w, out, *staticM,
                          epilogue, tiling);
    } else if (staticM) {
      y = buildLinearGemm(rewriter, loc, x, w, out, epilogue, tiling, prologue);
    } else {
      // Dynamic rows: a decode step of one sequence (one row) takes the GEMV
      // specialized for one row, a decode batch (up to gemv-batch-max-rows
      // rows) the batched GEMV, anything longer (a prompt) the GEMM.
      Value mVal = getValueOrCreateConstantIndexOp(rewriter, loc, m);
      auto rowsAtMost = [&](arith::CmpIPredicate pred, int64_t rows) {
        return arith::CmpIOp::create(
            rewriter, loc, pred, mVal,
            arith::ConstantIndexOp::create(rewriter, loc, rows));
      };
      auto branch = [&](Value cond, function_ref<Value()> thenFn,
                        function_ref<Value()> elseFn) -> Value {
        auto ifOp = scf::IfOp::create(rewriter, loc, TypeRange{out.getType()},
                                      cond, /*withElseRegion=*/true);
        OpBuilder::InsertionGuard g(rewriter);
        rewriter.setInsertionPointToStart(&ifOp.getThenRegion().front());
        scf::YieldOp::create(rewriter, loc, thenFn());
        rewriter.setInsertionPointToStart(&ifOp.getElseRegion().front());
        scf::YieldOp::create(rewriter, loc, elseFn());
        return ifOp.getResult(0);
      };
      auto gemm = [&]() -> Value {
        return buildLinearGemm(rewriter, loc, x, w, out, epilogue, tiling,
                               prologue);
      };
      auto batch = [&]() -> Value {
        if (gemvBatchMaxRows <= 1)
          return gemm();
        return branch(
            rowsAtMost(arith::CmpIPredicate::ule, gemvBatchMaxRows),
            [&]() -> Value {
              return buildLinearGemvBatch(rewriter, loc, normalized(m), w, out,
                                          gemvMaxRows, epilogue, tiling);
            },
            gemm);
      };
      y = branch(
          rowsAtMost(arith::CmpIPredicate::eq, 1),
          [&]() -> Value {
            return buildLinearGemv(rewriter, loc,
                                   normalized(rewriter.getIndexAttr(1)), w, out,
                                   1, epilogue, tiling);
          },
          batch);
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

  /// The norms met so far (by position in `norms`).
  SmallVector<NormFusion> norms;
  DenseMap<Operation *, size_t> normIndex;
};

} // namespace
