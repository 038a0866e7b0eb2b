//===- HostCpuTest.cpp - Refusing artifacts this CPU cannot run -----------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/HostCpu.h"

#include "gtest/gtest.h"

using namespace tokamak::rt;

namespace {

TargetInfo target(std::string triple, std::string features) {
  TargetInfo info;
  info.triple = std::move(triple);
  info.cpu = "test-cpu";
  info.features = std::move(features);
  return info;
}

TEST(HostCpuTest, AcceptsPlainCodeForThisArchitecture) {
  std::string triple = std::string(hostArchitecture()) + "-pc-linux-gnu";
  EXPECT_TRUE(checkHostCanRun(target(triple, "")).ok());
  // Disabled features and unknown names never block loading.
  EXPECT_TRUE(checkHostCanRun(target(triple, "-avx512f,+no-such-thing")).ok());
}

TEST(HostCpuTest, RefusesAnotherArchitecture) {
  Status status = checkHostCanRun(target("riscv64-unknown-linux-gnu", ""));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("compiled for riscv64"), std::string::npos)
      << status.message();
}

TEST(HostCpuTest, RefusesAMissingFeatureAndNamesIt) {
  std::string triple = std::string(hostArchitecture()) + "-pc-linux-gnu";
  // Whichever answer this CPU gives, the check must agree with it.
  for (const char *feature : {"avx2", "avx512f", "avx512fp16", "avx512bf16"}) {
    Status status =
        checkHostCanRun(target(triple, std::string("+sse4.2,+") + feature));
    if (hostHasFeature(feature)) {
      EXPECT_TRUE(status.ok()) << feature << ": " << status.message();
      continue;
    }
    ASSERT_FALSE(status.ok()) << feature;
    EXPECT_NE(status.message().find(std::string("with ") + feature),
              std::string::npos)
        << status.message();
    EXPECT_NE(status.message().find("--cpu="), std::string::npos);
  }
}

} // namespace
