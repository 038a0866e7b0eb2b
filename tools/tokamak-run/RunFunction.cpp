//===- RunFunction.cpp - Function mode of tokamak-run ---------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "RunFunction.h"

#include "tokamak/runtime/ModelABI.h"
#include "tokamak/runtime/Npy.h"
#include "tokamak/runtime/OutputFiles.h"
#include "tokamak/runtime/TensorText.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

using namespace tokamak;
using namespace tokamak::run;
using namespace tokamak::rt;

namespace {

/// Picks the function to run: --function, else @main, else the only one.
StatusOr<const FunctionSignature *> selectFunction(const ModuleMetadata &md,
                                                   const std::string &name) {
  std::string available;
  for (const FunctionSignature &fn : md.functions)
    available += (available.empty() ? "@" : ", @") + fn.name;
  if (!name.empty()) {
    if (const FunctionSignature *fn = md.lookupFunction(name))
      return fn;
    return Status::error("no function @" + name + " (available: " +
                         (available.empty() ? "none" : available) + ")");
  }
  if (const FunctionSignature *fn = md.lookupFunction("main"))
    return fn;
  if (md.functions.size() == 1)
    return &md.functions.front();
  if (md.functions.empty())
    return Status::error("the module has no public function to run");
  return Status::error("several functions and no @main; choose one with "
                       "--function (available: " +
                       available + ")");
}

/// Checks a tensor's type against the signature before its data is read
/// or allocated (a u16 .npy array stands for bf16 bits).
TensorTypeCheck checkAgainst(const TensorSignature &expected, bool npy) {
  return [&expected, npy](DType dtype, const std::vector<int64_t> &shape) {
    TensorSignature actual{dtype, shape};
    if (npy && dtype == DType::u16 && expected.dtype == DType::bf16)
      actual.dtype = DType::bf16;
    bool matches =
        actual.dtype == expected.dtype && shape.size() == expected.shape.size();
    for (size_t d = 0; matches && d < shape.size(); ++d)
      matches =
          expected.shape[d] == kDynamicDim || expected.shape[d] == shape[d];
    if (matches)
      return Status::success();
    return Status::error("expected " + expected.str() + ", got " +
                         formatTensorType(shape, dtype));
  };
}

/// Reads one --input value for input `index` of `fn`.
StatusOr<HostTensor> loadInput(const std::string &text,
                               const FunctionSignature &fn, size_t index) {
  std::string where = "input " + std::to_string(index) + " of @" + fn.name;
  const TensorSignature &expected = fn.inputs[index];
  if (!text.empty() && text[0] == '@') {
    StatusOr<HostTensor> tensor =
        readNpy(text.substr(1), checkAgainst(expected, true));
    if (!tensor.ok())
      return tensor.status().withContext(where);
    StatusOr<HostTensor> coerced = coerceTo(std::move(*tensor), expected.dtype);
    if (!coerced.ok())
      return coerced.status().withContext(where);
    return coerced;
  }
  StatusOr<HostTensor> tensor =
      parseTensorText(text, checkAgainst(expected, false));
  if (!tensor.ok())
    return tensor.status().withContext(where);
  return tensor;
}

double nowMs() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch())
      .count();
}

} // namespace

int tokamak::run::runFunction(const Options &options,
                              std::unique_ptr<Executable> executable) {
  StatusOr<const FunctionSignature *> fn =
      selectFunction(executable->metadata(), options.function);
  if (!fn.ok())
    return fail(fn.status().message());
  const FunctionSignature &signature = **fn;

  if (options.inputs.size() != signature.inputs.size())
    return fail("@" + signature.name + " takes " +
                std::to_string(signature.inputs.size()) + " inputs, got " +
                std::to_string(options.inputs.size()) + " --input flags");
  if (options.outputs.size() > signature.results.size())
    return fail("@" + signature.name + " has " +
                std::to_string(signature.results.size()) + " results, got " +
                std::to_string(options.outputs.size()) + " --output flags");

  // Every output path is checked (and its temporary file made) before
  // anything runs; all are written together at the end, or none.
  OutputFiles outputFiles;
  std::vector<std::string> temps;
  for (const std::string &output : options.outputs) {
    StatusOr<std::string> temp = outputFiles.add(output.substr(1));
    if (!temp.ok())
      return fail("--output: " + temp.status().message());
    temps.push_back(*temp);
  }

  std::vector<HostTensor> inputs;
  for (size_t i = 0; i < options.inputs.size(); ++i) {
    StatusOr<HostTensor> tensor = loadInput(options.inputs[i], signature, i);
    if (!tensor.ok())
      return fail(tensor.status().message());
    inputs.push_back(std::move(*tensor));
  }
  // Block tables, slots and lengths built by hand index the K/V pools.
  if (Status s = checkSessionInputs(signature, inputs); s.failed())
    return fail(s.message());

  StatusOr<std::vector<HostTensor>> results =
      invoke(*executable, signature.name, inputs);
  if (!results.ok())
    return fail(results.status().message());

  if (options.benchmark > 0) {
    std::vector<double> times;
    for (int64_t i = 0; i < options.benchmark; ++i) {
      double start = nowMs();
      StatusOr<std::vector<HostTensor>> again =
          invoke(*executable, signature.name, inputs);
      times.push_back(nowMs() - start);
      if (!again.ok())
        return fail(again.status().message());
    }
    std::sort(times.begin(), times.end());
    std::printf("@%s: %lld runs, min %.3f ms, median %.3f ms\n",
                signature.name.c_str(), static_cast<long long>(times.size()),
                times.front(), times[times.size() / 2]);
  }

  for (size_t j = 0; j < temps.size(); ++j)
    if (Status status = writeNpyTo(temps[j], (*results)[j]); !status.ok())
      return fail(status
                      .withContext("cannot write '" +
                                   options.outputs[j].substr(1) + "'")
                      .message());
  if (Status status = outputFiles.commit(); status.failed())
    return fail(status.message());
  for (size_t j = temps.size(); j < results->size(); ++j)
    std::printf("result[%zu]: %s\n", j,
                formatTensorText((*results)[j]).c_str());
  return 0;
}
