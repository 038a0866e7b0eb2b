//===- SafeTensorsTest.cpp - Reading safetensors weights ------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/SafeTensors.h"

#include "gtest/gtest.h"

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

using namespace tokamak::rt;
namespace fs = std::filesystem;

namespace {

/// One tensor for safeTensorsFile(): raw little-endian bytes.
struct TestTensor {
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;
  std::string bytes;
};

template <typename T> std::string bytesOf(const std::vector<T> &values) {
  return std::string(reinterpret_cast<const char *>(values.data()),
                     values.size() * sizeof(T));
}

std::string le64(uint64_t value) {
  std::string bytes;
  for (int i = 0; i < 8; ++i)
    bytes += static_cast<char>((value >> (8 * i)) & 0xff);
  return bytes;
}

/// A safetensors image: the header length, `header` as is, then `data`.
std::string rawImage(const std::string &header, const std::string &data = "") {
  return le64(header.size()) + header + data;
}

/// A well-formed safetensors image holding `tensors` in order, each starting
/// 8-byte aligned (so that a gap may precede it), with the header padded with
/// spaces to a multiple of 8 as the Python writer does. `metadata` is the
/// JSON text of "__metadata__", or empty for none.
std::string safeTensorsFile(const std::vector<TestTensor> &tensors,
                            const std::string &metadata = "") {
  std::string header = "{";
  if (!metadata.empty())
    header += "\"__metadata__\":" + metadata;
  std::string data;
  for (const TestTensor &tensor : tensors) {
    data.resize((data.size() + 7) / 8 * 8, '\0');
    std::string shape;
    for (int64_t dim : tensor.shape)
      shape += (shape.empty() ? "" : ",") + std::to_string(dim);
    if (header.size() > 1)
      header += ",";
    header += "\"" + tensor.name + "\":{\"dtype\":\"" + tensor.dtype +
              "\",\"shape\":[" + shape + "],\"data_offsets\":[" +
              std::to_string(data.size()) + "," +
              std::to_string(data.size() + tensor.bytes.size()) + "]}";
    data += tensor.bytes;
  }
  header += "}";
  header.resize((header.size() + 7) / 8 * 8, ' ');
  return rawImage(header, data);
}

/// Success when `text` contains `part`.
::testing::AssertionResult contains(const std::string &text,
                                    const std::string &part) {
  if (text.find(part) != std::string::npos)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "'" << text << "' does not contain '" << part << "'";
}

/// A valid header for one F32 [2] tensor "w" of 8 bytes, with `field`'s
/// value replaced by `json` (or the field dropped when `json` is empty).
std::string tensorHeader(const std::string &field, const std::string &json) {
  std::string header = "{\"w\":{";
  std::string fields[][2] = {
      {"dtype", "\"F32\""}, {"shape", "[2]"}, {"data_offsets", "[0,8]"}};
  bool first = true;
  for (auto &[key, value] : fields) {
    std::string text = key == field ? json : value;
    if (text.empty())
      continue;
    header += (first ? "\"" : ",\"") + key + "\":" + text;
    first = false;
  }
  return header + "}}";
}

/// Expects string `text` to contain `part` (each evaluated once).
#define EXPECT_CONTAINS(text, part) EXPECT_TRUE(contains(text, part))

class SafeTensorsTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string pattern = fs::temp_directory_path() / "safetensorstest.XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir = pattern;
  }
  void TearDown() override { fs::remove_all(dir); }

  std::string path(const std::string &name) const { return dir / name; }

  /// Writes `bytes` to file `name` in the test directory; returns its path.
  std::string writeFile(const std::string &name, const std::string &bytes) {
    fs::create_directories(fs::path(path(name)).parent_path());
    std::ofstream(path(name), std::ios::binary) << bytes;
    return path(name);
  }

  /// The error of opening `bytes` as a safetensors file, which must start
  /// with the file's path.
  std::string fileError(const std::string &bytes) {
    std::string file = writeFile("bad.safetensors", bytes);
    StatusOr<std::shared_ptr<WeightStore>> store = WeightStore::openFile(file);
    EXPECT_FALSE(store.ok());
    std::string message = store.status().message();
    EXPECT_EQ(message.rfind(file + ": ", 0), 0u) << message;
    return message;
  }

  /// The error of a file with tensorHeader(field, json) and 8 data bytes.
  std::string fieldError(const std::string &field, const std::string &json) {
    return fileError(rawImage(tensorHeader(field, json), std::string(8, '\0')));
  }

  /// The error of opening the test directory as a model.
  std::string directoryError() {
    StatusOr<std::shared_ptr<WeightStore>> store =
        WeightStore::openDirectory(dir);
    EXPECT_FALSE(store.ok());
    return store.status().message();
  }

  fs::path dir;
};

