// Per-photo features on images whose answers are known by hand, the size independence of the
// sharpness measure, and a real photo measured through the detector.
#include "monitor/features.h"

#include <gtest/gtest.h>

#include "monitor/test_detectors.h"
#include "support/paths.h"

namespace sightline::monitor {
namespace {

Image filled(int width, int height, uint8_t r, uint8_t g, uint8_t b) {
  Image image{width, height, std::vector<uint8_t>(static_cast<size_t>(width) * height * 3)};
  for (size_t i = 0; i < image.rgb.size(); i += 3) {
    image.rgb[i] = r;
    image.rgb[i + 1] = g;
    image.rgb[i + 2] = b;
  }
  return image;
}

// A pseudo-random grey texture, so the Laplacian has something to measure.
Image textured(int width, int height) {
  Image image = filled(width, height, 0, 0, 0);
  uint32_t state = 12345;
  for (size_t i = 0; i < image.rgb.size(); i += 3) {
    state = state * 1664525u + 1013904223u;
    const uint8_t value = static_cast<uint8_t>(state >> 24);
    image.rgb[i] = image.rgb[i + 1] = image.rgb[i + 2] = value;
  }
  return image;
}

// Every pixel repeated factor x factor times.
Image enlarged(const Image& image, int factor) {
  Image out = filled(image.width * factor, image.height * factor, 0, 0, 0);
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      for (int c = 0; c < 3; ++c) {
        out.rgb[(static_cast<size_t>(y) * out.width + x) * 3 + c] =
            image.rgb[(static_cast<size_t>(y / factor) * image.width + x / factor) * 3 + c];
      }
    }
  }
  return out;
}

TEST(InputFeatures, UniformGreyHasNoContrastSharpnessOrSaturation) {
  const InputFeatures f = compute_input_features(filled(40, 20, 128, 128, 128));
  EXPECT_EQ(f.width, 40);
  EXPECT_EQ(f.height, 20);
  EXPECT_DOUBLE_EQ(f.aspect_ratio, 2.0);
  EXPECT_NEAR(f.brightness, 128.0, 1e-9);
  EXPECT_NEAR(f.contrast, 0.0, 1e-6);
  EXPECT_NEAR(f.sharpness, 0.0, 1e-9);
  EXPECT_EQ(f.saturation, 0.0);
}

TEST(InputFeatures, HalfBlackHalfWhiteHasHalfBrightnessAndFullSpreadContrast) {
  Image image = filled(10, 10, 0, 0, 0);
  for (size_t i = image.rgb.size() / 2; i < image.rgb.size(); ++i)
    image.rgb[i] = 255;
  const InputFeatures f = compute_input_features(image);
  EXPECT_NEAR(f.brightness, 127.5, 1e-9);
  EXPECT_NEAR(f.contrast, 127.5, 1e-6);
  EXPECT_GT(f.sharpness, 0.0);
}

TEST(InputFeatures, PureRedIsFullySaturatedWithRedLuma) {
  const InputFeatures f = compute_input_features(filled(8, 8, 255, 0, 0));
  EXPECT_DOUBLE_EQ(f.saturation, 1.0);
  EXPECT_NEAR(f.brightness, 0.299 * 255, 1e-9);
}

TEST(InputFeatures, SharpnessOfSingleBrightPixelByHand) {
  // A single bright pixel in the middle of 5x5 black: Laplacian responses over the 3x3
  // interior are -4 * 255 once and 255 four times, 0 elsewhere (9 values).
  Image image = filled(5, 5, 0, 0, 0);
  const size_t centre = (2 * 5 + 2) * 3;
  image.rgb[centre] = image.rgb[centre + 1] = image.rgb[centre + 2] = 255;
  const double mean = 0.0;
  const double mean_square = (16.0 * 255 * 255 + 4.0 * 255 * 255) / 9.0;
  EXPECT_NEAR(compute_input_features(image).sharpness, mean_square - mean * mean, 1e-6);
}

TEST(InputFeatures, SharpnessIsTheSameForAPhotoAndItsEnlargedCopy) {
  // 400x300 stays at full size; 1600x1200 is box-averaged by 4, undoing the enlargement.
  const Image small = textured(400, 300);
  const double original = compute_input_features(small).sharpness;
  EXPECT_GT(original, 1000.0);
  EXPECT_NEAR(compute_input_features(enlarged(small, 4)).sharpness, original, original * 1e-9);
}

TEST(InputFeatures, TinyPhotoHasZeroSharpnessRatherThanFailing) {
  EXPECT_EQ(compute_input_features(filled(2, 2, 10, 20, 30)).sharpness, 0.0);
}

TEST(OutputFeatures, RelativeAreaIsBoxAreaOverPhotoArea) {
  const std::vector<Detection> detections = {{3, 0.9f, 0, 0, 50, 40}, {1, 0.4f, 10, 10, 10, 30}};
  const std::vector<OutputDetection> out = output_detections(detections, 100, 80);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].class_id, 3);
  EXPECT_FLOAT_EQ(static_cast<float>(out[0].score), 0.9f);
  EXPECT_DOUBLE_EQ(out[0].relative_area, 0.25);
  EXPECT_DOUBLE_EQ(out[1].relative_area, 0.0);
}

TEST(PhotoRecords, RecordFromCallersDetectionsMatchesMeasuredOne) {
  const Image image = textured(64, 48);
  const std::vector<Detection> detections = {{2, 0.7f, 0, 0, 32, 24}};
  const StageTimings timings{1, 2, 3, 4};
  const PhotoRecord record = make_photo_record("t.png", image, &detections, timings);
  EXPECT_EQ(record.name, "t.png");
  EXPECT_TRUE(record.has_outputs);
  ASSERT_EQ(record.detections.size(), 1u);
  EXPECT_DOUBLE_EQ(record.detections[0].relative_area, 0.25);
  EXPECT_EQ(record.timings.inference_ms, 3);
  EXPECT_DOUBLE_EQ(record.inputs.brightness, compute_input_features(image).brightness);
  EXPECT_FALSE(make_photo_record("t.png", image, nullptr, timings).has_outputs);
}

TEST(MeasurePhoto, UndecodableBytesAreAnErrorNamingThePhoto) {
  const std::vector<uint8_t> bytes = {1, 2, 3, 4};
  auto record = measure_photo(bytes, "broken.jpg", nullptr, PostprocessOptions{});
  ASSERT_FALSE(record);
  EXPECT_NE(record.message().find("broken.jpg"), std::string::npos) << record.message();
}

TEST(MeasurePhoto, DogPhotoThroughYoloxNanoHasOutputsAndStageTimings) {
  auto detector = testing::open_card_detector("yolox_nano");
  ASSERT_NE(detector, nullptr);
  const std::vector<uint8_t> bytes = testing::read_file_bytes(testing::samples_dir() + "/dog.jpg");
  auto record = measure_photo(bytes, "dog.jpg", detector.get(), PostprocessOptions{});
  ASSERT_TRUE(record) << record.message();
  EXPECT_TRUE(record->has_outputs);
  EXPECT_GE(record->detections.size(), 2u);
  EXPECT_GT(record->timings.decode_ms, 0);
  EXPECT_GT(record->timings.inference_ms, 0);
  EXPECT_GT(record->inputs.brightness, 0);
  for (const OutputDetection& detection : record->detections) {
    EXPECT_GE(detection.score, 0.3);
    EXPECT_GT(detection.relative_area, 0);
    EXPECT_LE(detection.relative_area, 1);
  }
}

}  // namespace
}  // namespace sightline::monitor
