//===- ArtifactTest.cpp - Loading and invoking artifacts ------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/Artifact.h"

#include "gtest/gtest.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace tokamak::rt;

namespace {

HostTensor vector(const std::vector<float> &values) {
  StatusOr<HostTensor> tensor =
      HostTensor::create(DType::f32, {static_cast<int64_t>(values.size())});
  EXPECT_TRUE(tensor.ok());
  std::copy(values.begin(), values.end(), tensor->data<float>());
  return std::move(*tensor);
}

HostTensor zeros(DType dtype, std::vector<int64_t> shape) {
  StatusOr<HostTensor> tensor = HostTensor::create(dtype, std::move(shape));
  EXPECT_TRUE(tensor.ok());
  return std::move(*tensor);
}

std::vector<float> elements(const HostTensor &tensor) {
  return std::vector<float>(tensor.data<float>(),
                            tensor.data<float>() + tensor.numel());
}

std::vector<HostTensor> tensors(HostTensor a) {
  std::vector<HostTensor> list;
  list.push_back(std::move(a));
  return list;
}

std::vector<HostTensor> tensors(HostTensor a, HostTensor b) {
  std::vector<HostTensor> list = tensors(std::move(a));
  list.push_back(std::move(b));
  return list;
}

class ArtifactTest : public ::testing::Test {
protected:
  void SetUp() override {
    StatusOr<std::unique_ptr<SharedLibraryExecutable>> loaded =
        SharedLibraryExecutable::load(TOK_TEST_ARTIFACT);
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    artifact = std::move(*loaded);
  }

  std::string invokeError(const std::string &function,
                          std::vector<HostTensor> inputs) {
    StatusOr<std::vector<HostTensor>> results =
        invoke(*artifact, function, inputs);
    EXPECT_FALSE(results.ok());
    return results.status().message();
  }

  std::unique_ptr<SharedLibraryExecutable> artifact;
};

TEST_F(ArtifactTest, ReadsMetadata) {
  const ModuleMetadata &metadata = artifact->metadata();
  EXPECT_EQ(metadata.target.triple, "x86_64-unknown-linux-gnu");
  EXPECT_EQ(metadata.target.cpu, "generic");
  ASSERT_EQ(metadata.functions.size(), 6u);
  const FunctionSignature *add = metadata.lookupFunction("add");
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->entry, "_tok_entry_add");
  ASSERT_EQ(add->inputs.size(), 2u);
  EXPECT_EQ(add->inputs[1].str(), "?xf32");
  EXPECT_EQ(metadata.lookupFunction("sum")->results[0].str(), "f32");
  EXPECT_EQ(artifact->path(), TOK_TEST_ARTIFACT);
}

TEST_F(ArtifactTest, InvokesAdd) {
  StatusOr<std::vector<HostTensor>> results =
      invoke(*artifact, "add", tensors(vector({1, 2, 3}), vector({4, 5, 6})));
  ASSERT_TRUE(results.ok()) << results.status().message();
  ASSERT_EQ(results->size(), 1u);
  EXPECT_EQ((*results)[0].typeString(), "3xf32");
  EXPECT_EQ(elements((*results)[0]), (std::vector<float>{5, 7, 9}));

  results = invoke(*artifact, "add", tensors(vector({}), vector({})));
  ASSERT_TRUE(results.ok()) << results.status().message();
  EXPECT_EQ((*results)[0].typeString(), "0xf32");
}

TEST_F(ArtifactTest, ResultsSharingABufferFreeItOnce) {
  StatusOr<std::vector<HostTensor>> results =
      invoke(*artifact, "two", tensors(vector({5, 7}), vector({1, 2})));
  ASSERT_TRUE(results.ok()) << results.status().message();
  ASSERT_EQ(results->size(), 2u);
  EXPECT_EQ(elements((*results)[0]), (std::vector<float>{6, 9}));
  EXPECT_EQ(elements((*results)[1]), (std::vector<float>{4, 5}));
  // The buffer must outlive the first result.
  HostTensor second = std::move((*results)[1]);
  results = Status::error("drop the first result");
  EXPECT_EQ(elements(second), (std::vector<float>{4, 5}));
}

