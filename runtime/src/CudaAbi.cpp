//===- CudaAbi.cpp - The mgpu* functions compiled GPU code calls ----------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// Every mgpu* function MLIR 22's host lowering declares, except upstream's
// cuSPARSE wrappers (Tokamak does not lower sparse ops). They are defined in
// the same object as CallScope, which every CUDA call path uses, so that a
// static link of the runtime always carries them.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/CudaAbi.h"

#include "CudaDriver.h"

#include <cstring>
#include <mutex>

using namespace tokamak::rt;
using namespace tokamak::rt::cuda;
using namespace tokamak::rt::cuda::driver;

#define TOKAMAK_MGPU_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

thread_local CallScope *innermost = nullptr;
/// mgpuSetDefaultDevice's ordinal on this thread.
thread_local int defaultOrdinal = 0;

struct Unscoped {
  std::mutex mutex;
  Status firstError;
  /// Why the last module load failed, for the lookups that follow it.
  std::string lastLoadError;
};

Unscoped &unscoped() {
  static Unscoped *state = new Unscoped;
  return *state;
}

void record(const Status &status) {
  if (status.ok())
    return;
  if (CallScope *scope = CallScope::current()) {
    scope->record(status);
    return;
  }
  Unscoped &state = unscoped();
  std::lock_guard<std::mutex> lock(state.mutex);
  if (state.firstError.ok())
    state.firstError = status;
}

/// True when an earlier call of this scope failed: later work is skipped.
bool skipping() {
  CallScope *scope = CallScope::current();
  return scope && scope->failed();
}

/// The device the mgpu* functions act on, with its context current; null
/// (and the error recorded) when there is none.
const Device *currentDevice() {
  StatusOr<Device *> device = Device::get(defaultOrdinal);
  if (!device.ok()) {
    record(device.status());
    return nullptr;
  }
  if (Status status = (*device)->makeCurrent(); status.failed()) {
    record(status);
    return nullptr;
  }
  return *device;
}

const Api &cu() { return **api(); }

DevicePtr devicePtr(const void *pointer) {
  return static_cast<DevicePtr>(reinterpret_cast<uintptr_t>(pointer));
}

void *loadModule(std::string_view image, int optLevel) {
  const Device *device = currentDevice();
  if (!device)
    return nullptr;
  StatusOr<void *> module = acquireModule(*device, image, optLevel);
  if (module.ok())
    return *module;
  record(module.status());
  Unscoped &state = unscoped();
  std::lock_guard<std::mutex> lock(state.mutex);
  state.lastLoadError = module.status().message();
  return nullptr;
}

void launch(void *function, const LaunchDims &dims, void *stream, void **params,
            void **extra) {
  if (skipping())
    return;
  if (!function) {
    record(Status::error("cannot launch a kernel whose lookup failed"));
    return;
  }
  StatusOr<Kernel> kernel = kernelForHandle(function);
  if (!kernel.ok()) {
    record(kernel.status());
    return;
  }
  record(kernel->launch(dims, stream, params, extra));
}

/// A ranked memref descriptor: {allocated, aligned, offset, sizes[rank],
/// strides[rank]}.
struct RankedDescriptor {
  char *aligned;
  int64_t offset;
  const int64_t *sizes;
  const int64_t *strides;

  static RankedDescriptor read(void *descriptor, int64_t rank) {
    auto *words = static_cast<int64_t *>(descriptor);
    RankedDescriptor out;
    std::memcpy(&out.aligned, &words[1], sizeof(out.aligned));
    out.offset = words[2];
    out.sizes = &words[3];
    out.strides = &words[3 + rank];
    return out;
  }
};

} // namespace

CallScope::CallScope(const Device &device) : owner(&device), outer(innermost) {
  innermost = this;
}

CallScope::~CallScope() {
  (void)finish();
  innermost = outer;
}

CallScope *CallScope::current() { return innermost; }

void CallScope::record(const Status &status) {
  if (status.failed() && firstError.ok())
    firstError = status;
}

