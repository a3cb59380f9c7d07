// COCO-style bounding-box evaluation that reproduces pycocotools' COCOeval (iouType "bbox")
// number for number: the same matching (crowd regions, ignore flags, per-image-and-category
// maxDets), the same 101-point interpolated precision, the same tie order of equal scores, and
// the same summary statistics.
//
// Conventions kept from COCOeval on purpose, because users compare our numbers with theirs:
// - IoU thresholds 0.50:0.05:0.95 and recall thresholds 0:0.01:1, computed as numpy's linspace.
// - Matches are recorded by annotation id, and an id of 0 reads as "unmatched", as in COCOeval
//   (detections get ids 1, 2, ... in input order, like COCO.loadRes).
// - Area ranges use each ground truth's `area` (polygon area in COCO JSON; box area for YOLO
//   labels) and each detection's box area.
// - Metrics with no ground truth to measure are -1 and left out of means.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace sightline::eval {

// Boxes are COCO [x, y, width, height] in image pixels.
struct GroundTruth {
  int64_t id = 0;
  int64_t image_id = 0;
  int64_t category_id = 0;
  double x = 0, y = 0, width = 0, height = 0;
  double area = 0;
  bool crowd = false;
};

struct ScoredBox {
  int64_t image_id = 0;
  int64_t category_id = 0;
  double x = 0, y = 0, width = 0, height = 0;
  double score = 0;
};

struct EvalInput {
  std::vector<int64_t> image_ids;     // every image evaluated, with or without ground truth
  std::vector<int64_t> category_ids;  // every category evaluated
  std::vector<GroundTruth> ground_truth;
  std::vector<ScoredBox> detections;  // detections of other images or categories are ignored
};

inline constexpr int kIouThresholdCount = 10;
inline constexpr int kRecallPointCount = 101;
inline constexpr int kAreaRangeCount = 4;  // all, small, medium, large
inline constexpr int kMaxDetsCount = 3;    // 1, 10, 100

enum class Metric { kAP, kAP50, kAP75, kAPs, kAPm, kAPl, kAR1, kAR10, kAR100, kARs, kARm, kARl };
inline constexpr int kMetricCount = 12;
const char* metric_name(int metric_index);  // "AP", "AP50", ... as in the JSON output

struct CategoryResult {
  int64_t category_id = 0;
  double ap = -1;  // AP@[.5:.95], all areas, 100 detections
  double ap50 = -1;
  double ap75 = -1;
  double ar100 = -1;
  int ground_truth_count = 0;  // non-crowd ground truths
  int detection_count = 0;
  // Interpolated precision at the 101 recall points, IoU 0.5, all areas, 100 detections;
  // empty when the category has no ground truth.
  std::vector<double> precision_at_iou50;
};

struct EvalResult {
  std::array<double, kMetricCount> stats{};
  std::vector<CategoryResult> per_category;  // by ascending category id
  double iou_thresholds[kIouThresholdCount];
  double recall_thresholds[kRecallPointCount];
};

EvalResult evaluate_coco(const EvalInput& input);

// IoU of a detection against a ground truth as COCO defines it; for a crowd ground truth the
// denominator is the detection's own area, so a box inside a crowd region scores 1.
double coco_box_iou(const ScoredBox& detection, const GroundTruth& truth);

}  // namespace sightline::eval
