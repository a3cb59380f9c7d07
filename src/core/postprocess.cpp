#include "core/postprocess.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace sightline {
namespace {

std::string number_text(double value) {
  std::string text = std::to_string(value);
  while (text.size() > 1 && text.back() == '0')
    text.pop_back();
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

Detection box_from_centre(float cx, float cy, float w, float h, int class_id, float score) {
  Detection box;
  // A non-finite coordinate (a broken model, an overflowing exp) becomes an empty box at 0,
  // which NMS and clipping handle without undefined comparisons.
  if (!std::isfinite(cx) || !std::isfinite(cy) || !std::isfinite(w) || !std::isfinite(h)) {
    cx = cy = w = h = 0.0f;
  }
  box.class_id = class_id;
  box.score = score;
  box.x1 = cx - 0.5f * w;
  box.y1 = cy - 0.5f * h;
  box.x2 = cx + 0.5f * w;
  box.y2 = cy + 0.5f * h;
  return box;
}

// Highest class score of one row: returns its index and value. `stride` steps between classes.
inline int best_class(const float* scores, int class_count, size_t stride, float* best_score) {
  int best = 0;
  float best_value = scores[0];
  for (int c = 1; c < class_count; ++c) {
    const float value = scores[c * stride];
    if (value > best_value) {
      best_value = value;
      best = c;
    }
  }
  *best_score = best_value;
  return best;
}

Status check_rank3_batch1(const FloatTensor& raw, const char* layout) {
  if (raw.shape.size() != 3 || raw.shape[0] != 1) {
    return make_error("model output has shape " + shape_to_string(raw.shape) + "; the decoder " +
                      "expects " + layout);
  }
  if (static_cast<int64_t>(raw.data.size()) != raw.element_count()) {
    return make_error("model output holds " + std::to_string(raw.data.size()) +
                      " values but its shape " + shape_to_string(raw.shape) + " needs " +
                      std::to_string(raw.element_count()));
  }
  return Status::success();
}

// YOLOX: [1, N, 5 + C] rows ordered stride by stride, each grid row-major:
// tx, ty, tw, th, objectness, C class scores (objectness and classes already sigmoid-ed).
Result<std::vector<Detection>> decode_yolox(const FloatTensor& raw, const DecodeSpec& spec,
                                            float confidence) {
  if (Status status = check_rank3_batch1(raw, "[1, N, 5 + classes]"); !status) {
    return status.error();
  }
  const int64_t rows = raw.shape[1];
  const int64_t row_size = raw.shape[2];
  if (row_size < 6) {
    return make_error("YOLOX output rows have " + std::to_string(row_size) +
                      " values; need 5 + at least one class");
  }
  int64_t expected_rows = 0;
  for (int stride : spec.strides) {
    expected_rows += static_cast<int64_t>(spec.input_width / stride) * (spec.input_height / stride);
  }
  if (expected_rows != rows) {
    return make_error("YOLOX output has " + std::to_string(rows) + " rows but strides and the " +
                      std::to_string(spec.input_width) + "x" + std::to_string(spec.input_height) +
                      " input give " + std::to_string(expected_rows));
  }

  const int class_count = static_cast<int>(row_size - 5);
  std::vector<Detection> candidates;
  const float* row = raw.data.data();
  for (int stride : spec.strides) {
    const int grid_width = spec.input_width / stride;
    const int grid_height = spec.input_height / stride;
    for (int gy = 0; gy < grid_height; ++gy) {
      for (int gx = 0; gx < grid_width; ++gx, row += row_size) {
        // Class scores are at most 1, so a low objectness rules the row out early.
        const float objectness = row[4];
        if (!(objectness >= confidence)) continue;
        float class_score = 0;
        const int class_id = best_class(row + 5, class_count, 1, &class_score);
        const float score = objectness * class_score;
        if (!(score >= confidence)) continue;
        const float cx = (row[0] + gx) * stride;
        const float cy = (row[1] + gy) * stride;
        const float w = std::exp(row[2]) * stride;
        const float h = std::exp(row[3]) * stride;
        candidates.push_back(box_from_centre(cx, cy, w, h, class_id, score));
      }
    }
  }
  return candidates;
}

// YOLOv5 / YOLOv4 style: [1, N, 5 + C] rows of cx, cy, w, h (input pixels), objectness, classes.
Result<std::vector<Detection>> decode_yolov5(const FloatTensor& raw, float confidence) {
  if (Status status = check_rank3_batch1(raw, "[1, N, 5 + classes]"); !status) {
    return status.error();
  }
  const int64_t rows = raw.shape[1];
  const int64_t row_size = raw.shape[2];
  if (row_size < 6) {
    return make_error("YOLOv5 output rows have " + std::to_string(row_size) +
                      " values; need 5 + at least one class");
  }
  const int class_count = static_cast<int>(row_size - 5);
  std::vector<Detection> candidates;
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = raw.data.data() + r * row_size;
    if (!(row[4] >= confidence)) continue;
    float class_score = 0;
    const int class_id = best_class(row + 5, class_count, 1, &class_score);
    const float score = row[4] * class_score;
    if (!(score >= confidence)) continue;
    candidates.push_back(box_from_centre(row[0], row[1], row[2], row[3], class_id, score));
  }
  return candidates;
}

// YOLOv8: channel-major [1, 4 + C, N]: row k of N is column k; cx, cy, w, h, then C classes.
Result<std::vector<Detection>> decode_yolov8(const FloatTensor& raw, float confidence) {
  if (Status status = check_rank3_batch1(raw, "[1, 4 + classes, N]"); !status) {
    return status.error();
  }
  const int64_t channels = raw.shape[1];
  const int64_t anchors = raw.shape[2];
  if (channels < 5) {
    return make_error("YOLOv8 output has " + std::to_string(channels) +
                      " channels; need 4 + at least one class");
  }
  const int class_count = static_cast<int>(channels - 4);
  const float* data = raw.data.data();
  std::vector<Detection> candidates;
  for (int64_t a = 0; a < anchors; ++a) {
    float score = 0;
    const int class_id =
        best_class(data + 4 * anchors + a, class_count, static_cast<size_t>(anchors), &score);
    if (!(score >= confidence)) continue;
    candidates.push_back(box_from_centre(data[a], data[anchors + a], data[2 * anchors + a],
                                         data[3 * anchors + a], class_id, score));
  }
  return candidates;
}

}  // namespace

