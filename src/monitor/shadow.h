// Shadow comparison: a primary and a candidate detector run on the same photos, their boxes
// matched, and the disagreements ranked.
//
// Matching: pairs of the same class with IoU >= the match threshold (0.5 by default) are
// taken greedily, highest IoU first (ties: lower primary index, then lower candidate index),
// each box used at most once. Per photo, agreement is the F1 of that matching,
// 2 matched / (primary boxes + candidate boxes), and 1.0 when both models found nothing.
// When the two models name their classes differently, candidate classes are mapped onto the
// primary's by name; a class the primary does not know never matches.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/detector.h"
#include "core/result.h"
#include "monitor/drift.h"

namespace sightline::monitor {

inline constexpr double kDefaultMatchIou = 0.5;

struct BoxMatch {
  int primary = 0;
  int candidate = 0;
  double iou = 0;
};

// Detections of both models on one photo must use the same class numbering here.
std::vector<BoxMatch> match_boxes(const std::vector<Detection>& primary,
                                  const std::vector<Detection>& candidate, double iou_threshold);

// For each candidate class, the primary class of the same name, or -1. The identity when the
// lists are equal.
std::vector<int> candidate_class_map(const std::vector<std::string>& primary_names,
                                     const std::vector<std::string>& candidate_names);

struct ShadowPhoto {
  std::string name;
  int width = 0;
  int height = 0;
  std::vector<Detection> primary;
  std::vector<Detection> candidate;  // with classes mapped onto the primary's
  std::vector<BoxMatch> matches;
  std::vector<int> only_primary;  // indices into `primary`
  std::vector<int> only_candidate;
  double agreement = 1.0;
  double mean_abs_score_difference = 0;  // over matched pairs; 0 without any
  StageTimings primary_timings;
  StageTimings candidate_timings;
};

ShadowPhoto compare_reports(const DetectionReport& primary, const DetectionReport& candidate,
                            const std::vector<int>& candidate_to_primary, double iou_threshold);

// Both detectors on one photo's bytes.
Result<ShadowPhoto> shadow_photo(Detector& primary, Detector& candidate,
                                 std::span<const uint8_t> bytes, std::string_view name,
                                 const PostprocessOptions& primary_options,
                                 const PostprocessOptions& candidate_options,
                                 double iou_threshold = kDefaultMatchIou,
                                 const ImageLimits& limits = {});

struct ShadowSummary {
  int photos = 0;
  int primary_boxes = 0;
  int candidate_boxes = 0;
  int matched = 0;
  // F1 over all boxes of all photos together, and the mean of the per-photo agreements.
  double agreement = 1.0;
  double mean_photo_agreement = 1.0;
  int photos_in_full_agreement = 0;
  double mean_abs_score_difference = 0;  // over all matched pairs
  // Photo indices, most disagreement first: lowest agreement, then most unmatched boxes.
  std::vector<int> most_disagreement_first;
  StageStatistics primary_latency;
  StageStatistics candidate_latency;
};

ShadowSummary summarise_shadow(const std::vector<ShadowPhoto>& photos);

struct ShadowModels {
  std::string primary;
  std::string candidate;
  std::vector<std::string> class_names;  // the primary's
};

// {"primary", "candidate", "summary": {...}, "photos": [{"name", "agreement", "matched",
//  "only_primary": [{"class", "label", "score", "box"}], "only_candidate": [...],
//  "mean_abs_score_difference", "timings_ms": {"primary", "candidate"}}]}; photos in
// most-disagreement-first order.
std::string shadow_to_json(const std::vector<ShadowPhoto>& photos, const ShadowSummary& summary,
                           const ShadowModels& models);

}  // namespace sightline::monitor
