//===- CudaDriverTest.cpp - The CUDA layer over the fake driver -----------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "FakeCudaTestUtils.h"

#include "tokamak/runtime/Cuda.h"

#include <cstring>
#include <vector>

using namespace tokamak::rt;
using namespace tokamak::rt::testing;

namespace {

constexpr const char *kDevice = "device 0 (Fake CUDA Device 0, sm_90)";

std::string deviceError(const std::string &what, const std::string &error) {
  return what + " " + kDevice + ": " + error;
}

/// Driver libraries that are missing or are not drivers.
class MissingDriverTest : public ::testing::Test {
protected:
  void TearDown() override {
    ::unsetenv("TOKAMAK_CUDA_DRIVER");
    cuda::resetForTesting();
  }
};

TEST_F(MissingDriverTest, NoDriverSaysWhy) {
  ::setenv("TOKAMAK_CUDA_DRIVER", "/nonexistent/libcuda.so.1", 1);
  cuda::resetForTesting();
  const char *expected =
      "no CUDA driver found: /nonexistent/libcuda.so.1: cannot open shared "
      "object file: No such file or directory";
  EXPECT_ERROR(cuda::checkAvailable(), expected);
  EXPECT_ERROR(cuda::Device::get(0), expected);
}

TEST_F(MissingDriverTest, ALibraryThatIsNotADriver) {
  ::setenv("TOKAMAK_CUDA_DRIVER", "libm.so.6", 1);
  cuda::resetForTesting();
  Status status = cuda::checkAvailable();
  ASSERT_TRUE(status.failed());
  EXPECT_EQ(status.message().rfind("the CUDA driver 'libm.so.6' is too old or "
                                   "not a CUDA driver: it lacks cuInit, "
                                   "cuDriverGetVersion, ",
                                   0),
            0u)
      << status.message();
}

// The stub libcuda.so of the CUDA toolkit exports the whole driver API and
// answers every call with CUDA_ERROR_STUB_LIBRARY: loading it checks the
// symbol names the runtime looks up against NVIDIA's own library.
TEST_F(MissingDriverTest, TheToolkitsStubLibrary) {
#ifndef TOK_CUDA_STUB_DRIVER
  GTEST_SKIP() << "no CUDA toolkit stub libcuda.so at configure time";
#else
  ::setenv("TOKAMAK_CUDA_DRIVER", TOK_CUDA_STUB_DRIVER, 1);
  cuda::resetForTesting();
  EXPECT_ERROR(cuda::checkAvailable(),
               "no CUDA device found: cuInit failed: CUDA_ERROR_STUB_LIBRARY "
               "(CUDA driver is a stub library)");
#endif
}

class CudaDriverTest : public FakeCudaTest {};

TEST_F(CudaDriverTest, NoDevice) {
  ::setenv("TOKAMAK_FAKE_CUDA_DEVICES", "0", 1);
  EXPECT_ERROR(cuda::checkAvailable(),
               "no CUDA device found: the driver reports no devices (is "
               "CUDA_VISIBLE_DEVICES hiding them?)");
}

TEST_F(CudaDriverTest, InitFails) {
  ::setenv("TOKAMAK_FAKE_CUDA_INIT_ERROR", "100", 1);
  EXPECT_ERROR(cuda::Device::get(0),
               "no CUDA device found: cuInit failed: CUDA_ERROR_NO_DEVICE (no "
               "CUDA-capable device is detected)");
}

TEST_F(CudaDriverTest, OrdinalPastTheLastDevice) {
  EXPECT_ERROR(cuda::Device::get(1),
               "CUDA device 1 does not exist (the driver reports 1 device)");
  ::setenv("TOKAMAK_FAKE_CUDA_DEVICES", "2", 1);
  cuda::resetForTesting();
  ASSERT_OK(cuda::Device::get(1));
  EXPECT_ERROR(cuda::Device::get(2),
               "CUDA device 2 does not exist (the driver reports 2 devices)");
}

TEST_F(CudaDriverTest, DeviceProperties) {
  StatusOr<cuda::Device *> device = cuda::Device::get(0);
  ASSERT_OK(device);
  EXPECT_EQ((*device)->name(), "Fake CUDA Device 0");
  EXPECT_EQ((*device)->computeCapability(), 90);
  EXPECT_EQ((*device)->maxDynamicSharedMemory(), 227 * 1024);
  EXPECT_EQ((*device)->describe(), kDevice);
  // The same object every time.
  EXPECT_EQ(*cuda::Device::get(0), *device);
  EXPECT_OK((*device)->synchronize());
}

TEST_F(CudaDriverTest, ArchitectureChecks) {
  cuda::Device &gpu = device();
  EXPECT_OK(cuda::checkCanRun(gpu, "sm_80"));
  EXPECT_OK(cuda::checkCanRun(gpu, "sm_90"));
  EXPECT_OK(cuda::checkCanRun(gpu, "sm_90a"));
  EXPECT_ERROR(cuda::checkCanRun(gpu, "sm_100"),
               std::string("the code was compiled for sm_100, which needs a "
                           "GPU of compute capability 10.0 or newer; ") +
                   kDevice + " has 9.0");
  EXPECT_ERROR(cuda::checkCanRun(gpu, "gfx90a"),
               "unknown CUDA architecture 'gfx90a' (expected sm_NN)");

  ::setenv("TOKAMAK_FAKE_CUDA_CC", "86", 1);
  cuda::resetForTesting();
  EXPECT_ERROR(cuda::checkCanRun(device(), "sm_90a"),
               "the code was compiled for sm_90a, which runs only on GPUs of "
               "compute capability 9.0; device 0 (Fake CUDA Device 0, sm_86) "
               "has 8.6");
  EXPECT_OK(cuda::checkCanRun(device(), "sm_80"));
}

TEST_F(CudaDriverTest, BufferRoundTrip) {
  std::vector<float> in = {1, 2, 3, 4}, out(4, 0);
  {
    StatusOr<cuda::DeviceBuffer> buffer =
        cuda::DeviceBuffer::allocate(device(), 16);
    ASSERT_OK(buffer);
    EXPECT_EQ(buffer->size(), 16u);
    EXPECT_OK(buffer->upload(in.data(), 16));
    EXPECT_OK(buffer->download(out.data(), 16));
    EXPECT_ERROR(buffer->upload(in.data(), 20),
                 "cannot copy 20 bytes into a buffer of 16");
    // Moving transfers ownership: one free in the end.
    cuda::DeviceBuffer moved = std::move(*buffer);
    EXPECT_EQ(buffer->pointer(), 0u);
    EXPECT_NE(moved.pointer(), 0u);
    EXPECT_EQ(stats().liveAllocations, 1);
  }
  EXPECT_EQ(out, in);
  EXPECT_EQ(stats().allocations, 1);
  EXPECT_EQ(stats().frees, 1);

  // Nothing to allocate.
  StatusOr<cuda::DeviceBuffer> empty =
      cuda::DeviceBuffer::allocate(device(), 0);
  ASSERT_OK(empty);
  EXPECT_EQ(empty->pointer(), 0u);
  EXPECT_EQ(stats().allocations, 1);
}

TEST_F(CudaDriverTest, DriverErrorsCarryNameAndText) {
  cuda::Device &gpu = device();
  fakeCudaFailCall("cuMemAlloc_v2", 2, 0);
  EXPECT_ERROR(cuda::DeviceBuffer::allocate(gpu, 64),
               deviceError("cannot allocate 64 bytes on",
                           "CUDA_ERROR_OUT_OF_MEMORY (out of memory)"));
  // A code the driver has no name for.
  fakeCudaFailCall("cuMemAlloc_v2", 12345, 0);
  EXPECT_ERROR(cuda::DeviceBuffer::allocate(gpu, 64),
               deviceError("cannot allocate 64 bytes on", "CUDA error 12345"));
  // The next allocation works again.
  EXPECT_OK(cuda::DeviceBuffer::allocate(gpu, 64));
}

TEST_F(CudaDriverTest, ModuleCacheLoadsAnImageOnce) {
  std::string image = fakePtx(".entry scale2(\n{}\n");
  cuda::Device &gpu = device();
  {
    StatusOr<std::shared_ptr<cuda::Module>> first =
        cuda::Module::load(gpu, image);
    StatusOr<std::shared_ptr<cuda::Module>> second =
        cuda::Module::load(gpu, image);
    ASSERT_OK(first);
    ASSERT_OK(second);
    EXPECT_EQ((*first)->handle(), (*second)->handle());
    EXPECT_EQ(stats().moduleLoads, 1);
    EXPECT_EQ(cuda::loadedModuleCount(), 1u);

    // Other bytes, or another JIT level, are another module.
    StatusOr<std::shared_ptr<cuda::Module>> other =
        cuda::Module::load(gpu, image + "// another\n");
    StatusOr<std::shared_ptr<cuda::Module>> optimized =
        cuda::Module::load(gpu, image, 3);
    ASSERT_OK(other);
    ASSERT_OK(optimized);
    EXPECT_NE((*other)->handle(), (*first)->handle());
    EXPECT_NE((*optimized)->handle(), (*first)->handle());
    EXPECT_EQ(stats().lastJitOptLevel, 3);
    EXPECT_EQ(stats().moduleLoads, 3);
    EXPECT_EQ(cuda::loadedModuleCount(), 3u);

    // Unloaded after its last user only.
    first->reset();
    EXPECT_EQ(stats().liveModules, 3);
    second->reset();
    EXPECT_EQ(stats().liveModules, 2);
  }
  EXPECT_EQ(stats().liveModules, 0);
  EXPECT_EQ(cuda::loadedModuleCount(), 0u);
}

TEST_F(CudaDriverTest, JitErrorsCarryTheLog) {
  std::string image = fakePtx("", "FAKE_JIT_ERROR: unknown symbol 'bogus'\n");
  EXPECT_ERROR(cuda::Module::load(device(), image),
               "cannot load a kernel module (PTX, " +
                   std::to_string(image.size()) + " bytes) on " + kDevice +
                   ": CUDA_ERROR_INVALID_PTX (a PTX JIT compilation failed): "
                   "ptxas application ptx input, line 1; error   : unknown "
                   "symbol 'bogus'; ptxas fatal   : Ptx assembly aborted due "
                   "to errors");
  EXPECT_ERROR(
      cuda::Module::load(device(), "\x7f"
                                   "ELF not really"),
      std::string("cannot load a kernel module (cubin, 15 bytes) on ") +
          kDevice +
          ": CUDA_ERROR_INVALID_IMAGE (device kernel image is "
          "invalid)");
  EXPECT_ERROR(cuda::Module::load(device(), ""),
               "cannot load an empty kernel image");
  EXPECT_EQ(cuda::loadedModuleCount(), 0u);
}

TEST_F(CudaDriverTest, LaunchComputes) {
  StatusOr<std::shared_ptr<cuda::Module>> module =
      cuda::Module::load(device(), fakePtx(".entry scale2(\n{}\n"));
  ASSERT_OK(module);
  StatusOr<cuda::Kernel> kernel = (*module)->kernel("scale2");
  ASSERT_OK(kernel);
  EXPECT_EQ(kernel->name(), "scale2");
  EXPECT_ERROR((*module)->kernel("fill_iota"),
               "cannot find kernel 'fill_iota' in its module: "
               "CUDA_ERROR_NOT_FOUND (named symbol not found)");

  std::vector<float> in = {1, -2, 3.5f}, out(3, 0);
  StatusOr<cuda::DeviceBuffer> a = cuda::DeviceBuffer::allocate(device(), 12);
  StatusOr<cuda::DeviceBuffer> b = cuda::DeviceBuffer::allocate(device(), 12);
  ASSERT_OK(a);
  ASSERT_OK(b);
  ASSERT_OK(a->upload(in.data(), 12));
  StatusOr<cuda::Stream> stream = cuda::Stream::create(device());
  ASSERT_OK(stream);
  cuda::DevicePtr src = a->pointer(), dst = b->pointer();
  int64_t n = 3;
  void *params[] = {&src, &dst, &n};
  cuda::LaunchDims dims;
  dims.block[0] = 32;
  ASSERT_OK(kernel->launch(dims, stream->handle(), params));
  ASSERT_OK(stream->synchronize());
  ASSERT_OK(b->download(out.data(), 12));
  EXPECT_EQ(out, (std::vector<float>{2, -4, 7}));
  EXPECT_EQ(stats().launches, 1);
  EXPECT_EQ(stats().smemAttributeSets, 0);

  // Sizes the driver would refuse are refused first.
  dims.grid[1] = 0;
  EXPECT_ERROR(kernel->launch(dims, nullptr, params),
               "cannot launch kernel 'scale2': grid 1x0x1, block 32x1x1 and "
               "cluster 1x1x1 must be positive and below 2^31");
  dims.grid[1] = 1;
  fakeCudaFailCall("cuLaunchKernel", 700, 0);
  EXPECT_ERROR(kernel->launch(dims, nullptr, params),
               deviceError("cannot launch kernel 'scale2' on",
                           "CUDA_ERROR_ILLEGAL_ADDRESS (an illegal memory "
                           "access was encountered)"));
}

TEST_F(CudaDriverTest, DynamicSharedMemoryOptsIn) {
  StatusOr<std::shared_ptr<cuda::Module>> module =
      cuda::Module::load(device(), fakePtx(".entry needs_smem(\n{}\n"));
  ASSERT_OK(module);
  StatusOr<cuda::Kernel> kernel = (*module)->kernel("needs_smem");
  ASSERT_OK(kernel);
  StatusOr<cuda::DeviceBuffer> out = cuda::DeviceBuffer::allocate(device(), 4);
  ASSERT_OK(out);
  cuda::DevicePtr pointer = out->pointer();
  void *params[] = {&pointer};
  float got = 0;

  // Within the default: no attribute.
  cuda::LaunchDims dims;
  dims.sharedMemoryBytes = 48 * 1024;
  ASSERT_OK(kernel->launch(dims, nullptr, params));
  ASSERT_OK(out->download(&got, 4));
  EXPECT_EQ(got, 48 * 1024);
  EXPECT_EQ(stats().smemAttributeSets, 0);

  // Above it: the attribute first (the fake refuses the launch without).
  dims.sharedMemoryBytes = 100000;
  ASSERT_OK(kernel->launch(dims, nullptr, params));
  ASSERT_OK(out->download(&got, 4));
  EXPECT_EQ(got, 100000);
  EXPECT_EQ(stats().smemAttributeSets, 1);

  // Above what the device allows.
  dims.sharedMemoryBytes = 300000;
  EXPECT_ERROR(kernel->launch(dims, nullptr, params),
               std::string("cannot launch kernel 'needs_smem': it asks for "
                           "300000 bytes of dynamic shared memory, and ") +
                   kDevice + " allows at most 232448");
}

TEST_F(CudaDriverTest, ClusterLaunch) {
  StatusOr<std::shared_ptr<cuda::Module>> module =
      cuda::Module::load(device(), fakePtx(".entry cluster_dims(\n{}\n"));
  ASSERT_OK(module);
  StatusOr<cuda::Kernel> kernel = (*module)->kernel("cluster_dims");
  ASSERT_OK(kernel);
  StatusOr<cuda::DeviceBuffer> out = cuda::DeviceBuffer::allocate(device(), 12);
  ASSERT_OK(out);
  cuda::DevicePtr pointer = out->pointer();
  void *params[] = {&pointer};
  cuda::LaunchDims dims;
  dims.grid[0] = 4;
  dims.cluster[0] = 2;
  ASSERT_OK(kernel->launch(dims, nullptr, params));
  std::vector<float> got(3);
  ASSERT_OK(out->download(got.data(), 12));
  EXPECT_EQ(got, (std::vector<float>{2, 1, 1}));
}

} // namespace
