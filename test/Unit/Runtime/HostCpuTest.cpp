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
  // Disabled features never block loading, known or not: the code does not
  // use them.
  EXPECT_TRUE(checkHostCanRun(target(triple, "-avx512f,-no-such-thing")).ok());
}

TEST(HostCpuTest, CountsUnknownFeaturesAsMissing) {
  // Issue 13, item 4: a feature this runtime does not probe may be an
  // instruction set this CPU lacks (XOP ran into SIGILL on Zen 3), so it
  // blocks loading.
  std::string triple = std::string(hostArchitecture()) + "-pc-linux-gnu";
  EXPECT_FALSE(hostKnowsFeature("no-such-thing"));
  EXPECT_FALSE(hostHasFeature("no-such-thing"));
  Status status = checkHostCanRun(target(triple, "+no-such-thing"));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(),
            "compiled for CPU 'test-cpu' with no-such-thing, which this "
            "runtime cannot detect (counted as missing); recompile with "
            "tokamak-compile --cpu=<this machine's CPU> (for example "
            "--cpu=x86-64-v3)");
}

#if defined(__x86_64__)
TEST(HostCpuTest, ProbesWhatBulldozerAdds) {
  // --cpu=bdver1 adds XOP, FMA4 and LWP, which no CPU since AMD family 15h
  // has: each is probed, none is taken on trust.
  std::string missing;
  for (const char *feature : {"xop", "fma4", "lwp", "tbm"}) {
    EXPECT_TRUE(hostKnowsFeature(feature)) << feature;
    if (!hostHasFeature(feature))
      missing += (missing.empty() ? "" : ", ") + std::string(feature);
  }
  Status status = checkHostCanRun(
      target("x86_64-unknown-linux-gnu", "+sse2,+xop,+fma4,+lwp,+tbm"));
  if (missing.empty()) {
    EXPECT_TRUE(status.ok()) << status.message();
    return;
  }
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(),
            "compiled for CPU 'test-cpu' with " + missing +
                ", which this CPU lacks; recompile with tokamak-compile "
                "--cpu=<this machine's CPU> (for example --cpu=x86-64-v3)");
}

TEST(HostCpuTest, TuningFlagsNeverBlockLoading) {
  // Features that change scheduling, not the instructions used.
  EXPECT_TRUE(checkHostCanRun(target("x86_64-unknown-linux-gnu",
                                     "+prefer-256-bit,+fast-gather,"
                                     "+slow-3ops-lea,+macrofusion"))
                  .ok());
}
#endif

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
