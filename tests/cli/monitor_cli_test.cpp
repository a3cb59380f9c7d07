// `sightline monitor baseline` and `monitor check` as a pipeline runs them: the baseline file is
// not overwritten without --force, a darkened folder makes the check exit 1 with a brightness
// alarm in its JSON, the same folder exits 0, and bad input is named.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/image.h"
#include "eval/temp_folder.h"
#include "monitor/photo_folder.h"
#include "nlohmann/json.hpp"
#include "stb/stb_image_write.h"
#include "support/cli_runner.h"
#include "support/paths.h"

namespace sightline {
namespace {

namespace fs = std::filesystem;
using testing::quoted;
using testing::run_cli;

void append_bytes(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<uint8_t>*>(context);
  out->insert(out->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
}

// The first `count` COCO128 photos: linked as they are into `plain/`, and decoded, halved in
// every channel and written as BMP into `dark/`.
void make_folders(const testing::TempFolder& folder, size_t count) {
  auto listing = monitor::list_photos(testing::data_dir() + "/coco128/images", 1000);
  ASSERT_TRUE(listing) << listing.message();
  fs::create_directories(folder.path() / "plain");
  for (size_t i = 0; i < count; ++i) {
    const fs::path source = listing->photos[i];
    fs::create_symlink(source, folder.path() / "plain" / source.filename());
    auto image = decode_image(testing::read_file_bytes(source.string()), source.string());
    ASSERT_TRUE(image) << image.message();
    for (uint8_t& value : image->rgb)
      value = static_cast<uint8_t>(value / 2);
    std::vector<uint8_t> bmp;
    ASSERT_NE(stbi_write_bmp_to_func(append_bytes, &bmp, image->width, image->height, 3,
                                     image->rgb.data()),
              0);
    folder.write_bytes("dark/" + source.stem().string() + ".bmp", bmp);
  }
}

class MonitorCli : public ::testing::Test {
 protected:
  void SetUp() override { make_folders(folder_, 24); }

  std::string path(const std::string& relative) const {
    return quoted((folder_.path() / relative).string());
  }

  testing::TempFolder folder_;
};

TEST_F(MonitorCli, BaselineIsNotOverwrittenWithoutForce) {
  const auto first = run_cli("monitor baseline " + path("plain") + " --out " + path("b.json"));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("baseline of 24 photos"), std::string::npos) << first.out;

  const auto again = run_cli("monitor baseline " + path("dark") + " --out " + path("b.json"));
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("exists; add --force"), std::string::npos) << again.err;

