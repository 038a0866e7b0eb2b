//===- CompilerTest.cpp - The embedding API -------------------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Compiler/Compiler.h"
#include "tokamak/Codegen/CUDA/CudaTarget.h"
#include "tokamak/runtime/Artifact.h"
#include "tokamak/runtime/Executable.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "gtest/gtest.h"

#include <unistd.h>

using namespace tokamak;

namespace {

const char *kScale = R"mlir(
func.func @scale(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%n) : tensor<?x4xf32>
  %y = linalg.map ins(%x : tensor<?x4xf32>) outs(%e : tensor<?x4xf32>)
    (%a: f32, %unused: f32) {
      %r = arith.maximumf %a, %zero : f32
      linalg.yield %r : f32
    }
  return %y : tensor<?x4xf32>
}
)mlir";

std::string errorText(llvm::Error err) {
  return llvm::toString(std::move(err));
}

/// A fresh path in the test's temporary directory.
std::string scratchPath(llvm::StringRef name) {
  llvm::SmallString<128> dir;
  llvm::sys::path::system_temp_directory(true, dir);
  llvm::sys::path::append(dir, "tokamak-compiler-test-" +
                                   std::to_string(::getpid()) + "-" + name);
  return std::string(dir);
}

rt::HostTensor makeInput() {
  auto t = rt::HostTensor::create(rt::DType::f32, {2, 4});
  EXPECT_TRUE(t.ok());
  float *p = t->data<float>();
  for (int i = 0; i < 8; ++i)
    p[i] = static_cast<float>(i) - 3.5f;
  return std::move(*t);
}

TEST(CompilerTest, ParseErrorIsAnErrorWithTheLocation) {
  Compiler compiler;
  auto module = compiler.parseString("func.func @f(", "broken.mlir");
  ASSERT_FALSE(static_cast<bool>(module));
  std::string message = errorText(module.takeError());
  EXPECT_NE(message.find("broken.mlir:1:"), std::string::npos) << message;
}

TEST(CompilerTest, VerifierErrorIsAnError) {
  Compiler compiler;
  auto module = compiler.parseString(R"mlir(
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %y = tok.activation %x {kind = "nope"} : (tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
})mlir");
  ASSERT_FALSE(static_cast<bool>(module));
  EXPECT_NE(errorText(module.takeError()).find("'tok.activation' op"),
            std::string::npos);
}

TEST(CompilerTest, DescribeListsPublicFunctions) {
  Compiler compiler;
  auto module = compiler.parseString(kScale);
  ASSERT_TRUE(static_cast<bool>(module)) << errorText(module.takeError());
  auto json = compiler.describe(**module, CompileOptions());
  ASSERT_TRUE(static_cast<bool>(json)) << errorText(json.takeError());
  auto metadata = rt::parseModuleMetadata(*json);
  ASSERT_TRUE(metadata.ok()) << metadata.status().message();
  ASSERT_EQ(metadata->functions.size(), 1u);
  EXPECT_EQ(metadata->functions[0].name, "scale");
  EXPECT_EQ(metadata->functions[0].inputs[0].str(), "?x4xf32");
}

TEST(CompilerTest, JitRunsAndReportsBadInputs) {
  Compiler compiler;
  auto module = compiler.parseString(kScale);
  ASSERT_TRUE(static_cast<bool>(module));
  auto executable = compiler.jit(**module, CompileOptions());
  ASSERT_TRUE(static_cast<bool>(executable))
      << errorText(executable.takeError());
  std::vector<rt::HostTensor> inputs;
  inputs.push_back(makeInput());
  auto results = rt::invoke(**executable, "scale", inputs);
  ASSERT_TRUE(results.ok()) << results.status().message();
  const float *y = (*results)[0].data<float>();
  for (int i = 0; i < 8; ++i)
    EXPECT_EQ(y[i], std::max(0.0f, static_cast<float>(i) - 3.5f));

  auto wrong = rt::invoke(**executable, "scale", {});
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("@scale"), std::string::npos);
}

TEST(CompilerTest, ArtifactMatchesJit) {
  Compiler compiler;
  auto module = compiler.parseString(kScale);
  ASSERT_TRUE(static_cast<bool>(module));
  std::string path = scratchPath("scale.so");
  ASSERT_FALSE(static_cast<bool>(
      compiler.emitArtifact(**module, CompileOptions(), path)));
  auto artifact = rt::SharedLibraryExecutable::load(path);
  ASSERT_TRUE(artifact.ok()) << artifact.status().message();
  std::vector<rt::HostTensor> inputs;
  inputs.push_back(makeInput());
  auto results = rt::invoke(**artifact, "scale", inputs);
  ASSERT_TRUE(results.ok()) << results.status().message();
  EXPECT_EQ((*results)[0].data<float>()[7], 3.5f);
  llvm::sys::fs::remove(path);
}

TEST(CompilerTest, FailedCompilationLeavesNoFile) {
  Compiler compiler;
  auto module = compiler.parseString(R"mlir(
func.func @f(%x: f32) -> f32 {
  return %x : f32
})mlir");
  ASSERT_TRUE(static_cast<bool>(module));
  std::string path = scratchPath("scalar.so");
  llvm::Error err = compiler.emitArtifact(**module, CompileOptions(), path);
  ASSERT_TRUE(static_cast<bool>(err));
  EXPECT_NE(errorText(std::move(err)).find("function @f: input 0"),
            std::string::npos);
  EXPECT_FALSE(llvm::sys::fs::exists(path));
}

