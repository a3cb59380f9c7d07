// Parity with ONNX Runtime: our engine's raw outputs and final detections against
// onnxruntime-node (the oracle, tests/oracle/ort_run.mjs) on every sample photo, fed the very
// same input tensor. Natively only: the oracle runs as a Node child process.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "core/detector.h"
#include "core/model_store.h"
#include "engine/engine.h"
#include "nlohmann/json.hpp"
#include "support/paths.h"

namespace sightline {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kSamples = {"dog",  "eagle",  "giraffe", "horses",
                                           "kite", "person", "scream"};

struct ModelUnderTest {
  ModelCard card;
  std::vector<uint8_t> bytes;
  std::string path;
};

ModelUnderTest load_model_under_test(const std::string& name) {
  ModelUnderTest model;
  auto card_path = find_card(name, testing::source_dir() + "/models");
  EXPECT_TRUE(card_path) << card_path.message();
  auto card = load_card(*card_path, testing::models_dir());
  EXPECT_TRUE(card) << card.message();
  model.card = *card;
  auto bytes = load_model_file(model.card, testing::models_dir());
  EXPECT_TRUE(bytes) << bytes.message();
  model.bytes = *bytes;
  model.path = testing::models_dir() + "/" + model.card.file;
  return model;
}

std::unique_ptr<Detector> make_detector(const ModelUnderTest& model, int threads) {
  engine::EngineOptions options;
  options.threads = threads;
  auto backend = engine::load_model(model.bytes, model.card.file, options);
  EXPECT_TRUE(backend) << backend.message();
  if (!backend) return nullptr;
  auto detector = Detector::create(model.card, std::move(*backend));
  EXPECT_TRUE(detector) << detector.message();
  return detector ? std::move(*detector) : nullptr;
}

void write_floats(const fs::path& path, const std::vector<float>& values) {
  std::ofstream file(path, std::ios::binary);
  file.write(reinterpret_cast<const char*>(values.data()),
             static_cast<std::streamsize>(values.size() * sizeof(float)));
}

FloatTensor read_oracle_output(const fs::path& path) {
  FloatTensor tensor;
  std::ifstream shape_file(path.string() + ".json");
  const auto shape = nlohmann::json::parse(shape_file, nullptr, false);
  EXPECT_TRUE(shape.is_array()) << "oracle wrote no shape for " << path;
  for (const auto& dimension : shape)
    tensor.shape.push_back(dimension.get<int64_t>());
  const auto bytes = testing::read_file_bytes(path.string());
  tensor.data.resize(bytes.size() / sizeof(float));
  std::memcpy(tensor.data.data(), bytes.data(), tensor.data.size() * sizeof(float));
  return tensor;
}

// Runs the oracle on the prepared inputs; returns its outputs in the same order.
std::vector<FloatTensor> run_oracle(const ModelUnderTest& model,
                                    const std::vector<PreparedInput>& inputs, const fs::path& dir) {
  nlohmann::json manifest = nlohmann::json::array();
  for (size_t i = 0; i < inputs.size(); ++i) {
    const fs::path input = dir / ("input" + std::to_string(i) + ".bin");
    write_floats(input, inputs[i].tensor.data);
    manifest.push_back({{"input", input.string()},
                        {"shape", inputs[i].tensor.shape},
                        {"output", (dir / ("output" + std::to_string(i) + ".bin")).string()}});
  }
  const fs::path manifest_path = dir / "manifest.json";
  std::ofstream(manifest_path) << manifest.dump();

  const std::string command = "node '" + testing::source_dir() + "/tests/oracle/ort_run.mjs' '" +
                              model.path + "' '" + manifest_path.string() + "' 1 2>'" +
                              (dir / "oracle.log").string() + "'";
  const int status = std::system(command.c_str());
  EXPECT_EQ(status, 0) << "ONNX Runtime oracle failed: " << command << "\n"
                       << std::ifstream(dir / "oracle.log").rdbuf();
  std::vector<FloatTensor> outputs;
  if (status != 0) return outputs;
  for (size_t i = 0; i < inputs.size(); ++i) {
    outputs.push_back(read_oracle_output(dir / ("output" + std::to_string(i) + ".bin")));
  }
  return outputs;
}

float max_abs_difference(const FloatTensor& a, const FloatTensor& b) {
  float worst = 0;
  for (size_t i = 0; i < a.data.size(); ++i) {
    const float difference = std::fabs(a.data[i] - b.data[i]);
    if (!(difference <= worst)) worst = difference;  // NaN counts as the worst
  }
  return worst;
}

void expect_same_detections(const std::vector<Detection>& ours,
                            const std::vector<Detection>& theirs, const std::string& where) {
  ASSERT_EQ(ours.size(), theirs.size()) << where;
  for (size_t i = 0; i < ours.size(); ++i) {
    EXPECT_EQ(ours[i].class_id, theirs[i].class_id) << where << " detection " << i;
    EXPECT_NEAR(ours[i].score, theirs[i].score, 0.01) << where << " detection " << i;
    EXPECT_NEAR(ours[i].x1, theirs[i].x1, 2.0) << where << " detection " << i;
    EXPECT_NEAR(ours[i].y1, theirs[i].y1, 2.0) << where << " detection " << i;
    EXPECT_NEAR(ours[i].x2, theirs[i].x2, 2.0) << where << " detection " << i;
    EXPECT_NEAR(ours[i].y2, theirs[i].y2, 2.0) << where << " detection " << i;
  }
}

class Parity : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("sightline-parity-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + std::to_string(reinterpret_cast<uintptr_t>(this)));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Compares raw outputs within `tolerance` and final detections on every sample photo.
  void check_model(const std::string& name, float tolerance) {
    const ModelUnderTest model = load_model_under_test(name);
    auto detector = make_detector(model, GetParam());
    ASSERT_NE(detector, nullptr);

    std::vector<PreparedInput> inputs;
    for (const std::string& sample : kSamples) {
      const std::string path = testing::samples_dir() + "/" + sample + ".jpg";
      auto image = decode_image(testing::read_file_bytes(path), path);
      ASSERT_TRUE(image) << image.message();
      inputs.push_back(detector->prepare(*image));
    }
    const std::vector<FloatTensor> expected = run_oracle(model, inputs, dir_);
    ASSERT_EQ(expected.size(), inputs.size());

    PostprocessOptions options;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const std::string where =
          name + " on " + kSamples[i] + " with " + std::to_string(GetParam()) + " thread(s)";
      auto ours = detector->infer(inputs[i]);
      ASSERT_TRUE(ours) << ours.message();
      ASSERT_EQ(ours->shape, expected[i].shape) << where;
      const float difference = max_abs_difference(*ours, expected[i]);
      EXPECT_LE(difference, tolerance) << where;
      RecordProperty(kSamples[i] + "_max_abs_diff", std::to_string(difference));

      auto our_boxes = detector->finish(*ours, inputs[i].geometry, options);
      auto their_boxes = detector->finish(expected[i], inputs[i].geometry, options);
      ASSERT_TRUE(our_boxes && their_boxes);
      expect_same_detections(*our_boxes, *their_boxes, where);
    }
  }

