//===- LinearKernels.cpp - Packed GEMM and GEMV builders for linear -------===//
//
// Part of the Tokamak project. Emits the CPU kernels of tok-tile-linear on
// tensors, as explicit vector code (no later vectorizer involved):
//
//  - GEMM: `scf.forall` over (row chunks, column blocks of W). Per task and K
//    block, W[n0:n0+NC, k0:k0+KC] is packed into f32 panels [NC/NR, KC, NR]
//    (L×L transposes, L the target's f32 lanes; f16/bf16 widened here), then
//    MR×NR register tiles sweep the task's rows: per k, MR scalar broadcasts
//    of x, NR/L panel loads and MR·NR/L FMAs into as many vector
//    accumulators (8×32 with AVX-512: 16 zmm accumulators; 6×16 with AVX2: 12
//    ymm). The x micro-panel (MR rows × KC) stays in
//    L1 across the panels, the packed block in L2; it is a widened f32 copy
//    when x is f16/bf16 or a fused norm normalizes it (LinearPrologue.h).
//    Partial sums live in the output tile (f32) or in an f32 scratch tile
//    (f16/bf16 or GLU with several K blocks; row chunks of at most 256 rows
//    keep it on the stack); the last K block applies the epilogue in
//    registers. Every workspace is a stack buffer of the task.
//  - GEMV: `scf.forall` over blocks of W rows; each group of rows streams W
//    with K-contiguous loads against the (L1-resident) rows of x, one FMA
//    accumulator per (x row, W row), one horizontal sum per output.
//
// Edges: rows of x not a multiple of MR use power-of-two row tiles; columns
// not a multiple of NR and K not a multiple of L use zero-padded panels and
// masked accesses, decided statically when the sizes are known.
//
//===----------------------------------------------------------------------===//

#include "LinearKernels.h"
#include "KernelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace tokamak::cpu;

