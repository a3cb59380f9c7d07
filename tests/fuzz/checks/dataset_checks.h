// Fuzz checks for the dataset readers. They read folders, not bytes, so each input is written
// into a scratch folder (in /dev/shm when there is one) and read through load_dataset, the
// entry point the CLI and the app use:
//   YOLO: <scratch>/yolo/{images/photo.bmp, labels/photo.txt, classes.txt, tags.csv}. The input
//     is "labels" or "labels\0classes" or "labels\0classes\0tags"; without a classes part,
//     classes.txt names three classes.
//   COCO: <scratch>/coco/{annotations.json, images/a.bmp (640x480), images/b.bmp (32x16)}; the
//     input is the JSON.
//   VOC: <scratch>/voc/{Annotations/photo.xml, JPEGImages/photo.bmp (640x480)}; the input is
//     the XML, or "xml\0classes" to add a classes.txt.
// Whatever load_dataset returns must be self-consistent: every annotation points at an image and
// a category of the dataset, and has a finite, positive size.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "eval/dataset.h"
#include "fuzz/checks/check_support.h"

namespace sightline::fuzz {
namespace dataset_check {

namespace fs = std::filesystem;

// A BMP header for a width x height 24-bit photo, with all-black pixels.
inline std::string black_bmp(int width, int height) {
  const uint32_t row_bytes = (static_cast<uint32_t>(width) * 3 + 3) / 4 * 4;
  const uint32_t pixel_bytes = row_bytes * static_cast<uint32_t>(height);
  std::string bytes(54 + pixel_bytes, '\0');
  auto put = [&](size_t offset, uint32_t value, int size) {
    for (int i = 0; i < size; ++i)
      bytes[offset + i] = static_cast<char>((value >> (8 * i)) & 0xFF);
  };
  bytes[0] = 'B';
  bytes[1] = 'M';
  put(2, 54 + pixel_bytes, 4);
  put(10, 54, 4);
  put(14, 40, 4);
  put(18, static_cast<uint32_t>(width), 4);
  put(22, static_cast<uint32_t>(height), 4);
  put(26, 1, 2);
  put(28, 24, 2);
  put(34, pixel_bytes, 4);
  return bytes;
}

inline void write_file(const fs::path& path, std::string_view contents) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(contents.data(), static_cast<std::streamsize>(contents.size()));
}

// The scratch folder of this process, made once and removed at exit.
class Scratch {
 public:
  Scratch() {
    std::error_code error;
    const fs::path base =
        fs::is_directory("/dev/shm", error) ? fs::path("/dev/shm") : fs::temp_directory_path(error);
    std::string pattern = (base / "sightline-fuzz-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("sightline fuzz: cannot create a scratch folder");
      std::abort();
    }
    root_ = pattern;
    fs::create_directories(root_ / "yolo" / "images");
    fs::create_directories(root_ / "yolo" / "labels");
    fs::create_directories(root_ / "coco" / "images");
    fs::create_directories(root_ / "voc" / "Annotations");
    fs::create_directories(root_ / "voc" / "JPEGImages");
    write_file(root_ / "yolo" / "images" / "photo.bmp", black_bmp(640, 480));
    write_file(root_ / "coco" / "images" / "a.bmp", black_bmp(640, 480));
    write_file(root_ / "coco" / "images" / "b.bmp", black_bmp(32, 16));
    write_file(root_ / "voc" / "JPEGImages" / "photo.bmp", black_bmp(640, 480));
  }
  ~Scratch() {
    std::error_code error;
    fs::remove_all(root_, error);
  }
  const fs::path& root() const { return root_; }

