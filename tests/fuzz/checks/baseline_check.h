// Fuzz check for monitoring baselines (parse_window): a baseline read must respect the reader's
// bounds, hold finite features, and survive being written and read back unchanged, since the
// app saves what it reads.
#pragma once

#include <string>

#include "fuzz/checks/check_support.h"
#include "monitor/window.h"

namespace sightline::fuzz {

inline std::string check_baseline(std::span<const uint8_t> bytes) {
  constexpr std::string_view kSource = "fuzz.baseline.json";
  const Result<monitor::Window> window = monitor::parse_window(as_text(bytes), kSource);
  if (!window.ok()) return check_error_message("parse_window", window.message(), kSource);

  if (window->photos.size() > static_cast<size_t>(monitor::kMaxWindowPhotos))
    return "parse_window accepted " + std::to_string(window->photos.size()) + " photos";
  for (const monitor::PhotoRecord& photo : window->photos) {
    const monitor::InputFeatures& in = photo.inputs;
    if (!all_finite({in.aspect_ratio, in.brightness, in.contrast, in.sharpness, in.saturation}))
      return "photo '" + photo.name + "' has a non-finite input feature";
    if (photo.detections.size() > static_cast<size_t>(monitor::kMaxDetectionsPerPhoto))
      return "photo '" + photo.name + "' has " + std::to_string(photo.detections.size()) +
             " detections";
    for (const monitor::OutputDetection& detection : photo.detections) {
      if (!all_finite({detection.score, detection.relative_area}))
        return "photo '" + photo.name + "' has a detection with a non-finite value";
    }
  }

  const std::string written = monitor::window_to_json(*window);
  const Result<monitor::Window> read_back = monitor::parse_window(written, kSource);
  if (!read_back.ok()) return "a baseline written back does not read: " + read_back.message();
  if (monitor::window_to_json(*read_back) != written)
    return "a baseline changes when written, read and written again";
  return "";
}

}  // namespace sightline::fuzz
