//===- SnapKVSelect.cpp - SnapKV selection through compiled code ----------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/SnapKVSelect.h"

#include <algorithm>
#include <numeric>

using namespace tokamak::rt;

const char *tokamak::rt::snapkvSelectFunction(SnapKVPooling pooling) {
  return pooling == SnapKVPooling::Max ? "snapkv_select_max"
                                       : "snapkv_select_avg";
}

int64_t tokamak::rt::snapkvCompiledBudget(const Executable &executable,
                                          SnapKVPooling pooling) {
  const FunctionSignature *fn =
      executable.metadata().lookupFunction(snapkvSelectFunction(pooling));
  // (votes [R, P] f32, budget [R] i32, window [K] f32) -> (indices [R, k]
  // i32, count [R] i32).
  if (!fn || fn->inputs.size() != 3 || fn->results.size() != 2 ||
      fn->results[0].shape.size() != 2 || fn->results[0].shape[1] < 0)
    return 0;
  return fn->results[0].shape[1];
}

StatusOr<KeepPlan> tokamak::rt::snapkvSelect(Executable &executable,
                                             const KVPolicy &policy,
                                             const double *votes, int32_t rows,
                                             int64_t length) {
  if (policy.kind == KVPolicyKind::SnapKV &&
      snapkvCompiledBudget(executable, policy.pooling) >= policy.budget)
    return snapkvKeepCompiled(executable, policy, votes, rows, length);
  return snapkvKeepFromVotes(policy, votes, rows, length);
}

StatusOr<KeepPlan> tokamak::rt::snapkvKeepCompiled(Executable &executable,
                                                   const KVPolicy &policy,
                                                   const double *votes,
                                                   int32_t rows,
                                                   int64_t length) {
  if (policy.kind != KVPolicyKind::SnapKV)
    return Status::errorOf("snapkv selection needs a snapkv policy, got '",
                           policy.str(), "'");
  if (!votes || rows <= 0 || length < 0)
    return Status::errorOf("expected votes [rows, length] with rows > 0, got "
                           "rows=",
                           rows, " length=", length);
  const char *name = snapkvSelectFunction(policy.pooling);
  int64_t compiled = snapkvCompiledBudget(executable, policy.pooling);
  if (compiled < policy.budget)
    return Status::errorOf(
        "the model's @", name,
        compiled ? " selects at most " + std::to_string(compiled) + " positions"
                 : std::string(" is missing"),
        "; policy '", policy.str(), "' needs ", policy.budget,
        " (compile it with --snapkv-budget=", policy.budget, ")");
  const int64_t obs = std::min(policy.obsWindow, length);
  const int64_t prefix = length - obs;
  std::vector<int64_t> all(static_cast<size_t>(length));
  std::iota(all.begin(), all.end(), 0);
  KeepPlan plan(static_cast<size_t>(rows), all);
  // The rows that select: every row unless it keeps all of its positions.
  std::vector<int32_t> selecting;
  for (int32_t r = 0; r < rows; ++r)
    if (!policy.keepsAll(r) && prefix > policy.budget)
      selecting.push_back(r);
  if (selecting.empty())
    return plan;

  const int64_t n = int64_t(selecting.size());
  StatusOr<HostTensor> in = HostTensor::create(DType::f32, {n, prefix});
  StatusOr<HostTensor> budget = HostTensor::create(DType::i32, {n});
  StatusOr<HostTensor> window = HostTensor::create(DType::f32, {policy.kernel});
  for (const StatusOr<HostTensor> *t : {&in, &budget, &window})
    if (!t->ok())
      return t->status();
  for (int64_t i = 0; i < n; ++i) {
    const double *row = votes + size_t(selecting[size_t(i)]) * size_t(length);
    std::transform(row, row + prefix, in->data<float>() + i * prefix,
                   [](double v) { return float(v); });
    budget->data<int32_t>()[i] = static_cast<int32_t>(policy.budget);
  }
  std::fill(window->data<float>(), window->data<float>() + policy.kernel, 1.f);
  std::vector<HostTensor> inputs;
  inputs.push_back(std::move(*in));
  inputs.push_back(std::move(*budget));
  inputs.push_back(std::move(*window));
  StatusOr<std::vector<HostTensor>> results = invoke(executable, name, inputs);
  if (!results.ok())
    return results.status().withContext("snapkv selection");
  const HostTensor &indices = (*results)[0];
  const HostTensor &count = (*results)[1];
  for (int64_t i = 0; i < n; ++i) {
    int32_t kept = count.data<int32_t>()[i];
    if (kept != policy.budget)
      return Status::errorOf("snapkv selection: @", name, " kept ", kept,
                             " positions of row ", selecting[size_t(i)],
                             ", expected ", policy.budget);
    const int32_t *first = indices.data<int32_t>() + i * compiled;
    std::vector<int64_t> keep(first, first + kept);
    std::sort(keep.begin(), keep.end());
    if (!keep.empty() &&
        (std::adjacent_find(keep.begin(), keep.end()) != keep.end() ||
         keep.front() < 0 || keep.back() >= prefix))
      return Status::errorOf("snapkv selection: @", name,
                             " returned positions outside [0, ", prefix,
                             ") or repeated ones");
    for (int64_t p = prefix; p < length; ++p)
      keep.push_back(p);
    plan[size_t(selecting[size_t(i)])] = std::move(keep);
  }
  return plan;
}
