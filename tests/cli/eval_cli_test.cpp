// `sightline validate`, `eval` and `runs` as users run them, on a small COCO128 subset.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "eval/dataset.h"
#include "eval/label_writers.h"
#include "eval/temp_folder.h"
#include "nlohmann/json.hpp"
#include "support/cli_runner.h"
#include "support/paths.h"

namespace sightline {
namespace {

using testing::quoted;
using testing::run_cli;

std::string coco128() {
  return testing::data_dir() + "/coco128";
}

// The first `count` COCO128 photos as a COCO JSON beside the original images/ folder.
std::string write_subset(const testing::TempFolder& folder, size_t count) {
  eval::ValidationReport report;
  auto dataset = eval::load_dataset(coco128() + "/instances_train2017_coco128.json", {}, report);
  EXPECT_TRUE(dataset) << dataset.message();
  dataset->images.resize(count);
  std::erase_if(dataset->annotations, [&](const eval::GroundTruth& truth) {
    return truth.image_id > dataset->images.back().id;
  });
  return folder.write("subset.json", eval::write_coco_dataset_json(*dataset));
}

TEST(EvalCli, ValidateCleanYoloFolderPassesWithSummary) {
  const auto run = run_cli("validate " + quoted(coco128()));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("used 128 of 128 images"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("2 background"), std::string::npos) << run.out;
}

TEST(EvalCli, ValidateReportsBadLineWithFileAndLineAndFails) {
  testing::TempFolder folder;
  folder.write("classes.txt", "cat\ndog\n");
  folder.write("labels/a.txt", "0 0.5 0.5 0.2 0.2\n1 0.5 0.5 0.2 0.2 0.9\n");
  folder.write_photo("images/a.png", 32, 32);
  const auto run = run_cli("validate " + quoted(folder.str()) + " --json");
  EXPECT_EQ(run.exit_code, 1);
  const auto report = nlohmann::json::parse(run.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << run.out;
  EXPECT_EQ(report["errors"], 1);
  EXPECT_EQ(report["issues"][0]["location"], "labels/a.txt:2") << run.out;
}

TEST(EvalCli, ValidateBoxesListsEachPhotosBoxesAsCorners) {
  testing::TempFolder folder;
  folder.write("classes.txt", "cat\ndog\n");
  folder.write("labels/a.txt", "1 0.5 0.25 0.5 0.25\n");
  folder.write("labels/b.txt", "");
  folder.write_photo("images/a.png", 40, 20);
  folder.write_photo("images/b.png", 16, 16);
  const auto run = run_cli("validate " + quoted(folder.str()) + " --json --boxes");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const auto report = nlohmann::json::parse(run.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << run.out;
  ASSERT_EQ(report["images"].size(), 2u) << run.out;
  for (const auto& image : report["images"]) {
    if (image["file_name"] == "b.png") {
      EXPECT_TRUE(image["boxes"].empty()) << run.out;
      continue;
    }
    EXPECT_EQ(image["width"], 40);
    ASSERT_EQ(image["boxes"].size(), 1u) << run.out;
    const auto& box = image["boxes"][0];
    EXPECT_EQ(box["class"], "dog");
    EXPECT_EQ(box["category_id"], 1);
    const std::vector<double> corners = box["box"];
    const std::vector<double> expected = {10, 2.5, 30, 7.5};
    for (size_t i = 0; i < 4; ++i)
      EXPECT_NEAR(corners[i], expected[i], 1e-6) << run.out;
  }

  const auto refused = run_cli("validate " + quoted(folder.str()) + " --boxes");
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("--boxes lists the boxes in the JSON output"), std::string::npos)
      << refused.err;
}

TEST(EvalCli, EvalOfModelEqualsEvalOfItsExportedDetections) {
  testing::TempFolder folder;
  const std::string subset = write_subset(folder, 6);
  const std::string ledger = quoted((folder.path() / "ledger.jsonl").string());

  // The model run, recorded in a private ledger.
  const auto direct = run_cli("eval " + quoted(subset) + " --images " +
                              quoted(coco128() + "/images") + " --json --ledger " + ledger);
  ASSERT_EQ(direct.exit_code, 0) << direct.err;
  const auto metrics = nlohmann::json::parse(direct.out, nullptr, false);
  ASSERT_TRUE(metrics.is_object()) << direct.out;
  for (const char* key :
       {"AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"}) {
    ASSERT_TRUE(metrics[key].is_number()) << key;
    EXPECT_LE(metrics[key].get<double>(), 1.0) << key;
  }
  EXPECT_GT(metrics["AP50"].get<double>(), 0.2);
  EXPECT_EQ(metrics["counts"]["images"], 6);
  EXPECT_TRUE(metrics["per_class"].is_array());

  // The same photos through `detect --coco-out`, then scored from the file.
  std::string photos;
  const auto subset_json = nlohmann::json::parse(std::ifstream(subset));
  for (const auto& entry : subset_json["images"]) {
    photos += quoted(coco128() + "/images/" + entry["file_name"].get<std::string>()) + " ";
  }
  const std::string results = (folder.path() / "results.json").string();
  const auto detect = run_cli("detect " + photos + "--conf 0.001 --iou 0.65 --max-det 100 " +
                              "--coco-out " + quoted(results));
  ASSERT_EQ(detect.exit_code, 0) << detect.err;
  const auto scored =
      run_cli("eval " + quoted(subset) + " --images " + quoted(coco128() + "/images") +
              " --json --dets " + quoted(results) + " --ledger " + ledger);
  ASSERT_EQ(scored.exit_code, 0) << scored.err;
  const auto from_file = nlohmann::json::parse(scored.out, nullptr, false);
  for (const char* key : {"AP", "AP50", "AP75", "AR100"}) {
    EXPECT_NEAR(from_file[key].get<double>(), metrics[key].get<double>(), 1e-4) << key;
  }

  // Both runs are in the ledger and can be compared.
  const auto listed = run_cli("runs list --ledger " + ledger);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("yolox_nano"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("results file"), std::string::npos) << listed.out;
}

TEST(EvalCli, CocoOutRefusesToOverwriteWithoutForce) {
  testing::TempFolder folder;
  const std::string existing = folder.write("results.json", "[]");
  const auto run = run_cli("detect " + quoted(testing::samples_dir() + "/dog.jpg") +
                           " --coco-out " + quoted(existing));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--force"), std::string::npos) << run.err;
}

TEST(EvalCli, RunsDiffOfUnknownIdFails) {
  testing::TempFolder folder;
  const auto run =
      run_cli("runs diff aaa bbb --ledger " + quoted((folder.path() / "none.jsonl").string()));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("no run with id 'aaa'"), std::string::npos) << run.err;
}

TEST(EvalCli, EvalRejectsOutOfRangeOptions) {
  const auto run = run_cli("eval " + quoted(coco128()) + " --iou 7");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("iou threshold 7 is outside [0, 1]"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace sightline
