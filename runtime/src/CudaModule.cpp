//===- CudaModule.cpp - Kernel images, the module cache and launches ------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/Cuda.h"

#include "CudaDriver.h"

#include "tokamak/runtime/Artifact.h"

#include <climits>
#include <map>
#include <mutex>
#include <vector>

using namespace tokamak::rt;
using namespace tokamak::rt::cuda;
using namespace tokamak::rt::cuda::driver;

namespace tokamak::rt::cuda {

/// Loaded images by (device, JIT level, checksum), compared byte for byte on
/// a hit; and the kernels looked up in them by handle.
struct ModuleCache {
  struct Entry {
    const Device *device;
    int jitOptLevel;
    std::string image;
    CUmodule module;
    size_t users;
  };
  struct KernelInfo {
    const Device *device;
    std::string name;
    CUmodule module;
  };

  std::mutex mutex;
  std::multimap<uint64_t, Entry> entries;
  std::map<CUmodule, std::multimap<uint64_t, Entry>::iterator> byModule;
  std::map<CUfunction, KernelInfo> kernels;

  static ModuleCache &get() {
    static ModuleCache *cache = new ModuleCache;
    return *cache;
  }

  StatusOr<void *> acquire(const Device &device, std::string_view image,
                           int jitOptLevel);
  Status release(void *module);
  StatusOr<Kernel> lookup(void *module, const std::string &name);
  StatusOr<Kernel> kernel(void *function);
};

} // namespace tokamak::rt::cuda

namespace {

/// "PTX" when the image is PTX text, else what its magic says.
const char *imageKind(std::string_view image) {
  if (image.size() >= 4 && image.substr(0, 4) == "\x7f"
                                                 "ELF")
    return "cubin";
  if (image.size() >= 4 && static_cast<unsigned char>(image[0]) == 0x50 &&
      static_cast<unsigned char>(image[1]) == 0xed &&
      static_cast<unsigned char>(image[2]) == 0x55 &&
      static_cast<unsigned char>(image[3]) == 0xba)
    return "fatbin";
  return "PTX";
}

/// The JIT's log as one line: lines joined with "; ", blanks dropped.
std::string oneLine(const char *log) {
  std::string out, line;
  auto flush = [&] {
    size_t begin = line.find_first_not_of(" \t\r");
    if (begin != std::string::npos) {
      size_t end = line.find_last_not_of(" \t\r");
      out += (out.empty() ? "" : "; ") + line.substr(begin, end - begin + 1);
    }
    line.clear();
  };
  for (const char *c = log; *c; ++c) {
    if (*c == '\n')
      flush();
    else
      line += *c;
  }
  flush();
  return printableBytes(out);
}

} // namespace

StatusOr<void *> ModuleCache::acquire(const Device &device,
                                      std::string_view image, int jitOptLevel) {
  if (image.empty())
    return Status::error("cannot load an empty kernel image");
  uint64_t key = artifactChecksum(image);
  std::lock_guard<std::mutex> lock(mutex);
  auto [begin, end] = entries.equal_range(key);
  for (auto it = begin; it != end; ++it)
    if (it->second.device == &device && it->second.jitOptLevel == jitOptLevel &&
        it->second.image == image) {
      ++it->second.users;
      return static_cast<void *>(it->second.module);
    }

  if (Status status = device.makeCurrent(); status.failed())
    return status;
  const Api &cu = **api();
  // The JIT writes its diagnostics into these buffers.
  std::vector<char> errorLog(16384, '\0'), infoLog(4096, '\0');
  std::vector<CUjit_option> options = {
      CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
      CU_JIT_INFO_LOG_BUFFER, CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES};
  std::vector<void *> values = {
      errorLog.data(),
      reinterpret_cast<void *>(static_cast<uintptr_t>(errorLog.size() - 1)),
      infoLog.data(),
      reinterpret_cast<void *>(static_cast<uintptr_t>(infoLog.size() - 1))};
  if (jitOptLevel >= 0) {
    options.push_back(CU_JIT_OPTIMIZATION_LEVEL);
    values.push_back(
        reinterpret_cast<void *>(static_cast<uintptr_t>(jitOptLevel)));
  }
  // The driver reads PTX up to its NUL: load from a copy that has one.
  std::string copy(image);
  CUmodule module = nullptr;
  CUresult result = cu.cuModuleLoadDataEx(&module, copy.data(), options.size(),
                                          options.data(), values.data());
  if (result != CUDA_SUCCESS) {
    std::string message = "cannot load a kernel module (" +
                          std::string(imageKind(image)) + ", " +
                          std::to_string(image.size()) + " bytes) on " +
                          device.describe() + ": " + describe(result);
    std::string log = oneLine(errorLog.data());
    if (!log.empty())
      message += ": " + log;
    return Status::error(message);
  }
  auto inserted = entries.emplace(
      key, Entry{&device, jitOptLevel, std::move(copy), module, 1});
  byModule[module] = inserted;
  return static_cast<void *>(module);
}

