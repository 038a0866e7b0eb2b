//===- TokDialect.td - The tok dialect ---------------------*- tablegen -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_DIALECT_TOK_IR_TOKDIALECT_TD
#define TOKAMAK_DIALECT_TOK_IR_TOKDIALECT_TD

include "mlir/IR/OpBase.td"

def Tok_Dialect : Dialect {
  let name = "tok";
  let summary = "attention, scans and token mixers as first-class ops";
  let description = [{
    The `tok` dialect represents the sequence-mixing primitives of
    transformer-family models at the level of whole tensors: attention in all
    its variants (causal, GQA/MQA, sliding window, sinks, softcap, bias,
    score modifiers, packed variable-length, paged KV cache), scans
    (Mamba selective scan, matrix-state linear recurrences, generic
    associative scans) and token mixers (causal depthwise conv1d, pooling),
    plus the building blocks around them (linear, norms, rope, gating,
    activations, embedding). Ops have value semantics on ranked tensors;
    tiling, fusion and lowering passes turn them into linalg/scf/vector code.
  }];
  let cppNamespace = "::mlir::tok";
  let usePropertiesForAttributes = 1;
}

class Tok_Op<string mnemonic, list<Trait> traits = []>
    : Op<Tok_Dialect, mnemonic, traits>;

#endif // TOKAMAK_DIALECT_TOK_IR_TOKDIALECT_TD