  fs::path dir_;
};

TEST_P(Parity, YoloxNanoRawOutputWithin1e3AndSameDetections) {
  check_model("yolox_nano", 1e-3f);
}

INSTANTIATE_TEST_SUITE_P(Threads, Parity, ::testing::Values(1, 2),
                         [](const auto& info) { return std::to_string(info.param) + "threads"; });

// The detections ONNX Runtime gives on dog.jpg (shared/models/README.md), through our whole
// pipeline: this also pins down decoding and letterboxing, not only the engine. They must be our
// three best. A fourth, a truck on the car, scores 0.307 here and 0.295 in the reference: its
// JPEG decoder upsamples chroma differently from stb_image (pixels differ by up to 34 levels),
// which moves this borderline box across the 0.3 threshold.
TEST(ReferenceDetections, DogPhotoGivesDogBicycleAndCar) {
  const ModelUnderTest model = load_model_under_test("yolox_nano");
  auto detector = make_detector(model, 1);
  ASSERT_NE(detector, nullptr);
  auto report = detector->detect(testing::read_file_bytes(testing::samples_dir() + "/dog.jpg"),
                                 "dog.jpg", PostprocessOptions{});
  ASSERT_TRUE(report) << report.message();

  struct Expected {
    const char* label;
    float score;
    float box[4];
  };
  const Expected expected[] = {{"dog", 0.851f, {133, 207, 327, 543}},
                               {"bicycle", 0.801f, {56, 137, 572, 424}},
                               {"car", 0.797f, {466, 78, 693, 171}}};
  ASSERT_GE(report->detections.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const Detection& d = report->detections[i];
    EXPECT_EQ(model.card.class_names[d.class_id], expected[i].label);
    EXPECT_NEAR(d.score, expected[i].score, 0.01);
    EXPECT_NEAR(d.x1, expected[i].box[0], 2.0);
    EXPECT_NEAR(d.y1, expected[i].box[1], 2.0);
    EXPECT_NEAR(d.x2, expected[i].box[2], 2.0);
    EXPECT_NEAR(d.y2, expected[i].box[3], 2.0);
  }
}

}  // namespace
}  // namespace sightline
