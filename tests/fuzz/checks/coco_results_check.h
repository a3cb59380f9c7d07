// Fuzz check for COCO results JSON (`sightline eval --dets`), read against a fixed dataset of
// three images (ids 1, 2, 3) and three categories (ids 1, 2, 3): every detection kept belongs to
// a dataset image and has a finite box of non-negative size and a finite score.
#pragma once

#include <string>
#include <vector>

#include "eval/label_writers.h"
#include "fuzz/checks/check_support.h"

namespace sightline::fuzz {

inline const eval::Dataset& coco_results_dataset() {
  static const eval::Dataset dataset = [] {
    eval::Dataset made;
    made.format = eval::DatasetFormat::kCoco;
    made.source = "fuzz-dataset.json";
    for (int64_t id = 1; id <= 3; ++id) {
      made.images.push_back({id, "image" + std::to_string(id) + ".jpg", "", 640, 480, {}});
      made.categories.push_back({id, "class" + std::to_string(id)});
    }
    return made;
  }();
  return dataset;
}

inline std::string check_coco_results(std::span<const uint8_t> bytes) {
  constexpr std::string_view kSource = "fuzz.results.json";
  eval::ValidationReport report;
  const Result<std::vector<eval::ScoredBox>> detections =
      eval::read_coco_results_json(as_text(bytes), kSource, coco_results_dataset(), report);
  if (!detections.ok())
    return check_error_message("read_coco_results_json", detections.message(), kSource);

  for (const eval::ScoredBox& box : *detections) {
    if (box.image_id < 1 || box.image_id > 3)
      return "a detection of image " + std::to_string(box.image_id) + ", not in the dataset";
    if (!all_finite({box.x, box.y, box.width, box.height, box.score}) || box.width < 0 ||
        box.height < 0)
      return "a detection with box [" + std::to_string(box.x) + ", " + std::to_string(box.y) +
             ", " + std::to_string(box.width) + ", " + std::to_string(box.height) + "] score " +
             std::to_string(box.score);
  }
  if (report.annotations_used != static_cast<int>(detections->size()) ||
      report.annotations_found < report.annotations_used)
    return "the report counts " + std::to_string(report.annotations_found) + " found and " +
           std::to_string(report.annotations_used) + " used for " +
           std::to_string(detections->size()) + " detections";
  for (const eval::ValidationIssue& issue : report.issues) {
    if (issue.location.empty() || issue.rule.empty())
      return "a validation issue without location or rule";
  }
  return "";
}

}  // namespace sightline::fuzz
