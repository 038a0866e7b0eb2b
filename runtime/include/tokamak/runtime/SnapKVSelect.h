//===- SnapKVSelect.h - SnapKV selection through compiled code --*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// A model compiled for a snapkv policy exports `@snapkv_select_avg` and
// `@snapkv_select_max` (lib/Frontend/SnapKVIR.h): the prefix votes pooled by
// upstream linalg pooling and ranked by `tok.topk` with a run-time budget
// per row. The session selects through them instead of snapkvKeepFromVotes
// when the module has them and their `k` covers the policy's budget; both
// make the same choice (pooling as F.avg_pool1d / F.max_pool1d, the top B
// pooled votes of the prefix, ties to the lower position, the observation
// window kept whole).
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_SNAPKVSELECT_H
#define TOKAMAK_RUNTIME_SNAPKVSELECT_H

#include "tokamak/runtime/Executable.h"
#include "tokamak/runtime/KVPolicy.h"
#include "tokamak/runtime/Status.h"

#include <cstdint>

namespace tokamak::rt {

/// The selection function for `policy`'s pooling ("snapkv_select_avg").
const char *snapkvSelectFunction(SnapKVPooling pooling);

/// The largest budget `executable`'s selection function for `pooling` takes
/// (its `k`), or 0 when the module has none.
int64_t snapkvCompiledBudget(const Executable &executable,
                             SnapKVPooling pooling);

/// snapkvKeepFromVotes through the compiled selection: `votes` `[rows,
/// length]` (per row, the summed stats of the last min(obs, length) queries),
/// one keep set per row. Rows that keep everything (a `full_heads` row, or a
/// budget covering the prefix) do not call the function. Fails when the
/// module has no selection function with `k >= policy.budget`.
StatusOr<KeepPlan> snapkvKeepCompiled(Executable &executable,
                                      const KVPolicy &policy,
                                      const double *votes, int32_t rows,
                                      int64_t length);

/// The session's choice: snapkvKeepCompiled when `executable` has a
/// selection function that takes `policy.budget`, else snapkvKeepFromVotes
/// (modules compiled with --snapkv-obs alone).
StatusOr<KeepPlan> snapkvSelect(Executable &executable, const KVPolicy &policy,
                                const double *votes, int32_t rows,
                                int64_t length);

} // namespace tokamak::rt

#endif // TOKAMAK_RUNTIME_SNAPKVSELECT_H