void CallScope::created(void *handle, bool isEvent) {
  (isEvent ? events : streams).insert(handle);
}

void CallScope::destroyed(void *handle, bool isEvent) {
  (isEvent ? events : streams).erase(handle);
}

Status CallScope::finish() {
  if (finished)
    return firstError;
  finished = true;
  record(owner->synchronize());
  if (StatusOr<const Api *> table = api(); table.ok()) {
    for (void *event : events)
      (void)(*table)->cuEventDestroy(static_cast<CUevent>(event));
    for (void *stream : streams)
      (void)(*table)->cuStreamDestroy(static_cast<CUstream>(stream));
  }
  for (DevicePtr pointer : transients)
    record(owner->free(pointer));
  events.clear();
  streams.clear();
  transients.clear();
  return firstError;
}

Status tokamak::rt::cuda::takeUnscopedError() {
  Unscoped &state = unscoped();
  std::lock_guard<std::mutex> lock(state.mutex);
  Status error = state.firstError;
  state.firstError = Status::success();
  return error;
}

TOKAMAK_MGPU_EXPORT char *mgpuTokamakTakeUnscopedError(void) {
  Status error = takeUnscopedError();
  return error.ok() ? nullptr : ::strdup(error.message().c_str());
}

//===----------------------------------------------------------------------===//
// Modules and launches
//===----------------------------------------------------------------------===//

TOKAMAK_MGPU_EXPORT void *mgpuModuleLoad(void *data, size_t gpuBlobSize) {
  if (!data || gpuBlobSize == 0) {
    record(Status::error("cannot load a kernel module: no image"));
    return nullptr;
  }
  return loadModule({static_cast<const char *>(data), gpuBlobSize}, -1);
}

TOKAMAK_MGPU_EXPORT void *mgpuModuleLoadJIT(void *data, int optLevel) {
  if (!data) {
    record(Status::error("cannot load a kernel module: no PTX"));
    return nullptr;
  }
  // PTX text up to its NUL; the driver's JIT takes levels 0-4.
  const char *text = static_cast<const char *>(data);
  return loadModule({text, std::strlen(text)},
                    std::min(std::max(optLevel, 0), 4));
}

TOKAMAK_MGPU_EXPORT void mgpuModuleUnload(void *module) {
  // Null: the load failed and was reported then.
  if (module)
    record(releaseModule(module));
}

TOKAMAK_MGPU_EXPORT void *mgpuModuleGetFunction(void *module,
                                                const char *name) {
  std::string kernel = name ? name : "";
  if (!module) {
    Unscoped &state = unscoped();
    std::string why;
    {
      std::lock_guard<std::mutex> lock(state.mutex);
      why = state.lastLoadError;
    }
    record(Status::error("cannot find kernel '" + printableBytes(kernel) +
                         "': its kernel module did not load" +
                         (why.empty() ? "" : " (" + why + ")")));
    return nullptr;
  }
  StatusOr<Kernel> found = lookupKernel(module, kernel);
  if (!found.ok()) {
    record(found.status());
    return nullptr;
  }
  return found->handle();
}

TOKAMAK_MGPU_EXPORT void
mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY, intptr_t gridZ,
                 intptr_t blockX, intptr_t blockY, intptr_t blockZ,
                 int32_t smem, void *stream, void **params, void **extra,
                 size_t /*paramsCount*/) {
  LaunchDims dims;
  dims.grid[0] = gridX;
  dims.grid[1] = gridY;
  dims.grid[2] = gridZ;
  dims.block[0] = blockX;
  dims.block[1] = blockY;
  dims.block[2] = blockZ;
  dims.sharedMemoryBytes = smem;
  launch(function, dims, stream, params, extra);
}