/// Expects the error of fieldError(field, json) to contain `part`.
#define EXPECT_FIELD_ERROR(field, json, part)                                  \
  EXPECT_CONTAINS(fieldError(field, json), part)

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

TEST_F(SafeTensorsTest, RoundTripsOneFile) {
  std::vector<float> weights = {1.5f, -2.0f, 3.25f, 0.0f, 1e-3f, -7.0f};
  std::vector<uint16_t> halves = {f32ToF16(0.5f), f32ToF16(-1.0f),
                                  f32ToF16(65504.0f)};
  std::vector<uint16_t> brains = {f32ToBF16(1.0f), f32ToBF16(-3.0f),
                                  f32ToBF16(256.0f), f32ToBF16(0.125f)};
  std::vector<int64_t> ids = {0, -1, int64_t(1) << 40, 7};
  std::vector<uint8_t> mask = {1, 0, 1};
  std::string file = writeFile(
      "model.safetensors",
      safeTensorsFile({{"model.weight", "F32", {2, 3}, bytesOf(weights)},
                       {"half", "F16", {3}, bytesOf(halves)},
                       {"brain", "BF16", {2, 2}, bytesOf(brains)},
                       {"ids", "I64", {4}, bytesOf(ids)},
                       {"mask", "BOOL", {3}, bytesOf(mask)},
                       {"empty", "F32", {0, 4}, ""}},
                      R"({"format":"pt","note":"hi"})"));
  StatusOr<std::shared_ptr<WeightStore>> store = WeightStore::openFile(file);
  ASSERT_TRUE(store.ok()) << store.status().message();

  std::vector<std::string> names;
  for (const SafeTensorInfo &tensor : (*store)->tensors())
    names.push_back(tensor.name);
  EXPECT_EQ(names, (std::vector<std::string>{"brain", "empty", "half", "ids",
                                             "mask", "model.weight"}));
  EXPECT_EQ((*store)->metadata(), (std::map<std::string, std::string>{
                                      {"format", "pt"}, {"note", "hi"}}));

  const SafeTensorInfo *info = (*store)->find("model.weight");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->dtype, DType::f32);
  EXPECT_EQ(info->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(info->byteSize, 24u);
  EXPECT_EQ(info->file, file);
  EXPECT_EQ(std::memcmp(info->data, weights.data(), 24), 0);
  EXPECT_EQ((*store)->find("model"), nullptr);
  EXPECT_EQ((*store)->find("zzz"), nullptr);

  StatusOr<HostTensor> f32 = (*store)->view("model.weight");
  ASSERT_TRUE(f32.ok()) << f32.status().message();
  EXPECT_EQ(f32->typeString(), "2x3xf32");
  EXPECT_EQ(f32->rawData(), info->data);
  for (size_t i = 0; i < weights.size(); ++i)
    EXPECT_EQ(f32->data<float>()[i], weights[i]);

  StatusOr<HostTensor> f16 = (*store)->view("half");
  ASSERT_TRUE(f16.ok());
  EXPECT_EQ(f16->typeString(), "3xf16");
  EXPECT_EQ(f16ToF32(f16->data<uint16_t>()[0]), 0.5f);
  EXPECT_EQ(f16ToF32(f16->data<uint16_t>()[1]), -1.0f);
  EXPECT_EQ(f16ToF32(f16->data<uint16_t>()[2]), 65504.0f);

  StatusOr<HostTensor> bf16 = (*store)->view("brain");
  ASSERT_TRUE(bf16.ok());
  EXPECT_EQ(bf16->typeString(), "2x2xbf16");
  std::vector<float> expected = {1.0f, -3.0f, 256.0f, 0.125f};
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(bf16ToF32(bf16->data<uint16_t>()[i]), expected[i]);

  StatusOr<HostTensor> i64 = (*store)->view("ids");
  ASSERT_TRUE(i64.ok());
  EXPECT_EQ(i64->typeString(), "4xi64");
  for (size_t i = 0; i < ids.size(); ++i)
    EXPECT_EQ(i64->data<int64_t>()[i], ids[i]);

  StatusOr<HostTensor> i1 = (*store)->view("mask");
  ASSERT_TRUE(i1.ok());
  EXPECT_EQ(i1->typeString(), "3xi1");
  EXPECT_EQ(i1->data<uint8_t>()[1], 0);

  StatusOr<HostTensor> empty = (*store)->view("empty");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->numel(), 0);

  StatusOr<HostTensor> missing = (*store)->view("lm_head.weight");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            file + ": no tensor named 'lm_head.weight'");
}

