//===- FakeCuda.cpp - A CUDA driver over host memory, for tests -----------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// See FakeCuda.h. The signatures follow cuda.h with the runtime's own
// declarations of the types (runtime/src/CudaDriver.h), exported under the
// symbol names the runtime looks up.
//
//===----------------------------------------------------------------------===//

#include "FakeCuda.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#define FAKE_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

using CUresult = int;

enum : CUresult {
  CUDA_SUCCESS = 0,
  CUDA_ERROR_INVALID_VALUE = 1,
  CUDA_ERROR_OUT_OF_MEMORY = 2,
  CUDA_ERROR_NOT_INITIALIZED = 3,
  CUDA_ERROR_NO_DEVICE = 100,
  CUDA_ERROR_INVALID_DEVICE = 101,
  CUDA_ERROR_INVALID_IMAGE = 200,
  CUDA_ERROR_INVALID_CONTEXT = 201,
  CUDA_ERROR_INVALID_PTX = 218,
  CUDA_ERROR_INVALID_HANDLE = 400,
  CUDA_ERROR_NOT_FOUND = 500,
  CUDA_ERROR_ILLEGAL_ADDRESS = 700,
  CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701,
  CUDA_ERROR_UNKNOWN = 999,
};

struct ErrorText {
  CUresult code;
  const char *name;
  const char *text;
};

