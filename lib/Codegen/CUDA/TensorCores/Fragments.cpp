//===- Fragments.cpp - Warp-fragment layer of the tensor-core kernels -----===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "Fragments.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace tokamak::cuda::tc {

//===----------------------------------------------------------------------===//
// IndexExpr / BoolExpr
//===----------------------------------------------------------------------===//

template <typename OpTy> static IndexExpr binary(IndexExpr a, IndexExpr b) {
  return {a.builder, a.loc,
          a.builder->createOrFold<OpTy>(a.loc, a.value, b.value)};
}

IndexExpr IndexExpr::lit(int64_t c) const {
  return {builder, loc,
          arith::ConstantIndexOp::create(*builder, loc, c).getResult()};
}

IndexExpr operator+(IndexExpr a, IndexExpr b) {
  return binary<arith::AddIOp>(a, b);
}
IndexExpr operator+(IndexExpr a, int64_t b) {
  return b == 0 ? a : a + a.lit(b);
}
IndexExpr operator-(IndexExpr a, IndexExpr b) {
  return binary<arith::SubIOp>(a, b);
}
IndexExpr operator*(IndexExpr a, IndexExpr b) {
  return binary<arith::MulIOp>(a, b);
}
IndexExpr operator*(IndexExpr a, int64_t b) { return a * a.lit(b); }
IndexExpr operator*(int64_t a, IndexExpr b) { return b * b.lit(a); }
IndexExpr operator/(IndexExpr a, int64_t b) {
  return binary<arith::DivUIOp>(a, a.lit(b));
}
IndexExpr operator%(IndexExpr a, int64_t b) {
  return binary<arith::RemUIOp>(a, a.lit(b));
}
IndexExpr operator^(IndexExpr a, IndexExpr b) {
  return binary<arith::XOrIOp>(a, b);
}

static BoolExpr compare(arith::CmpIPredicate pred, IndexExpr a, IndexExpr b) {
  return {
      a.builder, a.loc,
      a.builder->createOrFold<arith::CmpIOp>(a.loc, pred, a.value, b.value)};
}
BoolExpr operator<(IndexExpr a, IndexExpr b) {
  return compare(arith::CmpIPredicate::slt, a, b);
}
BoolExpr operator<=(IndexExpr a, IndexExpr b) {
  return compare(arith::CmpIPredicate::sle, a, b);
}
BoolExpr operator>(IndexExpr a, IndexExpr b) {
  return compare(arith::CmpIPredicate::sgt, a, b);
}
IndexExpr minExpr(IndexExpr a, IndexExpr b) {
  return binary<arith::MinSIOp>(a, b);
}
IndexExpr maxExpr(IndexExpr a, IndexExpr b) {
  return binary<arith::MaxSIOp>(a, b);
}
IndexExpr selectExpr(BoolExpr c, IndexExpr a, IndexExpr b) {
  return {a.builder, a.loc,
          a.builder->createOrFold<arith::SelectOp>(a.loc, c.value, a.value,
                                                   b.value)};
}
BoolExpr operator&&(BoolExpr a, BoolExpr b) {
  return {a.builder, a.loc,
          a.builder->createOrFold<arith::AndIOp>(a.loc, a.value, b.value)};
}
BoolExpr operator||(BoolExpr a, BoolExpr b) {
  return {a.builder, a.loc,
          a.builder->createOrFold<arith::OrIOp>(a.loc, a.value, b.value)};
}

//===----------------------------------------------------------------------===//
// FragmentBuilder
//===----------------------------------------------------------------------===//

FragmentBuilder::FragmentBuilder(OpBuilder &builder, Location loc,
                                 Type elemType)
    : b(builder), location(loc), elem(elemType) {}

IndexExpr FragmentBuilder::index(int64_t c) {
  return {&b, location,
          arith::ConstantIndexOp::create(b, location, c).getResult()};
}
IndexExpr FragmentBuilder::wrap(Value v) { return {&b, location, v}; }
BoolExpr FragmentBuilder::boolean(bool c) {
  return {&b, location,
          arith::ConstantIntOp::create(b, location, c ? 1 : 0, 1).getResult()};
}
Value FragmentBuilder::f32(double c) {
  return arith::ConstantFloatOp::create(b, location, b.getF32Type(),
                                        APFloat(static_cast<float>(c)));
}
Value FragmentBuilder::i32(int64_t c) {
  return arith::ConstantIntOp::create(b, location, c, 32);
}

VectorType FragmentBuilder::aType() { return VectorType::get({4, 2}, elem); }
VectorType FragmentBuilder::bType() { return VectorType::get({2, 2}, elem); }
VectorType FragmentBuilder::cType() {
  return VectorType::get({2, 2}, b.getF32Type());
}
VectorType FragmentBuilder::rowType() {
  return VectorType::get({2}, b.getF32Type());
}