TEST_F(SafeTensorsTest, ParsesAnImageInMemory) {
  std::vector<int32_t> values = {1, 2, 3};
  std::string image = safeTensorsFile({{"x", "I32", {3}, bytesOf(values)}});
  // Copy into 8-byte aligned storage, as a mapping would be.
  std::vector<uint64_t> storage((image.size() + 7) / 8);
  std::memcpy(storage.data(), image.data(), image.size());
  const auto *bytes = reinterpret_cast<const uint8_t *>(storage.data());
  StatusOr<std::vector<SafeTensorInfo>> tensors =
      parseSafeTensors(bytes, image.size(), "mem");
  ASSERT_TRUE(tensors.ok()) << tensors.status().message();
  ASSERT_EQ(tensors->size(), 1u);
  EXPECT_EQ((*tensors)[0].file, "mem");
  EXPECT_EQ((*tensors)[0].dtype, DType::i32);
  EXPECT_GE(static_cast<const uint8_t *>((*tensors)[0].data), bytes);
  EXPECT_EQ(std::memcmp((*tensors)[0].data, values.data(), 12), 0);

  StatusOr<std::vector<SafeTensorInfo>> bad = parseSafeTensors(bytes, 7, "mem");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "mem: file of 7 bytes is too short for the 8-byte header length");
  EXPECT_FALSE(parseSafeTensors(nullptr, 0, "mem").ok());
}

TEST_F(SafeTensorsTest, IsLenientOnGapsPaddingAndUnknownKeys) {
  // Gaps before and between tensors, trailing bytes, unknown keys (nested),
  // rank 0, an empty tensor sharing an offset, and header padding.
  std::string header =
      R"({"a":{"dtype":"F32","shape":[],"data_offsets":[8,12],"x":{"y":[1,[2]]}},)"
      R"("b":{"dtype":"U8","shape":[2],"data_offsets":[13,15],"note":null},)"
      R"("c":{"dtype":"F64","shape":[0],"data_offsets":[8,8]}}      )";
  StatusOr<std::shared_ptr<WeightStore>> store = WeightStore::openFile(
      writeFile("gaps.safetensors", rawImage(header, std::string(32, '\1'))));
  ASSERT_TRUE(store.ok()) << store.status().message();
  ASSERT_EQ((*store)->tensors().size(), 3u);
  EXPECT_TRUE((*store)->find("a")->shape.empty());
  EXPECT_EQ((*store)->find("b")->byteSize, 2u);
  EXPECT_TRUE((*store)->metadata().empty());

  // An empty header.
  store = WeightStore::openFile(writeFile("none.safetensors", rawImage("{}")));
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_TRUE((*store)->tensors().empty());
}

