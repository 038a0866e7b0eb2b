//===- TokEnums.td - tok dialect enums ---------------------*- tablegen -*-===//
//
// Part of the Tokamak project. The enum-like attributes of the tok ops. The
// ops keep them as the strings of DESIGN §4 (`{activation = "silu"}`), so
// the syntax is unchanged; the verifiers accept only these spellings and the
// ops' typed accessors (`getActivationKind()`, `getUpdateKind()`) return the
// generated enums, so C++ code switches over cases instead of comparing
// strings.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_DIALECT_TOK_IR_TOKENUMS_TD
#define TOKAMAK_DIALECT_TOK_IR_TOKENUMS_TD

include "mlir/IR/EnumAttr.td"

def Tok_Activation : I32EnumAttr<"Activation",
    "an elementwise activation function", [
  I32EnumAttrCase<"None", 0, "none">,
  I32EnumAttrCase<"Silu", 1, "silu">,
  I32EnumAttrCase<"Gelu", 2, "gelu">,
  I32EnumAttrCase<"GeluTanh", 3, "gelu_tanh">,
  I32EnumAttrCase<"Relu", 4, "relu">,
  I32EnumAttrCase<"Sigmoid", 5, "sigmoid">,
  I32EnumAttrCase<"Softplus", 6, "softplus">,
  I32EnumAttrCase<"Elu", 7, "elu">,
  I32EnumAttrCase<"Tanh", 8, "tanh">
]> {
  let cppNamespace = "::mlir::tok";
  let genSpecializedAttr = 0;
}

def Tok_ScanUpdate : I32EnumAttr<"ScanUpdate",
    "the state update of tok.linear_scan", [
  I32EnumAttrCase<"Additive", 0, "additive">,
  I32EnumAttrCase<"Delta", 1, "delta">
]> {
  let cppNamespace = "::mlir::tok";
  let genSpecializedAttr = 0;
}

#endif // TOKAMAK_DIALECT_TOK_IR_TOKENUMS_TD
