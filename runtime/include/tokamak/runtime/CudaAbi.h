//===- CudaAbi.h - The mgpu* functions compiled GPU code calls --*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// MLIR's GPU host lowering (gpu.launch_func, gpu.alloc, gpu.memcpy, ...,
// gpu.binary) turns into calls to upstream's C functions `mgpu*`; the
// runtime implements all of them on its CUDA layer (Cuda.h) and exports them
// from every executable that links it, where artifacts (dlopen) and the JIT
// resolve them. Their signatures are the ones MLIR 22 declares.
//
// They return no errors. Instead the first failure on a thread is recorded
// in the innermost `CallScope` open on that thread, which the runtime opens
// around every call into compiled CUDA code (and around loading an
// artifact, whose constructors load its kernels); after a failure the scope
// turns later launches, copies and memsets of the call into no-ops, so that
// a kernel never runs on memory that was not set up. Upstream prints and
// carries on; nothing here prints or aborts.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_CUDAABI_H
#define TOKAMAK_RUNTIME_CUDAABI_H

#include "tokamak/runtime/Cuda.h"
#include "tokamak/runtime/Status.h"

#include <cstddef>
#include <cstdint>
#include <set>
#include <vector>

namespace tokamak::rt::cuda {

/// What the mgpu* functions did on one thread while compiled code ran:
/// the first error, and the streams, events and descriptors the code created
/// and may not have released (MLIR's lowering leaks joined streams).
class CallScope {
public:
  /// Opens a scope on the calling thread, nested in any open one.
  explicit CallScope(const Device &device);
  /// Closes the scope (calling finish() first if nobody did).
  ~CallScope();
  CallScope(const CallScope &) = delete;
  CallScope &operator=(const CallScope &) = delete;

  /// The innermost scope open on this thread, or null.
  static CallScope *current();

  /// Keeps `status` if it is the first error.
  void record(const Status &status);
  bool failed() const { return firstError.failed(); }

  /// Waits for the device, destroys the streams and events the code left
  /// and frees its TMA descriptors; returns the first error of the scope
  /// (or of the wait). Idempotent.
  Status finish();

  const Device &device() const { return *owner; }

  // Bookkeeping for the mgpu* functions.
  void created(void *stream, bool isEvent);
  void destroyed(void *stream, bool isEvent);
  void addTransient(DevicePtr pointer) { transients.push_back(pointer); }

private:
  const Device *owner;
  CallScope *outer;
  Status firstError;
  bool finished = false;
  std::set<void *> streams, events;
  std::vector<DevicePtr> transients;
};

/// The first error an mgpu* function recorded while no scope was open
/// (a module loaded by the constructor of code loaded outside the runtime),
/// cleared by this call.
Status takeUnscopedError();

} // namespace tokamak::rt::cuda

/// The upstream ABI. Handles are the driver's (CUmodule, CUfunction,
/// CUstream, CUevent); pointers of gpu.alloc'ed memory are CUdeviceptrs.
extern "C" {
void *mgpuModuleLoad(void *data, size_t gpuBlobSize);
void *mgpuModuleLoadJIT(void *data, int optLevel);
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);
void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount);
void mgpuLaunchClusterKernel(void *function, intptr_t clusterX,
                             intptr_t clusterY, intptr_t clusterZ,
                             intptr_t gridX, intptr_t gridY, intptr_t gridZ,
                             intptr_t blockX, intptr_t blockY, intptr_t blockZ,
                             int32_t smem, void *stream, void **params,
                             void **extra);
void *mgpuStreamCreate();
void mgpuStreamDestroy(void *stream);
void mgpuStreamSynchronize(void *stream);
void mgpuStreamWaitEvent(void *stream, void *event);
void *mgpuEventCreate();
void mgpuEventDestroy(void *event);
void mgpuEventSynchronize(void *event);
void mgpuEventRecord(void *event, void *stream);
void *mgpuMemAlloc(uint64_t sizeBytes, void *stream, bool isHostShared);
void mgpuMemFree(void *pointer, void *stream);
void mgpuMemcpy(void *dst, void *src, size_t sizeBytes, void *stream);
void mgpuMemset32(void *dst, unsigned int value, size_t count, void *stream);
void mgpuMemset16(void *dst, unsigned short value, size_t count, void *stream);
void mgpuMemHostRegisterMemRef(int64_t rank, void *descriptor,
                               int64_t elementSizeBytes);
void mgpuMemHostUnregisterMemRef(int64_t rank, void *descriptor,
                                 int64_t elementSizeBytes);
void mgpuSetDefaultDevice(int32_t device);
void *mgpuTensorMapEncodeTiledMemref(int64_t tensorRank, void *descriptor,
                                     int64_t dataType, int64_t interleave,
                                     int64_t swizzle, int64_t l2Promotion,
                                     int64_t oobFill, int64_t *boxDims);

/// Tokamak's own addition: takeUnscopedError() as a C function, for code
/// that links another copy of the runtime (the JIT plugin) and runs a
/// module's initializers there: resolved through the process like the
/// mgpu* functions above, it reads the state they write. Returns null, or a
/// malloc'ed message the caller frees.
char *mgpuTokamakTakeUnscopedError(void);
}

#endif // TOKAMAK_RUNTIME_CUDAABI_H
