//===- AssocScanKernel.cpp - tok.assoc_scan on the device -----------------===//
//
// Part of the Tokamak project.
//
// One thread per index of the non-scanned dims runs the scan along `dim`
// (from the end for `reverse`): the running values are `scf.for`
// iter_args in the inputs' element types, each step inlines the `combine`
// region as `carry = combine(carry, x_t)` (the earlier element first, as
// the reference lowering orders them) and stores the carry at t of each
// result. A scan over a rank-1 tensor is one thread.
//
//===----------------------------------------------------------------------===//

#include "ScanKernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;

namespace tokamak::cuda {

LogicalResult lowerAssocScan(RewriterBase &rewriter, tok::AssocScanOp op) {
  OpBuilder &b = rewriter;
  b.setInsertionPoint(op);
  ScanBuilder sb(b, op.getLoc());
  Location loc = sb.loc;
  int64_t dim = op.getDim();
  bool reverse = op.getReverse();
  Block &combine = op.getCombine().front();
  Operation *terminator = combine.getTerminator();

  SmallVector<Value> ins, outs;
  for (Value in : op.getInputs())
    ins.push_back(sb.bufferOf(in));
  auto type0 = cast<RankedTensorType>(op.getInputs()[0].getType());
  int64_t rank = type0.getRank();
  SmallVector<Value> dims;
  for (int64_t d = 0; d < rank; ++d)
    dims.push_back(sb.dim(ins[0], d));
  for (Type type : op.getResultTypes())
    outs.push_back(sb.allocResult(cast<RankedTensorType>(type), dims));

  SmallVector<Value> ubs;
  for (int64_t d = 0; d < rank; ++d)
    if (d != dim)
      ubs.push_back(dims[d]);
  if (ubs.empty())
    ubs.push_back(sb.index(1));
  Value zero = sb.index(0), one = sb.index(1);
  Value len = dims[dim];
  Value last = sb.minus(len, 1);
  sb.parallel(ubs, [&](ValueRange ivs) {
    // The full index with `t` at `dim`.
    auto at = [&](Value t) {
      SmallVector<Value> idx;
      for (int64_t d = 0, j = 0; d < rank; ++d)
        idx.push_back(d == dim ? t : ivs[j++]);
      return idx;
    };
    Value nonEmpty =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, len, zero);
    auto ifOp = scf::IfOp::create(b, loc, nonEmpty, false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    Value first = reverse ? last : zero;
    SmallVector<Value> carries;
    for (auto [in, out] : llvm::zip(ins, outs)) {
      Value v = memref::LoadOp::create(b, loc, in, at(first));
      memref::StoreOp::create(b, loc, v, out, at(first));
      carries.push_back(v);
    }
    sb.loop(one, len, carries,
            [&](Value step, ValueRange carry) -> SmallVector<Value> {
              Value t =
                  reverse
                      ? arith::SubIOp::create(b, loc, last, step).getResult()
                      : step;
              IRMapping mapping;
              unsigned n = ins.size();
              mapping.map(combine.getArguments().take_front(n), carry);
              for (unsigned i = 0; i < n; ++i)
                mapping.map(
                    combine.getArgument(n + i),
                    memref::LoadOp::create(b, loc, ins[i], at(t)).getResult());
              for (Operation &inner : combine.without_terminator())
                b.clone(inner, mapping);
              SmallVector<Value> next;
              for (auto [v, out] : llvm::zip(terminator->getOperands(), outs)) {
                Value r = mapping.lookupOrDefault(v);
                memref::StoreOp::create(b, loc, r, out, at(t));
                next.push_back(r);
              }
              return next;
            });
  });

  SmallVector<Value> results;
  for (auto [out, type] : llvm::zip(outs, op.getResultTypes()))
    results.push_back(sb.tensorOf(out, cast<RankedTensorType>(type)));
  rewriter.replaceOp(op, results);
  return success();
}

} // namespace tokamak::cuda