Status validate_options(const PostprocessOptions& options) {
  if (!(options.confidence >= 0.0f && options.confidence <= 1.0f)) {
    return make_error("confidence " + number_text(options.confidence) + " is outside [0, 1]");
  }
  if (!(options.iou >= 0.0f && options.iou <= 1.0f)) {
    return make_error("iou threshold " + number_text(options.iou) + " is outside [0, 1]");
  }
  if (options.max_detections < 0 || options.max_detections > 100000) {
    return make_error("max detections " + std::to_string(options.max_detections) +
                      " is outside [0, 100000]");
  }
  return Status::success();
}

Result<std::vector<Detection>> decode_candidates(const FloatTensor& raw, const DecodeSpec& spec,
                                                 float confidence) {
  switch (spec.kind) {
    case DecoderKind::kYolox:
      return decode_yolox(raw, spec, confidence);
    case DecoderKind::kYolov5:
      return decode_yolov5(raw, confidence);
    case DecoderKind::kYolov8:
      return decode_yolov8(raw, confidence);
  }
  return make_error("unknown decoder kind");
}

float intersection_over_union(const Detection& a, const Detection& b) {
  // Corners may arrive flipped (x2 < x1) from a broken model; order them first.
  const float ax1 = std::min(a.x1, a.x2), ax2 = std::max(a.x1, a.x2);
  const float ay1 = std::min(a.y1, a.y2), ay2 = std::max(a.y1, a.y2);
  const float bx1 = std::min(b.x1, b.x2), bx2 = std::max(b.x1, b.x2);
  const float by1 = std::min(b.y1, b.y2), by2 = std::max(b.y1, b.y2);

  const float overlap_w = std::min(ax2, bx2) - std::max(ax1, bx1);
  const float overlap_h = std::min(ay2, by2) - std::max(ay1, by1);
  if (overlap_w <= 0 || overlap_h <= 0) return 0.0f;
  const float intersection = overlap_w * overlap_h;
  const float union_area = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - intersection;
  return union_area > 0 ? intersection / union_area : 0.0f;
}

std::vector<Detection> non_max_suppression(std::vector<Detection> candidates, float iou,
                                           int max_detections, bool class_agnostic) {
  std::vector<Detection> kept;
  if (max_detections <= 0) return kept;

  // Stable, so among equal scores the earlier candidate wins, as in a plain greedy pass.
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Detection& a, const Detection& b) { return a.score > b.score; });

  for (const Detection& candidate : candidates) {
    bool suppressed = false;
    for (const Detection& keeper : kept) {
      if (!class_agnostic && keeper.class_id != candidate.class_id) continue;
      if (intersection_over_union(keeper, candidate) > iou) {
        suppressed = true;
        break;
      }
    }
    if (suppressed) continue;
    kept.push_back(candidate);
    if (static_cast<int>(kept.size()) == max_detections) break;
  }
  return kept;
}

Result<std::vector<Detection>> postprocess(const FloatTensor& raw, const DecodeSpec& spec,
                                           const LetterboxGeometry& geometry,
                                           const PostprocessOptions& options) {
  if (Status status = validate_options(options); !status) return status.error();

  auto candidates = decode_candidates(raw, spec, options.confidence);
  if (!candidates) return candidates.error();

  std::vector<Detection> detections = non_max_suppression(
      std::move(*candidates), options.iou, options.max_detections, options.class_agnostic);

  const float width = static_cast<float>(geometry.image_width);
  const float height = static_cast<float>(geometry.image_height);
  for (Detection& box : detections) {
    const float x1 = geometry.to_image_x(std::min(box.x1, box.x2));
    const float x2 = geometry.to_image_x(std::max(box.x1, box.x2));
    const float y1 = geometry.to_image_y(std::min(box.y1, box.y2));
    const float y2 = geometry.to_image_y(std::max(box.y1, box.y2));
    box.x1 = std::clamp(x1, 0.0f, width);
    box.x2 = std::clamp(x2, 0.0f, width);
    box.y1 = std::clamp(y1, 0.0f, height);
    box.y2 = std::clamp(y2, 0.0f, height);
  }
  return detections;
}

}  // namespace sightline