TEST_F(SafeTensorsTest, ViewKeepsTheMappingAlive) {
  std::vector<float> values = {4.0f, 5.0f};
  std::string file =
      writeFile("model.safetensors",
                safeTensorsFile({{"w", "F32", {2}, bytesOf(values)}}));
  auto mapped = [&] {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    int count = 0;
    while (std::getline(maps, line))
      count += line.find(file) != std::string::npos;
    return count;
  };

  StatusOr<HostTensor> view = Status::error("unset");
  {
    StatusOr<std::shared_ptr<WeightStore>> store =
        WeightStore::openDirectory(dir);
    ASSERT_TRUE(store.ok()) << store.status().message();
    EXPECT_EQ(mapped(), 1);
    view = (*store)->view("w");
    ASSERT_TRUE(view.ok());
  }
  // The store is gone; the view still reads the mapped bytes.
  EXPECT_EQ(mapped(), 1);
  EXPECT_EQ(view->data<float>()[0], 4.0f);
  EXPECT_EQ(view->data<float>()[1], 5.0f);
  view = Status::error("dropped");
  EXPECT_EQ(mapped(), 0);
}

TEST_F(SafeTensorsTest, OpensAShardedDirectory) {
  std::vector<float> a = {1, 2}, b = {3, 4, 5}, c = {6};
  writeFile("model-00001-of-00002.safetensors",
            safeTensorsFile(
                {{"a", "F32", {2}, bytesOf(a)}, {"c", "F32", {1}, bytesOf(c)}},
                R"({"format":"pt"})"));
  writeFile("model-00002-of-00002.safetensors",
            safeTensorsFile({{"b", "F32", {3}, bytesOf(b)}},
                            R"({"format":"other"})"));
  writeFile("model.safetensors.index.json",
            R"({"metadata": {"total_size": 24, "nested": [[{}]]},
                "weight_map": {
                  "a": "model-00001-of-00002.safetensors",
                  "b": "model-00002-of-00002.safetensors",
                  "c": "model-00001-of-00002.safetensors"}})");
  StatusOr<std::shared_ptr<WeightStore>> store =
      WeightStore::openDirectory(dir.string() + "/");
  ASSERT_TRUE(store.ok()) << store.status().message();
  ASSERT_EQ((*store)->tensors().size(), 3u);
  EXPECT_EQ((*store)->tensors()[1].name, "b");
  EXPECT_EQ((*store)->find("b")->file,
            path("model-00002-of-00002.safetensors"));
  EXPECT_EQ((*store)->find("c")->file,
            path("model-00001-of-00002.safetensors"));
  EXPECT_EQ((*store)->metadata().at("format"), "pt");

  StatusOr<HostTensor> view = (*store)->view("b");
  ASSERT_TRUE(view.ok());
  store = Status::error("dropped");
  EXPECT_EQ(view->data<float>()[2], 5.0f);
}

TEST_F(SafeTensorsTest, PrefersModelSafetensorsOverAnIndex) {
  std::vector<float> a = {1};
  writeFile("model.safetensors",
            safeTensorsFile({{"single", "F32", {1}, bytesOf(a)}}));
  writeFile("model.safetensors.index.json", "not even json");
  StatusOr<std::shared_ptr<WeightStore>> store =
      WeightStore::openDirectory(dir);
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_NE((*store)->find("single"), nullptr);
}

TEST_F(SafeTensorsTest, DTypeNamesRoundTrip) {
  for (DType dtype :
       {DType::f64, DType::f32, DType::f16, DType::bf16, DType::i64, DType::i32,
        DType::i16, DType::i8, DType::u16, DType::u8, DType::i1}) {
    StatusOr<DType> parsed = parseSafeTensorsDType(safeTensorsDTypeName(dtype));
    ASSERT_TRUE(parsed.ok()) << safeTensorsDTypeName(dtype);
    EXPECT_EQ(*parsed, dtype);
  }
  EXPECT_EQ(safeTensorsDTypeName(DType::bf16), "BF16");
  EXPECT_EQ(safeTensorsDTypeName(DType::i1), "BOOL");
  for (const char *name : {"f32", "I1", "U32", "F8_E4M3", "", "BOOL "})
    EXPECT_FALSE(parseSafeTensorsDType(name).ok()) << name;
  EXPECT_EQ(parseSafeTensorsDType("U64").status().message(),
            "unsupported dtype 'U64' (supported: F64, F32, F16, BF16, I64, "
            "I32, I16, I8, U16, U8, BOOL)");
}

