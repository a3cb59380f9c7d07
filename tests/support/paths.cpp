#include "support/paths.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

namespace sightline::testing {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::string(value) : fallback;
}

}  // namespace

std::string models_dir() {
  return env_or("SIGHTLINE_MODELS", std::string(SIGHTLINE_DEFAULT_SHARED_DIR) + "/models");
}

std::string data_dir() {
  return env_or("SIGHTLINE_DATA", std::string(SIGHTLINE_DEFAULT_SHARED_DIR) + "/data");
}

std::string samples_dir() {
  return data_dir() + "/samples";
}

std::string source_dir() {
  return SIGHTLINE_SOURCE_DIR;
}

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  EXPECT_TRUE(file.good()) << "cannot open " << path;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(file), {});
}

}  // namespace sightline::testing
