//===- NpyTest.cpp - Reading and writing .npy files -----------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/Npy.h"

#include "gtest/gtest.h"

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <thread>

using namespace tokamak::rt;
namespace fs = std::filesystem;

namespace {

class NpyTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "npytest.XXXXXX");
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir = pattern;
  }
  void TearDown() override { fs::remove_all(dir); }

  std::string path(const std::string &name) const { return dir / name; }

  /// Writes `bytes` to a file in the test directory; returns its path.
  std::string writeFile(const std::string &name, const std::string &bytes) {
    std::ofstream(path(name), std::ios::binary) << bytes;
    return path(name);
  }

  std::string readFile(const std::string &file) {
    std::ifstream stream(file, std::ios::binary);
    std::stringstream bytes;
    bytes << stream.rdbuf();
    return bytes.str();
  }

  /// The message of the error reading `bytes` as .npy file `name`.
  std::string readError(const std::string &name, const std::string &bytes) {
    StatusOr<HostTensor> tensor = readNpy(writeFile(name, bytes));
    EXPECT_FALSE(tensor.ok());
    return tensor.status().message();
  }

  fs::path dir;
};

/// A .npy file of version `major`.0 with header `dict` (padded as NumPy
/// does) and raw `data`.
std::string npyFile(int major, const std::string &dict,
                    const std::string &data) {
  size_t lengthSize = major == 1 ? 2 : 4;
  std::string header = dict;
  while ((8 + lengthSize + header.size() + 1) % 64 != 0)
    header += ' ';
  header += '\n';
  std::string bytes = "\x93NUMPY";
  bytes += static_cast<char>(major);
  bytes += '\0';
  for (size_t i = 0; i < lengthSize; ++i)
    bytes += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  return bytes + header + data;
}

std::string floatBytes(const std::vector<float> &values) {
  return std::string(reinterpret_cast<const char *>(values.data()),
                     values.size() * sizeof(float));
}

const char *kDict23 = "{'descr': '<f4', 'fortran_order': False, "
                      "'shape': (2, 3), }";

/// A tensor whose bytes are a pattern that is valid for `dtype`.
HostTensor patterned(DType dtype, std::vector<int64_t> shape) {
  StatusOr<HostTensor> tensor = HostTensor::create(dtype, std::move(shape));
  EXPECT_TRUE(tensor.ok());
  auto *bytes = static_cast<unsigned char *>(tensor->rawData());
  for (size_t i = 0; i < tensor->byteSize(); ++i)
    bytes[i] = dtype == DType::i1 ? (i % 3 == 0)
                                  : static_cast<unsigned char>(i * 37 + 11);
  return std::move(*tensor);
}

TEST_F(NpyTest, RoundTripsEveryDType) {
  const DType dtypes[] = {DType::f32, DType::f16, DType::bf16, DType::f64,
                          DType::i8,  DType::i16, DType::i32,  DType::i64,
                          DType::u8,  DType::u16, DType::i1};
  const std::vector<int64_t> shapes[] = {{2, 3}, {5}, {}, {0, 4}, {2, 1, 3}};
  for (DType dtype : dtypes) {
    for (const std::vector<int64_t> &shape : shapes) {
      SCOPED_TRACE(formatTensorType(shape, dtype));
      HostTensor tensor = patterned(dtype, shape);
      std::string file = path("round.npy");
      ASSERT_TRUE(writeNpy(file, tensor).ok());
      StatusOr<HostTensor> read = readNpy(file);
      ASSERT_TRUE(read.ok()) << read.status().message();
      // NumPy has no bf16: it comes back as its raw u16 bits.
      EXPECT_EQ(read->dtype(), dtype == DType::bf16 ? DType::u16 : dtype);
      StatusOr<HostTensor> coerced = coerceTo(std::move(*read), dtype);
      ASSERT_TRUE(coerced.ok()) << coerced.status().message();
      EXPECT_EQ(coerced->dtype(), dtype);
      EXPECT_EQ(coerced->shape(), shape);
      ASSERT_EQ(coerced->byteSize(), tensor.byteSize());
      EXPECT_EQ(
          std::memcmp(coerced->rawData(), tensor.rawData(), tensor.byteSize()),
          0);
    }
  }
}

