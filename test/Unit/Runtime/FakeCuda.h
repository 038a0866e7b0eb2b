//===- FakeCuda.h - A CUDA driver over host memory, for tests ---*- C -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// libtokamak_fake_cuda.so implements the cu* functions the runtime loads
// (runtime/src/CudaDriver.h) over host memory, so that the CUDA layer, the
// mgpu* ABI and CUDA artifacts are tested on machines without a GPU
// (TOKAMAK_CUDA_DRIVER=<path of the fake>). "Device memory" is aligned host
// memory whose allocations are counted; copies are memcpy; a module is
// PTX-like text whose `.entry NAME` lines name its kernels, which run as host
// functions registered under that name; launches run them at once. Every
// call but cuInit and the error queries needs cuInit first and, where the
// real driver does, a current context.
//
// Environment, read by cuInit: TOKAMAK_FAKE_CUDA_DEVICES (default 1),
// TOKAMAK_FAKE_CUDA_INIT_ERROR (a CUresult cuInit returns),
// TOKAMAK_FAKE_CUDA_CC (compute capability as major * 10 + minor, default
// 90). An image containing "FAKE_JIT_ERROR: text" fails to load with
// CUDA_ERROR_INVALID_PTX and "text" in the JIT's error log.
//
// Built-in kernels (cuLaunchKernel's params point at the values):
//   scale2(float *in, float *out, int64_t n)        out[i] = 2 * in[i]
//   fill_iota(float *out, int64_t n)                out[i] = i
//   needs_smem(float *out)                          out[0] = dynamic smem
//   cluster_dims(float *out)                        out[0..2] = cluster dims
//   twice_kernel(x, y: memref<?xf32> expanded)      y = x + x (MLIR's
//                                                   kernel of
//                                                   MlirCudaArtifact.mlir)
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_TEST_FAKECUDA_H
#define TOKAMAK_TEST_FAKECUDA_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One launch, as the fake's kernels see it.
typedef struct FakeCudaLaunch {
  unsigned grid[3];
  unsigned block[3];
  unsigned cluster[3];
  unsigned sharedMemBytes;
  void *stream;
} FakeCudaLaunch;

typedef void (*FakeCudaKernel)(const FakeCudaLaunch *launch, void **params);

/// Counters since the last fakeCudaReset.
typedef struct FakeCudaStats {
  int64_t allocations;     // cuMemAlloc + cuMemAllocManaged successes
  int64_t frees;           // successful cuMemFree
  int64_t liveAllocations; // allocated and not freed
  int64_t badFrees;        // frees of unknown or freed pointers
  int64_t moduleLoads;     // successful cuModuleLoadDataEx
  int64_t liveModules;
  int64_t launches;
  int64_t liveStreams;
  int64_t liveEvents;
  int64_t smemAttributeSets; // cuFuncSetAttribute(MAX_DYNAMIC_SHARED...)
  int64_t hostRegistered;    // live cuMemHostRegister ranges
  int64_t contextErrors;     // calls made without a current context
  int64_t invalidPointers;   // device pointers outside every allocation
  int64_t lastJitOptLevel;   // -1 when the last load passed none
} FakeCudaStats;

/// Registers (or replaces) the kernel `name`.
void fakeCudaRegisterKernel(const char *name, FakeCudaKernel kernel);
/// Zeroes the counters and drops injected failures; memory, modules and
/// registered kernels stay (their live counts too).
void fakeCudaReset(void);
/// The `skip`+1-th call from now of driver function `function` (its symbol
/// name, e.g. "cuMemAlloc_v2") returns `result` and does nothing.
void fakeCudaFailCall(const char *function, int result, int skip);
void fakeCudaGetStats(FakeCudaStats *stats);
/// The image of the last successful module load (NUL-terminated text).
const char *fakeCudaLastImage(void);

#ifdef __cplusplus
}
#endif

#endif // TOKAMAK_TEST_FAKECUDA_H
