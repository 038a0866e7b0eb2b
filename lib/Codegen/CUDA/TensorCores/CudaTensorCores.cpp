//===- CudaTensorCores.cpp - tok-cuda-tensor-cores ------------------------===//
//
// Part of the Tokamak project. Decides which tok.attention and tok.linear
// ops the tensor-core kernels handle, and replaces them with host code
// around the kernel's gpu.launch: inputs through `bufferization.to_buffer`,
// results in `memref.alloc`s returned by `bufferization.to_tensor restrict
// writable`.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include "dialects/Tok/IR/TokOps.h"
#include "tokamak/Codegen/CUDA/TensorCores/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringSwitch.h"

#include <cmath>
#include <string>

namespace tokamak::cuda {
#define GEN_PASS_DEF_CUDATENSORCORES
#include "tokamak/Codegen/CUDA/TensorCores/Passes.h.inc"
} // namespace tokamak::cuda

using namespace mlir;
using namespace tokamak::cuda;
using tokamak::cuda::tc::AttentionKernelConfig;
using tokamak::cuda::tc::GemmKernelConfig;

std::optional<CudaArch> tokamak::cuda::parseCudaArch(StringRef name) {
  return llvm::StringSwitch<std::optional<CudaArch>>(name)
      .Case("sm_80", CudaArch::Sm80)
      .Case("sm_86", CudaArch::Sm86)
      .Case("sm_89", CudaArch::Sm89)
      .Case("sm_90", CudaArch::Sm90)
      .Case("sm_90a", CudaArch::Sm90a)
      .Default(std::nullopt);
}

//===----------------------------------------------------------------------===//
// Eligibility
//===----------------------------------------------------------------------===//

static bool isTensorCoreType(Type t) { return t.isF16() || t.isBF16(); }

/// The kernel configuration for `op`, or why the op stays for the SIMT path.
static FailureOr<AttentionKernelConfig> attentionConfig(tok::AttentionOp op,
                                                        std::string &reason) {
  auto fail = [&](const Twine &why) {
    reason = why.str();
    return failure();
  };
  if (op.getBias())
    return fail("bias is not handled by the tensor-core kernel");
  if (op.getSeqStarts())
    return fail("seq_starts (packed variable-length batches) is not handled "
                "by the tensor-core kernel");
  if (!op.getScoreMod().empty())
    return fail("a score_mod region is not handled by the tensor-core kernel");
  if (op.getBlockIndices())
    return fail("block_indices (block-sparse attention) is not handled by "
                "the tensor-core kernel");
  if (op.getSinks())
    return fail("sinks are not handled by the tensor-core kernel");
  if (op.getStats())
    return fail("a stats result is not handled by the tensor-core kernel");
  auto q = op.getQuery().getType(), k = op.getKey().getType(),
       v = op.getValue().getType();
  Type elem = q.getElementType();
  if (!isTensorCoreType(elem) || k.getElementType() != elem ||
      v.getElementType() != elem ||
      op.getOutput().getType().getElementType() != elem)
    return fail("element type is not f16 or bf16");
  int64_t d = q.getDimSize(3);
  if (ShapedType::isDynamic(d) || (d != 64 && d != 128))
    return fail("head dim is not 64 or 128");
  if (v.getDimSize(3) != d)
    return fail("value head dim differs from the query head dim");
  int64_t hq = q.getDimSize(1), hkv = k.getDimSize(1);
  if (ShapedType::isDynamic(hq) || ShapedType::isDynamic(hkv))
    return fail("dynamic head counts");
  AttentionKernelConfig cfg;
  cfg.elemType = elem;
  cfg.headDim = d;
  // At head dim 128, 64-key blocks leave the kernel at the 255-register
  // limit; 32-key blocks keep S and P at half the registers.
  cfg.blockKeys = d == 128 ? 32 : 64;
  cfg.numQueryHeads = hq;
  cfg.numKvHeads = hkv;
  // GQA: the heads of a kv group share a tile (and its K/V loads) when the
  // group size divides the tile's rows.
  int64_t group = hq / hkv;
  if (group > 1 && cfg.blockRows() % group == 0)
    cfg.headsPerTile = group;
  cfg.causal = op.getCausal();
  cfg.window = op.getWindow() ? static_cast<int64_t>(*op.getWindow()) : 0;
  cfg.scale = op.getScale() ? op.getScale()->convertToDouble()
                            : 1.0 / std::sqrt(static_cast<double>(d));
  if (op.getSoftcap())
    cfg.softcap = op.getSoftcap()->convertToDouble();
  return cfg;
}