namespace {

/// The largest packed block kept on the stack (OpenMP workers default to a
/// few MiB of stack).
constexpr int64_t kLinearMaxStackBytes = 1 << 20;

int64_t ceilDivInt(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t roundUpInt(int64_t a, int64_t b) { return ceilDivInt(a, b) * b; }

/// The state of one K block of the GEMM, shared by its register tiles.
struct KBlock {
  /// Row and column of the task's tile in the output.
  OpFoldResult m0, n0;
  /// Columns of the task's tile.
  OpFoldResult nsz;
  /// Start and depth of the block along K.
  Value kb;
  OpFoldResult ksz;
  /// The packed weight panels of the block.
  Value packed;
  /// The current rows of x widened to f32 `[tileRows, cacheTileK]` (when x
  /// is not f32), or null: broadcasts then read x itself.
  Value xPanel;
  /// Whether this is the first / last K block: a constant when there is one
  /// block, an i1 otherwise.
  Value first, last;
  bool single;
};

/// Builds the kernels of one linear at the builder's insertion point.
class LinearEmitter : private KernelBuilder {
public:
  LinearEmitter(OpBuilder &b, Location loc, Value x, Value w,
                const LinearEpilogue &epilogue, const LinearTiling &tiling,
                const LinearPrologue &prologue = {})
      : KernelBuilder(b, loc, tiling.lanes), x(x), w(w), epilogue(epilogue),
        tiling(tiling), prologue(prologue),
        vecType(VectorType::get({tiling.lanes}, b.getF32Type())),
        tileRows(tiling.tileRows), tileCols(tiling.tileCols),
        panelCols(epilogue.glu ? tiling.tileCols / 2 : tiling.tileCols) {
    OpFoldResult n = tensor::getMixedSize(b, loc, w, 0);
    outCols = epilogue.glu ? floorDiv(n, cst(2)) : n;
    upOffset = epilogue.glu ? outCols : cst(0);
  }

  Value gemm(Value out);
  Value gemv(Value out, int64_t rows);
  Value gemvBatch(Value out, int64_t chunk);

private:
  //===--------------------------------------------------------------------===//
  // Values and vectors
  //===--------------------------------------------------------------------===//

  Value zeroVec() {
    return arith::ConstantOp::create(
        b, loc, vecType,
        DenseElementsAttr::get(vecType,
                               ArrayRef<Attribute>{b.getF32FloatAttr(0.0)}));
  }
  /// A `shape` vector read from `src` at `indices` (minor dims), zero-padded
  /// where not `inBounds`, widened to f32.
  Value read(Value src, ValueRange indices, ArrayRef<int64_t> shape,
             ArrayRef<bool> inBounds) {
    Type elemType = getElementTypeOrSelf(src.getType());
    Value pad = arith::ConstantOp::create(b, loc, elemType,
                                          b.getFloatAttr(elemType, 0.0));
    auto type = VectorType::get(shape, elemType);
    Value v = vector::TransferReadOp::create(b, loc, type, src, indices, pad,
                                             inBounds);
    return toF32(v);
  }
  Value readVec(Value src, ValueRange indices, bool inBounds) {
    return read(src, indices, {lanes}, {inBounds});
  }
  /// Writes the f32 vector `v` into `dest` at `indices`, narrowed to the
  /// element type of `dest`; returns the updated tensor.
  Value writeVec(Value v, Value dest, ValueRange indices, bool inBounds) {
    v = fromF32(v, getElementTypeOrSelf(dest.getType()));
    return vector::TransferWriteOp::create(b, loc, v, dest, indices,
                                           ArrayRef<bool>{inBounds})
        .getResult();
  }
  /// activation(v) (times `up` for a GLU) + residual[row, col...] on an f32
  /// vector or scalar.
  Value applyEpilogue(Value v, Value row, Value col, bool colInBounds,
                      Value up = Value()) {
    if (!epilogue.activation.empty())
      v = buildActivation(b, loc, epilogue.activation, v);
    if (up)
      v = arith::MulFOp::create(b, loc, v, up);
    if (Value res = epilogue.residual) {
      Value r = isa<VectorType>(v.getType())
                    ? readVec(res, {row, col}, colInBounds)
                    : toF32(tensor::ExtractOp::create(b, loc, res,
                                                      ValueRange{row, col}));
      v = arith::AddFOp::create(b, loc, v, r);
    }
    return v;
  }

  //===--------------------------------------------------------------------===//
  // GEMM pieces
  //===--------------------------------------------------------------------===//

  Value packWeights(Value pack, OpFoldResult n0, OpFoldResult nsz, Value kb,
                    OpFoldResult ksz);
  Values sweepRows(const KBlock &blk, OpFoldResult msz, Values tensors);
  Value packRows(Value buffer, int64_t rows, Value m, const KBlock &blk);
  Values registerTile(int64_t rows, Value m, Value p, const KBlock &blk,
                      ValueRange tensors);

  Value gemvRows(int64_t rows, int64_t group, Value r, OpFoldResult n0,
                 OpFoldResult m0, Value tile);
  Value gemvTasks(
      Value out, OpFoldResult rows, int64_t groupRows,
      function_ref<Value(OpFoldResult n0, int64_t group, Value r, Value tile)>
          body);

  Value x, w;
  const LinearEpilogue &epilogue;
  const LinearTiling &tiling;
  const LinearPrologue &prologue;
  VectorType vecType;
  /// The register tile.
  int64_t tileRows, tileCols;
  /// Output columns per panel: tileCols, or half of it for a GLU, whose
  /// panels hold gate columns then the matching up columns.
  int64_t panelCols;
  /// Output columns (N, or N/2 for a GLU) and the offset of the up half.
  OpFoldResult outCols, upOffset;
  /// Static facts of the GEMM shapes.
  bool fullPanels = false, fullKVectors = false, scratch = false;
  /// Whether x is widened (and normalized, with a prologue) to f32 once per
  /// row tile and K block.
  bool widenX = false;
  /// x as a read-only buffer for software prefetches of the next row tile
  /// while a row panel is widened (null when x is read directly).
  Value xPrefetch;
};

//===----------------------------------------------------------------------===//
// GEMM
//===----------------------------------------------------------------------===//

/// Packs W[n0 : n0+nsz, kb : kb+ksz] into `pack` as [panel, k, tileCols] f32
/// with zeros past N and K: each lanes×lanes block is read along K, widened
/// and transposed in registers. For a GLU, panel p holds gate rows
/// n0 + p·panelCols + [0, panelCols) then the up rows N/2 + the same.
Value LinearEmitter::packWeights(Value pack, OpFoldResult n0, OpFoldResult nsz,
                                 Value kb, OpFoldResult ksz) {
  const int64_t v = lanes;
  OpFoldResult panels = ceilDiv(nsz, cst(panelCols));
  const int64_t halfVecs = panelCols / v;
  return loop(cst(0), panels, 1, pack, [&](Value p, ValueRange st) -> Values {
    return loop(cst(0), ksz, v, st, [&](Value kk, ValueRange st2) -> Values {
      Value packed = st2[0];
      OpFoldResult row0 = add(n0, mul(p, cst(panelCols)));
      Value col = val(add(kb, kk));
      for (int64_t h = 0; h < tileCols / v; ++h) {
        Value row = val(
            h < halfVecs ? add(row0, cst(h * v))
                         : add(upOffset, add(row0, cst((h - halfVecs) * v))));
        Value block = read(w, {row, col}, {v, v}, {fullPanels, fullKVectors});
        Value t =
            vector::TransposeOp::create(b, loc, block, ArrayRef<int64_t>{1, 0});
        packed = vector::TransferWriteOp::create(
                     b, loc, t, packed, ValueRange{p, kk, val(cst(h * v))},
                     ArrayRef<bool>{true, true})
                     .getResult();
      }
      return {packed};
    });
  })[0];
}

/// One `rows`×tileCols register tile at tile row `m`, panel `p`: initialize
/// (bias or partial sums), accumulate over the block's K, then store partial
/// sums or, in the last block, the epilogue's result. `tensors` is the output
/// tile followed by the f32 scratch tile when there is one. Partial sums are
/// kept at packed columns p·tileCols + lanes·j (in the scratch tile, or in the
/// output tile, where those are the output columns).
LinearEmitter::Values LinearEmitter::registerTile(int64_t rows, Value m,
                                                  Value p, const KBlock &blk,
                                                  ValueRange tensors) {
  const int64_t v = lanes;
  const int64_t vecs = tileCols / v;
  // Output vectors: all of them, or the gate half of a GLU.
  const int64_t outVecs = panelCols / v;
  SmallVector<Value> packedCol, outCol, biasCol, rowIdx, grow;
  Value pcol = val(mul(p, cst(tileCols)));
  Value ocol = val(mul(p, cst(panelCols)));
  for (int64_t j = 0; j < vecs; ++j) {
    packedCol.push_back(val(add(pcol, cst(j * v))));
    int64_t jo = j % outVecs;
    if (j < outVecs)
      outCol.push_back(val(add(ocol, cst(jo * v))));
    OpFoldResult gcol = add(blk.n0, add(ocol, cst(jo * v)));
    biasCol.push_back(val(j < outVecs ? gcol : add(upOffset, gcol)));
  }
  for (int64_t i = 0; i < rows; ++i) {
    rowIdx.push_back(val(add(m, cst(i))));
    grow.push_back(val(add(blk.m0, rowIdx.back())));
  }
  Value partial = tensors.back();
  bool partialInBounds = scratch || fullPanels;
  SmallVector<Type> vecTypes(rows * vecs, vecType);

  // Accumulator initialization.
  auto fresh = [&]() -> Values {
    Values init;
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < vecs; ++j)
        init.push_back(epilogue.bias
                           ? readVec(epilogue.bias, {biasCol[j]}, fullPanels)
                           : zeroVec());
    return init;
  };
  auto resume = [&]() -> Values {
    Values init;
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < vecs; ++j)
        init.push_back(
            readVec(partial, {rowIdx[i], packedCol[j]}, partialInBounds));
    return init;
  };
  Values init =
      blk.single ? fresh() : ifElse(blk.first, vecTypes, fresh, resume);

