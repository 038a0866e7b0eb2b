//===- LayerStats.h - Checks of per-layer attention stats -------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// The session's snapkv and h2o policies read the per-layer attention stats
// that @prefill_stats, @prefill_h2o and @decode_stats return; both check them
// here before indexing them.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_SRC_LAYERSTATS_H
#define TOKAMAK_RUNTIME_SRC_LAYERSTATS_H

#include "tokamak/runtime/Status.h"
#include "tokamak/runtime/Tensor.h"

#include <vector>

namespace tokamak::rt {

/// Checks that `function` returned `layers` f32 tensors `[n, heads, width]`
/// with `width` equal to `minWidth` (`exactWidth`) or at least it.
inline Status checkLayerStats(const std::vector<HostTensor> &stats,
                              const char *function, size_t layers, int64_t n,
                              int64_t heads, int64_t minWidth,
                              bool exactWidth) {
  if (stats.size() != layers)
    return Status::errorOf("@", function, " returned ", stats.size(),
                           " stats for ", layers, " attention layers");
  for (const HostTensor &layer : stats)
    if (layer.dtype() != DType::f32 || layer.rank() != 3 ||
        layer.shape()[0] != n || layer.shape()[1] != heads ||
        layer.shape()[2] < minWidth ||
        (exactWidth && layer.shape()[2] != minWidth))
      return Status::errorOf("@", function, " returned stats ",
                             layer.typeString(), ", expected f32 [", n, ", ",
                             heads, ", ", exactWidth ? "" : ">= ", minWidth,
                             "]");
  return Status::success();
}

} // namespace tokamak::rt

#endif // TOKAMAK_RUNTIME_SRC_LAYERSTATS_H