static FailureOr<GemmKernelConfig> linearConfig(tok::LinearOp op, CudaArch arch,
                                                std::string &reason) {
  auto fail = [&](const Twine &why) {
    reason = why.str();
    return failure();
  };
  auto x = op.getInput().getType(), w = op.getWeight().getType();
  if (!isTensorCoreType(x.getElementType()))
    return fail("element type is not f16 or bf16");
  if (x.getRank() < 2)
    return fail("input rank is below 2");
  if (!w.hasStaticShape())
    return fail("weight shape is dynamic");
  if (w.getDimSize(1) % 8 != 0)
    return fail("in-feature count " + Twine(w.getDimSize(1)) +
                " is not a multiple of 8 (16-byte cp.async rows)");
  if (w.getDimSize(0) % 2 != 0)
    return fail("out-feature count " + Twine(w.getDimSize(0)) + " is odd");
  GemmKernelConfig cfg;
  cfg.elemType = x.getElementType();
  // sm_86/sm_89 have 100 KB of shared memory per SM; 3 stages leave room for
  // two CTAs. sm_80 and sm_90 take 4.
  cfg.stages = (arch == CudaArch::Sm86 || arch == CudaArch::Sm89) ? 3 : 4;
  return cfg;
}

//===----------------------------------------------------------------------===//
// Rewrites
//===----------------------------------------------------------------------===//

static Value toBuffer(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  auto memref = MemRefType::get(type.getShape(), type.getElementType());
  return bufferization::ToBufferOp::create(b, loc, memref, tensor,
                                           /*read_only=*/true);
}

/// An allocation shaped like `type` whose dynamic sizes are those of `like`
/// (dimension i of the result takes dimension `dims[i]` of `like`).
static Value allocLike(OpBuilder &b, Location loc, RankedTensorType type,
                       Value like, ArrayRef<int64_t> dims) {
  SmallVector<Value> sizes;
  for (auto [i, size] : llvm::enumerate(type.getShape()))
    if (ShapedType::isDynamic(size))
      sizes.push_back(memref::DimOp::create(b, loc, like, dims[i]));
  auto memref = MemRefType::get(type.getShape(), type.getElementType());
  return memref::AllocOp::create(b, loc, memref, sizes);
}

static Value toTensor(OpBuilder &b, Location loc, Value memref,
                      RankedTensorType type) {
  return bufferization::ToTensorOp::create(b, loc, type, memref,
                                           /*restrict=*/true,
                                           /*writable=*/true);
}

static void rewriteAttention(RewriterBase &rewriter, tok::AttentionOp op,
                             const AttentionKernelConfig &cfg) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value q = toBuffer(rewriter, loc, op.getQuery());
  Value k = toBuffer(rewriter, loc, op.getKey());
  Value v = toBuffer(rewriter, loc, op.getValue());
  auto outType = op.getOutput().getType();
  Value out = allocLike(rewriter, loc, outType, q, {0, 1, 2, 3});
  Value lse;
  if (op.getLse())
    lse = allocLike(rewriter, loc, op.getLse().getType(), q, {0, 1, 2});
  tc::emitFlashAttention(rewriter, loc, cfg, q, k, v, out, lse);
  SmallVector<Value> results{toTensor(rewriter, loc, out, outType)};
  if (lse)
    results.push_back(toTensor(rewriter, loc, lse, op.getLse().getType()));
  rewriter.replaceOp(op, results);
}

