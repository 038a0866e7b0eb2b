//===- Passes.td - Tokamak conversion passes ---------------*- tablegen -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_CONVERSION_PASSES_TD
#define TOKAMAK_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertTokToLinalg : Pass<"convert-tok-to-linalg"> {
  let summary = "lower tok ops to linalg, tensor, scf, arith and math";
  let description = [{
    The reference lowering: every `tok` op becomes upstream ops on tensors
    with value semantics. Attention materializes its score matrix, scans run
    sequentially over time with `scf.for`; the tiling passes provide the fast
    forms. f16/bf16 inputs are computed in f32 and truncated at the end.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect", "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

#endif // TOKAMAK_CONVERSION_PASSES_TD
