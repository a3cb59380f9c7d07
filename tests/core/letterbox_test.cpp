#include "core/letterbox.h"

#include <gtest/gtest.h>

namespace sightline {
namespace {

TEST(Letterbox, TopLeftPlacementScalesLongSideToInput) {
  const auto g = compute_letterbox(768, 576, 416, 416, LetterboxPlacement::kTopLeft);
  EXPECT_FLOAT_EQ(g.scale, 416.0f / 768.0f);
  EXPECT_EQ(g.resized_width, 416);
  EXPECT_EQ(g.resized_height, 312);
  EXPECT_EQ(g.offset_x, 0);
  EXPECT_EQ(g.offset_y, 0);
}

TEST(Letterbox, CentrePlacementSplitsPaddingEvenly) {
  const auto g = compute_letterbox(768, 576, 640, 640, LetterboxPlacement::kCentre);
  EXPECT_EQ(g.resized_width, 640);
  EXPECT_EQ(g.resized_height, 480);
  EXPECT_EQ(g.offset_x, 0);
  EXPECT_EQ(g.offset_y, 80);
}

TEST(Letterbox, TallImageIsLimitedByHeight) {
  const auto g = compute_letterbox(100, 400, 416, 416, LetterboxPlacement::kCentre);
  EXPECT_FLOAT_EQ(g.scale, 416.0f / 400.0f);
  EXPECT_EQ(g.resized_height, 416);
  EXPECT_EQ(g.resized_width, 104);
  EXPECT_EQ(g.offset_x, (416 - 104) / 2);
}

TEST(Letterbox, InverseMapsInputPointsBackToImagePoints) {
  const auto g = compute_letterbox(1000, 333, 640, 640, LetterboxPlacement::kCentre);
  for (float x : {0.0f, 17.5f, 999.0f}) {
    EXPECT_NEAR(g.to_image_x(g.to_input_x(x)), x, 1e-3f);
    EXPECT_NEAR(g.to_image_y(g.to_input_y(x / 3)), x / 3, 1e-3f);
  }
}

TEST(Letterbox, TinyImageKeepsAtLeastOnePixel) {
  const auto g = compute_letterbox(1, 5000, 416, 416, LetterboxPlacement::kTopLeft);
  EXPECT_EQ(g.resized_width, 1);
  EXPECT_EQ(g.resized_height, 416);
}

TEST(Letterbox, TensorHasPadOutsideAndNormalisedPixelsInside) {
  Image image;
  image.width = 4;
  image.height = 2;
  image.rgb.assign(4 * 2 * 3, 0);
  for (size_t i = 0; i < image.rgb.size(); i += 3) {
    image.rgb[i] = 200;      // R
    image.rgb[i + 1] = 100;  // G
    image.rgb[i + 2] = 50;   // B
  }
  InputNormalisation normalisation;
  normalisation.channel_order = ChannelOrder::kBgr;
  normalisation.scale = 0.5f;
  normalisation.pad_value = 114;

  const auto g = compute_letterbox(4, 2, 8, 8, LetterboxPlacement::kCentre);
  const FloatTensor tensor = letterbox_to_tensor(image, g, normalisation);
  ASSERT_EQ(tensor.shape, (std::vector<int64_t>{1, 3, 8, 8}));
  // Photo resized to 8x4 at rows 2..5; channel 0 is blue in BGR order.
  EXPECT_FLOAT_EQ(tensor.data[0 * 64 + 0 * 8 + 0], 57.0f);
  EXPECT_FLOAT_EQ(tensor.data[0 * 64 + 3 * 8 + 4], 25.0f);
  EXPECT_FLOAT_EQ(tensor.data[2 * 64 + 3 * 8 + 4], 100.0f);
  EXPECT_FLOAT_EQ(tensor.data[1 * 64 + 7 * 8 + 7], 57.0f);
}

TEST(Letterbox, BilinearResizeInterpolatesBetweenNeighbours) {
  Image image;
  image.width = 2;
  image.height = 1;
  image.rgb = {0, 0, 0, 100, 100, 100};
  const auto g = compute_letterbox(2, 1, 4, 2, LetterboxPlacement::kTopLeft);
  const FloatTensor tensor = letterbox_to_tensor(image, g, InputNormalisation{});
  // Destination x 0..3 samples source x -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped).
  EXPECT_FLOAT_EQ(tensor.data[0], 0.0f);
  EXPECT_FLOAT_EQ(tensor.data[1], 25.0f);
  EXPECT_FLOAT_EQ(tensor.data[2], 75.0f);
  EXPECT_FLOAT_EQ(tensor.data[3], 100.0f);
}

}  // namespace
}  // namespace sightline
