//===- CudaDriver.cpp - The CUDA driver API, loaded at run time -----------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "CudaDriver.h"

#include <cstdlib>
#include <dlfcn.h>
#include <mutex>
#include <optional>

using namespace tokamak::rt;
using namespace tokamak::rt::cuda::driver;

namespace {

/// The default driver library: the versioned name, which the driver package
/// always installs (libcuda.so is only in the development package).
constexpr const char *kDriverLibrary = "libcuda.so.1";

struct LoadedApi {
  std::mutex mutex;
  std::optional<StatusOr<const Api *>> outcome;
  Api table{};
};

LoadedApi &loaded() {
  static LoadedApi *state = new LoadedApi; // Outlives static destructors.
  return *state;
}

/// Resolves `symbol` into `slot`; false when the library lacks it.
template <typename Fn>
bool resolve(void *library, const char *symbol, Fn &slot) {
  slot = reinterpret_cast<Fn>(::dlsym(library, symbol));
  return slot != nullptr;
}

StatusOr<const Api *> loadApi(Api &api) {
  const char *override = std::getenv("TOKAMAK_CUDA_DRIVER");
  std::string path =
      override && *override ? std::string(override) : kDriverLibrary;
  // RTLD_LOCAL: the driver's symbols stay out of the global namespace, so a
  // fake driver in tests never shadows anything.
  void *library = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *reason = ::dlerror();
    return Status::error(std::string("no CUDA driver found: ") +
                         (reason ? reason : "cannot load " + path));
  }
  std::string missing;
  auto need = [&](const char *symbol, auto &slot) {
    if (!resolve(library, symbol, slot))
      missing += (missing.empty() ? "" : ", ") + std::string(symbol);
  };
  need("cuInit", api.cuInit);
  need("cuDriverGetVersion", api.cuDriverGetVersion);
  need("cuGetErrorName", api.cuGetErrorName);
  need("cuGetErrorString", api.cuGetErrorString);
  need("cuDeviceGetCount", api.cuDeviceGetCount);
  need("cuDeviceGet", api.cuDeviceGet);
  need("cuDeviceGetName", api.cuDeviceGetName);
  need("cuDeviceGetAttribute", api.cuDeviceGetAttribute);
  need("cuDevicePrimaryCtxRetain", api.cuDevicePrimaryCtxRetain);
  need("cuDevicePrimaryCtxRelease_v2", api.cuDevicePrimaryCtxRelease);
  need("cuCtxSetCurrent", api.cuCtxSetCurrent);
  need("cuCtxSynchronize", api.cuCtxSynchronize);
  need("cuModuleLoadDataEx", api.cuModuleLoadDataEx);
  need("cuModuleUnload", api.cuModuleUnload);
  need("cuModuleGetFunction", api.cuModuleGetFunction);
  need("cuFuncSetAttribute", api.cuFuncSetAttribute);
  need("cuLaunchKernel", api.cuLaunchKernel);
  need("cuMemAlloc_v2", api.cuMemAlloc);
  need("cuMemAllocManaged", api.cuMemAllocManaged);
  need("cuMemFree_v2", api.cuMemFree);
  need("cuMemcpyHtoD_v2", api.cuMemcpyHtoD);
  need("cuMemcpyDtoH_v2", api.cuMemcpyDtoH);
  need("cuMemcpyDtoD_v2", api.cuMemcpyDtoD);
  need("cuMemcpyAsync", api.cuMemcpyAsync);
  need("cuMemsetD32_v2", api.cuMemsetD32);
  need("cuMemsetD16_v2", api.cuMemsetD16);
  need("cuMemsetD32Async", api.cuMemsetD32Async);
  need("cuMemsetD16Async", api.cuMemsetD16Async);
  need("cuMemHostRegister_v2", api.cuMemHostRegister);
  need("cuMemHostUnregister", api.cuMemHostUnregister);
  need("cuStreamCreate", api.cuStreamCreate);
  need("cuStreamSynchronize", api.cuStreamSynchronize);
  need("cuStreamDestroy_v2", api.cuStreamDestroy);
  need("cuStreamWaitEvent", api.cuStreamWaitEvent);
  need("cuEventCreate", api.cuEventCreate);
  need("cuEventRecord", api.cuEventRecord);
  need("cuEventSynchronize", api.cuEventSynchronize);
  need("cuEventDestroy_v2", api.cuEventDestroy);
  if (!missing.empty()) {
    ::dlclose(library);
    return Status::error("the CUDA driver '" + path +
                         "' is too old or not a CUDA driver: it lacks " +
                         missing);
  }
  resolve(library, "cuLaunchKernelEx", api.cuLaunchKernelEx);
  resolve(library, "cuTensorMapEncodeTiled", api.cuTensorMapEncodeTiled);
  // The library stays loaded for the life of the process: device memory and
  // modules may be released by static destructors.
  return static_cast<const Api *>(&api);
}

} // namespace

StatusOr<const Api *> tokamak::rt::cuda::driver::api() {
  LoadedApi &state = loaded();
  std::lock_guard<std::mutex> lock(state.mutex);
  if (!state.outcome)
    state.outcome = loadApi(state.table);
  return *state.outcome;
}

void tokamak::rt::cuda::driver::resetApiForTesting() {
  LoadedApi &state = loaded();
  std::lock_guard<std::mutex> lock(state.mutex);
  state.outcome.reset();
  state.table = Api{};
}

namespace {

/// Codes a driver may fail to name itself: the stub library that CUDA
/// toolkits ship (which answers every call, cuGetErrorName included, with
/// CUDA_ERROR_STUB_LIBRARY) and a driver older than the toolkit.
struct KnownError {
  CUresult code;
  const char *name;
  const char *text;
};
constexpr KnownError kKnownErrors[] = {
    {3, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
    {34, "CUDA_ERROR_STUB_LIBRARY", "CUDA driver is a stub library"},
    {35, "CUDA_ERROR_INSUFFICIENT_DRIVER",
     "CUDA driver version is insufficient for CUDA runtime version"},
    {100, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {999, "CUDA_ERROR_UNKNOWN", "unknown error"},
};

} // namespace

std::string tokamak::rt::cuda::driver::describe(CUresult result) {
  const char *name = nullptr;
  const char *text = nullptr;
  StatusOr<const Api *> table = api();
  if (table.ok()) {
    if ((*table)->cuGetErrorName(result, &name) != CUDA_SUCCESS)
      name = nullptr;
    if ((*table)->cuGetErrorString(result, &text) != CUDA_SUCCESS)
      text = nullptr;
  }
  if (!name)
    for (const KnownError &known : kKnownErrors)
      if (known.code == result) {
        name = known.name;
        text = known.text;
      }
  std::string out =
      name ? std::string(name) : "CUDA error " + std::to_string(result);
  if (text && *text)
    out += std::string(" (") + text + ")";
  return out;
}

Status tokamak::rt::cuda::driver::check(CUresult result,
                                        const std::string &what) {
  if (result == CUDA_SUCCESS)
    return Status::success();
  return Status::error(what + ": " + describe(result));
}