  // The micro-kernel: per k, `vecs` panel loads, `rows` broadcasts and
  // rows × vecs FMAs.
  Values acc =
      loop(cst(0), blk.ksz, 1, init, [&](Value kk, ValueRange c) -> Values {
        Values wv, next(c.begin(), c.end());
        for (int64_t j = 0; j < vecs; ++j)
          wv.push_back(vector::TransferReadOp::create(
              b, loc, vecType, blk.packed, ValueRange{p, kk, val(cst(j * v))},
              /*padding=*/std::nullopt, ArrayRef<bool>{true}));
        Value xcol = val(add(blk.kb, kk));
        for (int64_t i = 0; i < rows; ++i) {
          Value s = blk.xPanel
                        ? tensor::ExtractOp::create(b, loc, blk.xPanel,
                                                    ValueRange{val(cst(i)), kk})
                              .getResult()
                        : toF32(tensor::ExtractOp::create(
                              b, loc, x, ValueRange{grow[i], xcol}));
          Value bcast = vector::BroadcastOp::create(b, loc, vecType, s);
          for (int64_t j = 0; j < vecs; ++j)
            next[i * vecs + j] =
                vector::FMAOp::create(b, loc, bcast, wv[j], next[i * vecs + j]);
        }
        return next;
      });

  // Store.
  auto finish = [&]() -> Values {
    Value tile = tensors[0];
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < outVecs; ++j) {
        Value up = epilogue.glu ? acc[i * vecs + outVecs + j] : Value();
        Value r = applyEpilogue(acc[i * vecs + j], grow[i], biasCol[j],
                                fullPanels, up);
        tile = writeVec(r, tile, {rowIdx[i], outCol[j]}, fullPanels);
      }
    Values out{tile};
    if (scratch)
      out.push_back(tensors[1]);
    return out;
  };
  auto keep = [&]() -> Values {
    Value dest = partial;
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < vecs; ++j)
        dest = writeVec(acc[i * vecs + j], dest, {rowIdx[i], packedCol[j]},
                        partialInBounds);
    Values out(tensors.begin(), tensors.end());
    out.back() = dest;
    return out;
  };
  if (blk.single)
    return finish();
  return ifElse(blk.last, TypeRange(tensors), finish, keep);
}

