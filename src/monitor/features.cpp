// Per-photo features for monitoring (definitions in features.h).
#include "monitor/features.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace sightline::monitor {
namespace {

using Clock = std::chrono::steady_clock;

double milliseconds_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double luma(const uint8_t* pixel) {
  return 0.299 * pixel[0] + 0.587 * pixel[1] + 0.114 * pixel[2];
}

// Luma plane box-averaged by `factor` in both directions (row-major, width x height); trailing
// rows and columns that do not fill a whole box are left out.
std::vector<double> downscaled_luma(const Image& image, int factor, int& width, int& height) {
  width = image.width / factor;
  height = image.height / factor;
  std::vector<double> plane(static_cast<size_t>(width) * height, 0.0);
  const double box_area = static_cast<double>(factor) * factor;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      double sum = 0;
      for (int dy = 0; dy < factor; ++dy) {
        const size_t row = static_cast<size_t>(y * factor + dy) * image.width;
        for (int dx = 0; dx < factor; ++dx) {
          sum += luma(&image.rgb[(row + x * factor + dx) * 3]);
        }
      }
      plane[static_cast<size_t>(y) * width + x] = sum / box_area;
    }
  }
  return plane;
}

double laplacian_variance(const Image& image) {
  const int long_side = std::max(image.width, image.height);
  const int factor = std::max(1, (long_side + kSharpnessLongSide - 1) / kSharpnessLongSide);
  int width = 0;
  int height = 0;
  const std::vector<double> plane = downscaled_luma(image, factor, width, height);
  if (width < 3 || height < 3) return 0;

  double sum = 0;
  double sum_squares = 0;
  for (int y = 1; y + 1 < height; ++y) {
    for (int x = 1; x + 1 < width; ++x) {
      const size_t at = static_cast<size_t>(y) * width + x;
      const double response =
          plane[at - width] + plane[at + width] + plane[at - 1] + plane[at + 1] - 4.0 * plane[at];
      sum += response;
      sum_squares += response * response;
    }
  }
  const double count = static_cast<double>(width - 2) * (height - 2);
  const double mean = sum / count;
  return std::max(0.0, sum_squares / count - mean * mean);
}

}  // namespace

InputFeatures compute_input_features(const Image& image) {
  InputFeatures features;
  features.width = image.width;
  features.height = image.height;
  if (image.width <= 0 || image.height <= 0) return features;
  features.aspect_ratio = static_cast<double>(image.width) / image.height;

  const size_t pixels = static_cast<size_t>(image.width) * image.height;
  double luma_sum = 0;
  double saturation_sum = 0;
  for (size_t i = 0; i < pixels; ++i) {
    const uint8_t* pixel = &image.rgb[i * 3];
    luma_sum += luma(pixel);
    const int high = std::max({pixel[0], pixel[1], pixel[2]});
    const int low = std::min({pixel[0], pixel[1], pixel[2]});
    if (high > 0) saturation_sum += static_cast<double>(high - low) / high;
  }
  const double count = static_cast<double>(pixels);
  features.brightness = luma_sum / count;
  features.saturation = saturation_sum / count;

  // A second pass around the mean: E[Y^2] - E[Y]^2 loses the small variances of flat photos
  // to cancellation.
  double squared_deviations = 0;
  for (size_t i = 0; i < pixels; ++i) {
    const double deviation = luma(&image.rgb[i * 3]) - features.brightness;
    squared_deviations += deviation * deviation;
  }
  features.contrast = std::sqrt(squared_deviations / count);
  features.sharpness = laplacian_variance(image);
  return features;
}

std::vector<OutputDetection> output_detections(const std::vector<Detection>& detections, int width,
                                               int height) {
  std::vector<OutputDetection> outputs;
  outputs.reserve(detections.size());
  const double photo_area = static_cast<double>(width) * height;
  for (const Detection& detection : detections) {
    OutputDetection output;
    output.class_id = detection.class_id;
    output.score = detection.score;
    const double box_area = std::max(0.0f, detection.x2 - detection.x1) *
                            static_cast<double>(std::max(0.0f, detection.y2 - detection.y1));
    output.relative_area = photo_area > 0 ? std::clamp(box_area / photo_area, 0.0, 1.0) : 0.0;
    outputs.push_back(output);
  }
  return outputs;
}

PhotoRecord make_photo_record(std::string_view name, const Image& image,
                              const std::vector<Detection>* detections,
                              const StageTimings& timings) {
  PhotoRecord record;
  record.name = std::string(name);
  record.inputs = compute_input_features(image);
  record.timings = timings;
  if (detections != nullptr) {
    record.has_outputs = true;
    record.detections = output_detections(*detections, image.width, image.height);
  }
  return record;
}

Result<PhotoRecord> measure_photo(std::span<const uint8_t> bytes, std::string_view name,
                                  Detector* detector, const PostprocessOptions& options,
                                  const ImageLimits& limits) {
  PhotoRecord record;
  record.name = std::string(name);

  auto start = Clock::now();
  auto image = decode_image(bytes, name, limits);
  if (!image) return image.error();
  record.timings.decode_ms = milliseconds_since(start);
  record.inputs = compute_input_features(*image);
  if (detector == nullptr) return record;

  start = Clock::now();
  const PreparedInput prepared = detector->prepare(*image);
  record.timings.preprocess_ms = milliseconds_since(start);

  start = Clock::now();
  auto raw = detector->infer(prepared);
  if (!raw) return make_error(std::string(name) + ": inference failed: " + raw.message());
  record.timings.inference_ms = milliseconds_since(start);

  start = Clock::now();
  auto detections = detector->finish(*raw, prepared.geometry, options);
  if (!detections) return make_error(std::string(name) + ": " + detections.message());
  record.timings.postprocess_ms = milliseconds_since(start);

  record.has_outputs = true;
  record.detections = output_detections(*detections, image->width, image->height);
  return record;
}

}  // namespace sightline::monitor
