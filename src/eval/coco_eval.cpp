#include "eval/coco_eval.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <unordered_map>

namespace sightline::eval {
namespace {

constexpr int kMaxDets[kMaxDetsCount] = {1, 10, 100};
constexpr double kAreaRanges[kAreaRangeCount][2] = {
    {0, 1e10}, {0, 32.0 * 32.0}, {32.0 * 32.0, 96.0 * 96.0}, {96.0 * 96.0, 1e10}};

// numpy.linspace(start, stop, count): i * step + start, with the last value exactly stop.
void linspace(double start, double stop, int count, double* out) {
  const double step = (stop - start) / (count - 1);
  for (int i = 0; i < count; ++i)
    out[i] = i * step + start;
  out[count - 1] = stop;
}

struct Detection {
  const ScoredBox* box;
  int64_t id;  // 1-based position in the input, as COCO.loadRes assigns
  double area;
};

// Per image and category, the result of matching at every IoU threshold (COCOeval's
// evaluateImg for one area range, with maxDet = 100).
struct ImageEvaluation {
  std::vector<double> scores;                         // detections in descending score order
  std::vector<std::vector<int64_t>> detection_match;  // [threshold][detection] gt id or 0
  std::vector<std::vector<char>> detection_ignored;   // [threshold][detection]
  std::vector<char> truth_ignored;                    // per ground truth, non-ignored first
};

using Key = std::pair<int64_t, int64_t>;  // image id, category id

ImageEvaluation evaluate_image(const std::vector<const GroundTruth*>& truths_in,
                               const std::vector<Detection>& detections_sorted,
                               const std::vector<std::vector<double>>& ious_sorted,
                               const double area_range[2], const double* iou_thresholds) {
  ImageEvaluation result;
  const size_t truth_count = truths_in.size();

  // Ground truth that is crowd or outside the area range is "ignored": it can absorb matches
  // but never counts as missed. Non-ignored ones come first (a stable sort, as numpy mergesort).
  std::vector<char> ignored(truth_count);
  for (size_t g = 0; g < truth_count; ++g) {
    const GroundTruth& truth = *truths_in[g];
    ignored[g] = truth.crowd || truth.area < area_range[0] || truth.area > area_range[1];
  }
  std::vector<size_t> order(truth_count);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return ignored[a] < ignored[b]; });

  const size_t detection_count = detections_sorted.size();
  result.truth_ignored.resize(truth_count);
  for (size_t g = 0; g < truth_count; ++g)
    result.truth_ignored[g] = ignored[order[g]];
  result.scores.resize(detection_count);
  for (size_t d = 0; d < detection_count; ++d)
    result.scores[d] = detections_sorted[d].box->score;

  result.detection_match.assign(kIouThresholdCount, std::vector<int64_t>(detection_count, 0));
  result.detection_ignored.assign(kIouThresholdCount, std::vector<char>(detection_count, 0));

  if (truth_count > 0 && detection_count > 0) {
    for (int t = 0; t < kIouThresholdCount; ++t) {
      std::vector<int64_t> truth_match(truth_count, 0);
      for (size_t d = 0; d < detection_count; ++d) {
        double best_iou = std::min(iou_thresholds[t], 1 - 1e-10);
        int match = -1;
        for (size_t g = 0; g < truth_count; ++g) {
          const GroundTruth& truth = *truths_in[order[g]];
          // A matched ground truth is taken, unless it is a crowd region.
          if (truth_match[g] > 0 && !truth.crowd) continue;
          // Once matched to a real object, stop before reaching the ignored ones.
          if (match > -1 && !result.truth_ignored[match] && result.truth_ignored[g]) break;
          const double iou = ious_sorted[d][order[g]];
          if (iou < best_iou) continue;
          best_iou = iou;
          match = static_cast<int>(g);
        }
        if (match == -1) continue;
        result.detection_ignored[t][d] = result.truth_ignored[match];
        result.detection_match[t][d] = truths_in[order[match]]->id;
        truth_match[match] = detections_sorted[d].id;
      }
    }
  }

  // Unmatched detections outside the area range are ignored too.
  for (size_t d = 0; d < detection_count; ++d) {
    const double area = detections_sorted[d].area;
    const bool outside = area < area_range[0] || area > area_range[1];
    for (int t = 0; t < kIouThresholdCount; ++t) {
      if (result.detection_match[t][d] == 0 && outside) result.detection_ignored[t][d] = 1;
    }
  }
  return result;
}

double mean_of_valid(const std::vector<double>& values) {
  double sum = 0;
  int count = 0;
  for (double value : values) {
    if (value > -1) {
      sum += value;
      ++count;
    }
  }
  return count == 0 ? -1 : sum / count;
}

}  // namespace

const char* metric_name(int metric_index) {
  static const char* const kNames[kMetricCount] = {"AP",  "AP50", "AP75",  "APs", "APm", "APl",
                                                   "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"};
  return metric_index >= 0 && metric_index < kMetricCount ? kNames[metric_index] : "?";
}