/// Widens x[m0+m : +rows, kb : kb+ksz] into `buffer` ([tileRows, kc] f32),
/// one vector at a time, so that the micro-kernel broadcasts f32 scalars.
/// With a prologue, each vector is normalized on the way: the rows'
/// statistics are read once, γ (and β) once per vector for all rows. Lanes
/// past K
/// read zeros in x, γ and β and so stay zero.
Value LinearEmitter::packRows(Value buffer, int64_t rows, Value m,
                              const KBlock &blk) {
  const int64_t v = lanes;
  SmallVector<Value> rowIdx, mean, rstd;
  for (int64_t i = 0; i < rows; ++i)
    rowIdx.push_back(val(add(blk.m0, add(m, cst(i)))));
  if (prologue) {
    int64_t cols = normStatsCols(prologue.centered);
    auto stat = [&](Value row, int64_t c) -> Value {
      Value s = tensor::ExtractOp::create(b, loc, prologue.stats,
                                          ValueRange{row, val(cst(c))});
      return vector::BroadcastOp::create(b, loc, vecType, s);
    };
    for (int64_t i = 0; i < rows; ++i) {
      rstd.push_back(stat(rowIdx[i], cols - 1));
      mean.push_back(prologue.centered ? stat(rowIdx[i], 0) : Value());
    }
  }
  // The rows of the next full row tile (clamped to the last row), prefetched
  // into L2 line by line while this one is packed: the packing loop has no
  // arithmetic to hide the misses behind, unlike the micro-kernel that
  // reads x directly.
  SmallVector<Value> nextRow;
  if (xPrefetch && rows == tileRows) {
    Value lastRow = val(sub(dim(x, 0), cst(1)));
    for (int64_t i = 0; i < rows; ++i)
      nextRow.push_back(arith::MinSIOp::create(
          b, loc, val(add(rowIdx[i], cst(tileRows))), lastRow));
  }
  return loop(
      cst(0), blk.ksz, v, buffer, [&](Value kk, ValueRange st) -> Values {
        Value out = st[0];
        Value col = val(add(blk.kb, kk));
        for (Value row : nextRow)
          memref::PrefetchOp::create(b, loc, xPrefetch, ValueRange{row, col},
                                     /*isWrite=*/false,
                                     /*localityHint=*/2,
                                     /*isDataCache=*/true);
        Value gamma, beta;
        if (prologue) {
          gamma = readVec(prologue.gamma, {col}, fullKVectors);
          if (prologue.beta)
            beta = readVec(prologue.beta, {col}, fullKVectors);
        }
        for (int64_t i = 0; i < rows; ++i) {
          Value vec = readVec(x, {rowIdx[i], col}, fullKVectors);
          if (prologue)
            vec = buildNormalizeVector(b, loc, vec, mean[i], rstd[i], gamma,
                                       beta);
          out = writeVec(vec, out, {val(cst(i)), kk}, true);
        }
        return {out};
      })[0];
}

/// Sweeps the task's `msz` rows with tileRows-row tiles, then the remainder
/// with power-of-two tiles (4, 2, 1 for 6 or 8 rows); each row tile visits
/// every panel of the block.
LinearEmitter::Values
LinearEmitter::sweepRows(const KBlock &blk, OpFoldResult msz, Values tensors) {
  OpFoldResult panels = ceilDiv(blk.nsz, cst(panelCols));
  // `st` is the output tile, the scratch tile if any, then the x panel
  // buffer when x is widened.
  auto sweep = [&](int64_t rows, Value m, ValueRange st) -> Values {
    KBlock rowBlk = blk;
    Values tiles(st.begin(), st.end());
    if (widenX) {
      rowBlk.xPanel = packRows(tiles.pop_back_val(), rows, m, blk);
    }
    Values out = loop(cst(0), panels, 1, tiles, [&](Value p, ValueRange st2) {
      return registerTile(rows, m, p, rowBlk, st2);
    });
    if (widenX)
      out.push_back(rowBlk.xPanel);
    return out;
  };
  OpFoldResult full = roundDown(msz, tileRows);
  tensors = loop(cst(0), full, tileRows, tensors, [&](Value m, ValueRange st) {
    return sweep(tileRows, m, st);
  });

  OpFoldResult start = full;
  OpFoldResult left = sub(msz, full);
  std::optional<int64_t> staticLeft = getConstantIntValue(left);
  for (int64_t rows =
           tileRows > 1 ? int64_t(llvm::bit_floor(uint64_t(tileRows - 1))) : 0;
       rows >= 1; rows /= 2) {
    if (staticLeft) {
      if (*staticLeft & rows) {
        tensors = sweep(rows, val(start), tensors);
        start = add(start, cst(rows));
      }
      continue;
    }
    Value bit = arith::AndIOp::create(b, loc, val(left), val(cst(rows)));
    Value has = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, bit,
                                      val(cst(0)));
    Value at = val(start);
    tensors = ifElse(
        has, TypeRange(ValueRange(tensors)),
        [&]() -> Values { return sweep(rows, at, tensors); },
        [&]() -> Values { return tensors; });
    start = add(start, bit);
  }
  return tensors;
}

