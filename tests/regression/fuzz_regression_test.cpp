// Runs every fuzz seed (tests/fuzz/corpus/<target>/) and every kept crash
// (tests/fuzz/regressions/<target>/) through the same checks the libFuzzer targets use, so the
// normal suite, including its AddressSanitizer/UndefinedBehaviorSanitizer run, keeps each fixed
// crash fixed. One test per target; a failure names the file and the rule it broke.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <string>
#include <vector>

#include "core/log.h"
#include "fuzz/entry_points.h"

namespace sightline::fuzz {

// Names the target in GoogleTest's messages instead of printing the struct's bytes; found by
// argument-dependent lookup, so it lives in EntryPoint's namespace.
void PrintTo(const EntryPoint& point, std::ostream* out) {
  *out << point.name;
}

namespace {

namespace fs = std::filesystem;

const fs::path& fuzz_folder() {
  static const fs::path folder = fs::path(SIGHTLINE_SOURCE_DIR) / "tests" / "fuzz";
  return folder;
}

std::vector<fs::path> inputs_of(const std::string& target) {
  std::vector<fs::path> files;
  for (const char* kind : {"corpus", "regressions"}) {
    const fs::path folder = fuzz_folder() / kind / target;
    std::error_code error;
    if (!fs::is_directory(folder, error)) continue;
    for (const fs::directory_entry& entry : fs::directory_iterator(folder)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<uint8_t> read_bytes(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), {}};
}

// The engine logs every model it loads; only failures matter here.
class QuietLog {
 public:
  QuietLog() : previous_(log_level()) { set_log_level(LogLevel::kError); }
  ~QuietLog() { set_log_level(previous_); }

 private:
  LogLevel previous_;
};

class FuzzRegression : public ::testing::TestWithParam<EntryPoint> {};

TEST_P(FuzzRegression, EverySeedAndKeptCrashPassesItsCheck) {
  const EntryPoint& point = GetParam();
  const std::vector<fs::path> files = inputs_of(point.name);
  ASSERT_FALSE(files.empty()) << "no seeds in " << (fuzz_folder() / "corpus" / point.name);

  QuietLog quiet;
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.string());
    const std::vector<uint8_t> bytes = read_bytes(file);
    EXPECT_EQ(point.check(bytes), "");
  }
}

INSTANTIATE_TEST_SUITE_P(AllTargets, FuzzRegression, ::testing::ValuesIn(entry_points()),
                         [](const ::testing::TestParamInfo<EntryPoint>& info) {
                           // "coco_json" -> "CocoJson"
                           std::string name;
                           bool word_start = true;
                           for (const char* c = info.param.name; *c; ++c) {
                             if (*c == '_') {
                               word_start = true;
                               continue;
                             }
                             name += word_start ? static_cast<char>(std::toupper(*c)) : *c;
                             word_start = false;
                           }
                           return name;
                         });

TEST(FuzzRegression, EveryFuzzTargetHasACheckAndSeeds) {
  // A new fuzz_<name>.cpp must also be listed in entry_points() so this suite runs its inputs.
  for (const fs::directory_entry& entry : fs::directory_iterator(fuzz_folder())) {
    const std::string file = entry.path().filename().string();
    if (file.rfind("fuzz_", 0) != 0 || entry.path().extension() != ".cpp") continue;
    const std::string name = entry.path().stem().string().substr(5);
    const auto& points = entry_points();
    EXPECT_TRUE(std::any_of(points.begin(), points.end(),
                            [&](const EntryPoint& point) { return name == point.name; }))
        << file << " has no entry in tests/fuzz/entry_points.h";
  }
}

}  // namespace
}  // namespace sightline::fuzz