TEST_F(ArtifactTest, CopiesStridedResults) {
  StatusOr<HostTensor> input = HostTensor::create(DType::f32, {2, 3});
  ASSERT_TRUE(input.ok());
  for (int i = 0; i < 6; ++i)
    input->data<float>()[i] = static_cast<float>(i + 1);
  StatusOr<std::vector<HostTensor>> results =
      invoke(*artifact, "transpose", tensors(std::move(*input)));
  ASSERT_TRUE(results.ok()) << results.status().message();
  EXPECT_EQ((*results)[0].typeString(), "3x2xf32");
  EXPECT_EQ(elements((*results)[0]), (std::vector<float>{1, 4, 2, 5, 3, 6}));
}

TEST_F(ArtifactTest, NeverFreesInputBuffers) {
  std::vector<HostTensor> inputs = tensors(vector({1, 2, 3}));
  StatusOr<std::vector<HostTensor>> results =
      invoke(*artifact, "identity", inputs);
  ASSERT_TRUE(results.ok()) << results.status().message();
  EXPECT_EQ(elements((*results)[0]), (std::vector<float>{1, 2, 3}));
  // A copy: the result does not alias the caller's input.
  EXPECT_NE((*results)[0].rawData(), inputs[0].rawData());
  EXPECT_EQ(elements(inputs[0]), (std::vector<float>{1, 2, 3}));
}

TEST_F(ArtifactTest, ReturnsRankZeroResults) {
  StatusOr<std::vector<HostTensor>> results =
      invoke(*artifact, "sum", tensors(vector({1, 2, 3.5})));
  ASSERT_TRUE(results.ok()) << results.status().message();
  EXPECT_EQ((*results)[0].rank(), 0);
  EXPECT_EQ(elements((*results)[0]), (std::vector<float>{6.5}));
}

TEST_F(ArtifactTest, ChecksResultShapes) {
  EXPECT_EQ(invokeError("bad_result", tensors(vector({1, 2, 3}))),
            "result 0 of @bad_result: expected 4xf32, got 3xf32");
  StatusOr<std::vector<HostTensor>> results =
      invoke(*artifact, "bad_result", tensors(vector({1, 2, 3, 4})));
  ASSERT_TRUE(results.ok()) << results.status().message();
}

TEST_F(ArtifactTest, RejectsBadCalls) {
  EXPECT_EQ(invokeError("nope", {}),
            "no function @nope in the module (available: @add, @two, "
            "@transpose, @identity, @sum, @bad_result)");
  EXPECT_EQ(invokeError("add", tensors(vector({1}))),
            "@add expects 2 inputs, got 1");
  EXPECT_EQ(invokeError("add", tensors(vector({1}), zeros(DType::i32, {1}))),
            "input 1 of @add: expected ?xf32, got 1xi32");
  EXPECT_EQ(invokeError("transpose", tensors(zeros(DType::f32, {6}))),
            "input 0 of @transpose: expected 2x3xf32, got 6xf32");
  EXPECT_EQ(invokeError("transpose", tensors(zeros(DType::f32, {2, 4}))),
            "input 0 of @transpose: expected 2x3xf32, got 2x4xf32");
}

TEST(ArtifactLoadTest, RejectsMissingFile) {
  EXPECT_EQ(
      SharedLibraryExecutable::load("/nonexistent/a.so").status().message(),
      "artifact '/nonexistent/a.so' does not exist");
}

TEST(ArtifactLoadTest, RejectsNonLibraries) {
  // Unique per process: the test and its sanitized twin may run at once.
  std::string path =
      std::filesystem::temp_directory_path() /
      ("tok-not-a-library." + std::to_string(::getpid()) + ".so");
  std::ofstream(path) << std::string(200, 'x');
  std::string message = SharedLibraryExecutable::load(path).status().message();
  std::filesystem::remove(path);
  // Checked before dlopen, which never sees the file.
  EXPECT_EQ(message, "artifact '" + path +
                         "': not an ELF shared library (no \\x7fELF magic)");
}

