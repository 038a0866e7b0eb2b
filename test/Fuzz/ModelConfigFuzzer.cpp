//===- ModelConfigFuzzer.cpp - Fuzz the config.json reader ----------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// libFuzzer entry point: reads the input as a Hugging Face config.json. The
// sanitizers catch crashes; the checks below abort when an accepted config
// breaks what the IR builder relies on (positive sizes, head counts that
// divide, an inverse-frequency table for every rotated pair, one window per
// layer) or when an error does not name the file.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Frontend/ModelConfig.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace tokamak;

namespace {

constexpr std::string_view kPath = "fuzz/config.json";

[[noreturn]] void broken(const char *what, const std::string &detail) {
  std::fprintf(stderr, "config fuzzer: %s: %s\n", what, detail.c_str());
  std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  rt::StatusOr<frontend::DecoderConfig> config =
      frontend::parseModelConfig(text, kPath);
  if (!config.ok()) {
    const std::string &message = config.status().message();
    if (message.rfind(std::string(kPath) + ": ", 0) != 0)
      broken("error does not name the file", message);
    return 0;
  }
  const frontend::DecoderConfig &c = *config;
  if (c.vocabSize <= 0 || c.hiddenSize <= 0 || c.numLayers <= 0 ||
      c.numHeads <= 0 || c.numKVHeads <= 0 || c.headDim <= 0 ||
      c.intermediateSize <= 0)
    broken("non-positive size accepted", c.modelType);
  if (c.numHeads % c.numKVHeads != 0)
    broken("kv heads do not divide the heads", std::to_string(c.numKVHeads));
  if (c.rotaryDim < 2 || c.rotaryDim % 2 != 0 || c.rotaryDim > c.headDim ||
      static_cast<int64_t>(c.invFreq.size()) != c.rotaryDim / 2)
    broken("bad rotary table", std::to_string(c.rotaryDim));
  for (double f : c.invFreq)
    if (!std::isfinite(f) || f < 0)
      broken("bad inverse frequency", std::to_string(f));
  if (static_cast<int64_t>(c.layerWindow.size()) != c.numLayers)
    broken("one window per layer", std::to_string(c.layerWindow.size()));
  if (!(c.normEps > 0) || !std::isfinite(c.normEps))
    broken("bad eps", std::to_string(c.normEps));
  return 0;
}