 private:
  fs::path root_;
};

inline const Scratch& scratch() {
  static const Scratch folder;
  return folder;
}

inline std::string check_dataset(const Result<eval::Dataset>& dataset,
                                 const eval::ValidationReport& report) {
  for (const eval::ValidationIssue& issue : report.issues) {
    if (issue.location.empty() || issue.rule.empty() || issue.kind.empty())
      return "a validation issue without location, rule or kind: '" + issue.rule + "'";
  }
  if (!dataset.ok()) {
    if (dataset.message().empty()) return "load_dataset failed with an empty message";
    return "";
  }

  std::set<int64_t> image_ids, category_ids;
  for (const eval::DatasetImage& image : dataset->images) {
    if (!image_ids.insert(image.id).second)
      return "two images share id " + std::to_string(image.id);
    if (image.width <= 0 || image.height <= 0)
      return "image " + std::to_string(image.id) + " has size " + std::to_string(image.width) +
             "x" + std::to_string(image.height);
  }
  for (const eval::Category& category : dataset->categories) {
    if (!category_ids.insert(category.id).second)
      return "two categories share id " + std::to_string(category.id);
  }
  for (const eval::GroundTruth& truth : dataset->annotations) {
    if (!image_ids.count(truth.image_id))
      return "an annotation of image " + std::to_string(truth.image_id) + ", not in the dataset";
    if (!category_ids.count(truth.category_id))
      return "an annotation of category " + std::to_string(truth.category_id) +
             ", not in the dataset";
    // The area may overflow to infinity for absurd boxes, as it does in pycocotools; the
    // evaluation then leaves the box out of every area range.
    if (!all_finite({truth.x, truth.y, truth.width, truth.height}) || !(truth.width > 0) ||
        !(truth.height > 0) || !(truth.area >= 0))
      return "an annotation with box [" + std::to_string(truth.x) + ", " + std::to_string(truth.y) +
             ", " + std::to_string(truth.width) + ", " + std::to_string(truth.height) + "] area " +
             std::to_string(truth.area);
  }
  if (report.annotations_used != static_cast<int>(dataset->annotations.size()) ||
      report.images_used != static_cast<int>(dataset->images.size()))
    return "the report's used counts differ from the dataset";
  return "";
}

}  // namespace dataset_check

inline std::string check_yolo_labels(std::span<const uint8_t> bytes) {
  namespace fs = std::filesystem;
  const fs::path folder = dataset_check::scratch().root() / "yolo";

  // Up to three parts split at the first two NUL bytes: labels, classes, tags.
  std::vector<std::string_view> parts{as_text(bytes)};
  while (parts.size() < 3 && parts.back().find('\0') != std::string_view::npos) {
    const size_t separator = parts.back().find('\0');
    const std::string_view rest = parts.back().substr(separator + 1);
    parts.back() = parts.back().substr(0, separator);
    parts.push_back(rest);
  }
  dataset_check::write_file(folder / "labels" / "photo.txt", parts[0]);
  dataset_check::write_file(folder / "classes.txt",
                            parts.size() > 1 ? parts[1] : "person\ncar\ndog\n");
  std::error_code error;
  if (parts.size() > 2) {
    dataset_check::write_file(folder / "tags.csv", parts[2]);
  } else {
    fs::remove(folder / "tags.csv", error);
  }

  eval::ValidationReport report;
  const Result<eval::Dataset> dataset = eval::load_dataset(folder.string(), {}, report);
  return dataset_check::check_dataset(dataset, report);
}

inline std::string check_coco_json(std::span<const uint8_t> bytes) {
  const std::filesystem::path json = dataset_check::scratch().root() / "coco" / "annotations.json";
  dataset_check::write_file(json, as_text(bytes));

  eval::ValidationReport report;
  const Result<eval::Dataset> dataset = eval::load_dataset(json.string(), {}, report);
  if (!dataset.ok()) {
    if (std::string problem = check_error_message("load_dataset", dataset.message(), "");
        !problem.empty())
      return problem;
  }
  return dataset_check::check_dataset(dataset, report);
}

inline std::string check_voc_xml(std::span<const uint8_t> bytes) {
  namespace fs = std::filesystem;
  const fs::path folder = dataset_check::scratch().root() / "voc";

  const std::string_view text = as_text(bytes);
  const size_t separator = text.find('\0');
  dataset_check::write_file(folder / "Annotations" / "photo.xml", text.substr(0, separator));
  std::error_code error;
  if (separator != std::string_view::npos) {
    dataset_check::write_file(folder / "classes.txt", text.substr(separator + 1));
  } else {
    fs::remove(folder / "classes.txt", error);
  }

  eval::ValidationReport report;
  const Result<eval::Dataset> dataset = eval::load_dataset(folder.string(), {}, report);
  return dataset_check::check_dataset(dataset, report);
}

}  // namespace sightline::fuzz