  const auto forced =
      run_cli("monitor baseline " + path("dark") + " --out " + path("b.json") + " --force");
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
}

TEST_F(MonitorCli, DarkenedFolderExitsOneWithBrightnessAlarmAndSameFolderExitsZero) {
  ASSERT_EQ(run_cli("monitor baseline " + path("plain") + " --out " + path("b.json")).exit_code, 0);

  const auto dark =
      run_cli("monitor check " + path("dark") + " --baseline " + path("b.json") + " --json");
  EXPECT_EQ(dark.exit_code, 1) << dark.err;
  const auto report = nlohmann::json::parse(dark.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << dark.out;
  EXPECT_EQ(report["alarm"], true);
  EXPECT_EQ(report["photos"]["window"], 24);
  bool brightness_alarm = false;
  for (const auto& test : report["tests"]) {
    if (test["feature"] == "brightness") {
      brightness_alarm = test["alarm"].get<bool>();
      EXPECT_LT(test["p_value"].get<double>(), 0.01);
      EXPECT_EQ(test["histogram"]["baseline"].size(), 10u);
    }
  }
  EXPECT_TRUE(brightness_alarm);

  const auto same = run_cli("monitor check " + path("plain") + " --baseline " + path("b.json"));
  EXPECT_EQ(same.exit_code, 0) << same.err;
  EXPECT_NE(same.out.find("drift: no alarm"), std::string::npos) << same.out;
}

TEST_F(MonitorCli, TooFewPhotosSayNotEnoughPhotosYetAndExitZero) {
  ASSERT_EQ(run_cli("monitor baseline " + path("plain") + " --out " + path("b.json")).exit_code, 0);
  const auto check = run_cli("monitor check " + path("dark") + " --baseline " + path("b.json") +
                             " --min-photos 30");
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_NE(check.out.find("not enough photos yet"), std::string::npos) << check.out;
}

TEST_F(MonitorCli, NonPhotosAndBrokenPhotosAreReportedNotDropped) {
  folder_.write("plain/notes.txt", "not a photo");
  folder_.write("plain/broken.jpg", "not a jpeg either");
  const auto run = run_cli("monitor baseline " + path("plain") + " --out " + path("b.json"));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("skipped notes.txt: not a photo"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("skipped broken.jpg"), std::string::npos) << run.err;
  EXPECT_NE(run.out.find("(2 skipped)"), std::string::npos) << run.out;
}

TEST_F(MonitorCli, BaselineWithModelComparesOutputs) {
  // Four photos keep inference short; the minimum is lowered to match.
  fs::create_directories(folder_.path() / "few");
  auto listing = monitor::list_photos((folder_.path() / "plain").string(), 1000);
  ASSERT_TRUE(listing) << listing.message();
  for (size_t i = 0; i < 4; ++i) {
    const fs::path photo = listing->photos[i];
    fs::create_symlink(fs::read_symlink(photo), folder_.path() / "few" / photo.filename());
  }
  const auto base = run_cli("monitor baseline " + path("few") + " --out " + path("b.json") +
                            " --model yolox_nano");
  ASSERT_EQ(base.exit_code, 0) << base.err;
  const auto check = run_cli("monitor check " + path("few") + " --baseline " + path("b.json") +
                             " --json --min-photos 4");
  EXPECT_EQ(check.exit_code, 0) << check.err;
  const auto report = nlohmann::json::parse(check.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << check.out;
  EXPECT_EQ(report["outputs_compared"], true);
  EXPECT_EQ(report["tests"].size(), 13u);
  EXPECT_GT(report["latency_ms"]["window"]["median"]["inference"].get<double>(), 0.0);
}

TEST_F(MonitorCli, DamagedBaselineIsAFailureNamingTheField) {
  ASSERT_EQ(run_cli("monitor baseline " + path("plain") + " --out " + path("b.json")).exit_code, 0);
  auto json = nlohmann::json::parse(std::ifstream(folder_.path() / "b.json"));
  json["photos"][3]["saturation"] = 7;
  folder_.write("b.json", json.dump());
  const auto check = run_cli("monitor check " + path("plain") + " --baseline " + path("b.json"));
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_NE(check.err.find("$.photos[3].saturation: 7.0 is outside [0.0, 1.0]"), std::string::npos)
      << check.err;
}

TEST(MonitorCliUsage, MistakesExitTwoWithTheReason) {
  const auto no_out = run_cli("monitor baseline /tmp");
  EXPECT_EQ(no_out.exit_code, 2);
  EXPECT_NE(no_out.err.find("--out B.json is required"), std::string::npos) << no_out.err;
  EXPECT_EQ(run_cli("monitor").exit_code, 2);
  EXPECT_EQ(run_cli("monitor watch /tmp").exit_code, 2);
  EXPECT_EQ(run_cli("monitor check /tmp").exit_code, 2);
  const auto alpha = run_cli("monitor check /tmp --baseline b.json --alpha 2");
  EXPECT_EQ(alpha.exit_code, 2);
  EXPECT_NE(alpha.err.find("alpha 2 is outside (0, 1)"), std::string::npos) << alpha.err;
  const auto foreign = run_cli("monitor check /tmp --baseline b.json --force");
  EXPECT_EQ(foreign.exit_code, 2);
  EXPECT_NE(foreign.err.find("--force is for baseline"), std::string::npos) << foreign.err;
}

}  // namespace
}  // namespace sightline
