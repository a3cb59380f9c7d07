#include "eval/ledger.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace sightline::eval {
namespace {

namespace fs = std::filesystem;

RunRecord sample_run(double ap) {
  RunRecord run;
  run.date = "2026-12-03T10:00:00Z";
  run.model = "yolox_nano";
  run.model_sha256 = std::string(64, 'a');
  run.dataset = "/data/coco128";
  run.dataset_fingerprint = "0123456789abcdef";
  run.backend = "sightline";
  run.confidence = 0.001;
  run.iou = 0.65;
  run.max_detections = 100;
  run.images = 128;
  run.objects = 929;
  run.stats.fill(0.25);
  run.stats[0] = ap;
  return run;
}

class LedgerFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sightline-ledger-" + std::to_string(reinterpret_cast<uintptr_t>(this)));
    fs::create_directories(dir_);
    path_ = (dir_ / "ledger.jsonl").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string contents() const {
    std::ifstream file(path_);
    return std::string(std::istreambuf_iterator<char>(file), {});
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(LedgerFile, RecordsRoundTripThroughAJsonLine) {
  const RunRecord run = sample_run(0.337);
  auto parsed = record_from_json(record_to_json_line(run));
  ASSERT_TRUE(parsed) << parsed.message();
  EXPECT_EQ(parsed->model, "yolox_nano");
  EXPECT_DOUBLE_EQ(parsed->stats[0], 0.337);
  EXPECT_EQ(parsed->max_detections, 100);
}

TEST_F(LedgerFile, AppendKeepsEarlierRunsAndFindsByIdPrefix) {
  auto first = append_run(path_, sample_run(0.3));
  auto second = append_run(path_, sample_run(0.4));
  ASSERT_TRUE(first && second);
  EXPECT_NE(*first, *second);
  auto ledger = read_ledger(path_);
  ASSERT_TRUE(ledger);
  ASSERT_EQ(ledger->runs.size(), 2u);
  auto found = find_run(*ledger, second->substr(0, 6));
  ASSERT_TRUE(found) << found.message();
  EXPECT_DOUBLE_EQ(found->stats[0], 0.4);
  EXPECT_FALSE(find_run(*ledger, "zzz"));
}

TEST_F(LedgerFile, CorruptLineIsReportedAndNeverDeleted) {
  ASSERT_TRUE(append_run(path_, sample_run(0.3)));
  {
    std::ofstream file(path_, std::ios::app);
    file << "{\"id\": \"broken\", \"trunc\n";
  }
  ASSERT_TRUE(append_run(path_, sample_run(0.5)));
  auto ledger = read_ledger(path_);
  ASSERT_TRUE(ledger);
  EXPECT_EQ(ledger->runs.size(), 2u);
  ASSERT_EQ(ledger->corrupt.size(), 1u);
  EXPECT_EQ(ledger->corrupt[0].line_number, 2);
  EXPECT_NE(contents().find("{\"id\": \"broken\", \"trunc"), std::string::npos);
}

TEST_F(LedgerFile, MissingFileIsAnEmptyLedger) {
  auto ledger = read_ledger((dir_ / "absent.jsonl").string());
  ASSERT_TRUE(ledger);
  EXPECT_TRUE(ledger->runs.empty());
}

TEST_F(LedgerFile, AtomicWriteLeavesNoTemporaryBehind) {
  ASSERT_TRUE(write_file_atomically(path_, "hello\n"));
  ASSERT_TRUE(write_file_atomically(path_, "again\n"));
  EXPECT_EQ(contents(), "again\n");
  int files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir_))
    ++files;
  EXPECT_EQ(files, 1);
}

TEST_F(LedgerFile, RecordMissingAMetricIsRefused) {
  std::string line = record_to_json_line(sample_run(0.3));
  line.replace(line.find("\"ARl\""), 5, "\"ARx\"");
  auto parsed = record_from_json(line);
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.message().find("ARl"), std::string::npos);
}

}  // namespace
}  // namespace sightline::eval