SharedTile FragmentBuilder::sharedTile(Value smem, int64_t byteOffset,
                                       int64_t stages, int64_t rows,
                                       int64_t cols) {
  auto space =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  auto type = MemRefType::get({stages, rows, cols}, elem,
                              MemRefLayoutAttrInterface(), space);
  Value view = memref::ViewOp::create(b, location, type, smem,
                                      index(byteOffset), ValueRange());
  return {view, stages, rows, cols};
}

void FragmentBuilder::copyTile(const SharedTile &tile, IndexExpr stage,
                               Value src, ValueRange srcPrefix,
                               IndexExpr rowBase, IndexExpr rowLimit,
                               IndexExpr colBase,
                               std::optional<IndexExpr> colLimit, IndexExpr tid,
                               int numThreads, SmallVectorImpl<Value> &tokens) {
  auto rowSource = [&](IndexExpr row) {
    IndexExpr gRow = rowBase + row;
    SmallVector<Value> idx(srcPrefix.begin(), srcPrefix.end());
    idx.push_back(gRow);
    return std::make_pair(idx, gRow < rowLimit);
  };
  copyTileRows(tile, stage, src, rowSource, colBase, colLimit, tid, numThreads,
               tokens);
}

void FragmentBuilder::copyTileRows(const SharedTile &tile, IndexExpr stage,
                                   Value src, RowSource rowSource,
                                   IndexExpr colBase,
                                   std::optional<IndexExpr> colLimit,
                                   IndexExpr tid, int numThreads,
                                   SmallVectorImpl<Value> &tokens) {
  int cpr = tile.chunksPerRow();
  int64_t chunks = tile.rows * cpr;
  int rounds = static_cast<int>((chunks + numThreads - 1) / numThreads);
  IndexExpr full = index(kChunkElems), none = index(0);
  for (int round = 0; round < rounds; ++round) {
    RowCol<IndexExpr> rc = copyChunk(tid, round, numThreads, cpr);
    // Rows past the tile (only when the thread count does not divide the
    // chunks) are clamped and copy nothing.
    IndexExpr row = rc.row, col = rc.col;
    std::optional<BoolExpr> inTile;
    if (chunks % numThreads != 0) {
      inTile = row < index(tile.rows);
      row = selectExpr(*inTile, row, index(0));
    }
    auto [srcIdx, valid] = rowSource(row);
    IndexExpr gCol = colBase + col;
    if (colLimit)
      valid = valid && gCol < *colLimit;
    if (inTile)
      valid = valid && *inTile;
    // Copies that read nothing still take an in-bounds address: row and
    // column 0 of the source's last two dimensions.
    srcIdx.back() = selectExpr(valid, wrap(srcIdx.back()), none);
    srcIdx.push_back(colLimit ? selectExpr(valid, gCol, none) : gCol);
    Value dstCol = swizzleCol(row, col, cpr);
    Value n = selectExpr(valid, full, none);
    auto copy = nvgpu::DeviceAsyncCopyOp::create(
        b, location, nvgpu::DeviceAsyncTokenType::get(b.getContext()),
        tile.view, ValueRange{stage, row, dstCol}, src, srcIdx,
        b.getIndexAttr(kChunkElems), n, b.getUnitAttr());
    tokens.push_back(copy.getResult());
  }
}

Value FragmentBuilder::commitGroup(ValueRange tokens) {
  return nvgpu::DeviceAsyncCreateGroupOp::create(
      b, location, nvgpu::DeviceAsyncTokenType::get(b.getContext()), tokens);
}

void FragmentBuilder::waitGroups(Value group, int pending) {
  nvgpu::DeviceAsyncWaitOp::create(b, location, group,
                                   b.getI32IntegerAttr(pending));
}

void FragmentBuilder::barrier() { gpu::BarrierOp::create(b, location); }

Value FragmentBuilder::ldmatrixX4(const SharedTile &tile, IndexExpr stage,
                                  IndexExpr row0, IndexExpr col0,
                                  IndexExpr lane, X4Order order,
                                  bool transpose) {
  RowCol<IndexExpr> at =
      ldmatrixX4SharedAddress(lane, row0, col0, order, tile.chunksPerRow());
  return nvgpu::LdMatrixOp::create(b, location, aType(), tile.view,
                                   ValueRange{stage, at.row, at.col}, transpose,
                                   /*numTiles=*/4);
}

Value FragmentBuilder::bHalf(Value x4, int half) {
  return vector::ShuffleOp::create(b, location, x4, x4,
                                   ArrayRef<int64_t>{2 * half, 2 * half + 1});
}

