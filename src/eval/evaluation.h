// An evaluation run end to end: the model's classes mapped onto the dataset's categories,
// detections gathered (from our detector, or from a results file), COCO metrics, error
// analysis and slices, and the report as a table or JSON.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/detector.h"
#include "eval/analysis.h"
#include "eval/coco_eval.h"
#include "eval/dataset.h"

namespace sightline::eval {

// For each model class index, the dataset category it predicts, or -1 when the dataset has no
// such category. Matched by name when every category name is among the model's class names
// (COCO JSON with 80 named categories against COCO-trained models); else by position when the
// counts agree (a YOLO dataset's 0-based classes).
Result<std::vector<int64_t>> map_classes_to_categories(const std::vector<std::string>& class_names,
                                                       const Dataset& dataset);

ScoredBox to_scored_box(int64_t image_id, int64_t category_id, const Detection& detection);

// Mean luma (0.299 R + 0.587 G + 0.114 B) of a photo, 0..255.
double mean_brightness(const Image& image);

struct InferenceOutcome {
  std::vector<ScoredBox> detections;
  std::map<int64_t, ImageMeasure> measures;
  std::vector<ValidationIssue> issues;  // photos that could not be read or run
  int images_run = 0;
  double seconds = 0;
};

using ProgressCallback = std::function<void(int done, int total)>;

// Runs the detector on every dataset photo that has a path. A photo that fails is an issue,
// never a silent drop; the run continues with the others.
InferenceOutcome run_detector_on_dataset(Detector& detector, const Dataset& dataset,
                                         const std::vector<int64_t>& class_to_category,
                                         const PostprocessOptions& options,
                                         const ProgressCallback& progress);

struct EvaluationSettings {
  double confusion_iou = 0.5;
  double confusion_confidence = 0.25;
};

struct EvaluationReport {
  EvalResult coco;
  ConfusionMatrix confusion;
  ErrorAnalysis errors;
  std::vector<SliceResult> slices;
  int images = 0;
  int ground_truth = 0;  // non-crowd
  int crowd = 0;
  int detections = 0;
};

EvaluationReport evaluate_dataset(const Dataset& dataset, const std::vector<ScoredBox>& detections,
                                  const std::map<int64_t, ImageMeasure>& measures,
                                  const EvaluationSettings& settings);

// {"AP", ..., "ARl", "per_class": [...], "counts": {...}, "confusion": {...},
//  "errors": {...}, "slices": [...]}; metrics are fractions 0..1, -1 where undefined.
std::string report_to_json(const EvaluationReport& report, const Dataset& dataset);

std::string report_to_table(const EvaluationReport& report, const Dataset& dataset);

}  // namespace sightline::eval
