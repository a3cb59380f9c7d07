// `sightline compare` as users run it: a plain photo folder with the same model at a stricter
// candidate threshold (boxes only the primary keeps), a labelled COCO subset with both runs in
// the ledger, the input size of a static-shape model refused, and usage errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "eval/dataset.h"
#include "eval/label_writers.h"
#include "eval/ledger.h"
#include "eval/temp_folder.h"
#include "nlohmann/json.hpp"
#include "support/cli_runner.h"
#include "support/paths.h"

namespace sightline {
namespace {

namespace fs = std::filesystem;
using testing::quoted;
using testing::run_cli;

// Three sample photos linked into a plain folder.
std::string sample_folder(const testing::TempFolder& folder) {
  fs::create_directories(folder.path() / "photos");
  for (const char* name : {"dog.jpg", "horses.jpg", "kite.jpg"}) {
    fs::create_symlink(testing::samples_dir() + "/" + name, folder.path() / "photos" / name);
  }
  return (folder.path() / "photos").string();
}

TEST(CompareCli, SameModelAgreesFullyOnPlainFolder) {
  testing::TempFolder folder;
  const auto run = run_cli("compare " + quoted(sample_folder(folder)) +
                           " --model yolox_nano --candidate yolox_nano --json");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto report = nlohmann::json::parse(run.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << run.out;
  EXPECT_EQ(report["summary"]["photos"], 3);
  EXPECT_EQ(report["summary"]["agreement"], 1.0);
  EXPECT_EQ(report["summary"]["only_primary"], 0);
  EXPECT_GT(report["summary"]["matched"].get<int>(), 5);
  EXPECT_FALSE(report.contains("evaluation"));
}

TEST(CompareCli, StricterCandidateThresholdLeavesBoxesOnlyThePrimaryFound) {
  testing::TempFolder folder;
  const auto run =
      run_cli("compare " + quoted(sample_folder(folder)) + " --candidate-conf 0.6 --json");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto report = nlohmann::json::parse(run.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << run.out;
  const auto& summary = report["summary"];
  EXPECT_GT(summary["only_primary"].get<int>(), 0);
  EXPECT_EQ(summary["only_candidate"], 0);
  EXPECT_LT(summary["agreement"].get<double>(), 1.0);
  // Most disagreement first: agreements never decrease down the list.
  double previous = -1;
  for (const auto& photo : report["photos"]) {
    EXPECT_GE(photo["agreement"].get<double>(), previous);
    previous = photo["agreement"].get<double>();
    for (const auto& box : photo["only_primary"])
      EXPECT_LT(box["score"].get<double>(), 0.6);
  }
}

TEST(CompareCli, LabelledDatasetEvaluatesBothAndRecordsBothRuns) {
  testing::TempFolder folder;
  const std::string coco128 = testing::data_dir() + "/coco128";
  eval::ValidationReport validation;
  auto dataset = eval::load_dataset(coco128 + "/instances_train2017_coco128.json", {}, validation);
  ASSERT_TRUE(dataset) << dataset.message();
  dataset->images.resize(3);
  std::erase_if(dataset->annotations, [&](const eval::GroundTruth& truth) {
    return truth.image_id > dataset->images.back().id;
  });
  const std::string subset = folder.write("subset.json", eval::write_coco_dataset_json(*dataset));
  const std::string ledger = (folder.path() / "ledger.jsonl").string();

  const auto run =
      run_cli("compare " + quoted(subset) + " --images " + quoted(coco128 + "/images") +
              " --candidate-conf 0.5 --ledger " + quoted(ledger));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("with labels"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("AP50"), std::string::npos) << run.out;

  auto runs = eval::read_ledger(ledger);
  ASSERT_TRUE(runs) << runs.message();
  ASSERT_EQ(runs->runs.size(), 2u);
  EXPECT_EQ(runs->runs[0].model, "yolox_nano");
  EXPECT_FLOAT_EQ(static_cast<float>(runs->runs[0].confidence), 0.3f);
  EXPECT_FLOAT_EQ(static_cast<float>(runs->runs[1].confidence), 0.5f);
  EXPECT_EQ(runs->runs[0].dataset_fingerprint, runs->runs[1].dataset_fingerprint);
  EXPECT_EQ(runs->runs[0].images, 3);
  EXPECT_GT(runs->runs[0].stats[1], 0.0);
}

TEST(CompareCli, StaticShapeModelCannotRunAtAnotherSize) {
  testing::TempFolder folder;
  const auto run =
      run_cli("compare " + quoted(sample_folder(folder)) + " --candidate-size 320x320");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("has a static input of 416x416, so it cannot run at 320x320"),
            std::string::npos)
      << run.err;
}

TEST(CompareCli, MistakesExitTwoWithTheReason) {
  const auto no_candidate = run_cli("compare /tmp --model yolox_nano");
  EXPECT_EQ(no_candidate.exit_code, 2);
  EXPECT_NE(no_candidate.err.find("give --candidate"), std::string::npos) << no_candidate.err;
  const auto size = run_cli("compare /tmp --candidate-size 320");
  EXPECT_EQ(size.exit_code, 2);
  EXPECT_NE(size.err.find("--candidate-size '320' is not WxH"), std::string::npos) << size.err;
  const auto conf = run_cli("compare /tmp --candidate-conf 1.5");
  EXPECT_EQ(conf.exit_code, 2);
  EXPECT_EQ(run_cli("compare --candidate x").exit_code, 2);
  const auto match = run_cli("compare /tmp --candidate x --match-iou 0");
  EXPECT_EQ(match.exit_code, 2);
}

}  // namespace
}  // namespace sightline
