//===- TensorTextTest.cpp - Inline tensor text and element types ----------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/TensorText.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace tokamak::rt;

namespace {

HostTensor parse(const std::string &text) {
  StatusOr<HostTensor> tensor = parseTensorText(text);
  EXPECT_TRUE(tensor.ok()) << text << ": " << tensor.status().message();
  if (!tensor.ok())
    return std::move(*HostTensor::create(DType::f32, {0}));
  return std::move(*tensor);
}

std::string parseError(const std::string &text) {
  StatusOr<HostTensor> tensor = parseTensorText(text);
  EXPECT_FALSE(tensor.ok()) << text;
  return tensor.status().message();
}

template <typename T> std::vector<T> elements(const HostTensor &tensor) {
  return std::vector<T>(tensor.data<T>(), tensor.data<T>() + tensor.numel());
}

float floatOf(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

TEST(TensorTextTest, ParsesShapesAndValues) {
  HostTensor matrix = parse("2x3xf32=1 2 3 4 5 6");
  EXPECT_EQ(matrix.dtype(), DType::f32);
  EXPECT_EQ(matrix.shape(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(elements<float>(matrix), (std::vector<float>{1, 2, 3, 4, 5, 6}));

  HostTensor commas = parse("2x3xi32=1,2,3,4,5,-6");
  EXPECT_EQ(elements<int32_t>(commas),
            (std::vector<int32_t>{1, 2, 3, 4, 5, -6}));

  HostTensor brackets = parse("2x2xf64=[1.5 -2][3e2 +4]");
  EXPECT_EQ(elements<double>(brackets), (std::vector<double>{1.5, -2, 300, 4}));

  HostTensor scalar = parse("f32=5");
  EXPECT_EQ(scalar.rank(), 0);
  EXPECT_EQ(elements<float>(scalar), (std::vector<float>{5}));
}

TEST(TensorTextTest, BroadcastsOneValueAndZeroFills) {
  EXPECT_EQ(elements<float>(parse("2x2xf32=0.5")),
            (std::vector<float>{0.5, 0.5, 0.5, 0.5}));
  EXPECT_EQ(elements<int64_t>(parse("3xi64")), (std::vector<int64_t>{0, 0, 0}));
  EXPECT_EQ(elements<int64_t>(parse("3xi64=")),
            (std::vector<int64_t>{0, 0, 0}));
  EXPECT_EQ(parse("0x4xf32").numel(), 0);
}

TEST(TensorTextTest, ParsesEveryDType) {
  EXPECT_EQ(elements<uint16_t>(parse("3xbf16=1 -2.5 inf")),
            (std::vector<uint16_t>{0x3f80, 0xc020, 0x7f80}));
  EXPECT_EQ(elements<uint16_t>(parse("2xf16=1 65504")),
            (std::vector<uint16_t>{0x3c00, 0x7bff}));
  EXPECT_EQ(elements<int8_t>(parse("2xi8=-128 127")),
            (std::vector<int8_t>{-128, 127}));
  EXPECT_EQ(elements<int16_t>(parse("1xi16=-32768")),
            (std::vector<int16_t>{-32768}));
  EXPECT_EQ(elements<uint8_t>(parse("2xu8=0 255")),
            (std::vector<uint8_t>{0, 255}));
  EXPECT_EQ(elements<uint16_t>(parse("1xu16=65535")),
            (std::vector<uint16_t>{65535}));
  EXPECT_EQ(elements<uint8_t>(parse("4xi1=true false 1 0")),
            (std::vector<uint8_t>{1, 0, 1, 0}));
  EXPECT_TRUE(std::isnan(parse("f32=nan").data<float>()[0]));
}

TEST(TensorTextTest, RejectsBadText) {
  EXPECT_EQ(parseError("2xax3xf32=1"),
            "inline tensor '2xax3xf32': bad dimension 'a' (expected a "
            "non-negative integer)");
  EXPECT_EQ(parseError("2x-1xf32"),
            "inline tensor '2x-1xf32': bad dimension '-1' (expected a "
            "non-negative integer)");
  EXPECT_EQ(parseError("2x?xf32"),
            "inline tensor '2x?xf32': bad dimension '?' (expected a "
            "non-negative integer)");
  EXPECT_EQ(parseError("xf32=1"),
            "inline tensor 'xf32': bad dimension '' (expected a non-negative "
            "integer)");
  EXPECT_EQ(parseError("2xf33=1 2"),
            "inline tensor '2xf33': unknown element type 'f33' (expected f32, "
            "f16, bf16, f64, i8, i16, i32, i64, u8, u16 or i1)");
  EXPECT_EQ(parseError("2x3=1 2"),
            "inline tensor '2x3': unknown element type '3' (expected f32, "
            "f16, bf16, f64, i8, i16, i32, i64, u8, u16 or i1)");
  EXPECT_EQ(parseError("=1 2"),
            "inline tensor '=1 2' has no shape and element type before '='");
  EXPECT_EQ(parseError("2x3xf32=1 2 3 4"),
            "inline tensor '2x3xf32': expected 6 values, got 4");
  EXPECT_EQ(parseError("2xf32=1 2 3"),
            "inline tensor '2xf32': expected 2 values, got 3");
  EXPECT_EQ(parseError("2xf32=1 abc"),
            "inline tensor '2xf32': cannot parse 'abc' as f32");
  EXPECT_EQ(parseError("1xi32=1.5"),
            "inline tensor '1xi32': cannot parse '1.5' as i32");
  EXPECT_EQ(parseError("1xi1=2"),
            "inline tensor '1xi1': cannot parse '2' as i1");
  EXPECT_EQ(parseError("1xi8=300"),
            "inline tensor '1xi8': value 300 is out of range for i8");
  EXPECT_EQ(parseError("1xu8=-1"),
            "inline tensor '1xu8': value -1 is out of range for u8");
  EXPECT_EQ(parseError("1xi64=99999999999999999999"),
            "inline tensor '1xi64': value 99999999999999999999 is out of "
            "range for i64");
  EXPECT_EQ(parseError("1xf16=70000"),
            "inline tensor '1xf16': value 70000 is out of range for f16");
  EXPECT_EQ(parseError("1xf32=1e39"),
            "inline tensor '1xf32': value 1e39 is out of range for f32");
  EXPECT_EQ(parseError("100000000x100000000x100000000xf32"),
            "inline tensor '100000000x100000000x100000000xf32': shape "
            "100000000x100000000x100000000xf32 is too large (over 2^48 "
            "bytes)");
}

TEST(TensorTextTest, NamesElementTypesWhole) {
  // Issue 13: `4xindex` and `4xcomplex<f32>` were split at their own 'x'
  // and reported as element types '' and '<f32>'.
  EXPECT_EQ(parseError("4xindex=1"),
            "inline tensor '4xindex': unknown element type 'index' (expected "
            "f32, f16, bf16, f64, i8, i16, i32, i64, u8, u16 or i1)");
  EXPECT_EQ(parseError("4xcomplex<f32>=1"),
            "inline tensor '4xcomplex<f32>': unknown element type "
            "'complex<f32>' (expected f32, f16, bf16, f64, i8, i16, i32, i64, "
            "u8, u16 or i1)");
  EXPECT_EQ(parseError("index=1"),
            "inline tensor 'index': unknown element type 'index' (expected "
            "f32, f16, bf16, f64, i8, i16, i32, i64, u8, u16 or i1)");
  // Bytes that are not printable are escaped.
  EXPECT_EQ(parseError("2xf32\x01=1"),
            "inline tensor '2xf32\\x01': unknown element type 'f32\\x01' "
            "(expected f32, f16, bf16, f64, i8, i16, i32, i64, u8, u16 or "
            "i1)");
}

TEST(TensorTextTest, TinyValuesRoundToZeroWhateverTheirExponent) {
  // Issue 13: 1e-50 flushed to 0 in f32 while 1e-400 (below double's
  // range) was an error.
  HostTensor f32 = parse("4xf32=1e-50 1e-400 -1e-400 1e-99999999999999999999");
  EXPECT_EQ(elements<float>(f32), (std::vector<float>{0, 0, 0, 0}));
  EXPECT_TRUE(std::signbit(f32.data<float>()[2]));
  HostTensor f64 = parse("3xf64=1e-50 1e-400 0.00000e-400");
  EXPECT_EQ(elements<double>(f64), (std::vector<double>{1e-50, 0, 0}));
  EXPECT_EQ(elements<uint16_t>(parse("1xf16=1e-400")),
            (std::vector<uint16_t>{0}));
  // Too large is an error in every element type, within double's range or
  // not.
  EXPECT_EQ(parseError("1xf32=1e400"),
            "inline tensor '1xf32': value 1e400 is out of range for f32");
  EXPECT_EQ(parseError("1xf64=1e400"),
            "inline tensor '1xf64': value 1e400 is out of range for f64");
  EXPECT_EQ(parseError("1xf64=-1e99999999999999999999"),
            "inline tensor '1xf64': value -1e99999999999999999999 is out of "
            "range for f64");
  EXPECT_EQ(parseError("1xf32=0.0001e400"),
            "inline tensor '1xf32': value 0.0001e400 is out of range for f32");
}

TEST(TensorTextTest, ChecksTheTypeBeforeAllocating) {
  // Issue 13, item 11: `--input=1073741824xf32` to a 2x3xf32 function
  // allocated 4 GiB before the shape was compared.
  int calls = 0;
  TensorTypeCheck expect2x3 = [&](DType dtype,
                                  const std::vector<int64_t> &shape) {
    ++calls;
    if (dtype == DType::f32 && shape == std::vector<int64_t>{2, 3})
      return Status::success();
    return Status::error("expected 2x3xf32, got " +
                         formatTensorType(shape, dtype));
  };
  StatusOr<HostTensor> huge = parseTensorText("1073741824xf32", expect2x3);
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.status().message(), "expected 2x3xf32, got 1073741824xf32");
  // A value count that does not match comes second.
  EXPECT_EQ(parseTensorText("1073741824xf32=1 2", expect2x3).status().message(),
            "expected 2x3xf32, got 1073741824xf32");
  // A shape too large to allocate at all is refused before the check.
  EXPECT_EQ(parseTensorText("1073741824x1073741824xf32", expect2x3)
                .status()
                .message(),
            "inline tensor '1073741824x1073741824xf32': shape "
            "1073741824x1073741824xf32 is too large (over 2^48 bytes)");
  EXPECT_EQ(calls, 2);
  StatusOr<HostTensor> fits = parseTensorText("2x3xf32=1", expect2x3);
  ASSERT_TRUE(fits.ok()) << fits.status().message();
  EXPECT_EQ(calls, 3);
}

TEST(TensorTextTest, PrintsInIreeStyle) {
  EXPECT_EQ(formatTensorText(parse("2x3xf32=1 2 3 4 5 6")),
            "2x3xf32=[1 2 3][4 5 6]");
  EXPECT_EQ(formatTensorText(parse("3xi32=1 -2 3")), "3xi32=1 -2 3");
  EXPECT_EQ(formatTensorText(parse("f32=0.1")), "f32=0.1");
  EXPECT_EQ(formatTensorText(parse("2x2x2xi8=1 2 3 4 5 6 7 8")),
            "2x2x2xi8=[[1 2][3 4]][[5 6][7 8]]");
  EXPECT_EQ(formatTensorText(parse("0x3xf32")), "0x3xf32=");
  EXPECT_EQ(formatTensorText(parse("2xbf16=1.5 -inf")), "2xbf16=1.5 -inf");
  EXPECT_EQ(formatTensorText(parse("2xf16=0.099975586 nan")),
            "2xf16=0.099975586 nan");
  EXPECT_EQ(formatTensorText(parse("3xi1=1 0 1")), "3xi1=1 0 1");
  EXPECT_EQ(formatTensorText(parse("2xu16=65535 7")), "2xu16=65535 7");
  EXPECT_EQ(formatTensorText(parse("1xf64=0.1")), "1xf64=0.1");
}

TEST(TensorTextTest, TruncatesLongTensors) {
  EXPECT_EQ(formatTensorText(parse("5xi32=1 2 3 4 5"), 3), "5xi32=1 2 3 ...");
  EXPECT_EQ(formatTensorText(parse("2x3xi32=1 2 3 4 5 6"), 4),
            "2x3xi32=[1 2 3][4 ...");
  HostTensor big = parse("2000xf32=1");
  std::string text = formatTensorText(big);
  EXPECT_EQ(text.size(), std::string("2000xf32=").size() + 1024 * 2 + 3);
  EXPECT_EQ(text.substr(text.size() - 5), "1 ...");
}

TEST(TensorTextTest, PrintedTextParsesBack) {
  for (const char *text :
       {"2x3xf32=[0.1 -2.5e-08 3.4028235e+38][4 5 6]", "2x2xi64=[1 2][3 4]",
        "3xbf16=1.5 -0.0078125 3.3895314e+38", "f64=0.30000000000000004"}) {
    HostTensor tensor = parse(text);
    HostTensor again = parse(formatTensorText(tensor));
    EXPECT_EQ(formatTensorText(again), formatTensorText(tensor));
    EXPECT_EQ(std::memcmp(again.rawData(), tensor.rawData(), tensor.byteSize()),
              0)
        << text;
  }
}

TEST(DTypeTest, NamesAndSizes) {
  const DType dtypes[] = {DType::f32, DType::f16, DType::bf16, DType::f64,
                          DType::i8,  DType::i16, DType::i32,  DType::i64,
                          DType::u8,  DType::u16, DType::i1};
  const size_t sizes[] = {4, 2, 2, 8, 1, 2, 4, 8, 1, 2, 1};
  for (size_t i = 0; i < std::size(dtypes); ++i) {
    StatusOr<DType> parsed = parseDType(dtypeName(dtypes[i]));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, dtypes[i]);
    EXPECT_EQ(dtypeSize(dtypes[i]), sizes[i]);
  }
  EXPECT_EQ(parseDType("float32").status().message(),
            "unknown element type 'float32'");
}

TEST(DTypeTest, F16RoundTripsEveryValue) {
  for (uint32_t bits = 0; bits <= 0xffff; ++bits) {
    uint16_t half = static_cast<uint16_t>(bits);
    float value = f16ToF32(half);
    if (std::isnan(value)) {
      // NaNs stay NaN, made quiet.
      EXPECT_EQ(f32ToF16(value) & 0x7e00, 0x7e00) << bits;
      continue;
    }
    EXPECT_EQ(f32ToF16(value), half) << bits;
  }
}

TEST(DTypeTest, F16RoundsToNearestEven) {
  EXPECT_EQ(f32ToF16(1.0f + std::ldexp(1.0f, -11)), 0x3c00); // Tie: even.
  EXPECT_EQ(f32ToF16(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);
  EXPECT_EQ(f32ToF16(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)),
            0x3c01);
  EXPECT_EQ(f32ToF16(65519.0f), 0x7bff);
  EXPECT_EQ(f32ToF16(65520.0f), 0x7c00);
  EXPECT_EQ(f32ToF16(-1e10f), 0xfc00);
  EXPECT_EQ(f32ToF16(std::ldexp(1.0f, -25)), 0x0000); // Tie: even (zero).
  EXPECT_EQ(f32ToF16(3 * std::ldexp(1.0f, -25)), 0x0002);
  EXPECT_EQ(f32ToF16(std::ldexp(1.0f, -24)), 0x0001);
  EXPECT_EQ(f32ToF16(-0.0f), 0x8000);
  EXPECT_EQ(f16ToF32(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(f16ToF32(0xfc00), -std::numeric_limits<float>::infinity());
}

TEST(DTypeTest, BF16RoundTripsAndRoundsToNearestEven) {
  for (uint32_t bits = 0; bits <= 0xffff; ++bits) {
    uint16_t bf16 = static_cast<uint16_t>(bits);
    float value = bf16ToF32(bf16);
    if (std::isnan(value))
      EXPECT_TRUE(std::isnan(bf16ToF32(f32ToBF16(value)))) << bits;
    else
      EXPECT_EQ(f32ToBF16(value), bf16) << bits;
  }
  EXPECT_EQ(f32ToBF16(floatOf(0x3f808000)), 0x3f80); // Tie: even.
  EXPECT_EQ(f32ToBF16(floatOf(0x3f818000)), 0x3f82); // Tie: even.
  EXPECT_EQ(f32ToBF16(floatOf(0x3f808001)), 0x3f81);
  EXPECT_EQ(f32ToBF16(std::numeric_limits<float>::max()), 0x7f80);
  EXPECT_TRUE(std::isnan(bf16ToF32(f32ToBF16(floatOf(0x7f800001)))));
}

} // namespace
