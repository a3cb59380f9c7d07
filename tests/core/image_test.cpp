#include "core/image.h"

#include <gtest/gtest.h>

#include "support/image_writer.h"
#include "support/paths.h"

namespace sightline {
namespace {

using testing::encode_test_image;
using testing::ImageFormat;

TEST(DecodeImage, DecodesPngPixelsExactly) {
  const auto png = encode_test_image(17, 7, ImageFormat::kPng);
  auto image = decode_image(png, "synthetic.png");
  ASSERT_TRUE(image) << image.message();
  EXPECT_EQ(image->width, 17);
  EXPECT_EQ(image->height, 7);
  ASSERT_EQ(image->rgb.size(), 17u * 7 * 3);
  const size_t pixel = (3 * 17 + 5) * 3;  // (x 5, y 3)
  EXPECT_EQ(image->rgb[pixel + 0], 35);
  EXPECT_EQ(image->rgb[pixel + 1], 15);
  EXPECT_EQ(image->rgb[pixel + 2], 8);
}

TEST(DecodeImage, DecodesBmpAndJpeg) {
  for (ImageFormat format : {ImageFormat::kBmp, ImageFormat::kJpeg}) {
    auto image = decode_image(encode_test_image(3, 1, format), "synthetic");
    ASSERT_TRUE(image) << image.message();
    EXPECT_EQ(image->width, 3);
    EXPECT_EQ(image->height, 1);
  }
}

TEST(DecodeImage, DecodesRealSamplePhoto) {
  auto image = decode_image(testing::read_file_bytes(testing::samples_dir() + "/dog.jpg"), "dog");
  ASSERT_TRUE(image) << image.message();
  EXPECT_EQ(image->width, 768);
  EXPECT_EQ(image->height, 576);
}

TEST(DecodeImage, RejectsZeroBytesNamingTheFile) {
  auto image = decode_image({}, "empty.jpg");
  ASSERT_FALSE(image);
  EXPECT_NE(image.message().find("empty.jpg"), std::string::npos);
  EXPECT_NE(image.message().find("0 bytes"), std::string::npos);
}

TEST(DecodeImage, RejectsPdfSayingWhatItLooksLike) {
  const std::string pdf = "%PDF-1.7\n1 0 obj\n<<>>\nendobj\n";
  auto image = decode_image({reinterpret_cast<const uint8_t*>(pdf.data()), pdf.size()}, "a.pdf");
  ASSERT_FALSE(image);
  EXPECT_NE(image.message().find("PDF"), std::string::npos) << image.message();
}

TEST(DecodeImage, RejectsCorruptPng) {
  auto png = encode_test_image(16, 16, ImageFormat::kPng);
  for (size_t i = 40; i < png.size(); ++i)
    png[i] ^= 0x5A;
  auto image = decode_image(png, "corrupt.png");
  EXPECT_FALSE(image);
}

TEST(DecodeImage, RejectsTruncatedFilesOfEveryFormat) {
  for (ImageFormat format : {ImageFormat::kPng, ImageFormat::kBmp, ImageFormat::kJpeg}) {
    auto bytes = encode_test_image(64, 48, format);
    bytes.resize(bytes.size() / 2);
    auto image = decode_image(bytes, "truncated");
    EXPECT_FALSE(image) << "format " << static_cast<int>(format);
  }
}

TEST(DecodeImage, RejectsTruncatedRealJpeg) {
  auto bytes = testing::read_file_bytes(testing::samples_dir() + "/dog.jpg");
  bytes.resize(bytes.size() / 3);
  auto image = decode_image(bytes, "dog-truncated.jpg");
  ASSERT_FALSE(image);
  EXPECT_NE(image.message().find("dog-truncated.jpg"), std::string::npos);
}

TEST(DecodeImage, RejectsOversizedSideBeforeDecoding) {
  auto image = decode_image(testing::png_header_only(30000, 10), "wide.png");
  ASSERT_FALSE(image);
  EXPECT_NE(image.message().find("30000x10"), std::string::npos) << image.message();
  EXPECT_NE(image.message().find("per side"), std::string::npos) << image.message();
}

TEST(DecodeImage, RejectsTooManyPixelsBeforeDecoding) {
  // 10000 x 10000 is within the side limit but 100 Mpx is over the pixel limit.
  auto image = decode_image(testing::png_header_only(10000, 10000), "huge.png");
  ASSERT_FALSE(image);
  EXPECT_NE(image.message().find("Mpx"), std::string::npos) << image.message();
}

// stb reports no size at all for headers whose pixels pass 2^30 bytes; the limit must still
// be what the message names, not a "corrupt header".
TEST(DecodeImage, NamesTheSizeOfAPngTooLargeForStbToDescribe) {
  auto image = decode_image(testing::png_header_only(30000, 30000), "huge-30000.png");
  ASSERT_FALSE(image);
  EXPECT_NE(image.message().find("'huge-30000.png'"), std::string::npos) << image.message();
  EXPECT_NE(image.message().find("30000x30000"), std::string::npos) << image.message();
  EXPECT_NE(image.message().find("per side"), std::string::npos) << image.message();
}

TEST(DecodeImage, NamesTheSizeOfAJpegFrameHeaderOverTheLimits) {
  // SOI, an APP0 segment to step over, then a baseline frame header: 8-bit, 20000 rows,
  // 40000 columns, three components.
  const std::vector<uint8_t> header = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF,
                                       0xC0, 0x00, 0x11, 0x08, 0x4E, 0x20, 0x9C, 0x40, 0x03,
                                       0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01};
  auto image = decode_image(header, "wide.jpg");
  ASSERT_FALSE(image);
  EXPECT_NE(image.message().find("40000x20000"), std::string::npos) << image.message();
  EXPECT_NE(image.message().find("per side"), std::string::npos) << image.message();
}

TEST(DecodeImage, AppliesCallerLimits) {
  ImageLimits limits;
  limits.max_side = 8;
  auto image = decode_image(encode_test_image(9, 2, ImageFormat::kPng), "nine.png", limits);
  EXPECT_FALSE(image);
}

}  // namespace
}  // namespace sightline
