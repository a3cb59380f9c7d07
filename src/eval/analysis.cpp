#include "eval/analysis.h"

#include <algorithm>
#include <unordered_map>

namespace sightline::eval {
namespace {

// Detections at or above the confidence, grouped by image, each group by descending score.
std::map<int64_t, std::vector<const ScoredBox*>> confident_by_image(
    const std::vector<ScoredBox>& detections, double confidence) {
  std::map<int64_t, std::vector<const ScoredBox*>> groups;
  for (const ScoredBox& box : detections) {
    if (box.score >= confidence) groups[box.image_id].push_back(&box);
  }
  for (auto& [image, boxes] : groups) {
    std::stable_sort(boxes.begin(), boxes.end(),
                     [](const ScoredBox* a, const ScoredBox* b) { return a->score > b->score; });
  }
  return groups;
}

std::map<int64_t, std::vector<const GroundTruth*>> truth_by_image(const Dataset& dataset) {
  std::map<int64_t, std::vector<const GroundTruth*>> groups;
  for (const GroundTruth& truth : dataset.annotations)
    groups[truth.image_id].push_back(&truth);
  return groups;
}

EvalInput subset_input(const Dataset& dataset, const std::vector<ScoredBox>& detections,
                       const std::vector<int64_t>& image_ids) {
  EvalInput input;
  input.image_ids = image_ids;
  for (const Category& category : dataset.categories)
    input.category_ids.push_back(category.id);
  std::vector<int64_t> sorted = image_ids;
  std::sort(sorted.begin(), sorted.end());
  auto contains = [&](int64_t id) { return std::binary_search(sorted.begin(), sorted.end(), id); };
  for (const GroundTruth& truth : dataset.annotations) {
    if (contains(truth.image_id)) input.ground_truth.push_back(truth);
  }
  for (const ScoredBox& box : detections) {
    if (contains(box.image_id)) input.detections.push_back(box);
  }
  return input;
}

}  // namespace

const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kDuplicate:
      return "duplicate";
    case ErrorKind::kWrongClass:
      return "wrong class";
    case ErrorKind::kPoorLocalisation:
      return "poor localisation";
    case ErrorKind::kBackground:
      return "background";
  }
  return "?";
}

ConfusionMatrix confusion_matrix(const Dataset& dataset, const std::vector<ScoredBox>& detections,
                                 double iou_threshold, double confidence) {
  ConfusionMatrix matrix;
  matrix.iou_threshold = iou_threshold;
  matrix.confidence = confidence;
  std::unordered_map<int64_t, int> index_of;
  for (const Category& category : dataset.categories) {
    index_of[category.id] = static_cast<int>(matrix.category_ids.size());
    matrix.category_ids.push_back(category.id);
  }
  const int background = static_cast<int>(matrix.category_ids.size());
  const int size = matrix.size();
  matrix.counts.assign(static_cast<size_t>(size) * size, 0);
  auto index = [&](int64_t category_id) {
    auto it = index_of.find(category_id);
    return it == index_of.end() ? -1 : it->second;
  };

  const auto truths = truth_by_image(dataset);
  const auto groups = confident_by_image(detections, confidence);
  for (const DatasetImage& image : dataset.images) {
    std::vector<const GroundTruth*> objects;
    if (auto it = truths.find(image.id); it != truths.end()) {
      for (const GroundTruth* truth : it->second) {
        if (!truth->crowd && index(truth->category_id) >= 0) objects.push_back(truth);
      }
    }
    std::vector<const ScoredBox*> boxes;
    if (auto it = groups.find(image.id); it != groups.end()) {
      for (const ScoredBox* box : it->second) {
        if (index(box->category_id) >= 0) boxes.push_back(box);
      }
    }

    struct Pair {
      double iou;
      size_t truth;
      size_t box;
    };
    std::vector<Pair> pairs;
    for (size_t t = 0; t < objects.size(); ++t) {
      for (size_t b = 0; b < boxes.size(); ++b) {
        const double iou = coco_box_iou(*boxes[b], *objects[t]);
        if (iou >= iou_threshold) pairs.push_back({iou, t, b});
      }
    }
    std::stable_sort(pairs.begin(), pairs.end(),
                     [](const Pair& a, const Pair& b) { return a.iou > b.iou; });
    std::vector<char> truth_used(objects.size(), 0), box_used(boxes.size(), 0);
    for (const Pair& pair : pairs) {
      if (truth_used[pair.truth] || box_used[pair.box]) continue;
      truth_used[pair.truth] = box_used[pair.box] = 1;
      const int truth_class = index(objects[pair.truth]->category_id);
      const int predicted = index(boxes[pair.box]->category_id);
      ++matrix.counts[truth_class * size + predicted];
    }
    for (size_t t = 0; t < objects.size(); ++t) {
      if (!truth_used[t]) ++matrix.counts[index(objects[t]->category_id) * size + background];
    }
    for (size_t b = 0; b < boxes.size(); ++b) {
      if (!box_used[b]) ++matrix.counts[background * size + index(boxes[b]->category_id)];
    }
  }
  return matrix;
}

