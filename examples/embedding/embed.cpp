//===- embed.cpp - Embedding the Tokamak JIT in a C++ application ---------===//
//
// Part of the Tokamak project. Compiles a small causal GQA attention layer
// from MLIR text in process, runs it on host buffers and checks the result
// against a naive loop written here. Build: the `tokamak-embed-example`
// target; run it without arguments.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Compiler/Compiler.h"
#include "tokamak/runtime/Executable.h"

#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <vector>

using namespace tokamak;

// Causal attention with 4 query heads sharing 2 kv heads; the sequence
// length is dynamic.
static const char *kModule = R"mlir(
func.func @attend(%q: tensor<1x4x?x16xf32>, %k: tensor<1x2x?x16xf32>,
                  %v: tensor<1x2x?x16xf32>) -> tensor<1x4x?x16xf32> {
  %o = tok.attention %q, %k, %v {causal}
     : (tensor<1x4x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>)
     -> tensor<1x4x?x16xf32>
  return %o : tensor<1x4x?x16xf32>
}
)mlir";

/// Fills `t` with a deterministic pattern in [-1, 1).
static void fill(rt::HostTensor &t, int seed) {
  float *p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i)
    p[i] = static_cast<float>(((i * 7919 + seed * 104729) % 2000) - 1000) /
           1000.0f;
}

/// Naive causal GQA attention: the reference.
static std::vector<float> reference(const rt::HostTensor &q,
                                    const rt::HostTensor &k,
                                    const rt::HostTensor &v) {
  int64_t hq = q.shape()[1], hkv = k.shape()[1], s = q.shape()[2],
          d = q.shape()[3];
  std::vector<float> out(q.numel());
  for (int64_t h = 0; h < hq; ++h) {
    int64_t g = h / (hq / hkv);
    for (int64_t i = 0; i < s; ++i) {
      const float *qi = q.data<float>() + (h * s + i) * d;
      std::vector<double> p(i + 1);
      double mx = -INFINITY, sum = 0;
      for (int64_t j = 0; j <= i; ++j) {
        const float *kj = k.data<float>() + (g * s + j) * d;
        double dot = 0;
        for (int64_t c = 0; c < d; ++c)
          dot += qi[c] * kj[c];
        p[j] = dot / std::sqrt(static_cast<double>(d));
        mx = std::max(mx, p[j]);
      }
      for (double &x : p)
        sum += (x = std::exp(x - mx));
      for (int64_t c = 0; c < d; ++c) {
        double acc = 0;
        for (int64_t j = 0; j <= i; ++j)
          acc += p[j] * v.data<float>()[(g * s + j) * d + c];
        out[(h * s + i) * d + c] = static_cast<float>(acc / sum);
      }
    }
  }
  return out;
}

int main() {
  Compiler compiler;
  auto module = compiler.parseString(kModule, "attend.mlir");
  if (!module) {
    llvm::errs() << llvm::toString(module.takeError()) << "\n";
    return 1;
  }
  auto executable = compiler.jit(**module, CompileOptions());
  if (!executable) {
    llvm::errs() << llvm::toString(executable.takeError()) << "\n";
    return 1;
  }

  const int64_t seqLen = 37;
  std::vector<rt::HostTensor> inputs;
  for (auto [heads, seed] : {std::pair{4, 1}, {2, 2}, {2, 3}}) {
    auto t = rt::HostTensor::create(rt::DType::f32, {1, heads, seqLen, 16});
    if (!t.ok()) {
      llvm::errs() << t.status().message() << "\n";
      return 1;
    }
    fill(*t, seed);
    inputs.push_back(std::move(*t));
  }

  auto results = rt::invoke(**executable, "attend", inputs);
  if (!results.ok()) {
    llvm::errs() << results.status().message() << "\n";
    return 1;
  }
  const rt::HostTensor &out = results->front();
  std::vector<float> expected = reference(inputs[0], inputs[1], inputs[2]);
  double maxErr = 0;
  for (int64_t i = 0; i < out.numel(); ++i)
    maxErr = std::max(maxErr, std::abs(static_cast<double>(
                                  out.data<float>()[i] - expected[i])));
  llvm::outs() << "attend: result " << out.typeString() << ", max abs error "
               << maxErr << "\n";
  if (maxErr > 1e-5) {
    llvm::errs() << "mismatch against the reference\n";
    return 1;
  }
  llvm::outs() << "OK\n";
  return 0;
}
