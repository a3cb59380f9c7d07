// Shadow comparison of two detectors (matching rules in shadow.h).
#include "monitor/shadow.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "nlohmann/json.hpp"

namespace sightline::monitor {
namespace {

using Json = nlohmann::ordered_json;

double f1_agreement(size_t matched, size_t primary, size_t candidate) {
  if (primary + candidate == 0) return 1.0;
  return 2.0 * static_cast<double>(matched) / static_cast<double>(primary + candidate);
}

Json box_to_json(const Detection& box, const std::vector<std::string>& class_names) {
  const bool named = box.class_id >= 0 && box.class_id < static_cast<int>(class_names.size());
  return {{"class", box.class_id},
          {"label", named ? class_names[box.class_id] : std::to_string(box.class_id)},
          {"score", box.score},
          {"box", {box.x1, box.y1, box.x2, box.y2}}};
}

Json timings_to_json(const StageTimings& timings) {
  return {{"decode", timings.decode_ms},
          {"preprocess", timings.preprocess_ms},
          {"inference", timings.inference_ms},
          {"postprocess", timings.postprocess_ms}};
}

Json latency_to_json(const StageStatistics& statistics) {
  return {{"mean", timings_to_json(statistics.mean)},
          {"median", timings_to_json(statistics.median)}};
}

}  // namespace

std::vector<BoxMatch> match_boxes(const std::vector<Detection>& primary,
                                  const std::vector<Detection>& candidate, double iou_threshold) {
  std::vector<BoxMatch> pairs;
  for (size_t p = 0; p < primary.size(); ++p) {
    for (size_t c = 0; c < candidate.size(); ++c) {
      if (primary[p].class_id != candidate[c].class_id) continue;
      const double iou = intersection_over_union(primary[p], candidate[c]);
      if (iou >= iou_threshold) {
        pairs.push_back({static_cast<int>(p), static_cast<int>(c), iou});
      }
    }
  }
  std::stable_sort(pairs.begin(), pairs.end(),
                   [](const BoxMatch& a, const BoxMatch& b) { return a.iou > b.iou; });

  std::vector<bool> primary_used(primary.size(), false);
  std::vector<bool> candidate_used(candidate.size(), false);
  std::vector<BoxMatch> matches;
  for (const BoxMatch& pair : pairs) {
    if (primary_used[pair.primary] || candidate_used[pair.candidate]) continue;
    primary_used[pair.primary] = true;
    candidate_used[pair.candidate] = true;
    matches.push_back(pair);
  }
  return matches;
}

std::vector<int> candidate_class_map(const std::vector<std::string>& primary_names,
                                     const std::vector<std::string>& candidate_names) {
  std::vector<int> map(candidate_names.size(), -1);
  if (primary_names == candidate_names) {
    for (size_t i = 0; i < map.size(); ++i)
      map[i] = static_cast<int>(i);
    return map;
  }
  std::map<std::string, int> primary_index;
  for (size_t i = 0; i < primary_names.size(); ++i) {
    primary_index.emplace(primary_names[i], static_cast<int>(i));
  }
  for (size_t i = 0; i < candidate_names.size(); ++i) {
    const auto found = primary_index.find(candidate_names[i]);
    if (found != primary_index.end()) map[i] = found->second;
  }
  return map;
}

ShadowPhoto compare_reports(const DetectionReport& primary, const DetectionReport& candidate,
                            const std::vector<int>& candidate_to_primary, double iou_threshold) {
  ShadowPhoto photo;
  photo.name = primary.image;
  photo.width = primary.width;
  photo.height = primary.height;
  photo.primary = primary.detections;
  photo.primary_timings = primary.timings;
  photo.candidate_timings = candidate.timings;

  // A candidate class without a primary counterpart gets -1, which no primary box has.
  photo.candidate = candidate.detections;
  for (Detection& box : photo.candidate) {
    const bool known =
        box.class_id >= 0 && box.class_id < static_cast<int>(candidate_to_primary.size());
    box.class_id = known ? candidate_to_primary[box.class_id] : -1;
  }

  photo.matches = match_boxes(photo.primary, photo.candidate, iou_threshold);
  std::vector<bool> primary_matched(photo.primary.size(), false);
  std::vector<bool> candidate_matched(photo.candidate.size(), false);
  double score_gap = 0;
  for (const BoxMatch& match : photo.matches) {
    primary_matched[match.primary] = true;
    candidate_matched[match.candidate] = true;
    score_gap += std::fabs(static_cast<double>(photo.primary[match.primary].score) -
                           photo.candidate[match.candidate].score);
  }
  for (size_t i = 0; i < primary_matched.size(); ++i) {
    if (!primary_matched[i]) photo.only_primary.push_back(static_cast<int>(i));
  }
  for (size_t i = 0; i < candidate_matched.size(); ++i) {
    if (!candidate_matched[i]) photo.only_candidate.push_back(static_cast<int>(i));
  }
  photo.agreement =
      f1_agreement(photo.matches.size(), photo.primary.size(), photo.candidate.size());
  photo.mean_abs_score_difference =
      photo.matches.empty() ? 0.0 : score_gap / static_cast<double>(photo.matches.size());
  return photo;
}

Result<ShadowPhoto> shadow_photo(Detector& primary, Detector& candidate,
                                 std::span<const uint8_t> bytes, std::string_view name,
                                 const PostprocessOptions& primary_options,
                                 const PostprocessOptions& candidate_options, double iou_threshold,
                                 const ImageLimits& limits) {
  auto primary_report = primary.detect(bytes, name, primary_options, limits);
  if (!primary_report) return primary_report.error();
  auto candidate_report = candidate.detect(bytes, name, candidate_options, limits);
  if (!candidate_report) return candidate_report.error();
  const std::vector<int> class_map =
      candidate_class_map(primary.card().class_names, candidate.card().class_names);
  return compare_reports(*primary_report, *candidate_report, class_map, iou_threshold);
}

ShadowSummary summarise_shadow(const std::vector<ShadowPhoto>& photos) {
  ShadowSummary summary;
  summary.photos = static_cast<int>(photos.size());
  double agreement_sum = 0;
  double score_gap_sum = 0;
  std::vector<StageTimings> primary_timings;
  std::vector<StageTimings> candidate_timings;
  for (const ShadowPhoto& photo : photos) {
    summary.primary_boxes += static_cast<int>(photo.primary.size());
    summary.candidate_boxes += static_cast<int>(photo.candidate.size());
    summary.matched += static_cast<int>(photo.matches.size());
    agreement_sum += photo.agreement;
    summary.photos_in_full_agreement += photo.agreement == 1.0 ? 1 : 0;
    score_gap_sum += photo.mean_abs_score_difference * static_cast<double>(photo.matches.size());
    primary_timings.push_back(photo.primary_timings);
    candidate_timings.push_back(photo.candidate_timings);
  }
  summary.agreement = f1_agreement(summary.matched, summary.primary_boxes, summary.candidate_boxes);
  summary.mean_photo_agreement = photos.empty() ? 1.0 : agreement_sum / photos.size();
  summary.mean_abs_score_difference = summary.matched ? score_gap_sum / summary.matched : 0.0;

  summary.most_disagreement_first.resize(photos.size());
  for (size_t i = 0; i < photos.size(); ++i)
    summary.most_disagreement_first[i] = static_cast<int>(i);
  std::stable_sort(
      summary.most_disagreement_first.begin(), summary.most_disagreement_first.end(),
      [&](int a, int b) {
        if (photos[a].agreement != photos[b].agreement) {
          return photos[a].agreement < photos[b].agreement;
        }
        const size_t unmatched_a = photos[a].only_primary.size() + photos[a].only_candidate.size();
        const size_t unmatched_b = photos[b].only_primary.size() + photos[b].only_candidate.size();
        return unmatched_a > unmatched_b;
      });
  summary.primary_latency = stage_statistics(primary_timings);
  summary.candidate_latency = stage_statistics(candidate_timings);
  return summary;
}

std::string shadow_to_json(const std::vector<ShadowPhoto>& photos, const ShadowSummary& summary,
                           const ShadowModels& models) {
  Json list = Json::array();
  for (int index : summary.most_disagreement_first) {
    const ShadowPhoto& photo = photos[index];
    Json only_primary = Json::array();
    for (int i : photo.only_primary) {
      only_primary.push_back(box_to_json(photo.primary[i], models.class_names));
    }
    Json only_candidate = Json::array();
    for (int i : photo.only_candidate) {
      only_candidate.push_back(box_to_json(photo.candidate[i], models.class_names));
    }
    list.push_back({{"name", photo.name},
                    {"agreement", photo.agreement},
                    {"primary_boxes", photo.primary.size()},
                    {"candidate_boxes", photo.candidate.size()},
                    {"matched", photo.matches.size()},
                    {"only_primary", std::move(only_primary)},
                    {"only_candidate", std::move(only_candidate)},
                    {"mean_abs_score_difference", photo.mean_abs_score_difference},
                    {"timings_ms",
                     {{"primary", timings_to_json(photo.primary_timings)},
                      {"candidate", timings_to_json(photo.candidate_timings)}}}});
  }
  const Json out = {{"primary", models.primary},
                    {"candidate", models.candidate},
                    {"summary",
                     {{"photos", summary.photos},
                      {"agreement", summary.agreement},
                      {"mean_photo_agreement", summary.mean_photo_agreement},
                      {"photos_in_full_agreement", summary.photos_in_full_agreement},
                      {"primary_boxes", summary.primary_boxes},
                      {"candidate_boxes", summary.candidate_boxes},
                      {"matched", summary.matched},
                      {"only_primary", summary.primary_boxes - summary.matched},
                      {"only_candidate", summary.candidate_boxes - summary.matched},
                      {"mean_abs_score_difference", summary.mean_abs_score_difference},
                      {"latency_ms",
                       {{"primary", latency_to_json(summary.primary_latency)},
                        {"candidate", latency_to_json(summary.candidate_latency)}}}}},
                    {"photos", std::move(list)}};
  return out.dump(2, ' ', false, Json::error_handler_t::replace);
}

}  // namespace sightline::monitor