// A bf16 round trip with the tail masked (13 elements), jitted for a baseline
// AVX2 CPU: without AVX512-BF16, LLVM legalizes bf16 vector code through
// compiler-rt's __truncsfbf2, which the JIT must resolve (issue 9).
TEST(CompilerTest, JitResolvesConversionBuiltinsOnBaselineCpu) {
  Compiler compiler;
  auto module = compiler.parseString(R"mlir(
func.func @half(%x: tensor<13xf32>) -> tensor<13xbf16> {
  %e = tensor.empty() : tensor<13xbf16>
  %y = linalg.map ins(%x : tensor<13xf32>) outs(%e : tensor<13xbf16>)
    (%a: f32, %unused: bf16) {
      %h = arith.truncf %a : f32 to bf16
      linalg.yield %h : bf16
    }
  return %y : tensor<13xbf16>
})mlir");
  ASSERT_TRUE(static_cast<bool>(module));
  CompileOptions options;
  options.cpu = "x86-64-v3";
  auto executable = compiler.jit(**module, options);
  ASSERT_TRUE(static_cast<bool>(executable))
      << errorText(executable.takeError());
  auto x = rt::HostTensor::create(rt::DType::f32, {13});
  ASSERT_TRUE(x.ok());
  // 1 + 2^-8 rounds to even (1.0); 1 + 3 * 2^-8 rounds up to 1 + 2^-6.
  const float values[13] = {1.0f,     1.00390625f, 1.01171875f, -2.5f, 0.0f,
                            65504.0f, 3.0e38f,     -1.0e-3f,    7.0f,  8.0f,
                            9.0f,     10.0f,       11.0f};
  const uint16_t expected[13] = {0x3f80, 0x3f80, 0x3f82, 0xc020, 0x0000,
                                 0x4780, 0x7f62, 0xba83, 0x40e0, 0x4100,
                                 0x4110, 0x4120, 0x4130};
  std::copy(values, values + 13, x->data<float>());
  std::vector<rt::HostTensor> inputs;
  inputs.push_back(std::move(*x));
  auto results = rt::invoke(**executable, "half", inputs);
  ASSERT_TRUE(results.ok()) << results.status().message();
  const uint16_t *y = static_cast<const uint16_t *>((*results)[0].rawData());
  for (int i = 0; i < 13; ++i)
    EXPECT_EQ(y[i], expected[i]) << "element " << i;
}

// A symbol nobody defines is one error of jit() naming the symbol and the
// function, not a missing entry point when the function is called.
TEST(CompilerTest, JitNamesAMissingSymbol) {
  Compiler compiler;
  auto module = compiler.parseString(R"mlir(
func.func private @tokamak_test_undefined(f32) -> f32
func.func @calls(%x: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  %y = linalg.map ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>)
    (%a: f32, %unused: f32) {
      %r = func.call @tokamak_test_undefined(%a) : (f32) -> f32
      linalg.yield %r : f32
    }
  return %y : tensor<4xf32>
})mlir");
  ASSERT_TRUE(static_cast<bool>(module));
  auto executable = compiler.jit(**module, CompileOptions());
  ASSERT_FALSE(static_cast<bool>(executable));
  std::string message = errorText(executable.takeError());
  EXPECT_NE(message.find("cannot link function @calls"), std::string::npos)
      << message;
  EXPECT_NE(message.find("tokamak_test_undefined"), std::string::npos)
      << message;
}

// Target::CUDA through the C++ API (docs/Codegen.md): the metadata names
// the device and the architecture, the PTX is for that architecture, and an
// unknown architecture is one error naming it.
TEST(CompilerTest, CudaTargetCompilesToPtx) {
  // The llvm phase links the CUDA toolkit's libdevice, which
  // scripts/install-deps.sh does not install.
  std::string missing;
  if (failed(tokamak::cuda::findCudaToolkit(missing)))
    GTEST_SKIP() << "no CUDA toolkit: " << missing;
  Compiler compiler;
  CompileOptions options;
  options.target = Target::CUDA;
  options.cudaArch = "sm_80";

  auto module = compiler.parseString(kScale);
  ASSERT_TRUE(static_cast<bool>(module));
  llvm::Expected<std::string> metadata = compiler.describe(**module, options);
  ASSERT_TRUE(static_cast<bool>(metadata)) << errorText(metadata.takeError());
  EXPECT_NE(metadata->find("\"device\":\"cuda\""), std::string::npos)
      << *metadata;
  EXPECT_NE(metadata->find("\"cuda_arch\":\"sm_80\""), std::string::npos)
      << *metadata;

  llvm::SmallString<128> path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("scale", "ptx", path));
  llvm::Error err = compiler.emitPtx(**module, options, path);
  ASSERT_FALSE(static_cast<bool>(err)) << errorText(std::move(err));
  auto buffer = llvm::MemoryBuffer::getFile(path);
  ASSERT_TRUE(static_cast<bool>(buffer));
  llvm::StringRef ptx = (*buffer)->getBuffer();
  EXPECT_TRUE(ptx.contains(".target sm_80")) << ptx.take_front(400).str();
  EXPECT_TRUE(ptx.contains(".entry")) << ptx.take_front(400).str();
  llvm::sys::fs::remove(path);

  auto again = compiler.parseString(kScale);
  ASSERT_TRUE(static_cast<bool>(again));
  options.cudaArch = "sm_75";
  err = compiler.lower(**again, options);
  ASSERT_TRUE(static_cast<bool>(err));
  EXPECT_NE(errorText(std::move(err)).find("sm_75"), std::string::npos);
}

} // namespace