TEST_F(NpyTest, WritesNumPyLayout) {
  HostTensor tensor = patterned(DType::bf16, {2, 3});
  ASSERT_TRUE(writeNpy(path("a.npy"), tensor).ok());
  std::string bytes = readFile(path("a.npy"));
  ASSERT_GE(bytes.size(), 10u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  size_t headerSize = static_cast<unsigned char>(bytes[8]) |
                      static_cast<unsigned char>(bytes[9]) << 8;
  // The data starts 64-byte aligned, after a newline-terminated header.
  EXPECT_EQ((10 + headerSize) % 64, 0u);
  EXPECT_EQ(bytes[10 + headerSize - 1], '\n');
  EXPECT_EQ(bytes.substr(10, 59),
            "{'descr': '<u2', 'fortran_order': False, 'shape': (2, 3), }");
  EXPECT_EQ(bytes.size(), 10 + headerSize + 12);

  HostTensor vector = patterned(DType::f16, {7});
  ASSERT_TRUE(writeNpy(path("b.npy"), vector).ok());
  EXPECT_EQ(readFile(path("b.npy")).substr(10, 57),
            "{'descr': '<f2', 'fortran_order': False, 'shape': (7,), }");
}

TEST_F(NpyTest, ReadsVersion2And3Headers) {
  std::vector<float> values = {1, 2, 3, 4, 5, 6};
  for (int major : {2, 3}) {
    StatusOr<HostTensor> tensor = readNpy(
        writeFile("v.npy", npyFile(major, kDict23, floatBytes(values))));
    ASSERT_TRUE(tensor.ok()) << tensor.status().message();
    EXPECT_EQ(tensor->shape(), (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(tensor->data<float>()[5], 6.0f);
  }
}

TEST_F(NpyTest, ReadsHeaderVariants) {
  // Double quotes, another key order, no trailing comma, Python 2 longs.
  std::string dict =
      "{\"shape\": (2L,3L), 'fortran_order': False, 'descr': '|u1'}";
  StatusOr<HostTensor> tensor =
      readNpy(writeFile("v.npy", npyFile(1, dict, "abcdef")));
  ASSERT_TRUE(tensor.ok()) << tensor.status().message();
  EXPECT_EQ(tensor->dtype(), DType::u8);
  EXPECT_EQ(tensor->shape(), (std::vector<int64_t>{2, 3}));
}

TEST_F(NpyTest, RejectsMissingFile) {
  StatusOr<HostTensor> tensor = readNpy(path("absent.npy"));
  ASSERT_FALSE(tensor.ok());
  EXPECT_EQ(tensor.status().message(), "cannot open '" + path("absent.npy") +
                                           "': no such file or directory");
}

TEST_F(NpyTest, RejectsBadMagic) {
  EXPECT_EQ(readError("bad.npy", "PK\x03\x04 this is a zip file"),
            path("bad.npy") + ": not a .npy file (no \\x93NUMPY magic)");
  EXPECT_EQ(readError("empty.npy", ""),
            path("empty.npy") + ": not a .npy file (no \\x93NUMPY magic)");
}

TEST_F(NpyTest, RejectsUnsupportedVersion) {
  std::string bytes = npyFile(1, kDict23, floatBytes({1, 2, 3, 4, 5, 6}));
  bytes[6] = 4;
  EXPECT_EQ(readError("v4.npy", bytes),
            path("v4.npy") +
                ": unsupported .npy version 4.0 (supported: 1.0, 2.0, 3.0)");
}

TEST_F(NpyTest, RejectsTruncatedFiles) {
  std::string bytes = npyFile(1, kDict23, floatBytes({1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(readError("t.npy", bytes.substr(0, 9)),
            path("t.npy") + ": truncated header");
  EXPECT_EQ(readError("t.npy", bytes.substr(0, 40)),
            path("t.npy") + ": truncated header (it claims 118 bytes)");
  EXPECT_EQ(readError("t.npy", bytes.substr(0, bytes.size() - 4)),
            path("t.npy") + ": truncated data: the header says 2x3xf32, "
                            "which needs 24 bytes, but the file has 20");
}

TEST_F(NpyTest, RejectsHeaderLies) {
  // The header promises more data than the file holds, or less.
  std::string dict = "{'descr': '<f8', 'fortran_order': False, "
                     "'shape': (4, 4), }";
  EXPECT_EQ(readError("lie.npy", npyFile(1, dict, std::string(100, 'x'))),
            path("lie.npy") + ": truncated data: the header says 4x4xf64, "
                              "which needs 128 bytes, but the file has 100");
  EXPECT_EQ(readError("lie.npy", npyFile(1, dict, std::string(130, 'x'))),
            path("lie.npy") + ": 2 unexpected bytes after the 4x4xf64 data");
}

TEST_F(NpyTest, RejectsAbsurdShapes) {
  std::string overflow = "{'descr': '<f4', 'fortran_order': False, "
                         "'shape': (4294967296, 4294967296, 16), }";
  EXPECT_EQ(readError("big.npy", npyFile(1, overflow, "")),
            path("big.npy") + ": shape 4294967296x4294967296x16xf32 is too "
                              "large (over 2^48 bytes)");
  std::string huge = "{'descr': '<f4', 'fortran_order': False, "
                     "'shape': (99999999999999999999,), }";
  EXPECT_EQ(readError("big.npy", npyFile(1, huge, "")),
            path("big.npy") + ": dimension in 'shape' overflows 64 bits");
  std::string negative = "{'descr': '<f4', 'fortran_order': False, "
                         "'shape': (-1,), }";
  EXPECT_EQ(readError("neg.npy", npyFile(1, negative, "")),
            path("neg.npy") + ": malformed header: expected a non-negative "
                              "dimension at offset 51");
}

TEST_F(NpyTest, RejectsFortranOrder) {
  std::string dict = "{'descr': '<f4', 'fortran_order': True, "
                     "'shape': (2, 3), }";
  EXPECT_EQ(
      readError("f.npy", npyFile(1, dict, floatBytes({1, 2, 3, 4, 5, 6}))),
      path("f.npy") + ": fortran-order arrays are not supported (save a "
                      "C order array: np.ascontiguousarray(arr))");
}

TEST_F(NpyTest, RejectsUnsupportedDTypes) {
  auto dictFor = [](const std::string &descr) {
    return "{'descr': '" + descr +
           "', 'fortran_order': False, 'shape': (1,), }";
  };
  EXPECT_EQ(readError("be.npy", npyFile(1, dictFor(">f4"), "abcd")),
            path("be.npy") + ": big-endian data ('>f4') is not supported "
                             "(convert with "
                             "arr.astype(arr.dtype.newbyteorder('<')))");
  EXPECT_EQ(readError("obj.npy", npyFile(1, dictFor("|O"), "abcdefgh")),
            path("obj.npy") + ": object arrays are not supported");
  EXPECT_EQ(readError("c.npy", npyFile(1, dictFor("<c8"), "abcdefgh")),
            path("c.npy") + ": unsupported dtype '<c8'");
  std::string structured = "{'descr': [('a', '<f4')], 'fortran_order': "
                           "False, 'shape': (1,), }";
  EXPECT_EQ(readError("s.npy", npyFile(1, structured, "abcd")),
            path("s.npy") + ": structured dtypes are not supported");
}

TEST_F(NpyTest, RejectsMalformedHeaders) {
  EXPECT_EQ(readError("m.npy",
                      npyFile(1, "{'descr': '<f4', 'shape': (1,), }", "abcd")),
            path("m.npy") + ": malformed header: missing 'fortran_order'");
  EXPECT_EQ(readError("m.npy", npyFile(1,
                                       "{'descr': '<f4', 'fortran_order': "
                                       "False, 'shape': (1,), 'extra': 1}",
                                       "abcd")),
            path("m.npy") +
                ": malformed header: unexpected key 'extra' at offset 65");
  EXPECT_EQ(readError("m.npy", npyFile(1, "not a dict", "")),
            path("m.npy") + ": malformed header: expected '{' at offset 0");
}

TEST_F(NpyTest, NamesTheRealCause) {
  // Issue 13: a descr holding a NUL was cut there in the message.
  std::string nul = "{'descr': '<f4" + std::string(1, '\0') +
                    "', 'fortran_order': False, 'shape': (1,), }";
  EXPECT_EQ(readError("nul.npy", npyFile(1, nul, "abcd")),
            path("nul.npy") + ": unsupported dtype '<f4\\x00'");
  // A header length one byte short was reported as "unexpected bytes after
  // the data".
  std::string bytes = npyFile(1, kDict23, floatBytes({1, 2, 3, 4, 5, 6}));
  bytes[8] = static_cast<char>(bytes[8] - 1);
  EXPECT_EQ(readError("short.npy", bytes),
            path("short.npy") +
                ": malformed header: its 117 bytes (the header length field) "
                "do not end with a newline; the header length is wrong or the "
                "header is damaged");
  // A |b1 array holding bytes other than 0 and 1 was accepted as i1.
  std::string bools = "{'descr': '|b1', 'fortran_order': False, "
                      "'shape': (4,), }";
  EXPECT_EQ(readError("b1.npy", npyFile(1, bools, std::string("\1\0\2\1", 4))),
            path("b1.npy") + ": element 2 of the |b1 (bool) data is 2, not 0 "
                             "or 1");
  EXPECT_EQ(
      readError("b1.npy", npyFile(1, bools, std::string("\1\0\1\xff", 4))),
      path("b1.npy") + ": element 3 of the |b1 (bool) data is 255, not "
                       "0 or 1");
  StatusOr<HostTensor> valid = readNpy(
      writeFile("ok.npy", npyFile(1, bools, std::string("\1\0\1\0", 4))));
  ASSERT_TRUE(valid.ok()) << valid.status().message();
  EXPECT_EQ(valid->dtype(), DType::i1);
}

TEST_F(NpyTest, ChecksTheHeaderBeforeReadingData) {
  // Issue 13, item 11: a header claiming (536870912, 4) through a pipe
  // allocated 8 GiB before "truncated data". The caller's check sees the
  // header first; a pipe is read in chunks, allocated as data arrives.
  std::string huge = "{'descr': '<f4', 'fortran_order': False, "
                     "'shape': (536870912, 4), }";
  NpyHeaderCheck expect2x3 = [](DType dtype,
                                const std::vector<int64_t> &shape) {
    if (dtype == DType::f32 && shape == std::vector<int64_t>{2, 3})
      return Status::success();
    return Status::error("expected 2x3xf32, got " +
                         formatTensorType(shape, dtype));
  };
  std::string file = writeFile("huge.npy", npyFile(1, huge, ""));
  EXPECT_EQ(readNpy(file, expect2x3).status().message(),
            file + ": expected 2x3xf32, got 536870912x4xf32");

  std::string fifo = path("pipe.npy");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string header = npyFile(1, huge, "");
  std::thread writer([&] { std::ofstream(fifo, std::ios::binary) << header; });
  StatusOr<HostTensor> piped = readNpy(fifo);
  writer.join();
  ASSERT_FALSE(piped.ok());
  EXPECT_EQ(piped.status().message(),
            fifo + ": truncated data: the header says 536870912x4xf32, which "
                   "needs 8589934592 bytes, but the file has 0");
}

TEST_F(NpyTest, RejectsDirectories) {
  EXPECT_EQ(readNpy(dir).status().message(),
            dir.string() + ": is a directory, not a .npy file");
}

TEST_F(NpyTest, FailedWriteLeavesNoFile) {
  HostTensor tensor = patterned(DType::f32, {2, 3});
  std::string missingDir = path("missing/out.npy");
  Status status = writeNpy(missingDir, tensor);
  EXPECT_EQ(status.message(),
            "cannot write '" + missingDir + "': no such file or directory");

  // A directory is refused before anything is written: no temporary file
  // is made and the directory is untouched.
  fs::create_directory(path("taken"));
  status = writeNpy(path("taken"), tensor);
  EXPECT_EQ(status.message(),
            "cannot write '" + path("taken") + "': is a directory");
  int entries = 0;
  for ([[maybe_unused]] const auto &entry : fs::directory_iterator(dir))
    ++entries;
  EXPECT_EQ(entries, 1);
  EXPECT_TRUE(fs::is_directory(path("taken")));
}

TEST_F(NpyTest, WriteReplacesExistingFile) {
  writeFile("out.npy", "old contents");
  HostTensor tensor = patterned(DType::i32, {4});
  ASSERT_TRUE(writeNpy(path("out.npy"), tensor).ok());
  StatusOr<HostTensor> read = readNpy(path("out.npy"));
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->shape(), (std::vector<int64_t>{4}));
}

TEST(CoerceTest, AcceptsExactAndBF16Bits) {
  StatusOr<HostTensor> f32 = HostTensor::create(DType::f32, {2});
  ASSERT_TRUE(f32.ok());
  StatusOr<HostTensor> same = coerceTo(std::move(*f32), DType::f32);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->dtype(), DType::f32);

  StatusOr<HostTensor> bits = HostTensor::create(DType::u16, {2});
  ASSERT_TRUE(bits.ok());
  bits->data<uint16_t>()[0] = 0x3f80; // 1.0 in bf16.
  StatusOr<HostTensor> bf16 = coerceTo(std::move(*bits), DType::bf16);
  ASSERT_TRUE(bf16.ok());
  EXPECT_EQ(bf16->dtype(), DType::bf16);
  EXPECT_EQ(bf16ToF32(bf16->data<uint16_t>()[0]), 1.0f);
}

TEST(CoerceTest, RejectsOtherMismatches) {
  StatusOr<HostTensor> f32 = HostTensor::create(DType::f32, {2});
  ASSERT_TRUE(f32.ok());
  EXPECT_EQ(coerceTo(std::move(*f32), DType::bf16).status().message(),
            "expected bf16 data, got f32 (store bf16 tensors as uint16 arrays "
            "of the raw bits)");
  StatusOr<HostTensor> f32Again = HostTensor::create(DType::f32, {2});
  ASSERT_TRUE(f32Again.ok());
  EXPECT_EQ(coerceTo(std::move(*f32Again), DType::f16).status().message(),
            "expected f16 data, got f32");
  StatusOr<HostTensor> u16 = HostTensor::create(DType::u16, {2});
  ASSERT_TRUE(u16.ok());
  EXPECT_EQ(coerceTo(std::move(*u16), DType::f16).status().message(),
            "expected f16 data, got u16");
}

} // namespace