TEST(ArtifactLoadTest, RejectsLibrariesWithoutMetadata) {
  EXPECT_EQ(SharedLibraryExecutable::load(TOK_TEST_ARTIFACT_NO_METADATA)
                .status()
                .message(),
            std::string("artifact '") + TOK_TEST_ARTIFACT_NO_METADATA +
                "': has no _tok_metadata symbol (not a tokamak artifact)");
}

TEST(ArtifactLoadTest, RejectsMissingEntries) {
  EXPECT_EQ(SharedLibraryExecutable::load(TOK_TEST_ARTIFACT_MISSING_ENTRY)
                .status()
                .message(),
            std::string("artifact '") + TOK_TEST_ARTIFACT_MISSING_ENTRY +
                "': does not define the function '_tok_entry_ghost', the "
                "entry of @ghost");
}

/// An in-memory Executable, as the JIT provides, over a C++ packed entry.
class FakeExecutable : public Executable {
public:
  explicit FakeExecutable(ModuleMetadata metadata)
      : moduleMetadata(std::move(metadata)) {}
  const ModuleMetadata &metadata() const override { return moduleMetadata; }
  void *lookupEntry(const std::string &symbol) override {
    return symbol == "_tok_entry_negate" ? reinterpret_cast<void *>(&negate)
                                         : nullptr;
  }

private:
  /// negate(x: 2xf32) -> 2xf32, writing a contiguous malloc'ed result.
  static void negate(void **args) {
    auto *input = static_cast<int64_t *>(args[0]);
    auto *result = static_cast<int64_t *>(args[1]);
    float *in = reinterpret_cast<float *>(input[1]) + input[2];
    auto *out = static_cast<float *>(std::malloc(2 * sizeof(float)));
    out[0] = -in[0];
    out[1] = -in[input[4]];
    int64_t descriptor[] = {reinterpret_cast<int64_t>(out),
                            reinterpret_cast<int64_t>(out), 0, 2, 1};
    std::copy(std::begin(descriptor), std::end(descriptor), result);
  }

  ModuleMetadata moduleMetadata;
};

ModuleMetadata fakeMetadata() {
  ModuleMetadata metadata;
  metadata.target.triple = "x86_64-unknown-linux-gnu";
  TensorSignature pair{DType::f32, {2}};
  metadata.functions.push_back({"negate", "_tok_entry_negate", {pair}, {pair}});
  metadata.functions.push_back({"lost", "_tok_entry_lost", {}, {}});
  return metadata;
}

TEST(ExecutableTest, InvokesAnyExecutable) {
  FakeExecutable executable(fakeMetadata());
  StatusOr<std::vector<HostTensor>> results =
      invoke(executable, "negate", tensors(vector({1, -2})));
  ASSERT_TRUE(results.ok()) << results.status().message();
  EXPECT_EQ(elements((*results)[0]), (std::vector<float>{-1, 2}));
  EXPECT_EQ(invoke(executable, "lost", {}).status().message(),
            "the entry symbol '_tok_entry_lost' of @lost is missing from the "
            "executable");
}

TEST(MetadataTest, RoundTripsThroughJson) {
  ModuleMetadata metadata = fakeMetadata();
  metadata.functions[0].inputs[0].shape = {kDynamicDim, 8};
  StatusOr<ModuleMetadata> parsed =
      parseModuleMetadata(printModuleMetadata(metadata));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->target.triple, metadata.target.triple);
  ASSERT_EQ(parsed->functions.size(), 2u);
  EXPECT_EQ(parsed->functions[0].inputs[0].str(), "?x8xf32");
  EXPECT_EQ(parsed->functions[1].entry, "_tok_entry_lost");
}

std::string metadataError(const std::string &json) {
  StatusOr<ModuleMetadata> metadata = parseModuleMetadata(json);
  EXPECT_FALSE(metadata.ok()) << json;
  return metadata.status().message();
}