TOKAMAK_MGPU_EXPORT void
mgpuLaunchClusterKernel(void *function, intptr_t clusterX, intptr_t clusterY,
                        intptr_t clusterZ, intptr_t gridX, intptr_t gridY,
                        intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                        intptr_t blockZ, int32_t smem, void *stream,
                        void **params, void **extra) {
  LaunchDims dims;
  dims.cluster[0] = clusterX;
  dims.cluster[1] = clusterY;
  dims.cluster[2] = clusterZ;
  dims.grid[0] = gridX;
  dims.grid[1] = gridY;
  dims.grid[2] = gridZ;
  dims.block[0] = blockX;
  dims.block[1] = blockY;
  dims.block[2] = blockZ;
  dims.sharedMemoryBytes = smem;
  launch(function, dims, stream, params, extra);
}

//===----------------------------------------------------------------------===//
// Streams and events
//===----------------------------------------------------------------------===//

namespace {

/// Creates a stream or an event with `create` (which returns the driver's
/// result and sets the handle) and tracks it in the current CallScope; null
/// when there is no device or the driver fails.
template <typename Handle, typename Create>
Handle createTracked(const char *what, bool isEvent, Create create) {
  const Device *device = currentDevice();
  if (!device)
    return nullptr;
  Handle handle = nullptr;
  Status status = check(create(&handle), std::string("cannot create ") + what +
                                             " on " + device->describe());
  record(status);
  if (status.ok())
    if (CallScope *scope = CallScope::current())
      scope->created(handle, isEvent);
  return handle;
}

/// Destroys a stream or an event created by createTracked.
template <typename Handle>
void destroyTracked(void *handle, bool isEvent,
                    CUresult (*Api::*destroy)(Handle), const char *what) {
  if (!handle || !currentDevice())
    return;
  if (CallScope *scope = CallScope::current())
    scope->destroyed(handle, isEvent);
  record(check((cu().*destroy)(static_cast<Handle>(handle)),
               std::string("cannot destroy ") + what));
}

} // namespace

TOKAMAK_MGPU_EXPORT void *mgpuStreamCreate() {
  return createTracked<CUstream>(
      "a stream", /*isEvent=*/false, [](CUstream *stream) {
        return cu().cuStreamCreate(stream, CU_STREAM_NON_BLOCKING);
      });
}

TOKAMAK_MGPU_EXPORT void mgpuStreamDestroy(void *stream) {
  destroyTracked(stream, /*isEvent=*/false, &Api::cuStreamDestroy, "a stream");
}

TOKAMAK_MGPU_EXPORT void mgpuStreamSynchronize(void *stream) {
  if (!currentDevice())
    return;
  record(check(cu().cuStreamSynchronize(static_cast<CUstream>(stream)),
               "the GPU work on a stream failed"));
}

TOKAMAK_MGPU_EXPORT void mgpuStreamWaitEvent(void *stream, void *event) {
  if (!event || !currentDevice())
    return;
  record(check(cu().cuStreamWaitEvent(static_cast<CUstream>(stream),
                                      static_cast<CUevent>(event), 0),
               "cannot make a stream wait for an event"));
}

TOKAMAK_MGPU_EXPORT void *mgpuEventCreate() {
  return createTracked<CUevent>(
      "an event", /*isEvent=*/true, [](CUevent *event) {
        return cu().cuEventCreate(event, CU_EVENT_DISABLE_TIMING);
      });
}

TOKAMAK_MGPU_EXPORT void mgpuEventDestroy(void *event) {
  destroyTracked(event, /*isEvent=*/true, &Api::cuEventDestroy, "an event");
}

TOKAMAK_MGPU_EXPORT void mgpuEventSynchronize(void *event) {
  if (!event || !currentDevice())
    return;
  record(check(cu().cuEventSynchronize(static_cast<CUevent>(event)),
               "the GPU work before an event failed"));
}

TOKAMAK_MGPU_EXPORT void mgpuEventRecord(void *event, void *stream) {
  if (!event || !currentDevice())
    return;
  record(check(cu().cuEventRecord(static_cast<CUevent>(event),
                                  static_cast<CUstream>(stream)),
               "cannot record an event"));
}

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