Value LinearEmitter::gemm(Value out) {
  OpFoldResult mDim = dim(x, 0), kDim = dim(x, 1), nDim = outCols;
  std::optional<int64_t> sN = getConstantIntValue(nDim);
  std::optional<int64_t> sK = getConstantIntValue(kDim);
  // Output columns per task: a GLU's block of W holds gate and up rows, so
  // it covers half as many to keep the packed block's size.
  int64_t nc = tiling.cacheTileN / tileCols * panelCols;
  int64_t kc = tiling.cacheTileK;
  if (sN)
    nc = std::min(nc, roundUpInt(*sN, panelCols));
  if (sK)
    kc = std::min(kc, roundUpInt(std::max<int64_t>(*sK, 1), lanes));
  fullPanels = sN && *sN % panelCols == 0;
  fullKVectors = sK && *sK % lanes == 0;
  bool single = sK && *sK <= kc;
  Type outElem = getElementTypeOrSelf(out.getType());
  scratch = (outElem != f32 || epilogue.glu) && !single;

  // Parallel tasks: column blocks of W, and row chunks when W alone gives
  // fewer than 4 tasks per thread (each chunk repacks its block of W), or
  // when partial sums need a scratch tile: chunks of at most
  // kLinearScratchRows rows keep it a bounded stack buffer (repacking W per
  // 256 rows costs ~1% of the FMAs).
  OpFoldResult nBlocks = ceilDiv(nDim, cst(nc));
  int64_t maxSplits = 1;
  if (std::optional<int64_t> nb = getConstantIntValue(nBlocks))
    maxSplits = std::max<int64_t>(
        1, ceilDivInt(4 * tiling.numThreads, std::max<int64_t>(*nb, 1)));
  SmallVector<OpFoldResult> ubs;
  OpFoldResult mChunk = mDim;
  bool split = maxSplits > 1 || scratch;
  if (split) {
    // ceil(M / maxSplits) rounded up to the register tile, at least 64 rows.
    mChunk =
        maxSplits > 1
            ? max(mul(ceilDiv(mDim, cst(maxSplits * tileRows)), cst(tileRows)),
                  cst(64))
            : cst(kLinearScratchRows);
    if (scratch)
      mChunk = min(mChunk, cst(kLinearScratchRows));
    OpFoldResult splits = ceilDiv(mDim, mChunk);
    if (isConstantIntValue(splits, 1)) {
      split = false;
      mChunk = mDim;
    } else {
      ubs.push_back(splits);
    }
  }
  ubs.push_back(nBlocks);

  auto forall = scf::ForallOp::create(b, loc, ubs, ValueRange{out},
                                      /*mapping=*/std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  SmallVector<Value> ivs = llvm::to_vector(forall.getInductionVars());
  Value shared = forall.getRegionIterArgs()[0];
  OpFoldResult m0 = cst(0), msz = mDim;
  if (split) {
    m0 = mul(ivs[0], mChunk);
    msz = min(mChunk, sub(mDim, m0));
  }
  OpFoldResult n0 = mul(ivs.back(), cst(nc));
  OpFoldResult nsz = min(cst(nc), sub(nDim, n0));
  SmallVector<OpFoldResult> offsets{m0, n0}, sizes{msz, nsz},
      strides(2, cst(1));
  Value tile =
      tensor::ExtractSliceOp::create(b, loc, shared, offsets, sizes, strides);

  // Workspaces are stack buffers of the task (no malloc and no page faults
  // per call): allocas in the parallel body, which the OpenMP lowering
  // scopes to one iteration. A loop of one task folds away, and with it that
  // scope: its workspaces then live in the function's frame, unless the
  // kernel sits in a loop (an alloca there would grow the stack per
  // iteration); those, like buffers too large for an OpenMP worker's stack,
  // come from the heap.
  bool oneTask = llvm::all_of(
      ubs, [](OpFoldResult ub) { return isConstantIntValue(ub, 1); });
  auto workspace = [&](ArrayRef<int64_t> shape) -> Value {
    auto type = RankedTensorType::get(shape, f32);
    if ((oneTask && tiling.inLoop) ||
        type.getNumElements() * 4 > kLinearMaxStackBytes)
      return tensor::EmptyOp::create(b, loc, shape, f32);
    Value buffer = memref::AllocaOp::create(b, loc, MemRefType::get(shape, f32),
                                            b.getI64IntegerAttr(64));
    return bufferization::ToTensorOp::create(b, loc, type, buffer,
                                             /*restrict=*/true,
                                             /*writable=*/true);
  };
  Values state{tile};
  // Partial sums at packed columns, rows of the task (at most
  // kLinearScratchRows).
  if (scratch)
    state.push_back(
        workspace({getConstantIntValue(mChunk).value_or(kLinearScratchRows),
                   nc / panelCols * tileCols}));
  state.push_back(workspace({nc / panelCols, kc, tileCols}));

  // f16/bf16 x, or a fused norm: one widened (normalized) copy of the
  // current rows per K block instead of a conversion per broadcast.
  widenX = getElementTypeOrSelf(x.getType()) != f32 || bool(prologue);
  if (widenX)
    state.insert(state.end() - 1, workspace({tileRows, kc}));
  // One prefetch per vector of a row: a 64-byte line with 16 lanes (twice
  // per line with 8).
  if (widenX && getElementTypeOrSelf(x.getType()) == f32) {
    auto xType = cast<RankedTensorType>(x.getType());
    auto layout =
        StridedLayoutAttr::get(b.getContext(), ShapedType::kDynamic,
                               {ShapedType::kDynamic, ShapedType::kDynamic});
    xPrefetch = bufferization::ToBufferOp::create(
        b, loc,
        MemRefType::get(xType.getShape(), xType.getElementType(), layout), x,
        /*read_only=*/b.getUnitAttr());
  }

  auto kBlock = [&](Value kb, ValueRange st) -> Values {
    KBlock blk;
    blk.m0 = m0;
    blk.n0 = n0;
    blk.nsz = nsz;
    blk.kb = kb;
    blk.single = single;
    blk.ksz = single ? kDim : min(cst(kc), sub(kDim, kb));
    blk.packed = packWeights(st.back(), n0, nsz, kb, blk.ksz);
    if (!single) {
      blk.first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, kb,
                                        val(cst(0)));
      blk.last = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                       val(add(kb, cst(kc))), val(kDim));
    }
    Values tensors = sweepRows(blk, msz, llvm::to_vector(st.drop_back()));
    tensors.push_back(blk.packed);
    return tensors;
  };
  Values result = single ? kBlock(val(cst(0)), state)
                         : loop(cst(0), kDim, kc, state, kBlock);

  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loc, result[0], shared, offsets,
                                        sizes, strides);
  return forall.getResult(0);
}

