//===- SnapKVIR.cpp - SnapKV's selection as tok IR ------------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// The pooling is upstream linalg (tensor.pad + linalg.pooling_ncw_*), the
// selection is tok.topk: the session's snapkv policy calls the function
// after @prefill_stats instead of selecting in C++ (docs/Session.md).
//
//===----------------------------------------------------------------------===//

#include "SnapKVIR.h"

#include "IRText.h"

#include <sstream>

using namespace tokamak::frontend::irtext;

namespace tokamak::frontend {

std::string snapkvSelectName(const std::string &pool) {
  return "snapkv_select_" + pool;
}

std::string snapkvSelectFunction(const std::string &pool, int64_t maxBudget) {
  const bool avg = pool == "avg";
  const std::string k = str(maxBudget);
  const std::string rows = "tensor<?x?xf32>";
  const std::string ncw = "tensor<?x1x?xf32>";
  const std::string outIdx = "tensor<?x" + k + "xi32>";
  std::ostringstream os;
  os << "func.func @" << snapkvSelectName(pool) << "(%votes: " << rows
     << ", %budget: tensor<?xi32>, %window: tensor<?xf32>) -> (" << outIdx
     << ", tensor<?xi32>) {\n"
     << "  %c0 = arith.constant 0 : index\n"
     << "  %c1 = arith.constant 1 : index\n"
     << "  %c2 = arith.constant 2 : index\n"
     << "  %r = tensor.dim %votes, %c0 : " << rows << "\n"
     << "  %p = tensor.dim %votes, %c1 : " << rows << "\n"
     << "  %kw = tensor.dim %window, %c0 : tensor<?xf32>\n"
     << "  %half = arith.divui %kw, %c2 : index\n"
     // Average pooling counts the zero padding; max pooling never picks it.
     << "  %pad = arith.constant " << (avg ? "0.0" : "0xFF800000") << " : f32\n"
     << "  %padded = tensor.pad %votes low[0, %half] high[0, %half] {\n"
     << "  ^bb0(%i: index, %j: index):\n"
     << "    tensor.yield %pad : f32\n"
     << "  } : " << rows << " to " << rows << "\n"
     << "  %pw = tensor.dim %padded, %c1 : " << rows << "\n"
     << "  %in = tensor.expand_shape %padded [[0, 1], [2]] output_shape [%r, "
        "1, %pw] : "
     << rows << " into " << ncw << "\n"
     << "  %acc0 = tensor.empty(%r, %p) : " << ncw << "\n"
     << "  %acc = linalg.fill ins(%pad : f32) outs(%acc0 : " << ncw << ") -> "
     << ncw << "\n"
     << "  %pooled3 = linalg.pooling_ncw_" << (avg ? "sum" : "max")
     << " {dilations = dense<1> : tensor<1xi64>, strides = dense<1> : "
        "tensor<1xi64>} ins(%in, %window : "
     << ncw << ", tensor<?xf32>) outs(%acc : " << ncw << ") -> " << ncw << "\n"
     << "  %pooled = tensor.collapse_shape %pooled3 [[0, 1], [2]] : " << ncw
     << " into " << rows << "\n";
  std::string scores = "%pooled";
  if (avg) {
    // The mean over the K-wide window, padding included (F.avg_pool1d).
    os << "  %kwi = arith.index_cast %kw : index to i64\n"
       << "  %kwf = arith.sitofp %kwi : i64 to f32\n"
       << "  %me = tensor.empty(%r, %p) : " << rows << "\n"
       << "  %mean = linalg.generic {indexing_maps = [" << identityMap(2)
       << ", " << identityMap(2)
       << "], iterator_types = [\"parallel\", \"parallel\"]} ins(%pooled : "
       << rows << ") outs(%me : " << rows << ") {\n"
       << "  ^bb0(%a: f32, %unused: f32):\n"
       << "    %d = arith.divf %a, %kwf : f32\n"
       << "    linalg.yield %d : f32\n"
       << "  } -> " << rows << "\n";
    scores = "%mean";
  }
  os << "  %values, %indices, %count = tok.topk " << scores
     << " budget(%budget : tensor<?xi32>) {k = " << k << " : i64} : (" << rows
     << ") -> (tensor<?x" << k << "xf32>, " << outIdx << ", tensor<?xi32>)\n"
     << "  return %indices, %count : " << outIdx << ", tensor<?xi32>\n"
     << "}\n\n";
  return os.str();
}

} // namespace tokamak::frontend