//===----------------------------------------------------------------------===//
// Bad files
//===----------------------------------------------------------------------===//

TEST_F(SafeTensorsTest, RejectsWhatIsNotARegularFile) {
  StatusOr<std::shared_ptr<WeightStore>> store =
      WeightStore::openFile(dir.string());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().message(),
            dir.string() + ": is a directory, not a file");

  store = WeightStore::openFile(path("absent.safetensors"));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().message(), "cannot open '" +
                                          path("absent.safetensors") +
                                          "': no such file or directory");

  // A FIFO with no writer: a blocking open would hang here.
  std::string fifo = path("model.safetensors");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  store = WeightStore::openFile(fifo);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().message(), fifo + ": not a regular file");
  store = WeightStore::openDirectory(dir);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().message(), fifo + ": not a regular file");
}

TEST_F(SafeTensorsTest, RejectsBadHeaderLengths) {
  EXPECT_CONTAINS(fileError(""), ": empty file");
  EXPECT_CONTAINS(fileError(std::string("\x10\0\0", 3)),
                  ": file of 3 bytes is too short for the 8-byte header "
                  "length");
  EXPECT_CONTAINS(fileError(le64(0) + "{}"), ": header length is 0");
  EXPECT_CONTAINS(fileError(le64(100'000'001) + "{}"),
                  ": header of 100000001 bytes is over the 100 MB limit");
  EXPECT_CONTAINS(fileError(le64(uint64_t(-1)) + "{}"),
                  ": header of 18446744073709551615 bytes is over the 100 MB "
                  "limit");
  EXPECT_CONTAINS(fileError(le64(40) + "{}"),
                  ": header of 40 bytes runs past the end of the file (2 "
                  "bytes follow the length)");
}

TEST_F(SafeTensorsTest, RejectsHeadersThatAreNotJsonObjects) {
  EXPECT_CONTAINS(fileError(rawImage("{\"w\":")),
                  ": header is not valid JSON: parse error");
  EXPECT_CONTAINS(fileError(rawImage("{} x")),
                  ": header is not valid JSON: parse error");
  // nlohmann-json would take a NUL byte for the end of the input.
  EXPECT_CONTAINS(fileError(rawImage(std::string("{}\0x", 4))),
                  ": header is not valid JSON: NUL byte at offset 10");
  EXPECT_CONTAINS(fileError(rawImage("[1, 2]")),
                  ": header is not a JSON object, got an array");
  EXPECT_CONTAINS(fileError(rawImage("\"w\"")),
                  ": header is not a JSON object, got a string");
  // Invalid UTF-8 in a name, and outside any string.
  EXPECT_CONTAINS(fileError(rawImage("{\"\xff\xfe\":{}}")),
                  "header is not valid JSON: parse error at line 1, column 3: "
                  "syntax error while parsing object key - invalid string: "
                  "ill-formed UTF-8 byte");
  EXPECT_CONTAINS(fileError(rawImage("{\xc3\xa9}")),
                  "header is not valid JSON");
  // Nesting in an ignored key is bounded.
  std::string deep =
      "{\"w\":{\"x\":" + std::string(100, '[') + std::string(100, ']') + "}}";
  EXPECT_CONTAINS(fileError(rawImage(deep)),
                  ": header nests deeper than 64 levels");
}

