//===- KernelBuilder.h - Vector kernels for scans and mixers ----*- C++ -*-===//
//
// Part of the Tokamak project. The emission helpers shared by
// tok-tile-selective-scan, tok-tile-linear-scan and tok-tile-conv1d: index
// arithmetic that folds constants, structured loops, f32 vector reads and
// writes (f16/bf16 widened and narrowed on the fly), task-local scratch
// buffers, and a fast exponential.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_CODEGEN_CPU_KERNELBUILDER_H
#define TOKAMAK_CODEGEN_CPU_KERNELBUILDER_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

namespace tokamak::cpu {

// Private to lib/Codegen/CPU: the emitters speak MLIR's types unqualified.
using namespace mlir;

/// f32 lanes of one AVX-512 vector register (zmm): the width kernels that
/// do not yet read CpuTarget::f32Lanes() emit.
constexpr int64_t kVectorWidth = 16;

/// The largest scratch space one parallel task keeps on its stack (OpenMP
/// workers get a few MiB of stack).
constexpr int64_t kMaxScratchBytes = 512 * 1024;

/// Builds explicit vector code at the builder's insertion point (shared by
/// the scan, conv1d and linear kernels). Tensors are
/// read with `vector.transfer_read` and written with `vector.transfer_write`
/// (in place after one-shot bufferization); task-local scratch buffers are
/// stack memrefs accessed with `vector.load`/`vector.store`, invisible to
/// bufferization.
class KernelBuilder {
public:
  using Values = SmallVector<Value>;

  /// `lanes`: the f32 width of the vectors it builds when a call gives no
  /// width (the target's CpuTarget::f32Lanes()); `avx512`: whether the
  /// target has AVX-512F (CpuTarget::hasAvx512f), the only case in which it
  /// emits x86vector ops.
  KernelBuilder(OpBuilder &b, Location loc, int64_t lanes = kVectorWidth,
                bool avx512 = false);

  OpBuilder &b;
  Location loc;
  FloatType f32;
  /// f32 lanes of one vector register of the target.
  int64_t lanes;
  /// The target has AVX-512F: exp2Scalef may use vscalefps.
  bool avx512;

  //===--------------------------------------------------------------------===//
  // Index arithmetic that folds constants
  //===--------------------------------------------------------------------===//

  OpFoldResult cst(int64_t v) { return b.getIndexAttr(v); }
  Value idx(int64_t v);
  Value val(OpFoldResult v);
  OpFoldResult add(OpFoldResult l, OpFoldResult r);
  OpFoldResult sub(OpFoldResult l, OpFoldResult r);
  OpFoldResult mul(OpFoldResult l, OpFoldResult r);
  OpFoldResult min(OpFoldResult l, OpFoldResult r);
  OpFoldResult max(OpFoldResult l, OpFoldResult r);
  /// Signed divisions rounding up and down (toward -inf, also for
  /// negative operands).
  OpFoldResult ceilDiv(OpFoldResult l, OpFoldResult r);
  OpFoldResult floorDiv(OpFoldResult l, OpFoldResult r);
  /// `v` rounded down to a multiple of `m`.
  OpFoldResult roundDown(OpFoldResult v, int64_t m) {
    return mul(floorDiv(v, cst(m)), cst(m));
  }
  /// The size of dim `d` of a tensor or memref.
  OpFoldResult dim(Value shaped, int64_t d);
  Value cmp(arith::CmpIPredicate pred, OpFoldResult l, OpFoldResult r);

  //===--------------------------------------------------------------------===//
  // Structured control flow
  //===--------------------------------------------------------------------===//

  /// `scf.for iv = lb to ub step step iter_args(inits)`; `body(iv, args)`
  /// returns the values to yield.
  Values loop(OpFoldResult lb, OpFoldResult ub, int64_t step, ValueRange inits,
              function_ref<Values(Value, ValueRange)> body);
  /// The same without loop-carried values.
  void loop(OpFoldResult lb, OpFoldResult ub, int64_t step,
            function_ref<void(Value)> body);
  /// `scf.if cond` yielding `thenFn()` or `elseFn()`.
  Values ifElse(Value cond, TypeRange types, function_ref<Values()> thenFn,
                function_ref<Values()> elseFn);
  /// `scf.if cond` without results.
  void ifThen(Value cond, function_ref<void()> thenFn);

  //===--------------------------------------------------------------------===//
  // Scalars and vectors (f32 unless said otherwise)
  //===--------------------------------------------------------------------===//

  /// `vector<width x f32>`; width 0: `lanes`.
  VectorType vecType(int64_t width = 0);
  /// A scalar f32 constant, or a vector splat of it when `width` > 0.
  Value cstF(double v, int64_t width = 0);
  Value toF32(Value v);
  /// `v` (f32 scalar or vector) narrowed to `elemType`.
  Value fromF32(Value v, Type elemType);
  Value bcast(Value scalar, int64_t width = 0);

  Value addf(Value l, Value r);
  Value subf(Value l, Value r);
  Value mulf(Value l, Value r);
  Value divf(Value l, Value r);
  Value maxf(Value l, Value r);
  Value minf(Value l, Value r);
  /// `a * b + c`.
  Value fma(Value a, Value b, Value c);
  Value select(Value cond, Value t, Value f);

