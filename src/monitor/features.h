// What the monitor records about one photo: features of the input pixels, of the model's
// output and the time each stage took. Works from bytes (the browser has no paths).
//
// Input features, all on luma Y = 0.299 R + 0.587 G + 0.114 B (0..255) unless said otherwise:
// - brightness: mean Y; contrast: standard deviation of Y;
// - sharpness: variance of the 3x3 Laplacian [0 1 0; 1 -4 1; 0 1 0] of Y, computed on a copy
//   box-averaged by the smallest whole factor that brings the long side to at most 512 px, so it
//   stays cheap and roughly independent of the photo's size (a 4000 px photo and its 500 px
//   copy score alike);
// - saturation: mean HSV saturation (max - min) / max of R, G, B, 0..1 (0 for black pixels).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/detector.h"
#include "core/image.h"
#include "core/result.h"

namespace sightline::monitor {

inline constexpr int kSharpnessLongSide = 512;

struct InputFeatures {
  int width = 0;
  int height = 0;
  double aspect_ratio = 0;  // width / height
  double brightness = 0;
  double contrast = 0;
  double sharpness = 0;
  double saturation = 0;
};

struct OutputDetection {
  int class_id = 0;
  double score = 0;
  double relative_area = 0;  // box area / photo area, 0..1
};

struct PhotoRecord {
  std::string name;
  InputFeatures inputs;
  bool has_outputs = false;  // false when no model ran (inputs-only monitoring)
  std::vector<OutputDetection> detections;
  StageTimings timings;
};

InputFeatures compute_input_features(const Image& image);

// Box sizes relative to the photo, with scores and classes.
std::vector<OutputDetection> output_detections(const std::vector<Detection>& detections, int width,
                                               int height);

// A record from what the caller already has: the decoded photo and, when a model ran, its
// detections and stage timings (the app's asynchronous backends run the model themselves).
PhotoRecord make_photo_record(std::string_view name, const Image& image,
                              const std::vector<Detection>* detections,
                              const StageTimings& timings);

// Decodes the photo once, measures its inputs and, when a detector is given, runs it stage by
// stage with timings. Fails on undecodable bytes or a failed inference, naming the photo.
Result<PhotoRecord> measure_photo(std::span<const uint8_t> bytes, std::string_view name,
                                  Detector* detector, const PostprocessOptions& options,
                                  const ImageLimits& limits = {});

}  // namespace sightline::monitor