constexpr ErrorText kErrors[] = {
    {CUDA_SUCCESS, "CUDA_SUCCESS", "no error"},
    {CUDA_ERROR_INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {CUDA_ERROR_OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {CUDA_ERROR_NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED",
     "initialization error"},
    {CUDA_ERROR_NO_DEVICE, "CUDA_ERROR_NO_DEVICE",
     "no CUDA-capable device is detected"},
    {CUDA_ERROR_INVALID_DEVICE, "CUDA_ERROR_INVALID_DEVICE",
     "invalid device ordinal"},
    {CUDA_ERROR_INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE",
     "device kernel image is invalid"},
    {CUDA_ERROR_INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT",
     "invalid device context"},
    {CUDA_ERROR_INVALID_PTX, "CUDA_ERROR_INVALID_PTX",
     "a PTX JIT compilation failed"},
    {CUDA_ERROR_INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE",
     "invalid resource handle"},
    {CUDA_ERROR_NOT_FOUND, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {CUDA_ERROR_ILLEGAL_ADDRESS, "CUDA_ERROR_ILLEGAL_ADDRESS",
     "an illegal memory access was encountered"},
    {CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES",
     "too many resources requested for launch"},
    {CUDA_ERROR_UNKNOWN, "CUDA_ERROR_UNKNOWN", "unknown error"},
};

constexpr unsigned kDefaultSharedMemory = 48 * 1024;
constexpr int kOptInSharedMemory = 227 * 1024;

struct Module {
  std::string image;
  std::set<std::string> entries;
};

struct Function {
  Module *module;
  std::string name;
  int maxDynamicSharedMemory = kDefaultSharedMemory;
};

struct Allocation {
  size_t size;
  bool managed;
};

/// The fake's state; one mutex for all of it (kernels run outside it).
struct State {
  std::mutex mutex;
  bool initialized = false;
  int deviceCount = 1;
  int capability = 90;
  char contexts[8] = {};
  std::map<uintptr_t, Allocation> allocations;
  std::set<std::unique_ptr<Module>> modulesOwned;
  std::set<Module *> modules;
  std::map<std::pair<Module *, std::string>, std::unique_ptr<Function>>
      functions;
  std::set<void *> streams, events;
  std::map<void *, size_t> registered;
  std::map<std::string, FakeCudaKernel> kernels;
  std::map<std::string, std::pair<CUresult, int>> failures;
  std::string lastImage;
  FakeCudaStats stats{};
};

State &state() {
  static State *s = new State;
  return *s;
}

thread_local void *currentContext = nullptr;

/// An injected failure of `function`, or success.
CUresult injected(State &s, const char *function) {
  auto found = s.failures.find(function);
  if (found == s.failures.end())
    return CUDA_SUCCESS;
  if (found->second.second > 0) {
    --found->second.second;
    return CUDA_SUCCESS;
  }
  CUresult result = found->second.first;
  s.failures.erase(found);
  return result;
}

/// The checks that start every call: injected failures, cuInit, and (when
/// `needsContext`) a current context.
#define FAKE_ENTER(name, needsContext)                                         \
  State &s = state();                                                          \
  std::unique_lock<std::mutex> lock(s.mutex);                                  \
  if (CUresult r = injected(s, name))                                          \
    return r;                                                                  \
  if (!s.initialized)                                                          \
    return CUDA_ERROR_NOT_INITIALIZED;                                         \
  if ((needsContext) && !currentContext) {                                     \
    ++s.stats.contextErrors;                                                   \
    return CUDA_ERROR_INVALID_CONTEXT;                                         \
  }

/// True when [pointer, pointer + bytes) lies in one live allocation.
bool isDeviceRange(State &s, uintptr_t pointer, size_t bytes) {
  auto it = s.allocations.upper_bound(pointer);
  if (it == s.allocations.begin())
    return false;
  --it;
  return pointer >= it->first && pointer + bytes <= it->first + it->second.size;
}

CUresult checkRange(State &s, uintptr_t pointer, size_t bytes) {
  if (isDeviceRange(s, pointer, bytes))
    return CUDA_SUCCESS;
  ++s.stats.invalidPointers;
  return CUDA_ERROR_INVALID_VALUE;
}

int envInt(const char *name, int fallback) {
  const char *value = std::getenv(name);
  return value && *value ? std::atoi(value) : fallback;
}

template <typename T> T &param(void **params, int index) {
  return *static_cast<T *>(params[index]);
}

void scale2(const FakeCudaLaunch *, void **params) {
  float *in = param<float *>(params, 0);
  float *out = param<float *>(params, 1);
  int64_t n = param<int64_t>(params, 2);
  for (int64_t i = 0; i < n; ++i)
    out[i] = 2.0f * in[i];
}

void fillIota(const FakeCudaLaunch *, void **params) {
  float *out = param<float *>(params, 0);
  int64_t n = param<int64_t>(params, 1);
  for (int64_t i = 0; i < n; ++i)
    out[i] = static_cast<float>(i);
}

void needsSmem(const FakeCudaLaunch *launch, void **params) {
  param<float *>(params, 0)[0] = static_cast<float>(launch->sharedMemBytes);
}

void clusterDims(const FakeCudaLaunch *launch, void **params) {
  float *out = param<float *>(params, 0);
  for (int i = 0; i < 3; ++i)
    out[i] = static_cast<float>(launch->cluster[i]);
}

/// MLIR's kernel of @twice in MlirCudaArtifact.mlir: the expanded
/// descriptors of x and y (allocated, aligned, offset, size, stride each),
/// one block per element.
void twiceKernel(const FakeCudaLaunch *launch, void **params) {
  auto word = [&](int i) { return param<int64_t>(params, i); };
  const float *x = param<float *>(params, 1) + word(2);
  float *y = param<float *>(params, 6) + word(7);
  for (unsigned b = 0; b < launch->grid[0]; ++b)
    y[b * word(9)] = x[b * word(4)] + x[b * word(4)];
}

/// Registers the built-in kernels when the library loads.
[[maybe_unused]] const bool kBuiltins = [] {
  State &s = state();
  s.kernels["scale2"] = scale2;
  s.kernels["fill_iota"] = fillIota;
  s.kernels["needs_smem"] = needsSmem;
  s.kernels["cluster_dims"] = clusterDims;
  s.kernels["twice_kernel"] = twiceKernel;
  return true;
}();

/// Runs `function` with `launch`; validates like the driver does.
CUresult launchKernel(State &s, std::unique_lock<std::mutex> &lock,
                      void *function, FakeCudaLaunch launch, void **params,
                      void **extra) {
  Function *fn = static_cast<Function *>(function);
  bool known = false;
  for (auto &entry : s.functions)
    known |= entry.second.get() == fn;
  if (!known || !s.modules.count(fn->module))
    return CUDA_ERROR_INVALID_HANDLE;
  if (launch.stream && !s.streams.count(launch.stream))
    return CUDA_ERROR_INVALID_HANDLE;
  if (!params || extra)
    return CUDA_ERROR_INVALID_VALUE;
  for (int i = 0; i < 3; ++i)
    if (launch.grid[i] == 0 || launch.block[i] == 0)
      return CUDA_ERROR_INVALID_VALUE;
  if (launch.sharedMemBytes > static_cast<unsigned>(fn->maxDynamicSharedMemory))
    return CUDA_ERROR_INVALID_VALUE;
  auto kernel = s.kernels.find(fn->name);
  if (kernel == s.kernels.end())
    return CUDA_ERROR_NOT_FOUND;
  FakeCudaKernel body = kernel->second;
  ++s.stats.launches;
  lock.unlock();
  body(&launch, params);
  return CUDA_SUCCESS;
}

} // namespace

//===----------------------------------------------------------------------===//
// Control
//===----------------------------------------------------------------------===//

FAKE_EXPORT void fakeCudaRegisterKernel(const char *name,
                                        FakeCudaKernel kernel) {
  State &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.kernels[name] = kernel;
}

FAKE_EXPORT void fakeCudaReset(void) {
  State &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.stats = FakeCudaStats{};
  s.stats.lastJitOptLevel = -1;
  s.failures.clear();
}

FAKE_EXPORT void fakeCudaFailCall(const char *function, int result, int skip) {
  State &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.failures[function] = {result, skip};
}

FAKE_EXPORT void fakeCudaGetStats(FakeCudaStats *stats) {
  State &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  *stats = s.stats;
  stats->liveAllocations = static_cast<int64_t>(s.allocations.size());
  stats->liveModules = static_cast<int64_t>(s.modules.size());
  stats->liveStreams = static_cast<int64_t>(s.streams.size());
  stats->liveEvents = static_cast<int64_t>(s.events.size());
  stats->hostRegistered = static_cast<int64_t>(s.registered.size());
}

FAKE_EXPORT const char *fakeCudaLastImage(void) {
  State &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  return s.lastImage.c_str();
}

//===----------------------------------------------------------------------===//
// Initialization, errors, devices and contexts
//===----------------------------------------------------------------------===//

FAKE_EXPORT CUresult cuInit(unsigned flags) {
  State &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (CUresult r = injected(s, "cuInit"))
    return r;
  if (flags != 0)
    return CUDA_ERROR_INVALID_VALUE;
  if (CUresult r = envInt("TOKAMAK_FAKE_CUDA_INIT_ERROR", 0))
    return r;
  s.deviceCount = envInt("TOKAMAK_FAKE_CUDA_DEVICES", 1);
  s.capability = envInt("TOKAMAK_FAKE_CUDA_CC", 90);
  s.initialized = true;
  return CUDA_SUCCESS;
}

FAKE_EXPORT CUresult cuDriverGetVersion(int *version) {
  *version = 13000;
  return CUDA_SUCCESS;
}

FAKE_EXPORT CUresult cuGetErrorName(CUresult error, const char **name) {
  for (const ErrorText &e : kErrors)
    if (e.code == error) {
      *name = e.name;
      return CUDA_SUCCESS;
    }
  *name = nullptr;
  return CUDA_ERROR_INVALID_VALUE;
}

FAKE_EXPORT CUresult cuGetErrorString(CUresult error, const char **text) {
  for (const ErrorText &e : kErrors)
    if (e.code == error) {
      *text = e.text;
      return CUDA_SUCCESS;
    }
  *text = nullptr;
  return CUDA_ERROR_INVALID_VALUE;
}

FAKE_EXPORT CUresult cuDeviceGetCount(int *count) {
  FAKE_ENTER("cuDeviceGetCount", false);
  *count = s.deviceCount;
  return CUDA_SUCCESS;
}

FAKE_EXPORT CUresult cuDeviceGet(int *device, int ordinal) {
  FAKE_ENTER("cuDeviceGet", false);
  if (ordinal < 0 || ordinal >= s.deviceCount)
    return CUDA_ERROR_INVALID_DEVICE;
  *device = ordinal;
  return CUDA_SUCCESS;
}

FAKE_EXPORT CUresult cuDeviceGetName(char *name, int length, int device) {
  FAKE_ENTER("cuDeviceGetName", false);
  if (device < 0 || device >= s.deviceCount)
    return CUDA_ERROR_INVALID_DEVICE;
  std::snprintf(name, static_cast<size_t>(length), "Fake CUDA Device %d",
                device);
  return CUDA_SUCCESS;
}

FAKE_EXPORT CUresult cuDeviceGetAttribute(int *value, int attribute,
                                          int device) {
  FAKE_ENTER("cuDeviceGetAttribute", false);
  if (device < 0 || device >= s.deviceCount)
    return CUDA_ERROR_INVALID_DEVICE;
  switch (attribute) {
  case 8: // CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK
    *value = kDefaultSharedMemory;
    return CUDA_SUCCESS;
  case 16: // CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT
    *value = 132;
    return CUDA_SUCCESS;
  case 75: // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
    *value = s.capability / 10;
    return CUDA_SUCCESS;
  case 76: // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR
    *value = s.capability % 10;
    return CUDA_SUCCESS;
  case 97: // CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN
    *value = kOptInSharedMemory;
    return CUDA_SUCCESS;
  default:
    return CUDA_ERROR_INVALID_VALUE;
  }
}

FAKE_EXPORT CUresult cuDevicePrimaryCtxRetain(void **context, int device) {
  FAKE_ENTER("cuDevicePrimaryCtxRetain", false);
  if (device < 0 || device >= s.deviceCount || device >= 8)
    return CUDA_ERROR_INVALID_DEVICE;
  *context = &s.contexts[device];
  return CUDA_SUCCESS;
}

FAKE_EXPORT CUresult cuDevicePrimaryCtxRelease_v2(int device) {
  FAKE_ENTER("cuDevicePrimaryCtxRelease_v2", false);
  if (device < 0 || device >= s.deviceCount)
    return CUDA_ERROR_INVALID_DEVICE;
  return CUDA_SUCCESS;
}

FAKE_EXPORT CUresult cuCtxSetCurrent(void *context) {
  FAKE_ENTER("cuCtxSetCurrent", false);
  currentContext = context;
  return CUDA_SUCCESS;
}

FAKE_EXPORT CUresult cuCtxSynchronize(void) {
  FAKE_ENTER("cuCtxSynchronize", true);
  return CUDA_SUCCESS;
}

//===----------------------------------------------------------------------===//
// Modules and launches
//===----------------------------------------------------------------------===//

FAKE_EXPORT CUresult cuModuleLoadDataEx(void **module, const void *image,
                                        unsigned numOptions, int *options,
                                        void **values) {
  FAKE_ENTER("cuModuleLoadDataEx", true);
  if (!image)
    return CUDA_ERROR_INVALID_VALUE;
  std::string text(static_cast<const char *>(image));
  char *errorLog = nullptr;
  size_t errorLogSize = 0;
  s.stats.lastJitOptLevel = -1;
  for (unsigned i = 0; i < numOptions; ++i) {
    uintptr_t value = reinterpret_cast<uintptr_t>(values[i]);
    if (options[i] == 5) // CU_JIT_ERROR_LOG_BUFFER
      errorLog = static_cast<char *>(values[i]);
    else if (options[i] == 6) // CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES
      errorLogSize = value;
    else if (options[i] == 7) // CU_JIT_OPTIMIZATION_LEVEL
      s.stats.lastJitOptLevel = static_cast<int64_t>(value);
  }
  size_t failure = text.find("FAKE_JIT_ERROR:");
  if (failure != std::string::npos) {
    std::string log = text.substr(failure + 15);
    log = "ptxas application ptx input, line 1; error   :" +
          log.substr(0, log.find('\n')) +
          "\nptxas fatal   : Ptx assembly "
          "aborted due to errors\n";
    if (errorLog && errorLogSize > 0) {
      std::strncpy(errorLog, log.c_str(), errorLogSize - 1);
      errorLog[errorLogSize - 1] = '\0';
    }
    return CUDA_ERROR_INVALID_PTX;
  }
  if (text.find(".version") == std::string::npos)
    return CUDA_ERROR_INVALID_IMAGE;
  auto owned = std::make_unique<Module>();
  owned->image = text;
  for (size_t at = text.find(".entry "); at != std::string::npos;
       at = text.find(".entry ", at + 7)) {
    size_t begin = at + 7;
    size_t end = text.find_first_of(" (\n{", begin);
    owned->entries.insert(text.substr(begin, end - begin));
  }
  Module *m = owned.get();
  s.modules.insert(m);
  s.modulesOwned.insert(std::move(owned));
  s.lastImage = text;
  ++s.stats.moduleLoads;
  *module = m;
  return CUDA_SUCCESS;
}

FAKE_EXPORT CUresult cuModuleUnload(void *module) {
  FAKE_ENTER("cuModuleUnload", true);
  if (!s.modules.erase(static_cast<Module *>(module)))
    return CUDA_ERROR_INVALID_HANDLE;
  for (auto it = s.functions.begin(); it != s.functions.end();)
    it = it->first.first == module ? s.functions.erase(it) : std::next(it);
  return CUDA_SUCCESS;
}

FAKE_EXPORT CUresult cuModuleGetFunction(void **function, void *module,
                                         const char *name) {
  FAKE_ENTER("cuModuleGetFunction", true);
  Module *m = static_cast<Module *>(module);
  if (!s.modules.count(m))
    return CUDA_ERROR_INVALID_HANDLE;
  if (!m->entries.count(name))
    return CUDA_ERROR_NOT_FOUND;
  std::unique_ptr<Function> &slot = s.functions[{m, name}];
  if (!slot)
    slot.reset(new Function{m, name});
  *function = slot.get();
  return CUDA_SUCCESS;
}

FAKE_EXPORT CUresult cuFuncSetAttribute(void *function, int attribute,
                                        int value) {
  FAKE_ENTER("cuFuncSetAttribute", true);
  Function *fn = static_cast<Function *>(function);
  bool known = false;
  for (auto &entry : s.functions)
    known |= entry.second.get() == fn;
  if (!known)
    return CUDA_ERROR_INVALID_HANDLE;
  if (attribute != 8 || value < 0 || value > kOptInSharedMemory)
    return CUDA_ERROR_INVALID_VALUE;
  fn->maxDynamicSharedMemory = value;
  ++s.stats.smemAttributeSets;
  return CUDA_SUCCESS;
}

FAKE_EXPORT CUresult cuLaunchKernel(void *function, unsigned gridX,
                                    unsigned gridY, unsigned gridZ,
                                    unsigned blockX, unsigned blockY,
                                    unsigned blockZ, unsigned sharedMemBytes,
                                    void *stream, void **params, void **extra) {
  FAKE_ENTER("cuLaunchKernel", true);
  FakeCudaLaunch launch = {{gridX, gridY, gridZ},
                           {blockX, blockY, blockZ},
                           {1, 1, 1},
                           sharedMemBytes,
                           stream};
  return launchKernel(s, lock, function, launch, params, extra);
}

/// CUlaunchConfig and CUlaunchAttribute as cuda.h lays them out.
struct LaunchAttribute {
  int id;
  char pad[4];
  union {
    char bytes[64];
    struct {
      unsigned x, y, z;
    } clusterDim;
  } value;
};
struct LaunchConfig {
  unsigned gridDimX, gridDimY, gridDimZ, blockDimX, blockDimY, blockDimZ;
  unsigned sharedMemBytes;
  void *hStream;
  LaunchAttribute *attrs;
  unsigned numAttrs;
};

FAKE_EXPORT CUresult cuLaunchKernelEx(const LaunchConfig *config,
                                      void *function, void **params,
                                      void **extra) {
  FAKE_ENTER("cuLaunchKernelEx", true);
  FakeCudaLaunch launch = {
      {config->gridDimX, config->gridDimY, config->gridDimZ},
      {config->blockDimX, config->blockDimY, config->blockDimZ},
      {1, 1, 1},
      config->sharedMemBytes,
      config->hStream};
  for (unsigned i = 0; i < config->numAttrs; ++i)
    if (config->attrs[i].id == 4) { // CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION
      launch.cluster[0] = config->attrs[i].value.clusterDim.x;
      launch.cluster[1] = config->attrs[i].value.clusterDim.y;
      launch.cluster[2] = config->attrs[i].value.clusterDim.z;
    }
  for (int i = 0; i < 3; ++i)
    if (launch.cluster[i] == 0 || launch.grid[i] % launch.cluster[i] != 0)
      return CUDA_ERROR_INVALID_VALUE;
  return launchKernel(s, lock, function, launch, params, extra);
}

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

namespace {

CUresult allocate(State &s, unsigned long long *pointer, size_t bytes,
                  bool managed) {
  if (bytes == 0)
    return CUDA_ERROR_INVALID_VALUE;
  // Round up: aligned_alloc wants a multiple of the alignment.
  void *memory = std::aligned_alloc(256, (bytes + 255) / 256 * 256);
  if (!memory)
    return CUDA_ERROR_OUT_OF_MEMORY;
  s.allocations[reinterpret_cast<uintptr_t>(memory)] = {bytes, managed};
  ++s.stats.allocations;
  *pointer = reinterpret_cast<uintptr_t>(memory);
  return CUDA_SUCCESS;
}

} // namespace

FAKE_EXPORT CUresult cuMemAlloc_v2(unsigned long long *pointer, size_t bytes) {
  FAKE_ENTER("cuMemAlloc_v2", true);
  return allocate(s, pointer, bytes, false);
}

FAKE_EXPORT CUresult cuMemAllocManaged(unsigned long long *pointer,
                                       size_t bytes, unsigned flags) {
  FAKE_ENTER("cuMemAllocManaged", true);
  if (flags != 1 && flags != 2)
    return CUDA_ERROR_INVALID_VALUE;
  return allocate(s, pointer, bytes, true);
}

FAKE_EXPORT CUresult cuMemFree_v2(unsigned long long pointer) {
  FAKE_ENTER("cuMemFree_v2", true);
  auto found = s.allocations.find(static_cast<uintptr_t>(pointer));
  if (found == s.allocations.end()) {
    ++s.stats.badFrees;
    return CUDA_ERROR_INVALID_VALUE;
  }
  std::free(reinterpret_cast<void *>(found->first));
  s.allocations.erase(found);
  ++s.stats.frees;
  return CUDA_SUCCESS;
}

FAKE_EXPORT CUresult cuMemcpyHtoD_v2(unsigned long long dst, const void *src,
                                     size_t bytes) {
  FAKE_ENTER("cuMemcpyHtoD_v2", true);
  if (CUresult r = checkRange(s, dst, bytes))
    return r;
  std::memcpy(reinterpret_cast<void *>(dst), src, bytes);
  return CUDA_SUCCESS;
}

FAKE_EXPORT CUresult cuMemcpyDtoH_v2(void *dst, unsigned long long src,
                                     size_t bytes) {
  FAKE_ENTER("cuMemcpyDtoH_v2", true);
  if (CUresult r = checkRange(s, src, bytes))
    return r;
  std::memcpy(dst, reinterpret_cast<const void *>(src), bytes);
  return CUDA_SUCCESS;
}

FAKE_EXPORT CUresult cuMemcpyDtoD_v2(unsigned long long dst,
                                     unsigned long long src, size_t bytes) {
  FAKE_ENTER("cuMemcpyDtoD_v2", true);
  if (CUresult r = checkRange(s, dst, bytes))
    return r;
  if (CUresult r = checkRange(s, src, bytes))
    return r;
  std::memmove(reinterpret_cast<void *>(dst),
               reinterpret_cast<const void *>(src), bytes);
  return CUDA_SUCCESS;
}

FAKE_EXPORT CUresult cuMemcpyAsync(unsigned long long dst,
                                   unsigned long long src, size_t bytes,
                                   void *stream) {
  FAKE_ENTER("cuMemcpyAsync", true);
  if (stream && !s.streams.count(stream))
    return CUDA_ERROR_INVALID_HANDLE;
  // Unified addressing: either side may be host memory.
  std::memmove(reinterpret_cast<void *>(dst),
               reinterpret_cast<const void *>(src), bytes);
  return CUDA_SUCCESS;
}

namespace {

template <typename T>
CUresult fill(State &s, unsigned long long dst, T value, size_t count,
              void *stream) {
  if (stream && !s.streams.count(stream))
    return CUDA_ERROR_INVALID_HANDLE;
  if (CUresult r = checkRange(s, dst, count * sizeof(T)))
    return r;
  T *out = reinterpret_cast<T *>(dst);
  for (size_t i = 0; i < count; ++i)
    out[i] = value;
  return CUDA_SUCCESS;
}

} // namespace

FAKE_EXPORT CUresult cuMemsetD32_v2(unsigned long long dst, unsigned value,
                                    size_t count) {
  FAKE_ENTER("cuMemsetD32_v2", true);
  return fill<uint32_t>(s, dst, value, count, nullptr);
}

FAKE_EXPORT CUresult cuMemsetD16_v2(unsigned long long dst,
                                    unsigned short value, size_t count) {
  FAKE_ENTER("cuMemsetD16_v2", true);
  return fill<uint16_t>(s, dst, value, count, nullptr);
}

FAKE_EXPORT CUresult cuMemsetD32Async(unsigned long long dst, unsigned value,
                                      size_t count, void *stream) {
  FAKE_ENTER("cuMemsetD32Async", true);
  return fill<uint32_t>(s, dst, value, count, stream);
}

FAKE_EXPORT CUresult cuMemsetD16Async(unsigned long long dst,
                                      unsigned short value, size_t count,
                                      void *stream) {
  FAKE_ENTER("cuMemsetD16Async", true);
  return fill<uint16_t>(s, dst, value, count, stream);
}

FAKE_EXPORT CUresult cuMemHostRegister_v2(void *pointer, size_t bytes,
                                          unsigned flags) {
  FAKE_ENTER("cuMemHostRegister_v2", true);
  if (!pointer || bytes == 0 || flags > 0xf || s.registered.count(pointer))
    return CUDA_ERROR_INVALID_VALUE;
  s.registered[pointer] = bytes;
  return CUDA_SUCCESS;
}

FAKE_EXPORT CUresult cuMemHostUnregister(void *pointer) {
  FAKE_ENTER("cuMemHostUnregister", true);
  if (!s.registered.erase(pointer))
    return CUDA_ERROR_INVALID_VALUE;
  return CUDA_SUCCESS;
}

//===----------------------------------------------------------------------===//
// Streams and events
//===----------------------------------------------------------------------===//

FAKE_EXPORT CUresult cuStreamCreate(void **stream, unsigned flags) {
  FAKE_ENTER("cuStreamCreate", true);
  if (flags > 1)
    return CUDA_ERROR_INVALID_VALUE;
  *stream = new char;
  s.streams.insert(*stream);
  return CUDA_SUCCESS;
}

FAKE_EXPORT CUresult cuStreamSynchronize(void *stream) {
  FAKE_ENTER("cuStreamSynchronize", true);
  if (stream && !s.streams.count(stream))
    return CUDA_ERROR_INVALID_HANDLE;
  return CUDA_SUCCESS;
}

FAKE_EXPORT CUresult cuStreamDestroy_v2(void *stream) {
  FAKE_ENTER("cuStreamDestroy_v2", true);
  if (!s.streams.erase(stream))
    return CUDA_ERROR_INVALID_HANDLE;
  delete static_cast<char *>(stream);
  return CUDA_SUCCESS;
}

FAKE_EXPORT CUresult cuStreamWaitEvent(void *stream, void *event,
                                       unsigned flags) {
  FAKE_ENTER("cuStreamWaitEvent", true);
  if ((stream && !s.streams.count(stream)) || !s.events.count(event) || flags)
    return CUDA_ERROR_INVALID_HANDLE;
  return CUDA_SUCCESS;
}

FAKE_EXPORT CUresult cuEventCreate(void **event, unsigned flags) {
  FAKE_ENTER("cuEventCreate", true);
  if (flags > 0xf)
    return CUDA_ERROR_INVALID_VALUE;
  *event = new char;
  s.events.insert(*event);
  return CUDA_SUCCESS;
}

FAKE_EXPORT CUresult cuEventRecord(void *event, void *stream) {
  FAKE_ENTER("cuEventRecord", true);
  if (!s.events.count(event) || (stream && !s.streams.count(stream)))
    return CUDA_ERROR_INVALID_HANDLE;
  return CUDA_SUCCESS;
}

FAKE_EXPORT CUresult cuEventSynchronize(void *event) {
  FAKE_ENTER("cuEventSynchronize", true);
  if (!s.events.count(event))
    return CUDA_ERROR_INVALID_HANDLE;
  return CUDA_SUCCESS;
}

FAKE_EXPORT CUresult cuEventDestroy_v2(void *event) {
  FAKE_ENTER("cuEventDestroy_v2", true);
  if (!s.events.erase(event))
    return CUDA_ERROR_INVALID_HANDLE;
  delete static_cast<char *>(event);
  return CUDA_SUCCESS;
}

//===----------------------------------------------------------------------===//
// TMA descriptors
//===----------------------------------------------------------------------===//

/// Writes the arguments into the map so tests can read them back:
/// [0] address, [1] rank, [2] data type, [3..7] dims, [8..11] strides,
/// [12] box dims (16 bits each, innermost lowest), [13] swizzle.
FAKE_EXPORT CUresult cuTensorMapEncodeTiled(
    uint64_t *map, int dataType, unsigned rank, void *address,
    const uint64_t *globalDim, const uint64_t *globalStrides,
    const unsigned *boxDim, const unsigned *elementStrides, int interleave,
    int swizzle, int l2Promotion, int oobFill) {
  FAKE_ENTER("cuTensorMapEncodeTiled", true);
  (void)interleave;
  (void)l2Promotion;
  (void)oobFill;
  if (rank < 1 || rank > 5 || reinterpret_cast<uintptr_t>(map) % 64 != 0)
    return CUDA_ERROR_INVALID_VALUE;
  std::memset(map, 0, 128);
  map[0] = reinterpret_cast<uintptr_t>(address);
  map[1] = rank;
  map[2] = static_cast<uint64_t>(dataType);
  for (unsigned i = 0; i < rank; ++i) {
    if (elementStrides[i] != 1)
      return CUDA_ERROR_INVALID_VALUE;
    map[3 + i] = globalDim[i];
    if (i + 1 < rank)
      map[8 + i] = globalStrides[i];
    if (i < 4)
      map[12] |= static_cast<uint64_t>(boxDim[i] & 0xffff) << (16 * i);
  }
  map[13] = static_cast<uint64_t>(swizzle);
  return CUDA_SUCCESS;
}