double coco_box_iou(const ScoredBox& detection, const GroundTruth& truth) {
  const double overlap_w = std::min(detection.x + detection.width, truth.x + truth.width) -
                           std::max(detection.x, truth.x);
  if (overlap_w <= 0) return 0;
  const double overlap_h = std::min(detection.y + detection.height, truth.y + truth.height) -
                           std::max(detection.y, truth.y);
  if (overlap_h <= 0) return 0;
  const double intersection = overlap_w * overlap_h;
  const double detection_area = detection.width * detection.height;
  const double union_area =
      truth.crowd ? detection_area : detection_area + truth.width * truth.height - intersection;
  return intersection / union_area;
}

EvalResult evaluate_coco(const EvalInput& input) {
  EvalResult result;
  linspace(0.5, 0.95, kIouThresholdCount, result.iou_thresholds);
  linspace(0.0, 1.0, kRecallPointCount, result.recall_thresholds);

  std::vector<int64_t> image_ids = input.image_ids;
  std::sort(image_ids.begin(), image_ids.end());
  image_ids.erase(std::unique(image_ids.begin(), image_ids.end()), image_ids.end());
  std::vector<int64_t> category_ids = input.category_ids;
  std::sort(category_ids.begin(), category_ids.end());
  category_ids.erase(std::unique(category_ids.begin(), category_ids.end()), category_ids.end());

  std::map<Key, std::vector<const GroundTruth*>> truths;
  for (const GroundTruth& truth : input.ground_truth) {
    truths[{truth.image_id, truth.category_id}].push_back(&truth);
  }
  std::map<Key, std::vector<Detection>> detections;
  for (size_t i = 0; i < input.detections.size(); ++i) {
    const ScoredBox& box = input.detections[i];
    detections[{box.image_id, box.category_id}].push_back(
        {&box, static_cast<int64_t>(i + 1), box.width * box.height});
  }

  const int category_count = static_cast<int>(category_ids.size());
  const int image_count = static_cast<int>(image_ids.size());
  // precision[t][r][k][a][m] and recall[t][k][a][m], -1 where there is nothing to measure.
  auto precision_index = [&](int t, int r, int k, int a, int m) {
    return (((static_cast<size_t>(t) * kRecallPointCount + r) * category_count + k) *
                kAreaRangeCount +
            a) *
               kMaxDetsCount +
           m;
  };
  auto recall_index = [&](int t, int k, int a, int m) {
    return ((static_cast<size_t>(t) * category_count + k) * kAreaRangeCount + a) * kMaxDetsCount +
           m;
  };
  std::vector<double> precision(static_cast<size_t>(kIouThresholdCount) * kRecallPointCount *
                                    category_count * kAreaRangeCount * kMaxDetsCount,
                                -1.0);
  std::vector<double> recall(
      static_cast<size_t>(kIouThresholdCount) * category_count * kAreaRangeCount * kMaxDetsCount,
      -1.0);

  static const std::vector<const GroundTruth*> kNoTruth;
  static const std::vector<Detection> kNoDetections;
  result.per_category.resize(category_count);

  for (int k = 0; k < category_count; ++k) {
    // Per image: detections by descending score (stable), cut to 100, and their IoUs.
    std::vector<std::vector<Detection>> sorted_detections(image_count);
    std::vector<std::vector<std::vector<double>>> ious(image_count);
    std::vector<const std::vector<const GroundTruth*>*> image_truths(image_count, &kNoTruth);
    CategoryResult& category = result.per_category[k];
    category.category_id = category_ids[k];

    for (int i = 0; i < image_count; ++i) {
      const Key key{image_ids[i], category_ids[k]};
      if (auto it = truths.find(key); it != truths.end()) image_truths[i] = &it->second;
      for (const GroundTruth* truth : *image_truths[i])
        category.ground_truth_count += !truth->crowd;

      auto found = detections.find(key);
      const std::vector<Detection>& unsorted =
          found != detections.end() ? found->second : kNoDetections;
      category.detection_count += static_cast<int>(unsorted.size());
      std::vector<Detection>& sorted = sorted_detections[i];
      sorted = unsorted;
      std::stable_sort(sorted.begin(), sorted.end(), [](const Detection& a, const Detection& b) {
        return a.box->score > b.box->score;
      });
      if (sorted.size() > static_cast<size_t>(kMaxDets[kMaxDetsCount - 1])) {
        sorted.resize(kMaxDets[kMaxDetsCount - 1]);
      }
      ious[i].resize(sorted.size());
      for (size_t d = 0; d < sorted.size(); ++d) {
        for (const GroundTruth* truth : *image_truths[i]) {
          ious[i][d].push_back(coco_box_iou(*sorted[d].box, *truth));
        }
      }
    }

    for (int a = 0; a < kAreaRangeCount; ++a) {
      std::vector<ImageEvaluation> evaluations;
      for (int i = 0; i < image_count; ++i) {
        if (image_truths[i]->empty() && sorted_detections[i].empty()) continue;
        evaluations.push_back(evaluate_image(*image_truths[i], sorted_detections[i], ious[i],
                                             kAreaRanges[a], result.iou_thresholds));
      }
      if (evaluations.empty()) continue;

      for (int m = 0; m < kMaxDetsCount; ++m) {
        const size_t max_dets = kMaxDets[m];
        // Concatenate every image's first max_dets detections, in image order, then sort all
        // by descending score, stably: ties keep image order, as numpy's mergesort does.
        struct Entry {
          double score;
          size_t image;
          size_t detection;
        };
        std::vector<Entry> entries;
        int truth_not_ignored = 0;
        for (size_t e = 0; e < evaluations.size(); ++e) {
          const size_t count = std::min(max_dets, evaluations[e].scores.size());
          for (size_t d = 0; d < count; ++d)
            entries.push_back({evaluations[e].scores[d], e, d});
          for (char ignored : evaluations[e].truth_ignored)
            truth_not_ignored += !ignored;
        }
        if (truth_not_ignored == 0) continue;
        std::stable_sort(entries.begin(), entries.end(),
                         [](const Entry& x, const Entry& y) { return x.score > y.score; });

        const size_t n = entries.size();
        for (int t = 0; t < kIouThresholdCount; ++t) {
          std::vector<double> point_recall(n), point_precision(n);
          double true_positives = 0, false_positives = 0;
          for (size_t j = 0; j < n; ++j) {
            const ImageEvaluation& evaluation = evaluations[entries[j].image];
            const bool matched = evaluation.detection_match[t][entries[j].detection] != 0;
            const bool ignored = evaluation.detection_ignored[t][entries[j].detection] != 0;
            if (!ignored) (matched ? true_positives : false_positives) += 1;
            point_recall[j] = true_positives / truth_not_ignored;
            // np.spacing(1) keeps 0/0 at 0.
            point_precision[j] =
                true_positives / (false_positives + true_positives + 2.220446049250313e-16);
          }
          recall[recall_index(t, k, a, m)] = n > 0 ? point_recall[n - 1] : 0;

          // Make precision monotonically non-increasing, then read it at each recall point:
          // the first detection whose recall reaches the point, 0 if none does.
          for (size_t j = n; j-- > 1;) {
            point_precision[j - 1] = std::max(point_precision[j - 1], point_precision[j]);
          }
          for (int r = 0; r < kRecallPointCount; ++r) {
            const size_t j =
                static_cast<size_t>(std::lower_bound(point_recall.begin(), point_recall.end(),
                                                     result.recall_thresholds[r]) -
                                    point_recall.begin());
            precision[precision_index(t, r, k, a, m)] = j < n ? point_precision[j] : 0;
          }
        }
      }
    }
  }

  // Summary statistics, as COCOeval.summarize.
  auto average_precision = [&](int threshold, int area, int max_dets_index, int only_k) {
    std::vector<double> values;
    for (int t = 0; t < kIouThresholdCount; ++t) {
      if (threshold >= 0 && t != threshold) continue;
      for (int r = 0; r < kRecallPointCount; ++r) {
        for (int k = 0; k < category_count; ++k) {
          if (only_k >= 0 && k != only_k) continue;
          values.push_back(precision[precision_index(t, r, k, area, max_dets_index)]);
        }
      }
    }
    return mean_of_valid(values);
  };
  auto average_recall = [&](int area, int max_dets_index, int only_k) {
    std::vector<double> values;
    for (int t = 0; t < kIouThresholdCount; ++t) {
      for (int k = 0; k < category_count; ++k) {
        if (only_k >= 0 && k != only_k) continue;
        values.push_back(recall[recall_index(t, k, area, max_dets_index)]);
      }
    }
    return mean_of_valid(values);
  };

  const int iou50 = 0, iou75 = 5, all = 0, small = 1, medium = 2, large = 3;
  result.stats = {average_precision(-1, all, 2, -1),    average_precision(iou50, all, 2, -1),
                  average_precision(iou75, all, 2, -1), average_precision(-1, small, 2, -1),
                  average_precision(-1, medium, 2, -1), average_precision(-1, large, 2, -1),
                  average_recall(all, 0, -1),           average_recall(all, 1, -1),
                  average_recall(all, 2, -1),           average_recall(small, 2, -1),
                  average_recall(medium, 2, -1),        average_recall(large, 2, -1)};

  for (int k = 0; k < category_count; ++k) {
    CategoryResult& category = result.per_category[k];
    category.ap = average_precision(-1, all, 2, k);
    category.ap50 = average_precision(iou50, all, 2, k);
    category.ap75 = average_precision(iou75, all, 2, k);
    category.ar100 = average_recall(all, 2, k);
    if (precision[precision_index(iou50, 0, k, all, 2)] > -1) {
      for (int r = 0; r < kRecallPointCount; ++r) {
        category.precision_at_iou50.push_back(precision[precision_index(iou50, r, k, all, 2)]);
      }
    }
  }
  return result;
}

}  // namespace sightline::eval
