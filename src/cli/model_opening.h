// Turning the --model argument (a card path, a card name or an .onnx file) into a ready
// Detector on our engine.
#pragma once

#include <memory>
#include <string>

#include "core/detector.h"
#include "core/result.h"
#include "engine/engine.h"

namespace sightline::cli {

inline constexpr const char* kDefaultModel = "yolox_nano";

struct OpenedDetector {
  std::unique_ptr<Detector> detector;
  // Set when the model came without a card: what was guessed from its shapes.
  std::string guess;
};

Result<OpenedDetector> open_detector(const std::string& model_argument,
                                     const engine::EngineOptions& options);

}  // namespace sightline::cli
