//===- CudaInvokeTest.cpp - CUDA artifacts end to end over the fake -------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// TestCudaArtifact.c does what compiled GPU code does (kernels loaded by a
// constructor through mgpuModuleLoadJIT, results from mgpuMemAlloc, launches
// through mgpuLaunchKernel); loading it with SharedLibraryExecutable and
// calling it through rt::invoke over the fake driver checks the artifact
// ABI of docs/Artifacts.md from metadata to freed device memory.
//
//===----------------------------------------------------------------------===//

#include "FakeCudaTestUtils.h"

#include "tokamak/runtime/Artifact.h"
#include "tokamak/runtime/CudaAbi.h"

#include <numeric>

using namespace tokamak::rt;
using namespace tokamak::rt::testing;

namespace {

HostTensor tensor(std::vector<int64_t> shape,
                  const std::vector<float> &values) {
  StatusOr<HostTensor> made = HostTensor::create(DType::f32, std::move(shape));
  EXPECT_TRUE(made.ok());
  EXPECT_EQ(static_cast<size_t>(made->numel()), values.size());
  std::copy(values.begin(), values.end(), made->data<float>());
  return std::move(*made);
}

std::vector<HostTensor> one(HostTensor a) {
  std::vector<HostTensor> list;
  list.push_back(std::move(a));
  return list;
}

std::vector<float> elements(const HostTensor &t) {
  return std::vector<float>(t.data<float>(), t.data<float>() + t.numel());
}

class CudaInvokeTest : public FakeCudaTest {
protected:
  void SetUp() override {
    FakeCudaTest::SetUp();
    StatusOr<std::unique_ptr<SharedLibraryExecutable>> loaded =
        SharedLibraryExecutable::load(TOK_TEST_CUDA_ARTIFACT);
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    artifact = std::move(*loaded);
  }

  void TearDown() override {
    artifact.reset();
    EXPECT_OK(cuda::takeUnscopedError());
    FakeCudaTest::TearDown();
  }

  StatusOr<std::vector<HostTensor>> call(const std::string &function,
                                         HostTensor input) {
    return invoke(*artifact, function, one(std::move(input)));
  }

