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

} // namespace tokamak::frontend::irtext

#endif // TOKAMAK_LIB_FRONTEND_IRTEXT_H