Status ModuleCache::release(void *handle) {
  CUmodule module = static_cast<CUmodule>(handle);
  std::lock_guard<std::mutex> lock(mutex);
  auto found = byModule.find(module);
  if (found == byModule.end())
    return Status::error("cannot unload a kernel module the runtime did not "
                         "load");
  Entry &entry = found->second->second;
  if (--entry.users > 0)
    return Status::success();
  for (auto it = kernels.begin(); it != kernels.end();)
    it = it->second.module == module ? kernels.erase(it) : std::next(it);
  const Device &device = *entry.device;
  entries.erase(found->second);
  byModule.erase(found);
  if (Status status = device.makeCurrent(); status.failed())
    return status;
  return check((*api())->cuModuleUnload(module),
               "cannot unload a kernel module from " + device.describe());
}

StatusOr<Kernel> ModuleCache::lookup(void *handle, const std::string &name) {
  CUmodule module = static_cast<CUmodule>(handle);
  std::lock_guard<std::mutex> lock(mutex);
  auto found = byModule.find(module);
  if (found == byModule.end())
    return Status::error("cannot look up kernel '" + printableBytes(name) +
                         "': its module was not loaded by the runtime");
  const Device &device = *found->second->second.device;
  CUfunction function = nullptr;
  if (Status status = check(
          (*api())->cuModuleGetFunction(&function, module, name.c_str()),
          "cannot find kernel '" + printableBytes(name) + "' in its module");
      status.failed())
    return status;
  kernels[function] = KernelInfo{&device, name, module};
  return Kernel(&device, function, name);
}

StatusOr<Kernel> ModuleCache::kernel(void *handle) {
  std::lock_guard<std::mutex> lock(mutex);
  auto found = kernels.find(static_cast<CUfunction>(handle));
  if (found == kernels.end())
    return Status::error(
        "cannot launch a kernel the runtime did not look up (its module "
        "failed to load or was unloaded)");
  return Kernel(found->second.device, handle, found->second.name);
}

StatusOr<void *> tokamak::rt::cuda::acquireModule(const Device &device,
                                                  std::string_view image,
                                                  int jitOptLevel) {
  return ModuleCache::get().acquire(device, image, jitOptLevel);
}

Status tokamak::rt::cuda::releaseModule(void *module) {
  return ModuleCache::get().release(module);
}

StatusOr<Kernel> tokamak::rt::cuda::lookupKernel(void *module,
                                                 const std::string &name) {
  return ModuleCache::get().lookup(module, name);
}

StatusOr<Kernel> tokamak::rt::cuda::kernelForHandle(void *function) {
  return ModuleCache::get().kernel(function);
}

size_t tokamak::rt::cuda::loadedModuleCount() {
  ModuleCache &cache = ModuleCache::get();
  std::lock_guard<std::mutex> lock(cache.mutex);
  return cache.entries.size();
}

namespace tokamak::rt::cuda {
void resetModuleCacheForTesting() {
  ModuleCache &cache = ModuleCache::get();
  std::lock_guard<std::mutex> lock(cache.mutex);
  StatusOr<const Api *> table = api();
  if (table.ok())
    for (auto &[key, entry] : cache.entries)
      if (entry.device->makeCurrent().ok())
        (void)(*table)->cuModuleUnload(entry.module);
  cache.entries.clear();
  cache.byModule.clear();
  cache.kernels.clear();
}
} // namespace tokamak::rt::cuda

