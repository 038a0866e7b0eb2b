//===- Cuda.h - NVIDIA GPUs through the CUDA driver API ---------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// The runtime's CUDA layer: the driver API is loaded with dlopen on first use
// (libcuda.so.1, or $TOKAMAK_CUDA_DRIVER), so every binary runs on machines
// without a GPU and says so when one is asked for. A `Device` is one GPU with
// its primary context; `DeviceBuffer` owns device memory; `Module` is a
// kernel image (PTX, cubin or fatbin) loaded through a per-process cache;
// `Kernel` launches. Every failure is a Status naming what was being done and
// the driver's own error name and description; nothing here aborts.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_CUDA_H
#define TOKAMAK_RUNTIME_CUDA_H

#include "tokamak/runtime/Status.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace tokamak::rt::cuda {

/// A device address (the driver's CUdeviceptr).
using DevicePtr = uint64_t;

/// Success when the driver loads and reports at least one device; otherwise
/// "no CUDA driver found: <why>" or "no CUDA device found: <why>".
Status checkAvailable();

/// One GPU and its primary context, retained for the life of the process.
class Device {
public:
  /// The device `ordinal` (0: the first one CUDA_VISIBLE_DEVICES leaves),
  /// initialized on first use. Errors: no driver, no device (cuInit fails
  /// or reports none), an ordinal past the last device.
  static StatusOr<Device *> get(int ordinal = 0);

  int ordinal() const { return deviceOrdinal; }
  /// "NVIDIA H100 80GB HBM3".
  const std::string &name() const { return deviceName; }
  /// Compute capability as major * 10 + minor (90 for sm_90).
  int computeCapability() const { return capability; }
  /// The most dynamic shared memory one block may opt in to, in bytes.
  int maxDynamicSharedMemory() const { return optInSharedMemory; }
  /// The driver's context handle (CUcontext).
  void *context() const { return primaryContext; }

  /// Makes this device's primary context current on the calling thread.
  Status makeCurrent() const;
  /// Waits for all work queued on this device (cuCtxSynchronize).
  Status synchronize() const;

  /// Synchronous copies between host memory and device memory.
  Status copyToDevice(DevicePtr dst, const void *src, size_t bytes) const;
  Status copyToHost(void *dst, DevicePtr src, size_t bytes) const;
  /// Frees memory from cuMemAlloc (mgpuMemAlloc); null is a no-op.
  Status free(DevicePtr pointer) const;

  /// "device 0 (NVIDIA H100 80GB HBM3, sm_90)", for messages.
  std::string describe() const;

  Device(const Device &) = delete;
  Device &operator=(const Device &) = delete;

private:
  friend struct DeviceRegistry;
  Device() = default;

  int deviceOrdinal = 0;
  int handle = 0;
  std::string deviceName;
  int capability = 0;
  int optInSharedMemory = 0;
  void *primaryContext = nullptr;
};

/// An error unless `device` can run code compiled for `cudaArch` ("sm_80",
/// "sm_90a"): an "a" architecture needs exactly that compute capability,
/// others at least it.
Status checkCanRun(const Device &device, const std::string &cudaArch);

/// Device memory, freed on destruction.
class DeviceBuffer {
public:
  /// `bytes` of uninitialized device memory (a zero-byte buffer holds no
  /// memory and a null pointer).
  static StatusOr<DeviceBuffer> allocate(const Device &device, size_t bytes);

  DeviceBuffer() = default;
  DeviceBuffer(DeviceBuffer &&other) noexcept;
  DeviceBuffer &operator=(DeviceBuffer &&other) noexcept;
  DeviceBuffer(const DeviceBuffer &) = delete;
  DeviceBuffer &operator=(const DeviceBuffer &) = delete;
  ~DeviceBuffer();

  DevicePtr pointer() const { return address; }
  size_t size() const { return bytes; }
  /// Copies `size` bytes from host memory to the start of the buffer.
  Status upload(const void *src, size_t size) const;
  /// Copies `size` bytes from the start of the buffer to host memory.
  Status download(void *dst, size_t size) const;

private:
  DeviceBuffer(const Device *device, DevicePtr address, size_t bytes)
      : device(device), address(address), bytes(bytes) {}