/// `memref` with its leading dimensions collapsed into one.
static Value collapseRows(OpBuilder &b, Location loc, Value memref) {
  auto type = cast<MemRefType>(memref.getType());
  if (type.getRank() == 2)
    return memref;
  ReassociationIndices rows;
  for (int64_t i = 0; i + 1 < type.getRank(); ++i)
    rows.push_back(i);
  SmallVector<ReassociationIndices> reassoc{
      rows, ReassociationIndices{type.getRank() - 1}};
  return memref::CollapseShapeOp::create(b, loc, memref, reassoc);
}

static void rewriteLinear(RewriterBase &rewriter, tok::LinearOp op,
                          const GemmKernelConfig &cfg) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value x = toBuffer(rewriter, loc, op.getInput());
  Value w = toBuffer(rewriter, loc, op.getWeight());
  Value bias = op.getBias() ? toBuffer(rewriter, loc, op.getBias()) : Value();
  auto outType = op.getOutput().getType();
  SmallVector<int64_t> dims =
      llvm::to_vector(llvm::seq<int64_t>(0, outType.getRank()));
  Value y = allocLike(rewriter, loc, outType, x, dims);
  Value xRows = collapseRows(rewriter, loc, x);
  Value yRows = collapseRows(rewriter, loc, y);
  GemmKernelConfig skinny = GemmKernelConfig::skinny(cfg.elemType, cfg.stages);
  int64_t m = cast<MemRefType>(xRows.getType()).getDimSize(0);
  if (!ShapedType::isDynamic(m)) {
    tc::emitGemm(rewriter, loc,
                 m <= GemmKernelConfig::kSkinnyMaxRows ? skinny : cfg, xRows, w,
                 bias, yRows);
  } else {
    // Decode batches are known at run time only: both kernels, chosen by M.
    Value rows = memref::DimOp::create(rewriter, loc, xRows, 0);
    Value small = arith::CmpIOp::create(
        rewriter, loc, arith::CmpIPredicate::ule, rows,
        arith::ConstantIndexOp::create(rewriter, loc,
                                       GemmKernelConfig::kSkinnyMaxRows));
    auto ifOp = scf::IfOp::create(rewriter, loc, TypeRange(), small,
                                  /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(&ifOp.getThenRegion().front());
    tc::emitGemm(rewriter, loc, skinny, xRows, w, bias, yRows);
    rewriter.setInsertionPointToStart(&ifOp.getElseRegion().front());
    tc::emitGemm(rewriter, loc, cfg, xRows, w, bias, yRows);
  }
  rewriter.replaceOp(op, toTensor(rewriter, loc, y, outType));
}

static std::string describe(const AttentionKernelConfig &c) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "FlashAttention-2 forward, " << (c.elemType.isF16() ? "f16" : "bf16")
     << ", head dim " << c.headDim << ", " << c.blockRows() << " queries x "
     << c.blockKeys << " keys per block, " << c.numWarps << " warps, "
     << c.sharedBytes() << " bytes of shared memory";
  if (c.numQueryHeads != c.numKvHeads) {
    os << ", GQA group " << c.numQueryHeads / c.numKvHeads;
    if (c.headsPerTile > 1)
      os << " (" << c.headsPerTile << " heads x " << c.positionsPerTile()
         << " positions per tile, sharing K/V)";
  }
  if (c.causal)
    os << ", causal";
  if (c.window)
    os << ", window " << c.window;
  if (c.softcap)
    os << ", softcap";
  return s;
}

static void describeTile(llvm::raw_ostream &os, const GemmKernelConfig &c) {
  os << c.blockM << "x" << c.blockN << "x" << c.blockK << " block tile, "
     << c.warpsM * c.warpsN << " warps, " << c.stages << " stages, "
     << c.sharedBytes() << " bytes of shared memory";
}