ErrorAnalysis analyse_errors(const Dataset& dataset, const std::vector<ScoredBox>& detections,
                             double iou_threshold, double confidence) {
  constexpr double kLocalisationFloor = 0.1;
  ErrorAnalysis analysis;
  analysis.iou_threshold = iou_threshold;
  analysis.confidence = confidence;

  const auto truths = truth_by_image(dataset);
  const auto groups = confident_by_image(detections, confidence);
  static const std::vector<const GroundTruth*> kNone;

  for (const DatasetImage& image : dataset.images) {
    auto truth_it = truths.find(image.id);
    const auto& objects = truth_it == truths.end() ? kNone : truth_it->second;
    std::vector<char> taken(objects.size(), 0);
    std::vector<double> best_same_class_iou(objects.size(), 0.0);

    if (auto group = groups.find(image.id); group != groups.end()) {
      for (const ScoredBox* box : group->second) {
        int best_free = -1, best_taken = -1, best_other = -1, best_any_same = -1;
        double free_iou = 0, taken_iou = 0, other_iou = 0, same_iou = 0;
        bool in_crowd = false;
        for (size_t t = 0; t < objects.size(); ++t) {
          const GroundTruth& truth = *objects[t];
          const double iou = coco_box_iou(*box, truth);
          if (truth.crowd) {
            if (truth.category_id == box->category_id && iou >= iou_threshold) in_crowd = true;
            continue;
          }
          if (truth.category_id == box->category_id) {
            best_same_class_iou[t] = std::max(best_same_class_iou[t], iou);
            if (iou > same_iou) same_iou = iou, best_any_same = static_cast<int>(t);
            if (!taken[t] && iou >= iou_threshold && iou > free_iou) {
              free_iou = iou, best_free = static_cast<int>(t);
            }
            if (taken[t] && iou >= iou_threshold && iou > taken_iou) {
              taken_iou = iou, best_taken = static_cast<int>(t);
            }
          } else if (iou >= iou_threshold && iou > other_iou) {
            other_iou = iou, best_other = static_cast<int>(t);
          }
        }

        if (best_free >= 0) {
          taken[best_free] = 1;
          ++analysis.true_positives;
          continue;
        }
        if (in_crowd) continue;

        FalsePositive error;
        error.detection = *box;
        if (best_taken >= 0) {
          error.kind = ErrorKind::kDuplicate;
          error.truth_id = objects[best_taken]->id;
          error.iou = taken_iou;
        } else if (best_other >= 0) {
          error.kind = ErrorKind::kWrongClass;
          error.truth_id = objects[best_other]->id;
          error.iou = other_iou;
        } else if (best_any_same >= 0 && same_iou >= kLocalisationFloor) {
          error.kind = ErrorKind::kPoorLocalisation;
          error.truth_id = objects[best_any_same]->id;
          error.iou = same_iou;
        } else {
          error.kind = ErrorKind::kBackground;
        }
        ++analysis.count_by_kind[error.kind];
        analysis.false_positives.push_back(error);
      }
    }

    for (size_t t = 0; t < objects.size(); ++t) {
      if (objects[t]->crowd || taken[t]) continue;
      analysis.missed.push_back({*objects[t], best_same_class_iou[t]});
    }
  }
  std::stable_sort(analysis.false_positives.begin(), analysis.false_positives.end(),
                   [](const FalsePositive& a, const FalsePositive& b) {
                     return a.detection.score > b.detection.score;
                   });
  return analysis;
}

std::vector<SliceResult> slice_metrics(const Dataset& dataset,
                                       const std::vector<ScoredBox>& detections,
                                       const std::map<int64_t, ImageMeasure>& measures) {
  // Buckets of images: (dimension, bucket name) -> image ids.
  std::map<std::pair<std::string, std::string>, std::vector<int64_t>> buckets;
  for (const DatasetImage& image : dataset.images) {
    auto measure = measures.find(image.id);
    if (measure != measures.end() && measure->second.brightness >= 0) {
      const double luma = measure->second.brightness;
      const char* bucket = luma < 85    ? "dark (< 85)"
                           : luma < 170 ? "normal (85-170)"
                                        : "bright (>= 170)";
      buckets[{"brightness", bucket}].push_back(image.id);
    }
    if (image.width > 0 && image.height > 0) {
      const double megapixels = static_cast<double>(image.width) * image.height / 1e6;
      const char* bucket = megapixels < 0.3   ? "small (< 0.3 Mpx)"
                           : megapixels < 1.0 ? "medium (0.3-1 Mpx)"
                                              : "large (>= 1 Mpx)";
      buckets[{"image size", bucket}].push_back(image.id);
    }
    for (const std::string& tag : image.tags)
      buckets[{"tag", tag}].push_back(image.id);
  }

  std::vector<SliceResult> slices;
  for (const auto& [key, image_ids] : buckets) {
    const EvalInput input = subset_input(dataset, detections, image_ids);
    const EvalResult result = evaluate_coco(input);
    SliceResult slice;
    slice.dimension = key.first;
    slice.bucket = key.second;
    slice.images = static_cast<int>(image_ids.size());
    for (const GroundTruth& truth : input.ground_truth)
      slice.objects += !truth.crowd;
    slice.ap = result.stats[0];
    slice.ap50 = result.stats[1];
    slices.push_back(slice);
  }
  return slices;
}

}  // namespace sightline::eval