TOKAMAK_MGPU_EXPORT void *mgpuMemAlloc(uint64_t sizeBytes, void * /*stream*/,
                                       bool isHostShared) {
  // Nothing to allocate: the memref has no elements.
  if (sizeBytes == 0)
    return nullptr;
  const Device *device = currentDevice();
  if (!device)
    return nullptr;
  CUdeviceptr pointer = 0;
  std::string what =
      "cannot allocate " + std::to_string(sizeBytes) +
      (isHostShared ? " bytes of managed memory on " : " bytes on ") +
      device->describe();
  Status status = isHostShared
                      ? check(cu().cuMemAllocManaged(&pointer, sizeBytes,
                                                     CU_MEM_ATTACH_GLOBAL),
                              what)
                      : check(cu().cuMemAlloc(&pointer, sizeBytes), what);
  record(status);
  return status.ok() ? reinterpret_cast<void *>(static_cast<uintptr_t>(pointer))
                     : nullptr;
}

TOKAMAK_MGPU_EXPORT void mgpuMemFree(void *pointer, void * /*stream*/) {
  if (!pointer)
    return;
  if (const Device *device = currentDevice())
    record(device->free(devicePtr(pointer)));
}

TOKAMAK_MGPU_EXPORT void mgpuMemcpy(void *dst, void *src, size_t sizeBytes,
                                    void *stream) {
  if (sizeBytes == 0 || skipping() || !currentDevice())
    return;
  record(
      check(cu().cuMemcpyAsync(devicePtr(dst), devicePtr(src), sizeBytes,
                               static_cast<CUstream>(stream)),
            "cannot copy " + std::to_string(sizeBytes) + " bytes on the GPU"));
}

namespace {

/// Fills `count` words of `dst` with `value` on `stream` through the driver
/// function `fill` (cuMemsetD32Async or cuMemsetD16Async).
template <typename Word>
void fillWords(CUresult (*Api::*fill)(CUdeviceptr, Word, size_t, CUstream),
               void *dst, Word value, size_t count, void *stream) {
  if (count == 0 || skipping() || !currentDevice())
    return;
  record(check(
      (cu().*fill)(devicePtr(dst), value, count, static_cast<CUstream>(stream)),
      "cannot fill " + std::to_string(count) + " " +
          std::to_string(8 * sizeof(Word)) + "-bit words on the GPU"));
}

/// The bytes a dense memref's elements span, and where they start.
std::pair<char *, size_t> denseSpan(int64_t rank, void *descriptor,
                                    int64_t elementSizeBytes) {
  RankedDescriptor memref = RankedDescriptor::read(descriptor, rank);
  int64_t elements = 1;
  for (int64_t i = 0; i < rank; ++i)
    elements *= memref.sizes[i];
  return {memref.aligned + memref.offset * elementSizeBytes,
          static_cast<size_t>(elements * elementSizeBytes)};
}

/// Calls `action(pointer, bytes)` on the span of a dense memref when there
/// is a device and the span is not empty (host registration).
template <typename Action>
void onHostSpan(int64_t rank, void *descriptor, int64_t elementSizeBytes,
                Action action) {
  if (!currentDevice())
    return;
  auto [pointer, bytes] = denseSpan(rank, descriptor, elementSizeBytes);
  if (bytes != 0)
    record(action(pointer, bytes));
}

} // namespace

TOKAMAK_MGPU_EXPORT void mgpuMemset32(void *dst, unsigned int value,
                                      size_t count, void *stream) {
  fillWords(&Api::cuMemsetD32Async, dst, value, count, stream);
}

TOKAMAK_MGPU_EXPORT void mgpuMemset16(void *dst, unsigned short value,
                                      size_t count, void *stream) {
  fillWords(&Api::cuMemsetD16Async, dst, value, count, stream);
}

TOKAMAK_MGPU_EXPORT void mgpuMemHostRegisterMemRef(int64_t rank,
                                                   void *descriptor,
                                                   int64_t elementSizeBytes) {
  onHostSpan(rank, descriptor, elementSizeBytes,
             [](char *pointer, size_t bytes) {
               return check(cu().cuMemHostRegister(pointer, bytes, 0),
                            "cannot register " + std::to_string(bytes) +
                                " bytes of host memory with the GPU");
             });
}

