// From a model's raw output tensor to final detections: decode the layout the card names,
// apply the score threshold, non-maximum suppression and the detection cap, and map boxes
// back to photo pixels.
#pragma once

#include <vector>

#include "core/letterbox.h"
#include "core/model_card.h"
#include "core/result.h"
#include "core/tensor.h"

namespace sightline {

struct Detection {
  int class_id = 0;
  float score = 0.0f;
  // Corners in photo pixels, x1 <= x2 and y1 <= y2, clipped to the photo.
  float x1 = 0.0f, y1 = 0.0f, x2 = 0.0f, y2 = 0.0f;
};

struct PostprocessOptions {
  float confidence = 0.3f;
  float iou = 0.45f;
  int max_detections = 300;
  bool class_agnostic = false;
};

// "confidence 2 is outside [0, 1]" and the like.
Status validate_options(const PostprocessOptions& options);

struct DecodeSpec {
  DecoderKind kind = DecoderKind::kYolox;
  std::vector<int> strides;  // YOLOX only
  int input_width = 0;
  int input_height = 0;
};

// Boxes above the threshold, in input pixels, before NMS.
Result<std::vector<Detection>> decode_candidates(const FloatTensor& raw, const DecodeSpec& spec,
                                                 float confidence);

// Greedy NMS, highest score first (ties keep the earlier candidate). Class-aware unless
// class_agnostic. Keeps at most max_detections. Returns kept candidates in score order.
std::vector<Detection> non_max_suppression(std::vector<Detection> candidates, float iou,
                                           int max_detections, bool class_agnostic);

float intersection_over_union(const Detection& a, const Detection& b);

// decode_candidates + non_max_suppression + mapping to photo pixels with clipping.
Result<std::vector<Detection>> postprocess(const FloatTensor& raw, const DecodeSpec& spec,
                                           const LetterboxGeometry& geometry,
                                           const PostprocessOptions& options);

}  // namespace sightline