TEST_F(SafeTensorsTest, RejectsBadTensorEntries) {
  EXPECT_CONTAINS(fileError(rawImage(R"({"w":[1]})")),
                  ": tensor 'w': expected an object, got an array");
  EXPECT_CONTAINS(fileError(rawImage(R"({"w":7})")),
                  ": tensor 'w': expected an object, got a number");
  for (const char *field : {"dtype", "shape", "data_offsets"})
    EXPECT_FIELD_ERROR(field, "",
                       std::string(": tensor 'w': missing '") + field + "'");
  EXPECT_FIELD_ERROR("dtype", "4",
                     ": tensor 'w': 'dtype' must be a string, got a number");
  EXPECT_FIELD_ERROR("dtype", "[\"F32\"]",
                     ": tensor 'w': 'dtype' must be a string, got an array");
  EXPECT_FIELD_ERROR("dtype", "\"F8_E4M3\"",
                     ": tensor 'w': unsupported dtype 'F8_E4M3' (supported: "
                     "F64, F32, F16, BF16, I64, I32, I16, I8, U16, U8, BOOL)");
  EXPECT_FIELD_ERROR("dtype", "\"f32\"",
                     ": tensor 'w': unsupported dtype 'f32'");
  EXPECT_FIELD_ERROR(
      "shape", "{}",
      ": tensor 'w': 'shape' must be an array of integers, got an object");
  EXPECT_FIELD_ERROR("shape", "[2.0]",
                     ": tensor 'w': 'shape' must hold integers, got 2.0");
  EXPECT_FIELD_ERROR("shape", "[\"2\"]",
                     ": tensor 'w': 'shape' must hold integers, got a string");
  EXPECT_FIELD_ERROR("shape", "[[2]]",
                     ": tensor 'w': 'shape' must hold integers, got an array");
  EXPECT_FIELD_ERROR("shape", "[2, -1]",
                     ": tensor 'w': negative dimension -1 in 'shape'");
  EXPECT_FIELD_ERROR("shape", "[18446744073709551615]",
                     ": tensor 'w': dimension 18446744073709551615 in "
                     "'shape' is too large");
  EXPECT_FIELD_ERROR("shape", "[1099511627776, 1099511627776]",
                     ": tensor 'w': shape 1099511627776x1099511627776xf32 is "
                     "too large (over 2^48 bytes)");
  std::string rank65 = "[1";
  for (int i = 0; i < 64; ++i)
    rank65 += ",1";
  EXPECT_FIELD_ERROR("shape", rank65 + "]",
                     ": tensor 'w': 'shape' has over 64 dimensions");
  EXPECT_FIELD_ERROR("data_offsets", "\"0,8\"",
                     ": tensor 'w': 'data_offsets' must be an array of "
                     "integers, got a string");
  EXPECT_FIELD_ERROR("data_offsets", "[0, -8]",
                     ": tensor 'w': negative offset -8 in 'data_offsets'");
  EXPECT_FIELD_ERROR("data_offsets", "[0, 8, 16]",
                     ": tensor 'w': 'data_offsets' must be [begin, end], got "
                     "more than 2 values");
  EXPECT_FIELD_ERROR("data_offsets", "[8]",
                     ": tensor 'w': 'data_offsets' must be [begin, end], got "
                     "1 values");
  EXPECT_FIELD_ERROR("data_offsets", "[8, 0]",
                     ": tensor 'w': 'data_offsets' [8, 0] end before they "
                     "begin");
  EXPECT_FIELD_ERROR("data_offsets", "[8, 16]",
                     ": tensor 'w': 'data_offsets' [8, 16] run past the end "
                     "of the 8-byte data section");
  EXPECT_FIELD_ERROR("data_offsets", "[0, 18446744073709551615]",
                     "run past the end of the 8-byte data section");
  EXPECT_FIELD_ERROR("data_offsets", "[0, 4]",
                     ": tensor 'w': 'data_offsets' [0, 4] hold 4 bytes, but "
                     "2xf32 needs 8");
  EXPECT_FIELD_ERROR("data_offsets", "[1e3, 4]",
                     ": tensor 'w': 'data_offsets' must hold integers, got "
                     "1e3");
  std::string unaligned =
      R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}})";
  EXPECT_CONTAINS(fileError(rawImage(unaligned, std::string(8, '\0'))),
                  ": tensor 'w': data offset 2 is not a multiple of the "
                  "4-byte element size (unaligned)");
}