//===----------------------------------------------------------------------===//
// GEMV
//===----------------------------------------------------------------------===//

/// `group` W rows starting at task column `r` (global `n0 + r`) against the
/// `rows` rows of x from row `m0` on: one accumulator per pair, K-contiguous
/// loads, a masked tail when K is not a multiple of the vector width.
Value LinearEmitter::gemvRows(int64_t rows, int64_t group, Value r,
                              OpFoldResult n0, OpFoldResult m0, Value tile) {
  const int64_t v = lanes;
  OpFoldResult kDim = dim(x, 1);
  std::optional<int64_t> sK = getConstantIntValue(kDim);
  // W rows streamed together: `group` output rows, then for a GLU the
  // matching up rows.
  const int64_t streams = epilogue.glu ? 2 * group : group;
  SmallVector<Value> wrow, xrow;
  for (int64_t q = 0; q < streams; ++q) {
    OpFoldResult n = add(n0, add(r, cst(q % group)));
    wrow.push_back(val(q < group ? n : add(upOffset, n)));
  }
  for (int64_t m = 0; m < rows; ++m)
    xrow.push_back(val(add(m0, cst(m))));

  auto step = [&](Value k, ValueRange c, bool inBounds) -> Values {
    Values next(c.begin(), c.end()), wv, xv;
    for (int64_t q = 0; q < streams; ++q)
      wv.push_back(readVec(w, {wrow[q], k}, inBounds));
    for (int64_t m = 0; m < rows; ++m)
      xv.push_back(readVec(x, {xrow[m], k}, inBounds));
    for (int64_t m = 0; m < rows; ++m)
      for (int64_t q = 0; q < streams; ++q)
        next[m * streams + q] =
            vector::FMAOp::create(b, loc, xv[m], wv[q], next[m * streams + q]);
    return next;
  };
  Values init(rows * streams, zeroVec());
  OpFoldResult kMain = roundDown(kDim, v);
  Values acc = loop(cst(0), kMain, v, init, [&](Value k, ValueRange c) {
    return step(k, c, /*inBounds=*/true);
  });
  if (!sK) {
    Value hasTail = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                          val(kMain), val(kDim));
    SmallVector<Type> types(acc.size(), vecType);
    acc = ifElse(
        hasTail, types,
        [&]() -> Values { return step(val(kMain), acc, false); },
        [&]() -> Values { return acc; });
  } else if (*sK % v != 0) {
    acc = step(val(kMain), acc, false);
  }

  auto sum = [&](int64_t m, int64_t q) -> Value {
    Value s = vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD,
                                          acc[m * streams + q]);
    if (epilogue.bias)
      s = arith::AddFOp::create(
          b, loc, s,
          toF32(tensor::ExtractOp::create(b, loc, epilogue.bias,
                                          ValueRange{wrow[q]})));
    return s;
  };
  for (int64_t m = 0; m < rows; ++m)
    for (int64_t q = 0; q < group; ++q) {
      Value up = epilogue.glu ? sum(m, group + q) : Value();
      Value s = applyEpilogue(sum(m, q), xrow[m], wrow[q],
                              /*colInBounds=*/true, up);
      Value col = val(add(r, cst(q)));
      tile = tensor::InsertOp::create(
          b, loc, fromF32(s, getElementTypeOrSelf(tile.getType())), tile,
          ValueRange{xrow[m], col});
    }
  return tile;
}