/// The 32-bit registers of a fragment (`vector<Nx2xbf16>` rows as i32).
static SmallVector<Value> registersAsI32(OpBuilder &b, Location loc,
                                         Value frag) {
  auto type = cast<VectorType>(frag.getType());
  SmallVector<Value> regs;
  auto i32Vec = VectorType::get({1}, b.getI32Type());
  for (int64_t r = 0; r < type.getDimSize(0); ++r) {
    Value row = vector::ExtractOp::create(b, loc, frag, r);
    Value cast = vector::BitCastOp::create(b, loc, i32Vec, row);
    regs.push_back(vector::ExtractOp::create(b, loc, cast, 0));
  }
  return regs;
}

Value FragmentBuilder::mma(Value a, Value bFrag, Value c) {
  if (elem.isF16())
    return nvgpu::MmaSyncOp::create(b, location, a, bFrag, c,
                                    ArrayRef<int64_t>{kMmaM, kMmaN, kMmaK});
  // bf16: nvvm.mma.sync on i32 registers, f32 accumulators.
  SmallVector<Value> aRegs = registersAsI32(b, location, a);
  SmallVector<Value> bRegs = registersAsI32(b, location, bFrag);
  SmallVector<Value> cRegs;
  for (int r = 0; r < 2; ++r)
    for (int e = 0; e < 2; ++e)
      cRegs.push_back(
          vector::ExtractOp::create(b, location, c, ArrayRef<int64_t>{r, e}));
  Type f32 = b.getF32Type();
  auto resultType =
      LLVM::LLVMStructType::getLiteral(b.getContext(), {f32, f32, f32, f32});
  Value d = NVVM::MmaOp::create(
      b, location, resultType, aRegs, bRegs, cRegs,
      ArrayRef<int64_t>{kMmaM, kMmaN, kMmaK}, std::nullopt, std::nullopt,
      std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::bf16, NVVM::MMATypes::bf16},
      std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                     NVVM::MMALayout::col});
  SmallVector<Value> outs;
  for (int64_t i = 0; i < 4; ++i)
    outs.push_back(LLVM::ExtractValueOp::create(b, location, d, i));
  Value row0 = vector::FromElementsOp::create(b, location, rowType(),
                                              ValueRange{outs[0], outs[1]});
  Value row1 = vector::FromElementsOp::create(b, location, rowType(),
                                              ValueRange{outs[2], outs[3]});
  return cFromRows(row0, row1);
}

Value FragmentBuilder::aFromC(Value c0, Value c1) {
  Value h0 = arith::TruncFOp::create(b, location, bType(), c0);
  Value h1 = arith::TruncFOp::create(b, location, bType(), c1);
  // Rows of A: C(2kk) row 0, C(2kk) row 1, C(2kk+1) row 0, C(2kk+1) row 1.
  SmallVector<int64_t> mask;
  for (int reg = 0; reg < 4; ++reg)
    mask.push_back((cToANTile(0, reg) == 0 ? 0 : 2) + cToARow(reg));
  return vector::ShuffleOp::create(b, location, h0, h1, mask);
}

Value FragmentBuilder::cRow(Value c, int reg) {
  return vector::ExtractOp::create(b, location, c, reg);
}

Value FragmentBuilder::withCRow(Value c, int reg, Value row) {
  return vector::InsertOp::create(b, location, row, c, reg);
}

Value FragmentBuilder::cFromRows(Value row0, Value row1) {
  Value zero = arith::ConstantOp::create(b, location, cType(),
                                         DenseElementsAttr::get(cType(), 0.0f));
  return withCRow(withCRow(zero, 0, row0), 1, row1);
}

Value FragmentBuilder::quadReduce(Value x, bool isMax) {
  for (int offset : {1, 2}) {
    auto shuffle = gpu::ShuffleOp::create(b, location, x, i32(offset), i32(32),
                                          gpu::ShuffleMode::XOR);
    Value other = shuffle.getShuffleResult();
    x = isMax ? arith::MaxNumFOp::create(b, location, x, other).getResult()
              : arith::AddFOp::create(b, location, x, other).getResult();
  }
  return x;
}

Value FragmentBuilder::rowReduce(ArrayRef<Value> frags, int reg, bool isMax,
                                 bool quad) {
  auto kind =
      isMax ? vector::CombiningKind::MAXNUMF : vector::CombiningKind::ADD;
  Value acc;
  for (Value frag : frags) {
    Value part =
        vector::ReductionOp::create(b, location, kind, cRow(frag, reg));
    if (!acc)
      acc = part;
    else if (isMax)
      acc = arith::MaxNumFOp::create(b, location, acc, part);
    else
      acc = arith::AddFOp::create(b, location, acc, part);
  }
  return quad ? quadReduce(acc, isMax) : acc;
}

Value FragmentBuilder::splat(Value x) {
  return vector::BroadcastOp::create(b, location, rowType(), x);
}

Value FragmentBuilder::exp2(Value x) {
  return math::Exp2Op::create(b, location, x, arith::FastMathFlags::afn);
}

} // namespace tokamak::cuda::tc
