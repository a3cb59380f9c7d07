// Beyond the COCO numbers: where a model fails on a dataset.
// - A confusion matrix at one IoU and confidence, with a background row and column.
// - Every false positive classified (duplicate, wrong class, poor localisation, background) and
//   every missed object listed.
// - Metrics on slices of the dataset: image brightness, image size, and user tags.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "eval/coco_eval.h"
#include "eval/dataset.h"

namespace sightline::eval {

struct ConfusionMatrix {
  double iou_threshold = 0.5;
  double confidence = 0.25;
  std::vector<int64_t> category_ids;  // row/column k < C is category_ids[k]; C is background
  // counts[truth * (C + 1) + predicted]; truth C = a detection matching no object,
  // predicted C = an object no detection matched.
  std::vector<int> counts;

  int size() const { return static_cast<int>(category_ids.size()) + 1; }
  int at(int truth, int predicted) const { return counts[truth * size() + predicted]; }
};

// Per image, detections at or above the confidence are matched one-to-one to non-crowd ground
// truth of any class, highest IoU first, pairs below the IoU threshold excluded.
ConfusionMatrix confusion_matrix(const Dataset& dataset, const std::vector<ScoredBox>& detections,
                                 double iou_threshold, double confidence);

enum class ErrorKind { kDuplicate, kWrongClass, kPoorLocalisation, kBackground };
const char* error_kind_name(ErrorKind kind);

struct FalsePositive {
  ScoredBox detection;
  ErrorKind kind = ErrorKind::kBackground;
  int64_t truth_id = 0;  // the ground truth it was closest to (0 if none overlaps)
  double iou = 0;
};

struct MissedObject {
  GroundTruth truth;
  double best_iou = 0;  // best IoU of any same-class detection at the confidence
};

struct ErrorAnalysis {
  double iou_threshold = 0.5;
  double confidence = 0.25;
  int true_positives = 0;
  std::vector<FalsePositive> false_positives;  // by descending score
  std::vector<MissedObject> missed;
  std::map<ErrorKind, int> count_by_kind;
};

// Detections at or above the confidence, highest score first per image: a true positive takes
// an unmatched same-class object at IoU >= threshold. Otherwise it is a duplicate (that object
// was already taken), wrong class (another class's object at IoU >= threshold), poor
// localisation (same class, 0.1 <= IoU < threshold) or background. Detections inside crowd
// regions are neither.
ErrorAnalysis analyse_errors(const Dataset& dataset, const std::vector<ScoredBox>& detections,
                             double iou_threshold, double confidence);

struct SliceResult {
  std::string dimension;  // "brightness", "image size", "tag"
  std::string bucket;     // "dark (< 85)", "tag: night", ...
  int images = 0;
  int objects = 0;
  double ap = -1;
  double ap50 = -1;
};

// Per-image measurements the slices need; brightness is the mean luma 0..255, -1 if unknown.
struct ImageMeasure {
  double brightness = -1;
};

std::vector<SliceResult> slice_metrics(const Dataset& dataset,
                                       const std::vector<ScoredBox>& detections,
                                       const std::map<int64_t, ImageMeasure>& measures);

}  // namespace sightline::eval