/// The GEMM kernel(s) a linear with `rows` rows (after collapsing) gets.
static std::string describe(const GemmKernelConfig &c, int64_t rows) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "GEMM, " << (c.elemType.isF16() ? "f16" : "bf16") << ", ";
  GemmKernelConfig skinny = GemmKernelConfig::skinny(c.elemType, c.stages);
  bool dynamic = ShapedType::isDynamic(rows);
  if (dynamic || rows > GemmKernelConfig::kSkinnyMaxRows)
    describeTile(os, c);
  if (dynamic)
    os << "; M <= " << GemmKernelConfig::kSkinnyMaxRows << " at run time: ";
  if (dynamic || rows <= GemmKernelConfig::kSkinnyMaxRows)
    describeTile(os, skinny);
  return s;
}

/// Rows of a linear's input once its leading dimensions are collapsed.
static int64_t linearRows(tok::LinearOp op) {
  int64_t rows = 1;
  for (int64_t size : op.getInput().getType().getShape().drop_back()) {
    if (ShapedType::isDynamic(size))
      return ShapedType::kDynamic;
    rows *= size;
  }
  return rows;
}

namespace {

struct AttentionPattern : OpRewritePattern<tok::AttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tok::AttentionOp op,
                                PatternRewriter &rewriter) const override {
    std::string reason;
    FailureOr<AttentionKernelConfig> cfg = attentionConfig(op, reason);
    if (failed(cfg))
      return rewriter.notifyMatchFailure(op, reason);
    rewriteAttention(rewriter, op, *cfg);
    return success();
  }
};

struct LinearPattern : OpRewritePattern<tok::LinearOp> {
  LinearPattern(MLIRContext *ctx, CudaArch arch)
      : OpRewritePattern(ctx), arch(arch) {}
  LogicalResult matchAndRewrite(tok::LinearOp op,
                                PatternRewriter &rewriter) const override {
    std::string reason;
    FailureOr<GemmKernelConfig> cfg = linearConfig(op, arch, reason);
    if (failed(cfg))
      return rewriter.notifyMatchFailure(op, reason);
    rewriteLinear(rewriter, op, *cfg);
    return success();
  }
  CudaArch arch;
};

struct CudaTensorCores
    : tokamak::cuda::impl::CudaTensorCoresBase<CudaTensorCores> {
  using CudaTensorCoresBase::CudaTensorCoresBase;

  void runOnOperation() override {
    std::optional<CudaArch> arch = parseCudaArch(cudaArch);
    if (!arch) {
      getOperation()->emitError()
          << "unsupported cuda-arch '" << cudaArch
          << "': expected sm_80, sm_86, sm_89, sm_90 or sm_90a";
      return signalPassFailure();
    }
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa<tok::AttentionOp, tok::LinearOp>(op))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : ops) {
      std::string reason;
      if (auto attention = dyn_cast<tok::AttentionOp>(op)) {
        FailureOr<AttentionKernelConfig> cfg =
            attentionConfig(attention, reason);
        if (succeeded(cfg)) {
          remark(op, describe(*cfg));
          rewriteAttention(rewriter, attention, *cfg);
          continue;
        }
      } else {
        auto linear = cast<tok::LinearOp>(op);
        FailureOr<GemmKernelConfig> cfg = linearConfig(linear, *arch, reason);
        if (succeeded(cfg)) {
          remark(op, describe(*cfg, linearRows(linear)));
          rewriteLinear(rewriter, linear, *cfg);
          continue;
        }
      }
      remark(op, "left for the SIMT path: " + reason);
    }
  }

  void remark(Operation *op, const std::string &text) {
    if (remarks)
      op->emitRemark() << "tok-cuda-tensor-cores: " << cudaArch << ": " << text;
  }
};

} // namespace

void tokamak::cuda::populateCudaTensorCorePatterns(RewritePatternSet &patterns,
                                                   CudaArch arch) {
  patterns.add<AttentionPattern>(patterns.getContext());
  patterns.add<LinearPattern>(patterns.getContext(), arch);
}