/// Valid metadata with `function` as its only function.
std::string withFunction(const std::string &function) {
  return R"({"format":"tokamak-artifact","version":1,"target":{"triple":"t",)"
         R"("cpu":"","features":""},"functions":[)" +
         function + "]}";
}

TEST(MetadataTest, RejectsMalformedMetadata) {
  EXPECT_EQ(metadataError("{"),
            "not valid JSON: parse error at line 1, column 2: syntax error "
            "while parsing object key - unexpected end of input; expected "
            "string literal");
  EXPECT_EQ(metadataError("[]"), "expected a JSON object, got an array");
  EXPECT_EQ(metadataError(R"({"format":"onnx"})"),
            "format: expected \"tokamak-artifact\", got \"onnx\"");
  EXPECT_EQ(metadataError(R"({"format":"tokamak-artifact","version":2})"),
            "version: unsupported version 2 (this runtime reads version 1)");
  EXPECT_EQ(metadataError(R"({"format":"tokamak-artifact","version":1})"),
            "missing 'target'");
  EXPECT_EQ(metadataError(R"({"format":"tokamak-artifact","version":1,)"
                          R"("target":{"triple":7}})"),
            "target.triple: expected a string, got a number");
  EXPECT_EQ(metadataError(withFunction(R"({"name":"f"})")),
            "functions[0]: missing 'entry'");
  EXPECT_EQ(metadataError(withFunction(R"({"name":"","entry":"_tok_entry_"})")),
            "functions[0].name: must not be empty");
  EXPECT_EQ(
      metadataError(withFunction(
          R"({"name":"f","entry":"_tok_entry_f","inputs":{},"results":[]})")),
      "functions[0].inputs: expected an array, got an object");
  EXPECT_EQ(metadataError(withFunction(
                R"({"name":"f","entry":"_tok_entry_f","results":[],)"
                R"("inputs":[{"dtype":"f33","shape":[]}]})")),
            "functions[0].inputs[0].dtype: unknown element type 'f33'");
  EXPECT_EQ(metadataError(withFunction(
                R"({"name":"f","entry":"_tok_entry_f","inputs":[],)"
                R"("results":[{"dtype":"f32","shape":[2,-2]}]})")),
            "functions[0].results[0].shape[1]: expected a size or -1 "
            "(dynamic), got -2");
  EXPECT_EQ(metadataError(withFunction(
                R"({"name":"f","entry":"_tok_entry_f","inputs":[],)"
                R"("results":[{"dtype":"f32","shape":[1.5]}]})")),
            "functions[0].results[0].shape[0]: expected a size or -1 "
            "(dynamic), got 1.5");
  EXPECT_EQ(
      metadataError(withFunction(
          R"({"name":"f","entry":"_tok_entry_f","inputs":[],"results":[]},)"
          R"({"name":"f","entry":"_tok_entry_f","inputs":[],"results":[]})")),
      "functions[1].name: duplicate function 'f'");
}

TEST(MetadataTest, RejectsEntriesNotNamedAfterTheirFunction) {
  // Any other symbol (libc's `free`) would be called with the packed
  // arguments.
  EXPECT_EQ(metadataError(withFunction(
                R"({"name":"f","entry":"free","inputs":[],"results":[]})")),
            "functions[0].entry: expected '_tok_entry_f', got 'free'");
  EXPECT_EQ(metadataError(withFunction(
                R"({"name":"f","entry":"_tok_entry_g","inputs":[],)"
                R"("results":[]})")),
            "functions[0].entry: expected '_tok_entry_f', got '_tok_entry_g'");
  // Bytes that are not printable are escaped in the message.
  EXPECT_EQ(metadataError(withFunction(
                R"({"name":"f","entry":"_tok_entry_f\u0000","inputs":[],)"
                R"("results":[]})")),
            "functions[0].entry: expected '_tok_entry_f', got "
            "'_tok_entry_f\\x00'");
}

} // namespace
