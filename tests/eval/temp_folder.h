// A scratch folder for dataset tests, removed when the test ends, with helpers to write small
// label files, JSON and synthetic photos into it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "support/image_writer.h"

namespace sightline::testing {

class TempFolder {
 public:
  TempFolder() {
    std::random_device device;
    const auto ticks = std::chrono::steady_clock::now().time_since_epoch().count();
    path_ = std::filesystem::temp_directory_path() /
            ("sightline_dataset_test_" + std::to_string(device()) + "_" + std::to_string(ticks));
    std::filesystem::create_directories(path_);
  }
  ~TempFolder() {
    std::error_code error;
    std::filesystem::remove_all(path_, error);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

  // Writes `text` to `relative` (folders created as needed) and returns the full path.
  std::string write(const std::string& relative, const std::string& text) const {
    const std::filesystem::path file = path_ / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary);
    out << text;
    EXPECT_TRUE(out.good()) << "cannot write " << file;
    return file.string();
  }

  std::string write_bytes(const std::string& relative, const std::vector<uint8_t>& bytes) const {
    return write(relative, std::string(bytes.begin(), bytes.end()));
  }

  // A small real PNG photo of the given size.
  std::string write_photo(const std::string& relative, int width, int height) const {
    return write_bytes(relative, encode_test_image(width, height, ImageFormat::kPng));
  }

 private:
  std::filesystem::path path_;
};

}  // namespace sightline::testing