TEST_F(SafeTensorsTest, RejectsDuplicatesAndOverlaps) {
  std::string tensor = R"({"dtype":"U8","shape":[4],"data_offsets":[0,4]})";
  EXPECT_CONTAINS(
      fileError(rawImage("{\"w\":" + tensor + ",\"w\":" + tensor + "}",
                         std::string(4, '\0'))),
      ": duplicate tensor 'w'");
  EXPECT_CONTAINS(
      fileError(rawImage(
          R"({"w":{"dtype":"U8","dtype":"U8","shape":[4],"data_offsets":[0,4]}})",
          std::string(4, '\0'))),
      ": tensor 'w': duplicate key 'dtype'");
  EXPECT_CONTAINS(
      fileError(
          rawImage(R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
                   R"("e":{"dtype":"U8","shape":[0],"data_offsets":[2,2]},)"
                   R"("b":{"dtype":"U8","shape":[2],"data_offsets":[8,10]},)"
                   R"("c":{"dtype":"U8","shape":[4],"data_offsets":[3,7]}})",
                   std::string(10, '\0'))),
      ": tensors 'a' and 'c' overlap (bytes [0, 4) and [3, 7) of the data "
      "section)");
  EXPECT_CONTAINS(fileError(rawImage(
                      R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
                      R"("b":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}})",
                      std::string(4, '\0'))),
                  ": tensors 'a' and 'b' overlap (bytes [0, 4) and [0, 4)");
}

TEST_F(SafeTensorsTest, RejectsBadMetadata) {
  EXPECT_CONTAINS(fileError(rawImage(R"({"__metadata__":"pt"})")),
                  ": '__metadata__' must be an object of strings, got a "
                  "string");
  EXPECT_CONTAINS(fileError(rawImage(R"({"__metadata__":{"n":1}})")),
                  ": '__metadata__' value 'n' must be a string, got a number");
  EXPECT_CONTAINS(fileError(rawImage(R"({"__metadata__":{"n":{}}})")),
                  ": '__metadata__' value 'n' must be a string, got an object");
  EXPECT_CONTAINS(fileError(rawImage(R"({"__metadata__":{"n":"1","n":"2"}})")),
                  ": duplicate '__metadata__' key 'n'");
  EXPECT_CONTAINS(
      fileError(rawImage(R"({"__metadata__":{},"__metadata__":{}})")),
      ": duplicate '__metadata__'");
}

TEST_F(SafeTensorsTest, ClipsHostileNamesInMessages) {
  std::string name(10000, 'n');
  std::string message = fileError(rawImage("{\"" + name + "\":[]}"));
  EXPECT_LT(message.size(), 600u);
  EXPECT_CONTAINS(message, "nnn...': expected an object, got an array");
  EXPECT_CONTAINS(fileError(rawImage("{\"a\\nb\\u0000\":[]}")),
                  ": tensor 'a\\x0ab\\x00': expected an object");
}

//===----------------------------------------------------------------------===//
// Bad sharded directories
//===----------------------------------------------------------------------===//

TEST_F(SafeTensorsTest, RejectsADirectoryWithoutWeights) {
  EXPECT_EQ(directoryError(),
            dir.string() +
                ": no model.safetensors or model.safetensors.index.json");
  StatusOr<std::shared_ptr<WeightStore>> store =
      WeightStore::openDirectory(path("absent"));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().message(),
            "cannot open '" + path("absent") + "': no such file or directory");
  std::string file = writeFile("file", "x");
  store = WeightStore::openDirectory(file);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().message(), file + ": not a directory");
}

