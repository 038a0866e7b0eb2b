//===- SnapKVIR.h - SnapKV's selection as tok IR ----------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_LIB_FRONTEND_SNAPKVIR_H
#define TOKAMAK_LIB_FRONTEND_SNAPKVIR_H

#include <cstdint>
#include <string>

namespace tokamak::frontend {

/// Name of the selection function for `pool` ("avg" or "max").
std::string snapkvSelectName(const std::string &pool);

/// `@snapkv_select_<pool>`: SnapKV's selection (Li et al. 2024, Alg. 1) over
/// the votes of the prompt prefix, for budgets up to `maxBudget`:
///
///   func.func @snapkv_select_avg(%votes: tensor<?x?xf32>,   // [R, P]
///                                %budget: tensor<?xi32>,    // [R]
///                                %window: tensor<?xf32>)    // [K], K odd
///       -> (tensor<?xMAXxi32>, tensor<?xi32>)               // indices, count
///
/// Each of the R rows (a layer group's or a kv head's summed votes over the
/// P positions before the observation window) is pooled along P with a
/// stride-1 window of K (the window's length; its values are not read) and
/// padding K / 2, as F.avg_pool1d (padding counted, so divided by K) or
/// F.max_pool1d, by upstream `linalg.pooling_ncw_{sum,max}` after
/// `tensor.pad`; `tok.topk` with a run-time budget per row then returns the
/// positions of the `min(budget, P)` largest pooled votes, descending, ties
/// to the lower position, the rest −1.
std::string snapkvSelectFunction(const std::string &pool, int64_t maxBudget);

} // namespace tokamak::frontend

#endif // TOKAMAK_LIB_FRONTEND_SNAPKVIR_H