  const Device *device = nullptr;
  DevicePtr address = 0;
  size_t bytes = 0;
};

/// A non-blocking stream, destroyed on destruction.
class Stream {
public:
  static StatusOr<Stream> create(const Device &device);

  Stream(Stream &&other) noexcept;
  Stream &operator=(Stream &&other) noexcept;
  Stream(const Stream &) = delete;
  Stream &operator=(const Stream &) = delete;
  ~Stream();

  /// The driver's handle (CUstream).
  void *handle() const { return stream; }
  Status synchronize() const;

private:
  Stream(const Device *device, void *stream) : device(device), stream(stream) {}

  const Device *device = nullptr;
  void *stream = nullptr;
};

/// Grid, block and cluster sizes and dynamic shared memory of a launch.
struct LaunchDims {
  int64_t grid[3] = {1, 1, 1};
  int64_t block[3] = {1, 1, 1};
  /// {1, 1, 1}: no clusters (sm_90 thread block clusters otherwise).
  int64_t cluster[3] = {1, 1, 1};
  int64_t sharedMemoryBytes = 0;
};

/// Dynamic shared memory a kernel may use without opting in.
inline constexpr int64_t kDefaultDynamicSharedMemory = 48 * 1024;

/// A kernel of a loaded module.
class Kernel {
public:
  /// Launches on `stream` (null: the default stream) with `params` as
  /// cuLaunchKernel takes them (one pointer per kernel argument). Dynamic
  /// shared memory above kDefaultDynamicSharedMemory is opted in to first
  /// (CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES); more than the device
  /// allows, sizes outside [1, 2^31 - 1] and clusters on a driver without
  /// cuLaunchKernelEx are errors.
  Status launch(const LaunchDims &dims, void *stream, void **params,
                void **extra = nullptr) const;

  const std::string &name() const { return kernelName; }
  /// The driver's handle (CUfunction).
  void *handle() const { return function; }
  const Device &device() const { return *owner; }

private:
  friend class Module;
  friend struct ModuleCache;
  Kernel(const Device *owner, void *function, std::string name)
      : owner(owner), function(function), kernelName(std::move(name)) {}

  const Device *owner;
  void *function;
  std::string kernelName;
};

/// A kernel image loaded on a device. Loads go through a per-process cache
/// keyed by the device and the image's bytes: loading the same image again
/// returns the module already loaded, which is unloaded when its last user
/// releases it.
class Module {
public:
  /// Loads `image` on `device`: PTX text (compiled by the driver's JIT at
  /// `jitOptLevel` 0-4, or its default for -1), a cubin or a fatbin. A JIT
  /// failure carries the JIT's error log.
  static StatusOr<std::shared_ptr<Module>>
  load(const Device &device, std::string_view image, int jitOptLevel = -1);

  ~Module();
  Module(const Module &) = delete;
  Module &operator=(const Module &) = delete;

  /// The kernel called `name` (its PTX .entry name).
  StatusOr<Kernel> kernel(const std::string &name) const;
  /// The driver's handle (CUmodule).
  void *handle() const { return module; }

private:
  explicit Module(void *module) : module(module) {}

  void *module;
};

/// Lower-level access to the module cache, for the mgpu* ABI whose callers
/// hold raw CUmodule handles: acquire loads (or finds) and counts a user,
/// release drops one and unloads the module after the last.
StatusOr<void *> acquireModule(const Device &device, std::string_view image,
                               int jitOptLevel);
Status releaseModule(void *module);
/// The kernel `name` of a module from acquireModule.
StatusOr<Kernel> lookupKernel(void *module, const std::string &name);
/// The kernel whose handle lookupKernel returned, for launching it again.
StatusOr<Kernel> kernelForHandle(void *function);
/// How many distinct images the cache holds loaded now.
size_t loadedModuleCount();

/// Drops every cached module and device and forgets the driver, so that a
/// test can load another one ($TOKAMAK_CUDA_DRIVER). Nothing obtained from
/// this layer may be used afterwards.
void resetForTesting();

} // namespace tokamak::rt::cuda

#endif // TOKAMAK_RUNTIME_CUDA_H
