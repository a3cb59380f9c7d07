// A window of monitored photos and its JSON form, the baseline file.
//
// Baseline JSON, version 1:
//   {"format": "sightline-monitor-baseline", "version": 1, "created": "2026-01-01T00:00:00Z",
//    "model": null | {"name", "argument", "sha256", "confidence", "iou", "max_detections",
//                     "class_names": [...]},
//    "photos": [{"name", "width", "height", "aspect_ratio", "brightness", "contrast",
//                "sharpness", "saturation",
//                "timings_ms": {"decode", "preprocess", "inference", "postprocess"},
//                "detections": [{"class", "score", "area"}]}]}
// "detections" is present exactly when "model" is not null; "area" is the box area relative
// to the photo. The reader checks every field's type and range and bounds every count before
// allocating; an error names the JSON path ("$.photos[3].brightness") and the rule broken.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/postprocess.h"
#include "core/result.h"
#include "monitor/features.h"

namespace sightline::monitor {

inline constexpr int kBaselineVersion = 1;
inline constexpr const char* kBaselineFormat = "sightline-monitor-baseline";

inline constexpr int kMaxWindowPhotos = 100000;
inline constexpr int kMaxDetectionsPerPhoto = 10000;
inline constexpr int kMaxClassNames = 10000;
inline constexpr size_t kMaxNameLength = 4096;
inline constexpr int kMaxPhotoSide = 1 << 20;
inline constexpr uint64_t kMaxBaselineBytes = uint64_t{512} << 20;

struct MonitoredModel {
  std::string name;      // the card's name
  std::string argument;  // what the user gave as --model, to open it again for a check
  std::string sha256;
  PostprocessOptions options;
  std::vector<std::string> class_names;
};

struct Window {
  bool has_model = false;  // false: inputs only
  MonitoredModel model;
  std::vector<PhotoRecord> photos;
  std::string created;  // when the baseline was saved (ISO 8601 UTC); "" for a live window
};

std::string window_to_json(const Window& window);

// Never throws; `source` names the file in messages.
Result<Window> parse_window(std::string_view json_text, std::string_view source);

}  // namespace sightline::monitor
