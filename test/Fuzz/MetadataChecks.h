//===- MetadataChecks.h - Promises of parsed artifact metadata --*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// What the metadata and artifact fuzzers check of every ModuleMetadata that
// parseModuleMetadata accepts: the fields it validates hold, and printing it
// and parsing the text again gives the same metadata and the same text.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_TEST_FUZZ_METADATACHECKS_H
#define TOKAMAK_TEST_FUZZ_METADATACHECKS_H

#include "FuzzSupport.h"

#include "tokamak/runtime/Artifact.h"

#include <set>

namespace tokamak::fuzz {

inline bool sameSignatures(const std::vector<rt::TensorSignature> &a,
                           const std::vector<rt::TensorSignature> &b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].dtype != b[i].dtype || a[i].shape != b[i].shape)
      return false;
  return true;
}

/// Whether `a` and `b` hold the same fields.
inline bool sameMetadata(const rt::ModuleMetadata &a,
                         const rt::ModuleMetadata &b) {
  if (a.target.triple != b.target.triple || a.target.cpu != b.target.cpu ||
      a.target.features != b.target.features ||
      a.functions.size() != b.functions.size() ||
      a.model.has_value() != b.model.has_value())
    return false;
  for (size_t i = 0; i < a.functions.size(); ++i) {
    const rt::FunctionSignature &x = a.functions[i], &y = b.functions[i];
    if (x.name != y.name || x.entry != y.entry ||
        !sameSignatures(x.inputs, y.inputs) ||
        !sameSignatures(x.results, y.results))
      return false;
  }
  if (!a.model)
    return true;
  const rt::ModelInfo &x = *a.model, &y = *b.model;
  return x.architecture == y.architecture && x.weights == y.weights &&
         x.vocabSize == y.vocabSize && x.hiddenSize == y.hiddenSize &&
         x.dtype == y.dtype && x.hiddenFunction == y.hiddenFunction &&
         x.generates == y.generates && x.maxPositions == y.maxPositions &&
         x.bosTokenId == y.bosTokenId && x.eosTokenIds == y.eosTokenIds;
}

/// Checks what parseModuleMetadata promises of `metadata`, and that it
/// survives printModuleMetadata and parsing back unchanged.
inline void checkMetadata(const char *fuzzer,
                          const rt::ModuleMetadata &metadata) {
  if (metadata.target.triple.empty())
    broken(fuzzer, "empty target triple", "");
  std::set<std::string> names;
  for (const rt::FunctionSignature &function : metadata.functions) {
    if (function.name.empty() || !names.insert(function.name).second)
      broken(fuzzer, "empty or duplicate function name", function.name);
    if (function.entry != rt::kEntryPrefix + function.name)
      broken(fuzzer, "entry is not named after its function", function.entry);
    for (const auto *list : {&function.inputs, &function.results})
      for (const rt::TensorSignature &signature : *list)
        for (int64_t dim : signature.shape)
          if (dim < rt::kDynamicDim)
            broken(fuzzer, "dim below -1", signature.str());
  }
  if (const std::optional<rt::ModelInfo> &model = metadata.model) {
    if (model->architecture.empty() || model->dtype.empty() ||
        model->vocabSize <= 0 || model->hiddenSize <= 0 ||
        model->maxPositions < 0 ||
        (model->bosTokenId && *model->bosTokenId < 0))
      broken(fuzzer, "bad model fields", model->architecture);
    for (const std::string &weight : model->weights)
      if (weight.empty())
        broken(fuzzer, "empty weight name", model->architecture);
    for (int32_t id : model->eosTokenIds)
      if (id < 0)
        broken(fuzzer, "negative eos token id", std::to_string(id));
  }

  std::string text = rt::printModuleMetadata(metadata);
  rt::StatusOr<rt::ModuleMetadata> again = rt::parseModuleMetadata(text);
  if (!again.ok())
    broken(fuzzer, "printed metadata does not parse",
           again.status().message() + ": " + text);
  if (!sameMetadata(metadata, *again))
    broken(fuzzer, "printed metadata parses to other metadata", text);
  if (rt::printModuleMetadata(*again) != text)
    broken(fuzzer, "printing metadata is not stable", text);
}

} // namespace tokamak::fuzz

#endif // TOKAMAK_TEST_FUZZ_METADATACHECKS_H
