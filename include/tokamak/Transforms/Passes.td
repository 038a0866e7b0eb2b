//===- Passes.td - Tokamak cross-dialect passes ------------*- tablegen -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_TRANSFORMS_PASSES_TD
#define TOKAMAK_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def GenerateEntryPoints : Pass<"tokamak-generate-entry-points", "::mlir::ModuleOp"> {
  let summary = "add a packed `_tok_entry_<name>` wrapper to public functions";
  let description = [{
    Runs on bufferized modules (memref signatures, before func-to-llvm). For
    every public `func.func @f` with a body it adds
    `func.func @_tok_entry_f(%args: !llvm.ptr)`: `args[i]` points to the
    memref descriptor of input `i`, and the wrapper stores the descriptor of
    result `j` through `args[numInputs + j]`. This is the one calling
    convention of JIT-compiled functions and artifacts (docs/Artifacts.md).

    Before the call the wrapper checks the argument sizes that the
    function's `tok.runtime_checks` attribute lists
    (tokamak-insert-runtime-checks) and skips the call if one fails. An
    error recorded by those checks or by the compiled code is stored, as a
    pointer to its NUL-terminated message, through
    `args[numInputs + numResults]`; that slot is untouched on success.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::scf::SCFDialect"];
}

def InsertRuntimeChecks : Pass<"tokamak-insert-runtime-checks", "::mlir::ModuleOp"> {
  let summary = "check dynamic dims and index values of tok ops at run time";
  let description = [{
    Runs on tensor-level modules, before the tok ops are lowered.

    * Dim rules the verifiers check on static dims (matching batch sizes,
      head counts that divide, positive sizes, ...) are listed, for those
      that involve a dynamic dim, in the `tok.runtime_checks` attribute of
      the public function whose argument sizes they depend on (traced
      through the tok ops, linalg ops, casts, reshapes and calls of private
      functions with one call site). tokamak-generate-entry-points checks
      them on the actual sizes before calling the function, failing with
      the verifier's message.
    * Index values that would address memory out of bounds are checked
      before the op runs: the slots of `tok.cache_write` (negative slots
      are skipped, DESIGN §4.2; others must be below NumBlocks × BlockSize),
      the `lens` of `tok.paged_attention` (in [0, MaxBlocks × BlockSize])
      and the block ids its table holds for those tokens (in [0,
      NumBlocks)). A bad value records an error for the entry to report,
      and the op is skipped.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

def FuseElementwise : Pass<"tokamak-fuse-elementwise"> {
  let summary = "fuse elementwise linalg ops without recomputing producers";
  let description = [{
    `linalg-elementwise-op-fusion` (single-use producers into their
    consumers, reshapes folded by expansion), except that a producer whose
    result the consumer reads through a broadcast stays separate: fusing it
    would recompute it for every broadcast element (and made LLVM's loop
    vectorizer run for hours on tok.lse_merge, issue 14).
  }];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def MarkInputsReadOnly : Pass<"tokamak-mark-inputs-read-only", "::mlir::ModuleOp"> {
  let summary = "keep bufferization from writing into caller-owned inputs";
  let description = [{
    Sets `bufferization.writable = false` on every tensor argument of public
    functions that does not carry the attribute, so one-shot bufferization
    copies instead of updating a caller's buffer in place. An argument the
    caller donates keeps an explicit `{bufferization.writable = true}`.
  }];
}

def ApproximateMath : Pass<"tokamak-approximate-math"> {
  let summary = "replace f32 exp, tanh, erf, log and friends by polynomials";
  let description = [{
    Vector `math.exp` and `math.tanh` otherwise become one libm call per
    lane. This rewrites f32 (scalar and vector) transcendental ops into the
    upstream polynomial approximations (accurate to a few ulp), which
    vectorize, and expands the ops those approximations are built from.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def ExpandStridedCopies : Pass<"tokamak-expand-strided-copies"> {
  let summary = "turn memref.copy between non-contiguous buffers into loops";
  let description = [{
    The LLVM lowering of a `memref.copy` whose operands are not both
    contiguous calls `memrefCopy` from MLIR's C runner utilities, which
    neither artifacts nor the JIT link. This rewrites those copies as
    `linalg.copy`, which becomes plain loops.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def ExpandBF16Conversions : Pass<"tokamak-expand-bf16-conversions"> {
  let summary = "expand f32 <-> bf16 conversions to integer arithmetic";
  let description = [{
    Without AVX512-BF16, LLVM lowers `arith.truncf f32 -> bf16` to a call of
    compiler-rt's `__truncsfbf2`, which neither the JIT nor the artifact
    loader resolves. This rewrites `arith.truncf` to bf16 (round to nearest
    even, NaN kept quiet) and `arith.extf` from bf16 as bitcasts, shifts and
    adds on i32 (upstream's bf16 expansion), which vectorize like the code
    around them. The CPU pipeline runs it unless the target converts in
    hardware.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def DecomposeAggregates : Pass<"tokamak-decompose-aggregates"> {
  let summary = "replace aggregated linalg ops (linalg.softmax) by their parts";
  let description = [{
    Ops with `AggregatedOpInterface` (`linalg.softmax`) have no loop lowering
    of their own. This replaces each by the linalg ops of its
    `decomposeOperation` (for softmax: max reduction, subtract and exp, sum
    reduction, divide), which the rest of the pipeline fuses, bufferizes and
    lowers like any other linalg op.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // TOKAMAK_TRANSFORMS_PASSES_TD
