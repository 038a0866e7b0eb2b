//===- TokOps.cpp - tok dialect operations --------------------------------===//
//
// Part of the Tokamak project. Custom assembly directives shared by the ops;
// the verifiers live beside their ops in AttentionOps.cpp, ScanOps.cpp,
// MixerOps.cpp and BasicOps.cpp.
//
//===----------------------------------------------------------------------===//

#include "dialects/Tok/IR/TokOps.h"

using namespace mlir;
using namespace mlir::tok;

//===----------------------------------------------------------------------===//
// custom<ResultTypes>: `T` for one result, `(T, U)` for a primary result and
// an optional secondary one (lse, final state).
//===----------------------------------------------------------------------===//

static ParseResult parseResultTypes(OpAsmParser &parser, Type &primary,
                                    Type &secondary) {
  if (failed(parser.parseOptionalLParen()))
    return parser.parseType(primary);
  if (parser.parseType(primary))
    return failure();
  if (succeeded(parser.parseOptionalComma()) && parser.parseType(secondary))
    return failure();
  return parser.parseRParen();
}

static void printResultTypes(OpAsmPrinter &printer, Operation *, Type primary,
                             Type secondary) {
  if (!secondary) {
    printer << primary;
    return;
  }
  printer << '(' << primary << ", " << secondary << ')';
}

//===----------------------------------------------------------------------===//
// custom<AttentionResultTypes>: `T`, `(T, L)`, `(T, stats S)` or
// `(T, L, stats S)` (tok.attention's output, lse and stats).
//===----------------------------------------------------------------------===//

static ParseResult parseAttentionResultTypes(OpAsmParser &parser, Type &output,
                                             Type &lse, Type &stats) {
  if (failed(parser.parseOptionalLParen()))
    return parser.parseType(output);
  if (parser.parseType(output))
    return failure();
  while (succeeded(parser.parseOptionalComma())) {
    if (stats)
      return parser.emitError(parser.getCurrentLocation(),
                              "expected ')' after the stats type");
    if (succeeded(parser.parseOptionalKeyword("stats"))) {
      if (parser.parseType(stats))
        return failure();
      continue;
    }
    if (lse)
      return parser.emitError(parser.getCurrentLocation(),
                              "expected 'stats' before a third result type");
    if (parser.parseType(lse))
      return failure();
  }
  return parser.parseRParen();
}

static void printAttentionResultTypes(OpAsmPrinter &printer, Operation *,
                                      Type output, Type lse, Type stats) {
  if (!lse && !stats) {
    printer << output;
    return;
  }
  printer << '(' << output;
  if (lse)
    printer << ", " << lse;
  if (stats)
    printer << ", stats " << stats;
  printer << ')';
}

//===----------------------------------------------------------------------===//
// custom<StatsResultTypes>: `T` or `(T, stats S)` (tok.paged_attention's
// output and stats).
//===----------------------------------------------------------------------===//

static ParseResult parseStatsResultTypes(OpAsmParser &parser, Type &output,
                                         Type &stats) {
  if (failed(parser.parseOptionalLParen()))
    return parser.parseType(output);
  if (parser.parseType(output) || parser.parseComma() ||
      parser.parseKeyword("stats") || parser.parseType(stats))
    return failure();
  return parser.parseRParen();
}

static void printStatsResultTypes(OpAsmPrinter &printer, Operation *,
                                  Type output, Type stats) {
  if (!stats) {
    printer << output;
    return;
  }
  printer << '(' << output << ", stats " << stats << ')';
}

#define GET_OP_CLASSES
#include "dialects/Tok/IR/TokOps.cpp.inc"

#include "dialects/Tok/IR/TokEnums.cpp.inc"
