// The two shipped detectors load and run end to end with the expected output shapes and finite
// values. Numerical agreement with ONNX Runtime is checked by the oracle tests (tests/oracle).
#include <gtest/gtest.h>

#include <cmath>

#include "engine/engine.h"
#include "support/paths.h"

namespace sightline::testing {
namespace {

// A deterministic image-like input: smooth gradients per channel, scaled to `range`.
FloatTensor synthetic_image(int64_t size, float range) {
  FloatTensor input;
  input.shape = {1, 3, size, size};
  input.data.resize(static_cast<size_t>(3 * size * size));
  for (int64_t c = 0; c < 3; ++c) {
    for (int64_t y = 0; y < size; ++y) {
      for (int64_t x = 0; x < size; ++x) {
        const float value = static_cast<float>((x * (c + 1) + y * 3 + c * 40) % 256) / 255.0f;
        input.data[static_cast<size_t>((c * size + y) * size + x)] = value * range;
      }
    }
  }
  return input;
}

void expect_runs(const std::string& file, int64_t size, float range,
                 const std::vector<int64_t>& expected_shape) {
  const std::vector<uint8_t> bytes = read_file_bytes(models_dir() + "/" + file);
  ASSERT_FALSE(bytes.empty()) << "missing model " << file;
  auto engine = engine::load_engine(bytes, file);
  ASSERT_TRUE(engine.ok()) << engine.message();
  EXPECT_FALSE(engine.value()->execution_order().empty());

  auto output = engine.value()->run(synthetic_image(size, range));
  ASSERT_TRUE(output.ok()) << output.message();
  EXPECT_EQ(output->shape, expected_shape);
  size_t non_finite = 0;
  float largest = 0.0f;
  for (float value : output->data) {
    if (!std::isfinite(value)) ++non_finite;
    largest = std::max(largest, std::fabs(value));
  }
  EXPECT_EQ(non_finite, 0u);
  EXPECT_GT(largest, 0.0f);  // not an all-zero output
}

TEST(EngineModels, YoloxNanoRunsWithOutputShape1x3549x85) {
  expect_runs("yolox_nano.onnx", 416, 255.0f, {1, 3549, 85});
}

TEST(EngineModels, Yolov8nInt8RunsWithOutputShape1x84x8400) {
  expect_runs("yolov8n_int8.onnx", 640, 1.0f, {1, 84, 8400});
}

TEST(EngineModels, InspectReportsTheYoloxOperatorCounts) {
  const std::vector<uint8_t> bytes = read_file_bytes(models_dir() + "/yolox_nano.onnx");
  auto summary = engine::inspect_model(bytes, "yolox_nano.onnx");
  ASSERT_TRUE(summary.ok()) << summary.message();
  EXPECT_EQ(summary->opset, 11);
  EXPECT_TRUE(summary->unsupported.empty());
  ASSERT_FALSE(summary->operators.empty());
  EXPECT_EQ(summary->operators[0].op_type, "Conv");
  EXPECT_EQ(summary->operators[0].count, 113);
  EXPECT_GT(summary->parameter_count, 800000);
}

}  // namespace
}  // namespace sightline::testing