TOKAMAK_MGPU_EXPORT void mgpuMemHostUnregisterMemRef(int64_t rank,
                                                     void *descriptor,
                                                     int64_t elementSizeBytes) {
  onHostSpan(rank, descriptor, elementSizeBytes, [](char *pointer, size_t) {
    return check(cu().cuMemHostUnregister(pointer),
                 "cannot unregister host memory from the GPU");
  });
}

TOKAMAK_MGPU_EXPORT void mgpuSetDefaultDevice(int32_t device) {
  defaultOrdinal = device;
}

//===----------------------------------------------------------------------===//
// TMA descriptors (nvgpu.tma.create.descriptor)
//===----------------------------------------------------------------------===//

TOKAMAK_MGPU_EXPORT void *mgpuTensorMapEncodeTiledMemref(
    int64_t tensorRank, void *descriptor, int64_t dataType, int64_t interleave,
    int64_t swizzle, int64_t l2Promotion, int64_t oobFill, int64_t *boxDims) {
  // Element sizes of CUtensorMapDataType 0-12 (uint8 ... tfloat32_ftz).
  static constexpr int kElementBytes[] = {1, 2, 4, 4, 8, 8, 2,
                                          4, 8, 2, 4, 4, 4};
  if (skipping())
    return nullptr;
  if (tensorRank < 1 || tensorRank > 5 || dataType < 0 || dataType > 12) {
    record(Status::errorOf("cannot make a TMA descriptor of rank ", tensorRank,
                           " and data type ", dataType,
                           " (ranks 1-5, types 0-12)"));
    return nullptr;
  }
  const Device *device = currentDevice();
  if (!device)
    return nullptr;
  if (!cu().cuTensorMapEncodeTiled) {
    record(Status::error("cannot make a TMA descriptor: the CUDA driver has "
                         "no cuTensorMapEncodeTiled (it predates CUDA 12)"));
    return nullptr;
  }
  // The driver lists dims innermost first; strides of all but the innermost
  // in bytes. As upstream, the descriptor starts at the aligned pointer.
  RankedDescriptor memref = RankedDescriptor::read(descriptor, tensorRank);
  uint64_t globalDim[5] = {1, 1, 1, 1, 1}, globalStrides[5] = {0};
  unsigned boxDim[5] = {1, 1, 1, 1, 1}, elementStrides[5] = {1, 1, 1, 1, 1};
  for (int64_t i = 0; i < tensorRank; ++i) {
    globalDim[i] = static_cast<uint64_t>(memref.sizes[tensorRank - 1 - i]);
    boxDim[i] = static_cast<unsigned>(boxDims[tensorRank - 1 - i]);
  }
  for (int64_t i = 0; i + 1 < tensorRank; ++i)
    globalStrides[i] = static_cast<uint64_t>(
        memref.strides[tensorRank - 2 - i] * kElementBytes[dataType]);
  CUtensorMap map;
  Status status = check(
      cu().cuTensorMapEncodeTiled(
          &map, static_cast<int>(dataType), static_cast<unsigned>(tensorRank),
          memref.aligned, globalDim, globalStrides, boxDim, elementStrides,
          static_cast<int>(interleave), static_cast<int>(swizzle),
          static_cast<int>(l2Promotion), static_cast<int>(oobFill)),
      "cannot make a TMA descriptor");
  if (status.failed()) {
    record(status);
    return nullptr;
  }
  // Kernels read the descriptor from device memory; it lives until the end
  // of the call (upstream never frees it).
  CUdeviceptr copy = 0;
  status = check(cu().cuMemAlloc(&copy, sizeof(map)),
                 "cannot allocate a TMA descriptor on " + device->describe());
  if (status.ok()) {
    status = device->copyToDevice(copy, &map, sizeof(map));
    if (CallScope *scope = CallScope::current())
      scope->addTransient(copy);
  }
  record(status);
  return status.ok() ? reinterpret_cast<void *>(static_cast<uintptr_t>(copy))
                     : nullptr;
}
