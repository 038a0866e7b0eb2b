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
// layer; for an encoder, heads that split the hidden size) or when an error
// does not name the file.
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
  rt::StatusOr<frontend::ModelConfig> config =
      frontend::parseModelConfig(text, kPath);
  if (!config.ok()) {
    const std::string &message = config.status().message();
    if (message.rfind(std::string(kPath) + ": ", 0) != 0)
      broken("error does not name the file", message);
    return 0;
  }
  if (const auto *e = std::get_if<frontend::EncoderConfig>(&*config)) {
    if (e->vocabSize <= 0 || e->hiddenSize <= 0 || e->numLayers <= 0 ||
        e->numHeads <= 0 || e->headDim <= 0 || e->intermediateSize <= 0 ||
        e->maxPositions <= 0 || e->typeVocabSize <= 0)
      broken("non-positive size accepted", e->modelType);
    if (e->numHeads * e->headDim != e->hiddenSize)
      broken("heads do not split the hidden size", std::to_string(e->headDim));
    if (!(e->normEps > 0) || !std::isfinite(e->normEps))
      broken("bad eps", std::to_string(e->normEps));
    return 0;
  }
  if (const auto *m = std::get_if<frontend::MambaConfig>(&*config)) {
    if (m->vocabSize <= 0 || m->hiddenSize <= 0 || m->numLayers <= 0 ||
        m->intermediateSize <= 0 || m->stateSize <= 0 || m->timeStepRank <= 0)
      broken("non-positive size accepted", m->modelType);
    if (m->convKernel < 2)
      broken("no conv state", std::to_string(m->convKernel));
    if (!(m->normEps > 0) || !std::isfinite(m->normEps))
      broken("bad eps", std::to_string(m->normEps));
    return 0;
  }
  if (const auto *m = std::get_if<frontend::Mamba2Config>(&*config)) {
    if (m->vocabSize <= 0 || m->hiddenSize <= 0 || m->numLayers <= 0 ||
        m->intermediateSize <= 0 || m->stateSize <= 0 || m->numHeads <= 0 ||
        m->headDim <= 0 || m->numGroups <= 0)
      broken("non-positive size accepted", m->modelType);
    if (m->numHeads * m->headDim != m->intermediateSize ||
        m->numHeads % m->numGroups != 0)
      broken("heads do not split the mixer", std::to_string(m->numHeads));
    if (m->convKernel < 2)
      broken("no conv state", std::to_string(m->convKernel));
    if (!(m->normEps > 0) || !std::isfinite(m->normEps))
      broken("bad eps", std::to_string(m->normEps));
    if (!(m->timeStepMin >= 0) || !(m->timeStepMax >= m->timeStepMin))
      broken("bad time_step_limit", std::to_string(m->timeStepMin));
    return 0;
  }
  if (const auto *j = std::get_if<frontend::JambaConfig>(&*config)) {
    const frontend::DecoderConfig &a = j->attention;
    const frontend::MambaConfig &m = j->mamba;
    if (j->vocabSize <= 0 || j->hiddenSize <= 0 || j->numLayers <= 0 ||
        a.numHeads <= 0 || a.numKVHeads <= 0 || a.headDim <= 0 ||
        a.intermediateSize <= 0 || m.intermediateSize <= 0 ||
        m.stateSize <= 0 || m.timeStepRank <= 0)
      broken("non-positive size accepted", j->modelType);
    if (a.numHeads % a.numKVHeads != 0 ||
        a.numHeads * a.headDim != j->hiddenSize)
      broken("heads do not split the hidden size", std::to_string(a.headDim));
    if (static_cast<int64_t>(j->attentionLayers.size()) != j->numLayers ||
        a.numLayers + m.numLayers != j->numLayers)
      broken("one mixer per layer", std::to_string(j->numLayers));
    if (m.convKernel < 2)
      broken("no conv state", std::to_string(m.convKernel));
    if (!(j->normEps > 0) || !std::isfinite(j->normEps))
      broken("bad eps", std::to_string(j->normEps));
    return 0;
  }
  const auto &c = std::get<frontend::DecoderConfig>(*config);
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
