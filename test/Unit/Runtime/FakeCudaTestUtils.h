//===- FakeCudaTestUtils.h - Tests over the fake CUDA driver ----*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// A fixture that points the runtime at the fake driver (FakeCuda.h) with a
// fresh CUDA layer, and checks after each test that nothing the runtime
// allocated on the "device" is left or was freed twice.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_TEST_UNIT_RUNTIME_FAKECUDATESTUTILS_H
#define TOKAMAK_TEST_UNIT_RUNTIME_FAKECUDATESTUTILS_H

#include "FakeCuda.h"
#include "StatusTestUtils.h"

#include "tokamak/runtime/Cuda.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace tokamak::rt::testing {

class FakeCudaTest : public ::testing::Test {
protected:
  void SetUp() override {
    ::setenv("TOKAMAK_CUDA_DRIVER", TOK_FAKE_CUDA_DRIVER, 1);
    ::unsetenv("TOKAMAK_FAKE_CUDA_DEVICES");
    ::unsetenv("TOKAMAK_FAKE_CUDA_INIT_ERROR");
    ::unsetenv("TOKAMAK_FAKE_CUDA_CC");
    cuda::resetForTesting();
    fakeCudaReset();
    baseline = stats();
  }

  /// Everything the test made is gone by now (fixtures release what they
  /// hold before calling this).
  void TearDown() override {
    FakeCudaStats now = stats();
    EXPECT_EQ(now.liveAllocations, baseline.liveAllocations)
        << "device memory leaked";
    EXPECT_EQ(now.liveModules, baseline.liveModules) << "a module leaked";
    EXPECT_EQ(now.liveStreams, baseline.liveStreams) << "a stream leaked";
    EXPECT_EQ(now.liveEvents, baseline.liveEvents) << "an event leaked";
    EXPECT_EQ(now.badFrees, 0)
        << "device memory freed twice or never allocated";
    EXPECT_EQ(now.invalidPointers, 0)
        << "a device pointer outside every allocation";
    EXPECT_EQ(now.contextErrors, 0) << "a driver call without a context";
    cuda::resetForTesting();
  }

  static FakeCudaStats stats() {
    FakeCudaStats out;
    fakeCudaGetStats(&out);
    return out;
  }

  /// Device 0 of the fake.
  static cuda::Device &device() {
    StatusOr<cuda::Device *> opened = cuda::Device::get(0);
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    return **opened;
  }

  FakeCudaStats baseline{};
};

/// A PTX-like image with the given kernels (see FakeCuda.h).
inline std::string fakePtx(const std::string &entries,
                           const std::string &extra = "") {
  return ".version 8.0\n.target sm_80\n.address_size 64\n" + extra + entries;
}

} // namespace tokamak::rt::testing

#endif // TOKAMAK_TEST_UNIT_RUNTIME_FAKECUDATESTUTILS_H
