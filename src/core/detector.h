// Detector: a model card plus an inference backend, turning photo bytes into detections with
// per-stage timings. The stages are also exposed one by one so the app can cache the raw
// output (re-running only post-processing when a slider moves) and so an asynchronous backend
// (ONNX Runtime Web) can run between preprocessing and post-processing.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/backend.h"
#include "core/image.h"
#include "core/model_card.h"
#include "core/postprocess.h"

namespace sightline {

struct StageTimings {
  double decode_ms = 0;
  double preprocess_ms = 0;
  double inference_ms = 0;
  double postprocess_ms = 0;
};

struct DetectionReport {
  std::string image;  // the name the photo was given as
  int width = 0;
  int height = 0;
  std::vector<Detection> detections;
  StageTimings timings;
};

// Model input for one photo plus what is needed to map its output back.
struct PreparedInput {
  FloatTensor tensor;
  LetterboxGeometry geometry;
};

class Detector {
 public:
  // Checks that the backend's input and output shapes fit the card's input size and decoder.
  static Result<std::unique_ptr<Detector>> create(ModelCard card,
                                                  std::unique_ptr<InferenceBackend> backend);

  const ModelCard& card() const { return card_; }
  InferenceBackend& backend() { return *backend_; }
  DecodeSpec decode_spec() const;

  PreparedInput prepare(const Image& image) const;
  Result<FloatTensor> infer(const PreparedInput& input);
  Result<std::vector<Detection>> finish(const FloatTensor& raw, const LetterboxGeometry& geometry,
                                        const PostprocessOptions& options) const;

  // All stages, timed.
  Result<DetectionReport> detect(std::span<const uint8_t> image_bytes, std::string_view name,
                                 const PostprocessOptions& options, const ImageLimits& limits = {});

 private:
  Detector(ModelCard card, std::unique_ptr<InferenceBackend> backend);

  ModelCard card_;
  std::unique_ptr<InferenceBackend> backend_;
};

// The object `sightline detect --json` prints for one photo:
// {"image", "width", "height", "detections": [{"class_id", "label", "score", "box"}],
//  "timings_ms": {"decode", "preprocess", "inference", "postprocess"}}
std::string report_to_json(const DetectionReport& report,
                           const std::vector<std::string>& class_names);

}  // namespace sightline