StatusOr<std::shared_ptr<Module>>
Module::load(const Device &device, std::string_view image, int jitOptLevel) {
  StatusOr<void *> module = acquireModule(device, image, jitOptLevel);
  if (!module.ok())
    return module.status();
  return std::shared_ptr<Module>(new Module(*module));
}

Module::~Module() { (void)releaseModule(module); }

StatusOr<Kernel> Module::kernel(const std::string &name) const {
  return lookupKernel(module, name);
}

Status Kernel::launch(const LaunchDims &dims, void *stream, void **params,
                      void **extra) const {
  std::string what = "kernel '" + printableBytes(kernelName) + "'";
  auto inRange = [](int64_t v) { return v >= 1 && v <= INT_MAX; };
  for (int i = 0; i < 3; ++i)
    if (!inRange(dims.grid[i]) || !inRange(dims.block[i]) ||
        !inRange(dims.cluster[i]))
      return Status::errorOf(
          "cannot launch ", what, ": grid ", dims.grid[0], "x", dims.grid[1],
          "x", dims.grid[2], ", block ", dims.block[0], "x", dims.block[1], "x",
          dims.block[2], " and cluster ", dims.cluster[0], "x", dims.cluster[1],
          "x", dims.cluster[2], " must be positive and below 2^31");
  if (dims.sharedMemoryBytes < 0 ||
      dims.sharedMemoryBytes > owner->maxDynamicSharedMemory())
    return Status::errorOf(
        "cannot launch ", what, ": it asks for ", dims.sharedMemoryBytes,
        " bytes of dynamic shared memory, and ", owner->describe(),
        " allows at most ", owner->maxDynamicSharedMemory());
  if (Status status = owner->makeCurrent(); status.failed())
    return status;
  const Api &cu = **api();
  CUfunction fn = static_cast<CUfunction>(function);
  unsigned smem = static_cast<unsigned>(dims.sharedMemoryBytes);
  if (dims.sharedMemoryBytes > kDefaultDynamicSharedMemory)
    if (Status status =
            check(cu.cuFuncSetAttribute(
                      fn, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                      static_cast<int>(smem)),
                  "cannot allow " + what + " " + std::to_string(smem) +
                      " bytes of dynamic shared memory");
        status.failed())
      return status;

  auto u = [](int64_t v) { return static_cast<unsigned>(v); };
  bool clustered =
      dims.cluster[0] != 1 || dims.cluster[1] != 1 || dims.cluster[2] != 1;
  if (!clustered)
    return check(
        cu.cuLaunchKernel(fn, u(dims.grid[0]), u(dims.grid[1]), u(dims.grid[2]),
                          u(dims.block[0]), u(dims.block[1]), u(dims.block[2]),
                          smem, static_cast<CUstream>(stream), params, extra),
        "cannot launch " + what + " on " + owner->describe());
  if (!cu.cuLaunchKernelEx)
    return Status::error("cannot launch " + what +
                         " with thread block clusters: the CUDA driver has "
                         "no cuLaunchKernelEx (it predates CUDA 12)");
  CUlaunchAttribute attributes[2] = {};
  attributes[0].id = CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION;
  attributes[0].value.clusterDim.x = u(dims.cluster[0]);
  attributes[0].value.clusterDim.y = u(dims.cluster[1]);
  attributes[0].value.clusterDim.z = u(dims.cluster[2]);
  attributes[1].id = CU_LAUNCH_ATTRIBUTE_CLUSTER_SCHEDULING_POLICY_PREFERENCE;
  attributes[1].value.clusterSchedulingPolicyPreference =
      CU_CLUSTER_SCHEDULING_POLICY_SPREAD;
  CUlaunchConfig config = {};
  config.gridDimX = u(dims.grid[0]);
  config.gridDimY = u(dims.grid[1]);
  config.gridDimZ = u(dims.grid[2]);
  config.blockDimX = u(dims.block[0]);
  config.blockDimY = u(dims.block[1]);
  config.blockDimZ = u(dims.block[2]);
  config.sharedMemBytes = smem;
  config.hStream = static_cast<CUstream>(stream);
  config.attrs = attributes;
  config.numAttrs = 2;
  return check(cu.cuLaunchKernelEx(&config, fn, params, extra),
               "cannot launch " + what + " with clusters on " +
                   owner->describe());
}