/// W rows streamed together per x row count: enough independent W streams
/// per step, with 16 accumulators at most and, next to them, the `rows` x
/// vectors and a W vector in the target's `registers` (16 ymm with AVX2:
/// 8 accumulators for 4 rows of x instead of 16 that would spill).
static int64_t gemvGroup(int64_t rows, bool glu, int64_t tileN,
                         int64_t registers) {
  rows = std::max<int64_t>(rows, 1);
  int64_t accumulators = std::clamp<int64_t>(registers - rows - 2, 1, 16);
  int64_t group =
      std::clamp<int64_t>(accumulators / rows / (glu ? 2 : 1), 1, 8);
  return std::min(group, tileN);
}

/// The GEMV structure shared by gemv and gemvBatch: `scf.forall` over blocks
/// of gemvTileN output columns, each task's slice `[rows, nsz]` of `out`
/// filled by `body(n0, group, r, tile)` for each group of W rows at task
/// column r (the group sized for `groupRows` rows of x), then one W row at a
/// time for the rest of the block.
Value LinearEmitter::gemvTasks(
    Value out, OpFoldResult rows, int64_t groupRows,
    function_ref<Value(OpFoldResult n0, int64_t group, Value r, Value tile)>
        body) {
  OpFoldResult nDim = outCols;
  int64_t nt = tiling.gemvTileN;
  if (std::optional<int64_t> sN = getConstantIntValue(nDim))
    nt = std::max<int64_t>(1, std::min(nt, *sN));
  int64_t group =
      gemvGroup(groupRows, epilogue.glu, nt, tiling.vectorRegisters);

  auto forall = scf::ForallOp::create(b, loc, {ceilDiv(nDim, cst(nt))},
                                      ValueRange{out}, std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  Value shared = forall.getRegionIterArgs()[0];
  OpFoldResult n0 = mul(forall.getInductionVars()[0], cst(nt));
  OpFoldResult nsz = min(cst(nt), sub(nDim, n0));
  SmallVector<OpFoldResult> offsets{cst(0), n0}, sizes{rows, nsz},
      strides(2, cst(1));
  Value tile =
      tensor::ExtractSliceOp::create(b, loc, shared, offsets, sizes, strides);

  OpFoldResult full = roundDown(nsz, group);
  tile = loop(cst(0), full, group, tile, [&](Value r, ValueRange st) -> Values {
    return {body(n0, group, r, st[0])};
  })[0];
  if (group > 1 && !isConstantIntValue(sub(nsz, full), 0))
    tile = loop(full, nsz, 1, tile, [&](Value r, ValueRange st) -> Values {
      return {body(n0, 1, r, st[0])};
    })[0];

  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loc, tile, shared, offsets, sizes,
                                        strides);
  return forall.getResult(0);
}

Value LinearEmitter::gemv(Value out, int64_t rows) {
  return gemvTasks(out, cst(rows), rows,
                   [&](OpFoldResult n0, int64_t g, Value r, Value t) {
                     return gemvRows(rows, g, r, n0, cst(0), t);
                   });
}

