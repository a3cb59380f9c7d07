#include "eval/evaluation.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <unordered_map>

#include "core/model_store.h"
#include "nlohmann/json.hpp"

namespace sightline::eval {
namespace {

using Json = nlohmann::ordered_json;

std::string category_name(const Dataset& dataset, int64_t category_id) {
  for (const Category& category : dataset.categories) {
    if (category.id == category_id) return category.name;
  }
  return std::to_string(category_id);
}

// Rounded for output: six decimals are far below any meaningful metric difference.
double rounded(double value) {
  return std::round(value * 1e6) / 1e6;
}

}  // namespace

Result<std::vector<int64_t>> map_classes_to_categories(const std::vector<std::string>& class_names,
                                                       const Dataset& dataset) {
  std::unordered_map<std::string, int> model_index;
  for (size_t i = 0; i < class_names.size(); ++i)
    model_index[class_names[i]] = static_cast<int>(i);

  bool all_named = !dataset.categories.empty();
  for (const Category& category : dataset.categories) {
    all_named = all_named && model_index.count(category.name) > 0;
  }
  std::vector<int64_t> mapping(class_names.size(), -1);
  if (all_named) {
    for (const Category& category : dataset.categories) {
      mapping[model_index[category.name]] = category.id;
    }
    return mapping;
  }
  if (dataset.categories.size() == class_names.size()) {
    for (size_t i = 0; i < class_names.size(); ++i)
      mapping[i] = dataset.categories[i].id;
    return mapping;
  }
  return make_error("cannot map the model's " + std::to_string(class_names.size()) +
                    " classes onto the dataset's " + std::to_string(dataset.categories.size()) +
                    " categories: the names differ (e.g. category '" +
                    (dataset.categories.empty() ? std::string("?") : dataset.categories[0].name) +
                    "') and so do the counts");
}

ScoredBox to_scored_box(int64_t image_id, int64_t category_id, const Detection& detection) {
  ScoredBox box;
  box.image_id = image_id;
  box.category_id = category_id;
  box.x = detection.x1;
  box.y = detection.y1;
  box.width = detection.x2 - detection.x1;
  box.height = detection.y2 - detection.y1;
  box.score = detection.score;
  return box;
}

double mean_brightness(const Image& image) {
  const size_t pixels = static_cast<size_t>(image.width) * image.height;
  if (pixels == 0) return -1;
  double sum = 0;
  for (size_t p = 0; p < pixels; ++p) {
    const uint8_t* rgb = &image.rgb[p * 3];
    sum += 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
  }
  return sum / pixels;
}

InferenceOutcome run_detector_on_dataset(Detector& detector, const Dataset& dataset,
                                         const std::vector<int64_t>& class_to_category,
                                         const PostprocessOptions& options,
                                         const ProgressCallback& progress) {
  InferenceOutcome outcome;
  const auto start = std::chrono::steady_clock::now();
  const int total = static_cast<int>(dataset.images.size());
  int done = 0;
  for (const DatasetImage& image : dataset.images) {
    if (progress) progress(done, total);
    ++done;
    if (image.path.empty()) {
      outcome.issues.push_back({Severity::kError, image.file_name,
                                "photo not found, so the model was not run on it; its objects "
                                "count as missed",
                                "photo not found"});
      continue;
    }
    auto bytes = read_file(image.path, uint64_t{1} << 30);
    if (!bytes) {
      outcome.issues.push_back({Severity::kError, image.file_name, bytes.message(), "unreadable"});
      continue;
    }
    auto decoded = decode_image(*bytes, image.file_name);
    if (!decoded) {
      outcome.issues.push_back(
          {Severity::kError, image.file_name, decoded.message(), "corrupt image"});
      continue;
    }
    outcome.measures[image.id].brightness = mean_brightness(*decoded);

    const PreparedInput prepared = detector.prepare(*decoded);
    auto raw = detector.infer(prepared);
    if (!raw) {
      outcome.issues.push_back({Severity::kError, image.file_name,
                                "inference failed: " + raw.message(), "inference failed"});
      continue;
    }
    auto detections = detector.finish(*raw, prepared.geometry, options);
    if (!detections) {
      outcome.issues.push_back(
          {Severity::kError, image.file_name, detections.message(), "postprocess failed"});
      continue;
    }
    ++outcome.images_run;
    for (const Detection& detection : *detections) {
      const bool mapped = detection.class_id >= 0 &&
                          detection.class_id < static_cast<int>(class_to_category.size()) &&
                          class_to_category[detection.class_id] >= 0;
      if (mapped) {
        outcome.detections.push_back(
            to_scored_box(image.id, class_to_category[detection.class_id], detection));
      }
    }
  }
  if (progress) progress(total, total);
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return outcome;
}

EvaluationReport evaluate_dataset(const Dataset& dataset, const std::vector<ScoredBox>& detections,
                                  const std::map<int64_t, ImageMeasure>& measures,
                                  const EvaluationSettings& settings) {
  EvaluationReport report;
  EvalInput input;
  for (const DatasetImage& image : dataset.images)
    input.image_ids.push_back(image.id);
  for (const Category& category : dataset.categories)
    input.category_ids.push_back(category.id);
  input.ground_truth = dataset.annotations;
  input.detections = detections;
  report.coco = evaluate_coco(input);

  report.confusion =
      confusion_matrix(dataset, detections, settings.confusion_iou, settings.confusion_confidence);
  report.errors =
      analyse_errors(dataset, detections, settings.confusion_iou, settings.confusion_confidence);
  report.slices = slice_metrics(dataset, detections, measures);

  report.images = static_cast<int>(dataset.images.size());
  for (const GroundTruth& truth : dataset.annotations) {
    (truth.crowd ? report.crowd : report.ground_truth) += 1;
  }
  report.detections = static_cast<int>(detections.size());
  return report;
}

std::string report_to_json(const EvaluationReport& report, const Dataset& dataset) {
  Json out = Json::object();
  for (int m = 0; m < kMetricCount; ++m)
    out[metric_name(m)] = rounded(report.coco.stats[m]);

  Json per_class = Json::array();
  for (const CategoryResult& category : report.coco.per_category) {
    Json curve = Json::array();
    for (double precision : category.precision_at_iou50)
      curve.push_back(rounded(precision));
    per_class.push_back({{"category_id", category.category_id},
                         {"name", category_name(dataset, category.category_id)},
                         {"AP", rounded(category.ap)},
                         {"AP50", rounded(category.ap50)},
                         {"AP75", rounded(category.ap75)},
                         {"AR100", rounded(category.ar100)},
                         {"ground_truth", category.ground_truth_count},
                         {"detections", category.detection_count},
                         {"pr_curve_iou50", curve}});
  }
  out["per_class"] = per_class;
  out["counts"] = {{"images", report.images},
                   {"ground_truth", report.ground_truth},
                   {"crowd", report.crowd},
                   {"detections", report.detections}};

  Json matrix = Json::array();
  const int size = report.confusion.size();
  for (int row = 0; row < size; ++row) {
    Json cells = Json::array();
    for (int column = 0; column < size; ++column)
      cells.push_back(report.confusion.at(row, column));
    matrix.push_back(cells);
  }
  Json labels = Json::array();
  for (int64_t id : report.confusion.category_ids)
    labels.push_back(category_name(dataset, id));
  labels.push_back("background");
  out["confusion"] = {{"iou", report.confusion.iou_threshold},
                      {"confidence", report.confusion.confidence},
                      {"labels", labels},
                      {"rows_are", "ground truth"},
                      {"matrix", matrix}};

  Json by_kind = Json::object();
  for (const auto& [kind, count] : report.errors.count_by_kind)
    by_kind[error_kind_name(kind)] = count;
  Json false_positives = Json::array();
  for (const FalsePositive& error : report.errors.false_positives) {
    const ScoredBox& box = error.detection;
    false_positives.push_back(
        {{"image_id", box.image_id},
         {"category_id", box.category_id},
         {"bbox", {rounded(box.x), rounded(box.y), rounded(box.width), rounded(box.height)}},
         {"score", rounded(box.score)},
         {"kind", error_kind_name(error.kind)},
         {"truth_id", error.truth_id},
         {"iou", rounded(error.iou)}});
  }
  Json missed = Json::array();
  for (const MissedObject& object : report.errors.missed) {
    const GroundTruth& truth = object.truth;
    missed.push_back(
        {{"image_id", truth.image_id},
         {"annotation_id", truth.id},
         {"category_id", truth.category_id},
         {"bbox",
          {rounded(truth.x), rounded(truth.y), rounded(truth.width), rounded(truth.height)}},
         {"best_iou", rounded(object.best_iou)}});
  }
  out["errors"] = {{"iou", report.errors.iou_threshold},
                   {"confidence", report.errors.confidence},
                   {"true_positives", report.errors.true_positives},
                   {"false_positives_by_kind", by_kind},
                   {"false_positives", false_positives},
                   {"missed", missed}};

  Json slices = Json::array();
  for (const SliceResult& slice : report.slices) {
    slices.push_back({{"dimension", slice.dimension},
                      {"bucket", slice.bucket},
                      {"images", slice.images},
                      {"objects", slice.objects},
                      {"AP", rounded(slice.ap)},
                      {"AP50", rounded(slice.ap50)}});
  }
  out["slices"] = slices;
  return out.dump();
}

std::string report_to_table(const EvaluationReport& report, const Dataset& dataset) {
  std::string out;
  char line[256];
  const auto& s = report.coco.stats;
  const char* rows[12][2] = {
      {"Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]", "AP"},
      {"Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ]", "AP50"},
      {"Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=100 ]", "AP75"},
      {"Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ]", "APs"},
      {"Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ]", "APm"},
      {"Average Precision  (AP) @[ IoU=0.50:0.95 | area= large | maxDets=100 ]", "APl"},
      {"Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ]", "AR1"},
      {"Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets= 10 ]", "AR10"},
      {"Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]", "AR100"},
      {"Average Recall     (AR) @[ IoU=0.50:0.95 | area= small | maxDets=100 ]", "ARs"},
      {"Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ]", "ARm"},
      {"Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ]", "ARl"}};
  for (int m = 0; m < kMetricCount; ++m) {
    std::snprintf(line, sizeof line, " %-6s %s = %6.3f\n", rows[m][1], rows[m][0], s[m]);
    out += line;
  }

  out += "\nper class (AP@[.5:.95], AP50, objects, detections):\n";
  for (const CategoryResult& category : report.coco.per_category) {
    if (category.ground_truth_count == 0 && category.detection_count == 0) continue;
    std::snprintf(line, sizeof line, "  %-20s %6.3f %6.3f %6d %6d\n",
                  category_name(dataset, category.category_id).c_str(), category.ap, category.ap50,
                  category.ground_truth_count, category.detection_count);
    out += line;
  }

  const ErrorAnalysis& errors = report.errors;
  std::snprintf(line, sizeof line,
                "\nerrors at IoU %.2f, confidence %.2f: %d true positives, %zu false positives "
                "(",
                errors.iou_threshold, errors.confidence, errors.true_positives,
                errors.false_positives.size());
  out += line;
  bool first = true;
  for (const auto& [kind, count] : errors.count_by_kind) {
    out += (first ? "" : ", ") + std::to_string(count) + " " + error_kind_name(kind);
    first = false;
  }
  out += "), " + std::to_string(errors.missed.size()) + " missed objects\n";

  if (!report.slices.empty()) {
    out += "\nslices (images, objects, AP, AP50):\n";
    for (const SliceResult& slice : report.slices) {
      std::snprintf(line, sizeof line, "  %-10s %-22s %5d %6d %6.3f %6.3f\n",
                    slice.dimension.c_str(), slice.bucket.c_str(), slice.images, slice.objects,
                    slice.ap, slice.ap50);
      out += line;
    }
  }
  std::snprintf(line, sizeof line, "\n%d images, %d objects (+%d crowd), %d detections\n",
                report.images, report.ground_truth, report.crowd, report.detections);
  out += line;
  return out;
}

}  // namespace sightline::eval
