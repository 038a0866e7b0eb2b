//===- IRText.h - Small helpers for writing tok IR as text ------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// Spelling helpers shared by the frontend's IR writers (DecoderIR.cpp,
// EncoderIR.cpp, MambaIR.cpp, Mamba2IR.cpp, JambaIR.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_LIB_FRONTEND_IRTEXT_H
#define TOKAMAK_LIB_FRONTEND_IRTEXT_H

#include <cstdint>
#include <cstdio>
#include <string>

namespace tokamak::frontend::irtext {

/// A float attribute value that round-trips (9 significant digits).
inline std::string fmtFloat(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.9e", v);
  return buffer;
}

inline std::string str(int64_t v) { return std::to_string(v); }

/// `tensor<SHAPExTYPE>`.
inline std::string tensor(const std::string &shape, const std::string &type) {
  return "tensor<" + shape + "x" + type + ">";
}

/// `affine_map<(d0, ..) -> (d0, ..)>` of `rank` dims.
inline std::string identityMap(int rank) {
  std::string dims;
  for (int i = 0; i < rank; ++i)
    dims += (i ? ", d" : "d") + std::to_string(i);
  return "affine_map<(" + dims + ") -> (" + dims + ")>";
}

/// `["parallel", ...]` of `rank` iterators.
inline std::string parallel(int rank) {
  std::string s;
  for (int i = 0; i < rank; ++i)
    s += i ? ", \"parallel\"" : "\"parallel\"";
  return "[" + s + "]";
}

/// `%n` (the sequence count) and `%last` `[%n, E]`: the row of `rows` (a
/// packed prefill's `[T, E]` of type `rowsType`, element type `t`) at each
/// sequence's last token, `seq_starts[i + 1] - 1`. Needs `%c0`, `%c1` and
/// `%seq_starts`.
inline std::string lastRowOfEachSequence(const std::string &rows,
                                         const std::string &rowsType,
                                         const std::string &t) {
  return "  %n1 = tensor.dim %seq_starts, %c0 : tensor<?xi32>\n"
         "  %n = arith.subi %n1, %c1 : index\n"
         "  %le = tensor.empty(%n) : " +
         rowsType +
         "\n"
         "  %last = linalg.generic {indexing_maps = [affine_map<(i, e) -> "
         "(i, e)>], iterator_types = [\"parallel\", \"parallel\"]} outs(%le "
         ": " +
         rowsType + ") {\n  ^bb0(%unused: " + t +
         "):\n"
         "    %i = linalg.index 0 : index\n"
         "    %e = linalg.index 1 : index\n"
         "    %i1 = arith.addi %i, %c1 : index\n"
         "    %end = tensor.extract %seq_starts[%i1] : tensor<?xi32>\n"
         "    %endi = arith.index_cast %end : i32 to index\n"
         "    %r = arith.subi %endi, %c1 : index\n"
         "    %val = tensor.extract " +
         rows + "[%r, %e] : " + rowsType + "\n    linalg.yield %val : " + t +
         "\n  } -> " + rowsType + "\n";
}

} // namespace tokamak::frontend::irtext

#endif // TOKAMAK_LIB_FRONTEND_IRTEXT_H
