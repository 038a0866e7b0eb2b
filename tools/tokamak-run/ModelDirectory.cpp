//===- ModelDirectory.cpp - Hugging Face model directories ----------------===//
//
// Part of the Tokamak project.
//
// A model directory runs through an artifact in an on-disk compile cache:
// the key hashes what the generated code depends on (config.json, the name,
// dtype and shape of every tensor, the compiler plugin's build, the host
// CPU), so a second run loads the artifact in milliseconds. On a miss the
// JIT plugin imports and compiles the model into the cache atomically.
//
//===----------------------------------------------------------------------===//

#include "ModelDirectory.h"

#include "LoadExecutable.h"

#include "tokamak/runtime/Artifact.h"
#include "tokamak/runtime/Version.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <thread>
#include <tuple>
#include <unistd.h>

using namespace tokamak;
using namespace tokamak::run;
using namespace tokamak::rt;

namespace {

/// FNV-1a, 64 bits: a cache key, not a security boundary (the cache holds
/// only what this user compiled).
struct Hash {
  uint64_t value = 0xcbf29ce484222325ull;
  void add(std::string_view bytes) {
    for (unsigned char c : bytes) {
      value ^= c;
      value *= 0x100000001b3ull;
    }
    add8(0xff);
  }
  void add8(unsigned char c) {
    value ^= c;
    value *= 0x100000001b3ull;
  }
  void add(int64_t v) { add(std::string_view(std::to_string(v))); }
  std::string hex() const {
    char buffer[17];
    std::snprintf(buffer, sizeof(buffer), "%016llx",
                  static_cast<unsigned long long>(value));
    return buffer;
  }
};

StatusOr<std::string> readSmallFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::error(path + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The host CPU as the generated code sees it: model name and flags.
std::string hostCpuIdentity() {
  std::ifstream in("/proc/cpuinfo");
  std::string line, identity;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0 || line.rfind("flags", 0) == 0)
      identity += line + "\n";
    if (line.empty() && !identity.empty())
      break;
  }
  return identity;
}

/// The build of the JIT plugin next to tokamak-run (size and mtime), so a
/// rebuilt compiler never reuses an artifact of the old one.
std::string pluginIdentity() {
  std::vector<char> buffer(4096);
  ssize_t n = ::readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
  std::string dir = ".";
  if (n > 0) {
    std::string self(buffer.data(), static_cast<size_t>(n));
    dir = self.substr(0, self.rfind('/'));
  }
  for (const char *candidate :
       {"/../lib/libTokamakJit.so", "/libTokamakJit.so"}) {
    struct stat info;
    if (::stat((dir + candidate).c_str(), &info) == 0)
      return std::to_string(info.st_size) + ":" +
             std::to_string(info.st_mtim.tv_sec) + "." +
             std::to_string(info.st_mtim.tv_nsec);
  }
  return "no-plugin";
}

Status makeDirectories(const std::string &path) {
  std::string partial;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    partial = path.substr(0, pos);
    if (partial.empty())
      continue;
    if (::mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST)
      return Status::fromErrno(errno, "cannot create cache directory '" +
                                          partial + "'");
  }
  return Status::success();
}