TEST_F(SafeTensorsTest, RejectsBadIndexes) {
  std::vector<float> a = {1, 2};
  std::string shard = safeTensorsFile({{"a", "F32", {2}, bytesOf(a)}});
  writeFile("s1.safetensors", shard);
  writeFile("s2.safetensors", shard);
  writeFile("sub/s3.safetensors", shard);
  std::vector<float> b = {3};
  writeFile("only-a.safetensors", shard);
  writeFile("only-b.safetensors",
            safeTensorsFile({{"b", "F32", {1}, bytesOf(b)}}));
  std::string index = path("model.safetensors.index.json");
  auto indexError = [&](const std::string &json) {
    writeFile("model.safetensors.index.json", json);
    std::string message = directoryError();
    EXPECT_EQ(message.rfind(index + ": ", 0), 0u) << message;
    return message;
  };

  EXPECT_CONTAINS(indexError("{\"weight_map\": {"),
                  ": index is not valid JSON: parse error");
  EXPECT_CONTAINS(indexError("[]"),
                  ": index is not a JSON object, got an array");
  EXPECT_CONTAINS(indexError(std::string("{}\0x", 4)),
                  ": index is not valid JSON: NUL byte at offset 2");
  EXPECT_CONTAINS(indexError(R"({"metadata": {}})"), ": missing 'weight_map'");
  EXPECT_CONTAINS(indexError("{\"metadata\": " + std::string(70, '[') +
                             std::string(70, ']') + "}"),
                  ": index nests deeper than 64 levels");
  EXPECT_CONTAINS(indexError(R"({"weight_map": {}})"),
                  ": 'weight_map' lists no tensors");
  EXPECT_CONTAINS(indexError(R"({"weight_map": ["a"]})"),
                  ": 'weight_map' must be an object, got an array");
  EXPECT_CONTAINS(indexError(R"({"weight_map": {"a": 1}})"),
                  ": 'weight_map' entry 'a' must be a string, got a number");
  EXPECT_CONTAINS(
      indexError(
          R"({"weight_map": {"a": "s1.safetensors", "a": "s1.safetensors"}})"),
      ": tensor 'a' is listed twice in 'weight_map'");
  EXPECT_CONTAINS(indexError(R"({"weight_map": {}, "weight_map": {}})"),
                  ": duplicate key 'weight_map'");
  for (const char *hostile :
       {"../s1.safetensors", "sub/s3.safetensors", "/etc/passwd", "..", ""})
    EXPECT_CONTAINS(
        indexError(std::string(R"({"weight_map": {"a": ")") + hostile + "\"}}"),
        std::string(": shard '") + hostile +
            "' of tensor 'a' is not a plain file name (no '/' or "
            "'..')");
  EXPECT_CONTAINS(
      indexError(R"({"weight_map": {"a": "s1.safetensors\u0000x"}})"),
      "is not a plain file name");
  EXPECT_CONTAINS(indexError(R"({"weight_map": {"a": "s1.safetensors",)"
                             R"( "b": "s1.safetensors"}})"),
                  ": tensor 'b' is listed in shard 's1.safetensors' but "
                  "missing from it");
  EXPECT_CONTAINS(indexError(R"({"weight_map": {"a": "only-b.safetensors",)"
                             R"( "b": "only-a.safetensors"}})"),
                  ": tensor 'a' is listed in shard 'only-b.safetensors' but "
                  "found in 'only-a.safetensors'");
  EXPECT_CONTAINS(indexError(R"({"weight_map": {"a": "s1.safetensors",)"
                             R"( "x": "s2.safetensors"}})"),
                  ": tensor 'a' is in both 's1.safetensors' and "
                  "'s2.safetensors'");

  // Errors inside a shard name the shard.
  writeFile("model.safetensors.index.json",
            R"({"weight_map": {"a": "absent.safetensors"}})");
  EXPECT_EQ(directoryError(), "cannot open '" + path("absent.safetensors") +
                                  "': no such file or directory");
  writeFile("bad.safetensors", le64(0));
  writeFile("model.safetensors.index.json",
            R"({"weight_map": {"a": "bad.safetensors"}})");
  EXPECT_EQ(directoryError(), path("bad.safetensors") + ": header length is 0");

  // A FIFO index does not block.
  fs::remove(index);
  ASSERT_EQ(::mkfifo(index.c_str(), 0600), 0);
  EXPECT_EQ(directoryError(), index + ": not a regular file");
}

} // namespace