  std::unique_ptr<SharedLibraryExecutable> artifact;
};

TEST_F(CudaInvokeTest, MetadataAndKernelLoad) {
  const TargetInfo &target = artifact->metadata().target;
  EXPECT_EQ(target.device, TargetDevice::CUDA);
  EXPECT_EQ(target.cudaArch, "sm_80");
  // The constructor loaded the kernels once, through the JIT at level 2.
  EXPECT_EQ(stats().moduleLoads, 1);
  EXPECT_EQ(stats().liveModules, 1);
  EXPECT_EQ(stats().lastJitOptLevel, 2);
  EXPECT_NE(std::string(fakeCudaLastImage()).find(".entry scale2("),
            std::string::npos);

  // A second load of the same artifact shares the module (the cache).
  {
    StatusOr<std::unique_ptr<SharedLibraryExecutable>> again =
        SharedLibraryExecutable::load(TOK_TEST_CUDA_ARTIFACT);
    ASSERT_OK(again);
    EXPECT_EQ(stats().moduleLoads, 1);
  }
  EXPECT_EQ(stats().liveModules, 1);
  // Unloading the artifact unloads its kernels (the destructor).
  artifact.reset();
  EXPECT_EQ(stats().liveModules, 0);
}

TEST_F(CudaInvokeTest, ResultsComeBackAndBuffersAreFreed) {
  StatusOr<std::vector<HostTensor>> results =
      call("scale", tensor({3}, {1, 2, 3.5f}));
  ASSERT_OK(results);
  ASSERT_EQ(results->size(), 1u);
  EXPECT_EQ((*results)[0].shape(), (std::vector<int64_t>{3}));
  EXPECT_EQ(elements((*results)[0]), (std::vector<float>{2, 4, 7}));
  // The input's device copy and the result: both freed, once.
  EXPECT_EQ(stats().allocations, 2);
  EXPECT_EQ(stats().frees, 2);
  EXPECT_EQ(stats().launches, 1);
}

TEST_F(CudaInvokeTest, EmptyTensors) {
  StatusOr<std::vector<HostTensor>> results = call("scale", tensor({0}, {}));
  ASSERT_OK(results);
  EXPECT_EQ((*results)[0].shape(), (std::vector<int64_t>{0}));
  EXPECT_EQ(stats().allocations, 0);
}

TEST_F(CudaInvokeTest, StridedResultWithOffset) {
  std::vector<float> iota(24);
  std::iota(iota.begin(), iota.end(), 0.0f);
  StatusOr<std::vector<HostTensor>> results =
      call("strided", tensor({4, 6}, iota));
  ASSERT_OK(results);
  EXPECT_EQ((*results)[0].shape(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(elements((*results)[0]),
            (std::vector<float>{7, 9, 11, 19, 21, 23}));
}

TEST_F(CudaInvokeTest, ResultsSharingABufferFreeItOnce) {
  StatusOr<std::vector<HostTensor>> results =
      call("pair", tensor({4}, {1, 2, 3, 4}));
  ASSERT_OK(results);
  ASSERT_EQ(results->size(), 2u);
  EXPECT_EQ(elements((*results)[0]), (std::vector<float>{2, 4}));
  EXPECT_EQ(elements((*results)[1]), (std::vector<float>{6, 8}));
  EXPECT_EQ(stats().frees, 2);
}

TEST_F(CudaInvokeTest, ReturningTheInput) {
  StatusOr<std::vector<HostTensor>> results =
      call("identity", tensor({2}, {5, 6}));
  ASSERT_OK(results);
  EXPECT_EQ(elements((*results)[0]), (std::vector<float>{5, 6}));
  // Only the input's copy, freed by the runtime once.
  EXPECT_EQ(stats().allocations, 1);
  EXPECT_EQ(stats().frees, 1);
}

TEST_F(CudaInvokeTest, KernelErrorsBecomeTheCallsError) {
  EXPECT_ERROR(call("missing", tensor({4}, {1, 2, 3, 4})),
               "@missing: cannot find kernel 'no_such_kernel' in its module: "
               "CUDA_ERROR_NOT_FOUND (named symbol not found)");
  // The result it allocated was freed all the same.
  EXPECT_EQ(stats().allocations, stats().frees);
  EXPECT_EQ(stats().launches, 0);
}

TEST_F(CudaInvokeTest, LaunchFailure) {
  fakeCudaFailCall("cuLaunchKernel", 700, 0);
  EXPECT_ERROR(call("scale", tensor({2}, {1, 2})),
               "@scale: cannot launch kernel 'scale2' on device 0 (Fake CUDA "
               "Device 0, sm_90): CUDA_ERROR_ILLEGAL_ADDRESS (an illegal "
               "memory access was encountered)");
  // The next call works.
  StatusOr<std::vector<HostTensor>> results = call("scale", tensor({1}, {4}));
  ASSERT_OK(results);
  EXPECT_EQ(elements((*results)[0]), (std::vector<float>{8}));
}

TEST_F(CudaInvokeTest, CopyFailures) {
  fakeCudaFailCall("cuMemcpyHtoD_v2", 1, 0);
  EXPECT_ERROR(call("scale", tensor({3}, {1, 2, 3})),
               "@scale: input 0: cannot copy 12 bytes from the host to device "
               "0 (Fake CUDA Device 0, sm_90): CUDA_ERROR_INVALID_VALUE "
               "(invalid argument)");
  fakeCudaFailCall("cuMemcpyDtoH_v2", 700, 0);
  EXPECT_ERROR(call("scale", tensor({3}, {1, 2, 3})),
               "result 0 of @scale: cannot copy 12 bytes from device 0 (Fake "
               "CUDA Device 0, sm_90) to the host: CUDA_ERROR_ILLEGAL_ADDRESS "
               "(an illegal memory access was encountered)");
  fakeCudaFailCall("cuMemAlloc_v2", 2, 0);
  EXPECT_ERROR(call("scale", tensor({3}, {1, 2, 3})),
               "@scale: input 0: cannot allocate 12 bytes on device 0 (Fake "
               "CUDA Device 0, sm_90): CUDA_ERROR_OUT_OF_MEMORY (out of "
               "memory)");
  // The result's allocation fails inside the compiled code: no launch.
  int64_t launches = stats().launches;
  fakeCudaFailCall("cuMemAlloc_v2", 2, 1);
  EXPECT_ERROR(call("scale", tensor({3}, {1, 2, 3})),
               "@scale: cannot allocate 12 bytes on device 0 (Fake CUDA "
               "Device 0, sm_90): CUDA_ERROR_OUT_OF_MEMORY (out of memory)");
  EXPECT_EQ(stats().launches, launches);
}

TEST_F(CudaInvokeTest, DynamicSharedMemory) {
  StatusOr<std::vector<HostTensor>> results = call("smem", tensor({1}, {0}));
  ASSERT_OK(results);
  EXPECT_EQ(elements((*results)[0]), (std::vector<float>{100000}));
  EXPECT_EQ(stats().smemAttributeSets, 1);
}

TEST_F(CudaInvokeTest, JoinedStreamsAreCleanedUp) {
  StatusOr<std::vector<HostTensor>> results =
      call("streams", tensor({2}, {1, 2}));
  ASSERT_OK(results);
  EXPECT_EQ(elements((*results)[0]), (std::vector<float>{2, 4}));
  // The two streams the code never destroyed.
  EXPECT_EQ(stats().liveStreams, 0);
  EXPECT_EQ(stats().liveEvents, 0);
}

TEST_F(CudaInvokeTest, ClusterLaunch) {
  StatusOr<std::vector<HostTensor>> results =
      call("cluster", tensor({3}, {0, 0, 0}));
  ASSERT_OK(results);
  EXPECT_EQ(elements((*results)[0]), (std::vector<float>{2, 1, 1}));
}

TEST_F(CudaInvokeTest, Memset) {
  StatusOr<std::vector<HostTensor>> results =
      call("fill", tensor({3}, {0, 0, 0}));
  ASSERT_OK(results);
  EXPECT_EQ(elements((*results)[0]), (std::vector<float>{1, 1, 1}));
}

#ifdef TOK_TEST_MLIR_CUDA_ARTIFACT
/// MlirCudaArtifact.mlir, lowered by MLIR 22's own GPU pipeline; the fake's
/// "twice_kernel" stands in for its PTX.
class MlirCudaInvokeTest : public FakeCudaTest {
protected:
  void SetUp() override {
    FakeCudaTest::SetUp();
    StatusOr<std::unique_ptr<SharedLibraryExecutable>> loaded =
        SharedLibraryExecutable::load(TOK_TEST_MLIR_CUDA_ARTIFACT);
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    artifact = std::move(*loaded);
  }

  void TearDown() override {
    artifact.reset();
    EXPECT_OK(cuda::takeUnscopedError());
    FakeCudaTest::TearDown();
  }

  std::vector<float> run(const std::string &function,
                         const std::vector<float> &x) {
    StatusOr<std::vector<HostTensor>> results = invoke(
        *artifact, function, one(tensor({static_cast<int64_t>(x.size())}, x)));
    EXPECT_TRUE(results.ok()) << results.status().message();
    return results.ok() ? elements((*results)[0]) : std::vector<float>{};
  }

  std::unique_ptr<SharedLibraryExecutable> artifact;
};

TEST_F(MlirCudaInvokeTest, KernelLaunch) {
  // The constructor MLIR generated loaded the PTX through the JIT.
  EXPECT_EQ(stats().moduleLoads, 1);
  EXPECT_EQ(stats().lastJitOptLevel, 2);
  EXPECT_NE(std::string(fakeCudaLastImage()).find(".entry twice_kernel"),
            std::string::npos);
  EXPECT_EQ(run("twice", {1, 2, 3.5f}), (std::vector<float>{2, 4, 7}));
  EXPECT_EQ(stats().launches, 1);
  EXPECT_EQ(stats().allocations, 2);
  EXPECT_EQ(stats().frees, 2);
}

TEST_F(MlirCudaInvokeTest, MemcpyAndMemset) {
  EXPECT_EQ(run("copied", {1, 2, 3}), (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(run("ones", {5, 6, 7, 8}), (std::vector<float>{1, 1, 1, 1}));
  EXPECT_EQ(stats().launches, 0);
}

TEST_F(MlirCudaInvokeTest, ErrorsOfGeneratedCalls) {
  fakeCudaFailCall("cuMemsetD32Async", 700, 0);
  EXPECT_ERROR(invoke(*artifact, "ones", one(tensor({2}, {0, 0}))),
               "@ones: cannot fill 2 32-bit words on the GPU: "
               "CUDA_ERROR_ILLEGAL_ADDRESS (an illegal memory access was "
               "encountered)");
}
#endif

/// Loading a CUDA artifact where it cannot run.
class CudaLoadTest : public FakeCudaTest {
protected:
  std::string load(const char *path) {
    cuda::resetForTesting();
    StatusOr<std::unique_ptr<SharedLibraryExecutable>> loaded =
        SharedLibraryExecutable::load(path);
    EXPECT_FALSE(loaded.ok());
    return loaded.ok() ? "" : loaded.status().message();
  }

  std::string prefix() {
    return std::string("artifact '") + TOK_TEST_CUDA_ARTIFACT + "': ";
  }
};

TEST_F(CudaLoadTest, NoDriver) {
  ::setenv("TOKAMAK_CUDA_DRIVER", "/nonexistent/libcuda.so.1", 1);
  EXPECT_EQ(load(TOK_TEST_CUDA_ARTIFACT),
            prefix() + "no CUDA driver found: /nonexistent/libcuda.so.1: "
                       "cannot open shared object file: No such file or "
                       "directory");
  ::setenv("TOKAMAK_CUDA_DRIVER", TOK_FAKE_CUDA_DRIVER, 1);
}

TEST_F(CudaLoadTest, NoDevice) {
  ::setenv("TOKAMAK_FAKE_CUDA_DEVICES", "0", 1);
  EXPECT_EQ(load(TOK_TEST_CUDA_ARTIFACT),
            prefix() + "no CUDA device found: the driver reports no devices "
                       "(is CUDA_VISIBLE_DEVICES hiding them?)");
}

TEST_F(CudaLoadTest, OlderGpu) {
  ::setenv("TOKAMAK_FAKE_CUDA_CC", "75", 1);
  EXPECT_EQ(load(TOK_TEST_CUDA_ARTIFACT),
            prefix() + "the code was compiled for sm_80, which needs a GPU of "
                       "compute capability 8.0 or newer; device 0 (Fake CUDA "
                       "Device 0, sm_75) has 7.5");
}

TEST_F(CudaLoadTest, KernelsTheJitRejects) {
  std::string message = load(TOK_TEST_CUDA_ARTIFACT_BAD_PTX);
  std::string expected = std::string("cannot load the kernels of artifact '") +
                         TOK_TEST_CUDA_ARTIFACT_BAD_PTX +
                         "': cannot load a kernel module (PTX, ";
  EXPECT_EQ(message.rfind(expected, 0), 0u) << message;
  EXPECT_NE(message.find(
                "bytes) on device 0 (Fake CUDA Device 0, sm_90): "
                "CUDA_ERROR_INVALID_PTX (a PTX JIT compilation failed): ptxas "
                "application ptx input, line 1; error   : unknown symbol "
                "'bogus'; ptxas fatal   : Ptx assembly aborted due to errors"),
            std::string::npos)
      << message;
  EXPECT_EQ(stats().liveModules, 0);
}

TEST(CudaMetadataTest, DeviceAndArchitecture) {
  auto parse = [](const std::string &target) {
    return parseModuleMetadata(
        "{\"format\":\"tokamak-artifact\",\"version\":1,\"target\":{"
        "\"triple\":\"x86_64-unknown-linux-gnu\",\"cpu\":\"\",\"features\":"
        "\"\"" +
        target + "},\"functions\":[]}");
  };
  StatusOr<ModuleMetadata> cpu = parse("");
  ASSERT_OK(cpu);
  EXPECT_EQ(cpu->target.device, TargetDevice::CPU);
  ASSERT_OK(parse(",\"device\":\"cpu\""));
  StatusOr<ModuleMetadata> gpu =
      parse(",\"device\":\"cuda\",\"cuda_arch\":\"sm_90a\"");
  ASSERT_OK(gpu);
  EXPECT_EQ(gpu->target.device, TargetDevice::CUDA);
  EXPECT_EQ(gpu->target.cudaArch, "sm_90a");
  // Printing keeps both; a CPU module prints neither.
  StatusOr<ModuleMetadata> again =
      parseModuleMetadata(printModuleMetadata(*gpu));
  ASSERT_OK(again);
  EXPECT_EQ(again->target.device, TargetDevice::CUDA);
  EXPECT_EQ(again->target.cudaArch, "sm_90a");
  EXPECT_EQ(printModuleMetadata(*cpu).find("device"), std::string::npos);

  EXPECT_ERROR(parse(",\"device\":\"tpu\""),
               "target.device: expected \"cpu\" or \"cuda\", got \"tpu\"");
  EXPECT_ERROR(parse(",\"device\":1"),
               "target.device: expected a string, got a number");
  EXPECT_ERROR(parse(",\"device\":\"cuda\""), "target: missing 'cuda_arch'");
  EXPECT_ERROR(parse(",\"device\":\"cuda\",\"cuda_arch\":\"gfx90a\""),
               "target.cuda_arch: expected an architecture such as \"sm_80\" "
               "or \"sm_90a\", got \"gfx90a\"");
}

} // namespace