std::string cacheDirectory(const Options &options) {
  if (!options.cacheDir.empty())
    return options.cacheDir;
  if (const char *dir = std::getenv("TOKAMAK_CACHE_DIR"); dir && *dir)
    return dir;
  if (const char *xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::string(xdg) + "/tokamak";
  if (const char *home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.cache/tokamak";
  return "/tmp/tokamak-cache";
}

double nowSeconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

} // namespace

bool tokamak::run::isModelDirectory(const std::string &path) {
  struct stat info;
  return isDirectory(path) &&
         ::stat((path + "/config.json").c_str(), &info) == 0;
}

StatusOr<LoadedModel> tokamak::run::loadModelDirectory(const Options &options) {
  const std::string &dir = options.input;
  StatusOr<std::string> config = readSmallFile(dir + "/config.json");
  if (!config.ok())
    return config.status();
  // The weights are opened here for the key, and again by the session:
  // opening maps the files without reading them.
  StatusOr<std::shared_ptr<WeightStore>> store =
      WeightStore::openDirectory(dir);
  if (!store.ok())
    return store.status();
  Hash key;
  key.add(std::string_view(version()));
  key.add(pluginIdentity());
  key.add(hostCpuIdentity());
  // The kernels are balanced for the OpenMP team size (issue 11).
  key.add(std::string_view(
      std::getenv("OMP_NUM_THREADS") ? std::getenv("OMP_NUM_THREADS") : ""));
  key.add(int64_t(std::thread::hardware_concurrency()));
  for (const char *name : {"TOKAMAK_JIT_CPU", "TOKAMAK_JIT_CPU_FEATURES"})
    key.add(std::string_view(std::getenv(name) ? std::getenv(name) : ""));
  key.add(*config);
  // A snapkv policy compiles @prefill_stats with its observation window too;
  // the plugin reads it from TOKAMAK_SNAPKV_OBS (docs/Session.md).
  // The compiled selection (@snapkv_select_*) takes budgets up to the
  // largest one, from TOKAMAK_SNAPKV_BUDGET.
  int64_t snapkvObs = 0, snapkvBudget = 0;
  auto note = [&](const KVPolicy &policy) {
    if (policy.kind != KVPolicyKind::SnapKV)
      return;
    snapkvObs = std::max(snapkvObs, policy.obsWindow);
    snapkvBudget = std::max(snapkvBudget, policy.budget);
  };
  note(options.kvPolicy);
  for (const ModelKVPolicy::Override &range : options.kvGroupPolicies)
    note(range.policy);
  key.add(snapkvObs);
  key.add(snapkvBudget);
  for (auto [name, value] : {std::pair{"TOKAMAK_SNAPKV_OBS", snapkvObs},
                             std::pair{"TOKAMAK_SNAPKV_BUDGET", snapkvBudget}})
    if (value > 0)
      ::setenv(name, std::to_string(value).c_str(), 1);
    else
      ::unsetenv(name);
  // The KV layout and cache groups (--kv-layout, --kv-groups) travel the
  // same way: TOKAMAK_KV_LAYOUT / TOKAMAK_KV_GROUPS, and the cache key.
  for (auto [name, value, fallback] :
       {std::tuple("TOKAMAK_KV_LAYOUT", &options.kvLayout, "shared"),
        std::tuple("TOKAMAK_KV_GROUPS", &options.kvGroups, "by-window")}) {
    std::string chosen = value->empty() ? fallback : *value;
    key.add(std::string_view(chosen));
    if (value->empty())
      ::unsetenv(name);
    else
      ::setenv(name, value->c_str(), 1);
  }
  // An h2o policy compiles @prefill_h2o and @decode_stats too
  // (TOKAMAK_H2O=1 for the plugin).
  bool h2o = options.kvPolicy.kind == KVPolicyKind::H2O;
  for (const ModelKVPolicy::Override &range : options.kvGroupPolicies)
    h2o |= range.policy.kind == KVPolicyKind::H2O;
  key.add(int64_t(h2o));
  if (h2o)
    ::setenv("TOKAMAK_H2O", "1", 1);
  else
    ::unsetenv("TOKAMAK_H2O");
  for (const SafeTensorInfo &t : (*store)->tensors()) {
    key.add(t.name);
    key.add(std::string_view(dtypeName(t.dtype)));
    for (int64_t d : t.shape)
      key.add(d);
  }

  LoadedModel loaded;
  std::string cache = cacheDirectory(options);
  std::string artifact = cache + "/model-" + key.hex() + ".so";
  double start = nowSeconds();
  if (options.noCache) {
    // A private file, removed once loaded (the mapping stays valid).
    char scratch[] = "/tmp/tokamak-model-XXXXXX";
    int fd = ::mkstemp(scratch);
    if (fd < 0)
      return Status::fromErrno(errno, "cannot create a temporary file");
    ::close(fd);
    artifact = std::string(scratch) + ".so";
    ::rename(scratch, artifact.c_str());
  } else if (::access(artifact.c_str(), R_OK) == 0) {
    StatusOr<std::unique_ptr<SharedLibraryExecutable>> hit =
        SharedLibraryExecutable::load(artifact);
    if (hit.ok()) {
      loaded.executable = std::move(*hit);
      loaded.cacheHit = true;
      loaded.compileSeconds = nowSeconds() - start;
      return loaded;
    }
    // A damaged entry (a crash mid-write, another CPU): compile again.
    ::unlink(artifact.c_str());
  }
  if (!options.noCache)
    if (Status s = makeDirectories(cache); s.failed())
      return s;
  if (Status s = compileModelWithPlugin(dir, artifact); s.failed()) {
    if (options.noCache)
      ::unlink(artifact.c_str());
    return s;
  }
  StatusOr<std::unique_ptr<SharedLibraryExecutable>> compiled =
      SharedLibraryExecutable::load(artifact);
  if (options.noCache)
    ::unlink(artifact.c_str());
  if (!compiled.ok())
    return compiled.status();
  loaded.executable = std::move(*compiled);
  loaded.compileSeconds = nowSeconds() - start;
  return loaded;
}

StatusOr<std::vector<HostTensor>>
tokamak::run::readModelWeights(const ModelInfo &model, const std::string &dir) {
  StatusOr<std::shared_ptr<WeightStore>> store =
      WeightStore::openDirectory(dir);
  if (!store.ok())
    return store.status();
  std::vector<HostTensor> weights;
  weights.reserve(model.weights.size());
  for (const std::string &name : model.weights) {
    StatusOr<HostTensor> view = (*store)->view(name);
    if (!view.ok())
      return view.status();
    weights.push_back(std::move(*view));
  }
  return weights;
}