  /// 2^y = 2^r · 2^f, r = round(y) clamped to [-126, 127] and added to the
  /// exponent field, 2^f by a degree-5 polynomial (relative error < 2e-7;
  /// results below 2^-126 come out as tiny values, overflow saturates at
  /// 2^127). 12 vector ops; f32 scalars or vectors.
  Value exp2(Value y);
  /// 2^y for each f32 vector `y` of `ys`. With `avx512` and vector<16xf32>
  /// values: the polynomial of exp2 on f = y − roundeven(y), scaled by
  /// 2^roundeven(y) with one `vscalefps` (`x86vector.avx512.mask.scalef`),
  /// which also gives 0 and inf for out-of-range y: 8 vector ops instead of
  /// 12; ±inf and NaN y give NaN. Otherwise exp2 of each (no x86vector op).
  /// The group is emitted stage by stage (interleaved chains).
  Values exp2Scalef(ValueRange ys);
  /// e^x = 2^(x·log2 e).
  Value exp(Value x);
  /// x·sigmoid(x) = x / (1 + e^-x).
  Value silu(Value x);
  /// log(1 + e^x) = max(x, 0) + log1p(e^-|x|).
  Value softplus(Value x);

  //===--------------------------------------------------------------------===//
  // Memory
  //===--------------------------------------------------------------------===//

  /// A `shape` f32 vector read from the tensor or memref `src` at `indices`
  /// (one per dim of `src`), its lanes along the minor dim, zero-filled
  /// where not `inBounds`, widened to f32.
  Value read(Value src, ValueRange indices, int64_t width, bool inBounds);
  /// The same with the lanes along dim `laneDim` of `src` (strided).
  Value readAlong(Value src, ValueRange indices, int64_t laneDim, int64_t width,
                  bool inBounds);
  /// A 2-D `[rows, cols]` f32 block read from the two minor dims of `src`.
  Value read2d(Value src, ValueRange indices, int64_t rows, int64_t cols,
               bool rowsInBounds, bool colsInBounds);
  /// A scalar of `src` at `indices`, widened to f32.
  Value extract(Value src, ValueRange indices);

  /// Writes the f32 vector `v` (1-D along the minor dim, or 2-D over the two
  /// minor dims) into `dest` at `indices`, narrowed to its element type;
  /// returns the new tensor (null for a memref).
  Value write(Value v, Value dest, ValueRange indices, ArrayRef<bool> inBounds);
  /// The same with the lanes along dim `laneDim` of `dest`.
  Value writeAlong(Value v, Value dest, ValueRange indices, int64_t laneDim,
                   bool inBounds);
  /// Writes the f32 scalar `v` into the tensor `dest`; returns the result.
  Value insert(Value v, Value dest, ValueRange indices);

  /// The buffer of the (read-only) tensor `t`, as a memref with a fully
  /// dynamic strided layout, for prefetches.
  Value bufferOf(Value t);
  /// A prefetch of `mem` at `indices` into all cache levels.
  void prefetch(Value mem, ValueRange indices);

  /// A task-local f32 stack buffer of `shape`, 64-byte aligned.
  Value scratch(ArrayRef<int64_t> shape);
  /// `vector.load` / `vector.store` of a scratch memref (in bounds).
  Value load(Value mem, ValueRange indices, int64_t width = 0);
  void store(Value v, Value mem, ValueRange indices);
  /// A scalar of a scratch memref.
  Value loadScalar(Value mem, ValueRange indices);
  void storeScalar(Value v, Value mem, ValueRange indices);

  /// Indices from a mix of values and constants.
  Values indices(ArrayRef<OpFoldResult> ofrs);

  //===--------------------------------------------------------------------===//
  // Attention helpers
  //===--------------------------------------------------------------------===//

  /// `scalar` of any type (f32, index, i32, ...) broadcast to `width` lanes.
  Value splat(Value scalar, int64_t width);
  /// An integer or index scalar as an index, or as an i32 (index_cast;
  /// unchanged when it already has the type).
  Value toIndex(Value v);
  Value toI32(Value v);
  /// A scalar of the tensor `src` as stored (integer tables, bounds): no
  /// conversion to f32.
  Value extractElement(Value src, ValueRange indices);
  /// `v` inserted as is into the tensor `dest`; returns the new tensor.
  Value insertElement(Value v, Value dest, ValueRange indices);
  /// A new tensor of `shape` for loop-carried scratch on tensors.
  /// `bufferization.alloc_tensor`, unlike `tensor.empty`, is never merged by
  /// CSE, so scratch tensors carried side by side through loops get distinct
  /// buffers.
  Value allocTensor(ArrayRef<int64_t> shape, Type elementType);
};

/// Replaces the scan `op` with the kernel's results: `out` for its first
/// result and, when the op has a final-state result, `state`; each is cast
/// back to the op's result type when the kernel's type is more dynamic.
void replaceScan(RewriterBase &rewriter, Operation *op, Value out, Value state);

} // namespace tokamak::cpu

#endif // TOKAMAK_CODEGEN_CPU_KERNELBUILDER_H
