//===- BlockSparse.cpp - Block lists of tok.attention, as a selection -----===//
//
// Part of the Tokamak project. The reference lowering turns tok.attention's
// per-query-block key block lists into a dense selection
// sel[b, g, qb, kb] = OR_{s < count} (indices[b, g, qb, s] == kb), which the
// score mask reads (Attention.cpp). Membership makes the semantics of the op
// fall out: a block listed twice is selected once, and ids outside
// [0, ceil(Skv / block_k)) select nothing.
//
//===----------------------------------------------------------------------===//

#include "AttentionUtils.h"
#include "Utils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace tokamak::detail;

using utils::IteratorType;

Value tokamak::detail::buildBlockSelection(OpBuilder &b, Location loc,
                                           Value indices, Value counts,
                                           OpFoldResult keyLength,
                                           int64_t blockK) {
  MLIRContext *ctx = b.getContext();
  Type i8 = b.getI8Type();
  SmallVector<OpFoldResult> dims = getDims(b, loc, indices);
  AffineExpr d0, d1, d2, d3, d4;
  bindDims(ctx, d0, d1, d2, d3, d4);
  // ceil(Skv / block_k) and Nqb + 1, folded when static.
  auto apply = [&](OpFoldResult size, int64_t add,
                   int64_t div) -> OpFoldResult {
    if (std::optional<int64_t> c = getConstantIntValue(size))
      return b.getIndexAttr((*c + add) / div);
    Value v = getValueOrCreateConstantIndexOp(b, loc, size);
    v = arith::AddIOp::create(b, loc, v,
                              arith::ConstantIndexOp::create(b, loc, add));
    return arith::DivUIOp::create(b, loc, v,
                                  arith::ConstantIndexOp::create(b, loc, div))
        .getResult();
  };
  OpFoldResult numKeyBlocks = apply(keyLength, blockK - 1, blockK);
  OpFoldResult rowsPlusOne = apply(dims[2], 1, 1);

  Value zero = arith::ConstantOp::create(b, loc, b.getI8IntegerAttr(0));
  Value full =
      linalg::FillOp::create(
          b, loc, zero,
          createEmpty(b, loc, {dims[0], dims[1], rowsPlusOne, numKeyBlocks},
                      i8))
          .getResult(0);
  // The first Nqb rows: OR over the list entries s < count.
  SmallVector<OpFoldResult> offsets(4, b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes = {dims[0], dims[1], dims[2], numKeyBlocks};
  SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
  Value rows =
      tensor::ExtractSliceOp::create(b, loc, full, offsets, sizes, strides);

  SmallVector<Value> inputs = {indices};
  SmallVector<AffineMap> maps = {AffineMap::get(5, 0, {d0, d1, d2, d4}, ctx)};
  if (counts) {
    inputs.push_back(counts);
    maps.push_back(AffineMap::get(5, 0, {d0, d1, d2}, ctx));
  }
  maps.push_back(AffineMap::get(5, 0, {d0, d1, d2, d3}, ctx));
  auto par = IteratorType::parallel;
  rows = makeGeneric(
      b, loc, inputs, rows, maps, {par, par, par, par, IteratorType::reduction},
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        Type i32 = nb.getI32Type();
        auto asI32 = [&](Value index) -> Value {
          return arith::IndexCastOp::create(nb, nl, i32, index);
        };
        Value keyBlock = asI32(linalg::IndexOp::create(nb, nl, 3));
        Value hit = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq,
                                          args[0], keyBlock);
        if (counts) {
          Value entry = asI32(linalg::IndexOp::create(nb, nl, 4));
          hit = arith::AndIOp::create(
              nb, nl, hit,
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, entry,
                                    args[1]));
        }
        Value bit = arith::ExtUIOp::create(nb, nl, nb.getI8Type(), hit);
        return arith::OrIOp::create(nb, nl, args.back(), bit);
      });
  return tensor::InsertSliceOp::create(b, loc, rows, full, offsets, sizes,
                                       strides);
}
