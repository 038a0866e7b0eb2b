//===- CudaAbiTest.cpp - The mgpu* functions over the fake driver ---------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "FakeCudaTestUtils.h"

#include "tokamak/runtime/CudaAbi.h"

#include <cstdlib>
#include <cstring>
#include <vector>

using namespace tokamak::rt;
using namespace tokamak::rt::testing;

namespace {

class CudaAbiTest : public FakeCudaTest {
protected:
  void TearDown() override {
    mgpuSetDefaultDevice(0);
    (void)cuda::takeUnscopedError();
    FakeCudaTest::TearDown();
  }

  std::vector<float> download(void *pointer, size_t count) {
    std::vector<float> out(count);
    EXPECT_OK(device().copyToHost(
        out.data(), reinterpret_cast<uintptr_t>(pointer), count * 4));
    return out;
  }
};

TEST_F(CudaAbiTest, MemoryFunctions) {
  cuda::CallScope scope(device());
  std::vector<float> host = {1, 2, 3, 4};
  void *a = mgpuMemAlloc(16, nullptr, false);
  void *b = mgpuMemAlloc(16, nullptr, false);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  // Host to device, device to device (unified addressing).
  mgpuMemcpy(a, host.data(), 16, nullptr);
  mgpuMemcpy(b, a, 16, nullptr);
  EXPECT_EQ(download(b, 4), host);
  mgpuMemset32(a, 0x40000000u, 4, nullptr); // 2.0f
  EXPECT_EQ(download(a, 4), (std::vector<float>{2, 2, 2, 2}));
  mgpuMemset16(b, 0x3c00, 8, nullptr); // f16 1.0 in every half
  std::vector<float> halves = download(b, 4);
  uint32_t bits;
  std::memcpy(&bits, &halves[0], 4);
  EXPECT_EQ(bits, 0x3c003c00u);
  mgpuMemFree(a, nullptr);
  mgpuMemFree(b, nullptr);
  // Nothing to allocate, copy or free.
  EXPECT_EQ(mgpuMemAlloc(0, nullptr, false), nullptr);
  mgpuMemcpy(nullptr, nullptr, 0, nullptr);
  mgpuMemFree(nullptr, nullptr);
  // gpu.alloc host_shared: managed memory.
  void *shared = mgpuMemAlloc(8, nullptr, true);
  ASSERT_NE(shared, nullptr);
  mgpuMemFree(shared, nullptr);
  EXPECT_OK(scope.finish());
  EXPECT_EQ(stats().allocations, 3);
  EXPECT_EQ(stats().frees, 3);
}

TEST_F(CudaAbiTest, ModulesAndLaunches) {
  std::string ptx = fakePtx(".entry fill_iota(\n{}\n");
  cuda::CallScope scope(device());
  void *module = mgpuModuleLoadJIT(ptx.data(), 2);
  ASSERT_NE(module, nullptr);
  EXPECT_EQ(stats().lastJitOptLevel, 2);
  // The same image through mgpuModuleLoad (cubin/fatbin path) is another
  // load only because no JIT level is passed; twice is one load.
  void *again = mgpuModuleLoad(ptx.data(), ptx.size());
  void *third = mgpuModuleLoad(ptx.data(), ptx.size());
  EXPECT_EQ(again, third);
  EXPECT_EQ(stats().moduleLoads, 2);

  void *function = mgpuModuleGetFunction(module, "fill_iota");
  ASSERT_NE(function, nullptr);
  void *stream = mgpuStreamCreate();
  void *out = mgpuMemAlloc(5 * 4, stream, false);
  int64_t n = 5;
  void *params[] = {&out, &n};
  mgpuLaunchKernel(function, 1, 1, 1, 64, 1, 1, 0, stream, params, nullptr, 2);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
  EXPECT_OK(scope.finish());
  EXPECT_EQ(download(out, 5), (std::vector<float>{0, 1, 2, 3, 4}));
  mgpuMemFree(out, nullptr);
  mgpuModuleUnload(module);
  mgpuModuleUnload(again);
  mgpuModuleUnload(third);
  EXPECT_EQ(stats().liveModules, 0);
}

TEST_F(CudaAbiTest, FirstErrorWinsAndLaterWorkIsSkipped) {
  std::string ptx = fakePtx(".entry fill_iota(\n{}\n");
  void *module = mgpuModuleLoadJIT(ptx.data(), 2);
  void *function = mgpuModuleGetFunction(module, "fill_iota");
  ASSERT_NE(function, nullptr);
  void *good = mgpuMemAlloc(16, nullptr, false);
  {
    cuda::CallScope scope(device());
    fakeCudaFailCall("cuMemAlloc_v2", 2, 0);
    void *bad = mgpuMemAlloc(64, nullptr, false);
    EXPECT_EQ(bad, nullptr);
    EXPECT_TRUE(scope.failed());
    // Skipped: no launch may touch memory that was not set up.
    int64_t n = 4;
    void *params[] = {&good, &n};
    mgpuLaunchKernel(function, 1, 1, 1, 1, 1, 1, 0, nullptr, params, nullptr,
                     2);
    mgpuMemset32(good, 7, 4, nullptr);
    EXPECT_EQ(stats().launches, 0);
    // A later failure does not replace the first.
    mgpuModuleGetFunction(module, "nope");
    EXPECT_ERROR(scope.finish(),
                 "cannot allocate 64 bytes on device 0 (Fake CUDA Device 0, "
                 "sm_90): CUDA_ERROR_OUT_OF_MEMORY (out of memory)");
  }
  mgpuMemFree(good, nullptr);
  mgpuModuleUnload(module);
  EXPECT_OK(cuda::takeUnscopedError());
}

TEST_F(CudaAbiTest, ErrorsOutsideScopes) {
  EXPECT_EQ(mgpuModuleGetFunction(nullptr, "k"), nullptr);
  EXPECT_ERROR(cuda::takeUnscopedError(),
               "cannot find kernel 'k': its kernel module did not load");
  EXPECT_OK(cuda::takeUnscopedError());
  // The same through the C function for other copies of the runtime.
  EXPECT_EQ(mgpuModuleGetFunction(nullptr, "j"), nullptr);
  char *message = mgpuTokamakTakeUnscopedError();
  ASSERT_NE(message, nullptr);
  EXPECT_STREQ(message, "cannot find kernel 'j': its kernel module did not "
                        "load");
  std::free(message);
  EXPECT_EQ(mgpuTokamakTakeUnscopedError(), nullptr);

  // A failed load is remembered for the lookups that follow.
  std::string bad = fakePtx("", "FAKE_JIT_ERROR: bad\n");
  EXPECT_EQ(mgpuModuleLoadJIT(bad.data(), 2), nullptr);
  Status load = cuda::takeUnscopedError();
  ASSERT_TRUE(load.failed());
  EXPECT_EQ(mgpuModuleGetFunction(nullptr, "k"), nullptr);
  EXPECT_ERROR(cuda::takeUnscopedError(),
               "cannot find kernel 'k': its kernel module did not load (" +
                   load.message() + ")");
  // The unload of a failed load does nothing.
  mgpuModuleUnload(nullptr);
  EXPECT_OK(cuda::takeUnscopedError());
  // A launch of a kernel whose lookup failed.
  int64_t n = 0;
  void *params[] = {&n};
  mgpuLaunchKernel(nullptr, 1, 1, 1, 1, 1, 1, 0, nullptr, params, nullptr, 1);
  EXPECT_ERROR(cuda::takeUnscopedError(),
               "cannot launch a kernel whose lookup failed");
}

TEST_F(CudaAbiTest, LeftoverStreamsAndEventsAreDestroyed) {
  {
    cuda::CallScope scope(device());
    void *a = mgpuStreamCreate();
    void *b = mgpuStreamCreate();
    void *event = mgpuEventCreate();
    mgpuEventRecord(event, a);
    mgpuStreamWaitEvent(b, event);
    mgpuEventSynchronize(event);
    void *kept = mgpuEventCreate();
    mgpuEventDestroy(event);
    mgpuStreamDestroy(b);
    (void)kept;
    EXPECT_EQ(stats().liveStreams, 1);
    EXPECT_EQ(stats().liveEvents, 1);
    EXPECT_OK(scope.finish());
  }
  EXPECT_EQ(stats().liveStreams, 0);
  EXPECT_EQ(stats().liveEvents, 0);
}

TEST_F(CudaAbiTest, DefaultDevice) {
  ::setenv("TOKAMAK_FAKE_CUDA_DEVICES", "2", 1);
  cuda::resetForTesting();
  mgpuSetDefaultDevice(1);
  void *pointer = mgpuMemAlloc(4, nullptr, false);
  EXPECT_NE(pointer, nullptr);
  EXPECT_OK(cuda::takeUnscopedError());
  mgpuMemFree(pointer, nullptr);
  mgpuSetDefaultDevice(5);
  EXPECT_EQ(mgpuMemAlloc(4, nullptr, false), nullptr);
  EXPECT_ERROR(cuda::takeUnscopedError(),
               "CUDA device 5 does not exist (the driver reports 2 devices)");
}

TEST_F(CudaAbiTest, HostRegistration) {
  std::vector<float> data(12);
  // memref<3x4xf32>: {allocated, aligned, offset, sizes, strides}.
  int64_t descriptor[7];
  float *base = data.data();
  std::memcpy(&descriptor[0], &base, 8);
  std::memcpy(&descriptor[1], &base, 8);
  descriptor[2] = 0;
  descriptor[3] = 3;
  descriptor[4] = 4;
  descriptor[5] = 4;
  descriptor[6] = 1;
  mgpuMemHostRegisterMemRef(2, descriptor, 4);
  EXPECT_EQ(stats().hostRegistered, 1);
  mgpuMemHostUnregisterMemRef(2, descriptor, 4);
  EXPECT_EQ(stats().hostRegistered, 0);
  EXPECT_OK(cuda::takeUnscopedError());
}

TEST_F(CudaAbiTest, TensorMapDescriptor) {
  StatusOr<cuda::DeviceBuffer> tensor =
      cuda::DeviceBuffer::allocate(device(), 256 * 64 * 2);
  ASSERT_OK(tensor);
  // memref<256x64xf16> in device memory, box 128x64.
  int64_t descriptor[7];
  uintptr_t address = tensor->pointer();
  std::memcpy(&descriptor[0], &address, 8);
  std::memcpy(&descriptor[1], &address, 8);
  descriptor[2] = 0;
  descriptor[3] = 256;
  descriptor[4] = 64;
  descriptor[5] = 64;
  descriptor[6] = 1;
  int64_t box[2] = {128, 64};
  {
    cuda::CallScope scope(device());
    void *map = mgpuTensorMapEncodeTiledMemref(2, descriptor, /*f16*/ 6, 0,
                                               /*128B*/ 3, 0, 0, box);
    ASSERT_NE(map, nullptr);
    // The descriptor lives in device memory: innermost dim first.
    uint64_t words[16];
    ASSERT_OK(device().copyToHost(words, reinterpret_cast<uintptr_t>(map),
                                  sizeof(words)));
    EXPECT_EQ(words[0], address);
    EXPECT_EQ(words[1], 2u);
    EXPECT_EQ(words[2], 6u);
    EXPECT_EQ(words[3], 64u);
    EXPECT_EQ(words[4], 256u);
    EXPECT_EQ(words[8], 128u); // bytes between rows
    EXPECT_EQ(words[12], 64u | (128u << 16));
    EXPECT_EQ(words[13], 3u);
    EXPECT_EQ(stats().liveAllocations, 2);
    EXPECT_OK(scope.finish());
  }
  // Freed with the scope.
  EXPECT_EQ(stats().liveAllocations, 1);

  cuda::CallScope scope(device());
  EXPECT_EQ(mgpuTensorMapEncodeTiledMemref(6, descriptor, 6, 0, 3, 0, 0, box),
            nullptr);
  EXPECT_ERROR(scope.finish(), "cannot make a TMA descriptor of rank 6 and "
                               "data type 6 (ranks 1-5, types 0-12)");
}

TEST_F(CudaAbiTest, NoDriver) {
  ::setenv("TOKAMAK_CUDA_DRIVER", "/nonexistent/libcuda.so.1", 1);
  cuda::resetForTesting();
  EXPECT_EQ(mgpuStreamCreate(), nullptr);
  EXPECT_EQ(mgpuMemAlloc(16, nullptr, false), nullptr);
  mgpuStreamSynchronize(nullptr);
  EXPECT_ERROR(cuda::takeUnscopedError(),
               "no CUDA driver found: /nonexistent/libcuda.so.1: cannot open "
               "shared object file: No such file or directory");
  ::setenv("TOKAMAK_CUDA_DRIVER", TOK_FAKE_CUDA_DRIVER, 1);
  cuda::resetForTesting();
}

} // namespace
