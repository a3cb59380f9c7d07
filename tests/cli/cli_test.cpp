// The `sightline` binary as users run it: exit codes, messages on stderr, JSON on stdout.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "nlohmann/json.hpp"
#include "support/cli_runner.h"
#include "support/paths.h"

namespace sightline {
namespace {

using testing::CliRun;
using testing::run_cli;

std::string dog() {
  return "'" + testing::samples_dir() + "/dog.jpg'";
}

TEST(Cli, NoArgumentsPrintsUsageAndFails) {
  const CliRun run = run_cli("");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("usage: sightline"), std::string::npos);
}

TEST(Cli, ConfidenceOutOfRangeIsAUsageError) {
  const CliRun run = run_cli("detect " + dog() + " --conf 2");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("confidence 2 is outside [0, 1]"), std::string::npos) << run.err;
  EXPECT_TRUE(run.out.empty());
}

TEST(Cli, NonNumericOptionNamesFlagAndValue) {
  const CliRun run = run_cli("detect " + dog() + " --iou=lots");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--iou: 'lots' is not a number"), std::string::npos) << run.err;
}

TEST(Cli, UnknownOptionIsAUsageError) {
  const CliRun run = run_cli("detect " + dog() + " --frobnicate");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--frobnicate"), std::string::npos) << run.err;
}

TEST(Cli, UnknownCommandIsAUsageError) {
  EXPECT_EQ(run_cli("dance").exit_code, 2);
}

TEST(Cli, DetectJsonGivesOneObjectPerImageWithTheDocumentedKeys) {
  const CliRun run = run_cli("detect " + dog() + " " + dog() + " --json");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::istringstream lines(run.out);
  std::string line;
  int objects = 0;
  while (std::getline(lines, line)) {
    const auto report = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(report.is_object()) << line;
    ++objects;
    EXPECT_EQ(report["width"], 768);
    EXPECT_EQ(report["height"], 576);
    for (const char* stage : {"decode", "preprocess", "inference", "postprocess"}) {
      EXPECT_TRUE(report["timings_ms"][stage].is_number()) << stage;
    }
    std::vector<std::string> labels;
    for (const auto& detection : report["detections"]) {
      labels.push_back(detection["label"].get<std::string>());
      EXPECT_EQ(detection["box"].size(), 4u);
      EXPECT_TRUE(detection["class_id"].is_number_integer());
    }
    ASSERT_GE(labels.size(), 3u);
    labels.resize(3);
    EXPECT_EQ(labels, (std::vector<std::string>{"dog", "bicycle", "car"}));
  }
  EXPECT_EQ(objects, 2);
}

TEST(Cli, BadImageIsReportedAndOtherImagesStillRun) {
  const auto empty = std::filesystem::temp_directory_path() / "sightline-empty.jpg";
  std::ofstream(empty).close();
  const CliRun run = run_cli("detect '" + empty.string() + "' " + dog() + " --json");
  std::filesystem::remove(empty);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("sightline-empty.jpg"), std::string::npos) << run.err;
  EXPECT_NE(run.out.find("\"dog\""), std::string::npos) << run.out;
}

TEST(Cli, MissingImageNamesThePath) {
  const CliRun run = run_cli("detect /nonexistent/photo.jpg");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("/nonexistent/photo.jpg"), std::string::npos) << run.err;
}

TEST(Cli, InfoListsOperatorsOfTheDefaultModel) {
  const CliRun run = run_cli("info yolox_nano");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("opset 11"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Conv"), std::string::npos);
  EXPECT_NE(run.out.find("113"), std::string::npos);
  EXPECT_NE(run.out.find("our engine can run this model"), std::string::npos);
}

TEST(Cli, OnnxWithoutCardIsGuessedAndSaysSo) {
  const CliRun run =
      run_cli("detect " + dog() + " --model '" + testing::models_dir() + "/yolox_nano.onnx'");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("guessed YOLOX"), std::string::npos) << run.err;
  EXPECT_NE(run.out.find("bicycle"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace sightline