/// The GEMV for any number of rows of x (a decode batch): per group of W
/// rows, the rows of x in chunks of `chunk`, then the last `M mod chunk`
/// rows by a copy specialized for their count. The group's W rows stay in
/// L1 while the chunks of x (also cache-resident, M is small) pass them, so
/// W is streamed from memory once per call whatever M is; the GEMM would
/// pack (and widen) all of W instead.
Value LinearEmitter::gemvBatch(Value out, int64_t chunk) {
  OpFoldResult mDim = dim(x, 0);
  OpFoldResult mFull = roundDown(mDim, chunk);
  Value rest = val(sub(mDim, mFull));
  return gemvTasks(
      out, mDim, chunk,
      [&](OpFoldResult n0, int64_t g, Value r, Value t) -> Value {
        t = loop(cst(0), mFull, chunk, t, [&](Value m0, ValueRange st) {
          return Values{gemvRows(chunk, g, r, n0, m0, st[0])};
        })[0];
        // The rest: an if-chain over its count (1 to chunk - 1).
        std::function<Value(int64_t, Value)> tail = [&](int64_t rows,
                                                        Value t) -> Value {
          if (rows >= chunk)
            return t;
          Value match = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                              rest, val(cst(rows)));
          return ifElse(
              match, {t.getType()},
              [&]() -> Values { return {gemvRows(rows, g, r, n0, mFull, t)}; },
              [&]() -> Values { return {tail(rows + 1, t)}; })[0];
        };
        return tail(1, t);
      });
}

} // namespace

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

bool tokamak::cpu::isEpilogueActivation(StringRef kind) {
  return llvm::is_contained({"silu", "gelu", "gelu_tanh", "relu", "sigmoid",
                             "softplus", "elu", "tanh"},
                            kind);
}

Value tokamak::cpu::buildActivation(OpBuilder &b, Location loc, StringRef kind,
                                    Value x) {
  Type t = x.getType();
  auto c = [&](double v) -> Value {
    FloatAttr attr = b.getF32FloatAttr(v);
    if (auto vt = dyn_cast<VectorType>(t))
      return arith::ConstantOp::create(
          b, loc, vt, DenseElementsAttr::get(vt, ArrayRef<Attribute>{attr}));
    return arith::ConstantOp::create(b, loc, attr);
  };
  auto sigmoid = [&](Value v) -> Value {
    Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, v));
    return arith::DivFOp::create(b, loc, c(1.0),
                                 arith::AddFOp::create(b, loc, c(1.0), e));
  };
  auto mulf = [&](Value l, Value r) -> Value {
    return arith::MulFOp::create(b, loc, l, r);
  };
  auto addf = [&](Value l, Value r) -> Value {
    return arith::AddFOp::create(b, loc, l, r);
  };
  if (kind == "silu")
    return mulf(x, sigmoid(x));
  if (kind == "sigmoid")
    return sigmoid(x);
  if (kind == "relu")
    return arith::MaximumFOp::create(b, loc, x, c(0.0));
  if (kind == "tanh")
    return math::TanhOp::create(b, loc, x);
  if (kind == "gelu") {
    // 0.5 x (1 + erf(x / sqrt(2))).
    Value e = math::ErfOp::create(b, loc, mulf(x, c(0.70710678118654752)));
    return mulf(mulf(x, c(0.5)), addf(c(1.0), e));
  }
  if (kind == "gelu_tanh") {
    // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
    Value x3 = mulf(x, mulf(x, x));
    Value inner = addf(x, mulf(x3, c(0.044715)));
    Value th = math::TanhOp::create(b, loc, mulf(inner, c(0.7978845608028654)));
    return mulf(mulf(x, c(0.5)), addf(c(1.0), th));
  }
  if (kind == "softplus") {
    // max(x, 0) + log1p(exp(-|x|)).
    Value e = math::ExpOp::create(
        b, loc, arith::NegFOp::create(b, loc, math::AbsFOp::create(b, loc, x)));
    return addf(arith::MaximumFOp::create(b, loc, x, c(0.0)),
                math::Log1pOp::create(b, loc, e));
  }
  if (kind == "elu") {
    // x > 0 ? x : exp(x) - 1.
    Value pos =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, c(0.0));
    return arith::SelectOp::create(b, loc, pos, x,
                                   math::ExpM1Op::create(b, loc, x));
  }
  return x;
}

Value tokamak::cpu::buildLinearGemm(OpBuilder &b, Location loc, Value x,
                                    Value w, Value out,
                                    const LinearEpilogue &epilogue,
                                    const LinearTiling &tiling,
                                    const LinearPrologue &prologue) {
  return LinearEmitter(b, loc, x, w, epilogue, tiling, prologue).gemm(out);
}

Value tokamak::cpu::buildLinearGemv(OpBuilder &b, Location loc, Value x,
                                    Value w, Value out, int64_t rows,
                                    const LinearEpilogue &epilogue,
                                    const LinearTiling &tiling) {
  return LinearEmitter(b, loc, x, w, epilogue, tiling).gemv(out, rows);
}

Value tokamak::cpu::buildLinearGemvBatch(OpBuilder &b, Location loc, Value x,
                                         Value w, Value out, int64_t chunk,
                                         const LinearEpilogue &epilogue,
                                         const LinearTiling &tiling) {
  return LinearEmitter(b, loc, x, w, epilogue, tiling).gemvBatch(out, chunk);
}
