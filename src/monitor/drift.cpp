// Drift tests of a window against a baseline, and their report (rules in drift.h).
#include "monitor/drift.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>

#include "nlohmann/json.hpp"

namespace sightline::monitor {
namespace {

using Json = nlohmann::ordered_json;

struct ContinuousFeature {
  const char* name;
  std::function<double(const InputFeatures&)> read;
};

const std::vector<ContinuousFeature>& input_features() {
  static const std::vector<ContinuousFeature> features = {
      {"width", [](const InputFeatures& f) { return static_cast<double>(f.width); }},
      {"height", [](const InputFeatures& f) { return static_cast<double>(f.height); }},
      {"aspect ratio", [](const InputFeatures& f) { return f.aspect_ratio; }},
      {"brightness", [](const InputFeatures& f) { return f.brightness; }},
      {"contrast", [](const InputFeatures& f) { return f.contrast; }},
      {"sharpness", [](const InputFeatures& f) { return f.sharpness; }},
      {"saturation", [](const InputFeatures& f) { return f.saturation; }},
  };
  return features;
}

std::vector<double> per_photo(const Window& window,
                              const std::function<double(const PhotoRecord&)>& read) {
  std::vector<double> values;
  values.reserve(window.photos.size());
  for (const PhotoRecord& photo : window.photos)
    values.push_back(read(photo));
  return values;
}

// Every detection of both windows with its photo: the baseline's photos first, then the
// window's, as the permutation tests in statistics.h number them.
PhotoGroupedValues per_detection(const Window& baseline, const Window& window,
                                 const std::function<double(const OutputDetection&)>& read) {
  PhotoGroupedValues sample;
  int photo_id = 0;
  for (const Window* side : {&baseline, &window}) {
    for (const PhotoRecord& photo : side->photos) {
      for (const OutputDetection& detection : photo.detections) {
        sample.values.push_back(read(detection));
        sample.photo.push_back(photo_id);
      }
      ++photo_id;
    }
  }
  return sample;
}

// Photo counts gate every test; detection-level tests also need that many detections.
bool enough(DriftTest& test, int baseline_photos, int window_photos, int minimum,
            bool counts_detections) {
  if (baseline_photos < minimum || window_photos < minimum) {
    test.status = TestStatus::kNotEnoughData;
    test.status_text = status_name(TestStatus::kNotEnoughData);
    return false;
  }
  if (counts_detections && (test.baseline_count < minimum || test.window_count < minimum)) {
    test.status = TestStatus::kNotEnoughData;
    test.status_text = "not enough detections yet";
    return false;
  }
  return true;
}

void settle(DriftTest& test, bool alarm) {
  test.alarm = alarm;
  test.status = alarm ? TestStatus::kAlarm : TestStatus::kOk;
  test.status_text = status_name(test.status);
}

DriftTest ks_test(const std::string& feature, bool input, const std::vector<double>& baseline,
                  const std::vector<double>& window, int baseline_photos, int window_photos,
                  const DriftThresholds& thresholds, bool counts_detections) {
  DriftTest test;
  test.feature = feature;
  test.input = input;
  test.method = TestMethod::kKolmogorovSmirnov;
  test.threshold = thresholds.alpha;
  test.baseline_count = static_cast<int>(baseline.size());
  test.window_count = static_cast<int>(window.size());
  test.baseline_mean = mean_of(baseline);
  test.window_mean = mean_of(window);
  test.histogram = paired_histogram(baseline, window, kHistogramBins);
  if (!enough(test, baseline_photos, window_photos, thresholds.min_photos, counts_detections)) {
    return test;
  }
  const KsResult ks = ks_two_sample(baseline, window);
  test.statistic = ks.statistic;
  test.p_value = ks.p_value;
  settle(test, ks.p_value < thresholds.alpha);
  return test;
}

// The KS test of a detection feature, its p-value from photo permutations.
DriftTest detection_ks_test(const std::string& feature, const PhotoGroupedValues& sample,
                            int baseline_photos, int window_photos,
                            const DriftThresholds& thresholds) {
  std::vector<double> baseline;
  std::vector<double> window;
  for (size_t k = 0; k < sample.values.size(); ++k)
    (sample.photo[k] < baseline_photos ? baseline : window).push_back(sample.values[k]);
  DriftTest test =
      ks_test(feature, false, baseline, window, baseline_photos, window_photos, thresholds, true);
  if (test.status == TestStatus::kNotEnoughData) return test;
  test.permutations = kPhotoPermutations;
  test.p_value = ks_photo_permutation_p(sample, baseline_photos, window_photos, test.statistic,
                                        kPhotoPermutations, kPermutationSeed);
  settle(test, test.p_value < thresholds.alpha);
  return test;
}

struct CategoryCounts {
  std::vector<std::string> labels;
  std::vector<int64_t> baseline;
  std::vector<int64_t> window;
};

// One category per class seen at least kMinClassCount times overall, in class order, then
// "other" for the rest (when any). `detections` gets each detection's category and photo.
CategoryCounts class_counts(const Window& baseline, const Window& window,
                            const std::vector<std::string>& class_names,
                            PhotoGroupedCategories& detections) {
  std::map<int, std::pair<int64_t, int64_t>> counts;
  for (const PhotoRecord& photo : baseline.photos) {
    for (const OutputDetection& detection : photo.detections)
      ++counts[detection.class_id].first;
  }
  for (const PhotoRecord& photo : window.photos) {
    for (const OutputDetection& detection : photo.detections)
      ++counts[detection.class_id].second;
  }
  CategoryCounts categories;
  std::map<int, int> category_of;
  int64_t other_baseline = 0;
  int64_t other_window = 0;
  for (const auto& [class_id, pair] : counts) {
    if (pair.first + pair.second < kMinClassCount) {
      other_baseline += pair.first;
      other_window += pair.second;
      continue;
    }
    const bool named = class_id >= 0 && class_id < static_cast<int>(class_names.size());
    category_of[class_id] = static_cast<int>(categories.labels.size());
    categories.labels.push_back(named ? class_names[class_id] : std::to_string(class_id));
    categories.baseline.push_back(pair.first);
    categories.window.push_back(pair.second);
  }
  const int other = static_cast<int>(categories.labels.size());
  if (other_baseline + other_window > 0) {
    categories.labels.push_back("other");
    categories.baseline.push_back(other_baseline);
    categories.window.push_back(other_window);
  }

  detections = {};
  detections.categories = static_cast<int>(categories.labels.size());
  int photo_id = 0;
  for (const Window* side : {&baseline, &window}) {
    for (const PhotoRecord& photo : side->photos) {
      for (const OutputDetection& detection : photo.detections) {
        const auto found = category_of.find(detection.class_id);
        detections.category.push_back(found == category_of.end() ? other : found->second);
        detections.photo.push_back(photo_id);
      }
      ++photo_id;
    }
  }
  return categories;
}

Histogram category_histogram(const CategoryCounts& categories) {
  Histogram histogram;
  histogram.upper = static_cast<double>(categories.labels.size());
  auto shares = [](const std::vector<int64_t>& counts) {
    double total = 0;
    for (int64_t count : counts)
      total += static_cast<double>(count);
    std::vector<double> out(counts.size(), 0.0);
    for (size_t i = 0; i < counts.size() && total > 0; ++i)
      out[i] = counts[i] / total;
    return out;
  };
  histogram.baseline = shares(categories.baseline);
  histogram.window = shares(categories.window);
  return histogram;
}

int64_t total_of(const std::vector<int64_t>& counts) {
  int64_t total = 0;
  for (int64_t count : counts)
    total += count;
  return total;
}

// With `permuted`, the p-value is the photo permutation one, and the PSI alarms only when it
// exceeds its limit and its permutation p is below alpha too.
DriftTest category_test(const std::string& feature, TestMethod method,
                        const CategoryCounts& categories, int baseline_photos, int window_photos,
                        const DriftThresholds& thresholds, bool counts_detections,
                        const CategoryPermutationP* permuted = nullptr) {
  DriftTest test;
  test.feature = feature;
  test.input = false;
  test.method = method;
  test.threshold = method == TestMethod::kPsi ? thresholds.psi : thresholds.alpha;
  test.baseline_count = static_cast<int>(total_of(categories.baseline));
  test.window_count = static_cast<int>(total_of(categories.window));
  test.histogram = category_histogram(categories);
  test.bin_labels = categories.labels;
  if (!enough(test, baseline_photos, window_photos, thresholds.min_photos, counts_detections)) {
    return test;
  }
  const ChiSquareResult chi = chi_square_homogeneity(categories.baseline, categories.window);
  const double psi = population_stability_index(categories.baseline, categories.window);
  test.statistic = method == TestMethod::kPsi ? psi : chi.statistic;
  test.p_value = method == TestMethod::kPsi ? -1 : chi.p_value;
  if (permuted != nullptr) {
    test.permutations = kPhotoPermutations;
    test.p_value = method == TestMethod::kPsi ? permuted->psi : permuted->chi_square;
  }
  if (method == TestMethod::kPsi) {
    settle(test, psi > thresholds.psi && (permuted == nullptr || test.p_value < thresholds.alpha));
    return test;
  }
  settle(test, chi.degrees > 0 && test.p_value < thresholds.alpha);
  return test;
}

// Output tests need both windows to come from the same model classes.
std::string outputs_problem(const Window& baseline, const Window& window) {
  if (!baseline.has_model) return "the baseline was made without a model: inputs only";
  if (!window.has_model) return "no model ran on the window: inputs only";
  if (baseline.model.class_names != window.model.class_names) {
    return "the window's model has other classes than the baseline's (" + window.model.name +
           " vs " + baseline.model.name + "): inputs only";
  }
  return "";
}

void add_output_tests(const Window& baseline, const Window& window,
                      const DriftThresholds& thresholds, DriftReport& report) {
  const int nb = report.baseline_photos;
  const int nw = report.window_photos;
  auto detection_count = [](const PhotoRecord& p) {
    return static_cast<double>(p.detections.size());
  };
  report.tests.push_back(ks_test("detections per photo", false,
                                 per_photo(baseline, detection_count),
                                 per_photo(window, detection_count), nb, nw, thresholds, false));
  auto score = [](const OutputDetection& d) { return d.score; };
  report.tests.push_back(detection_ks_test(
      "detection score", per_detection(baseline, window, score), nb, nw, thresholds));
  auto area = [](const OutputDetection& d) { return d.relative_area; };
  report.tests.push_back(detection_ks_test(
      "relative box area", per_detection(baseline, window, area), nb, nw, thresholds));

  // Photos without detections are few, so the 2x2 table's expected counts are small and the
  // asymptotic chi-square p too low (3 alarms in 50 random COCO128 halves at alpha 0.01); the
  // same photo permutation gives the exact conditional p. One "detection" per photo: its class.
  CategoryCounts empty;
  empty.labels = {"no detection", "some detection"};
  PhotoGroupedCategories empty_by_photo;
  empty_by_photo.categories = 2;
  for (const auto* side : {&baseline, &window}) {
    int64_t none = 0;
    for (const PhotoRecord& photo : side->photos) {
      none += photo.detections.empty() ? 1 : 0;
      empty_by_photo.category.push_back(photo.detections.empty() ? 0 : 1);
      empty_by_photo.photo.push_back(static_cast<int>(empty_by_photo.photo.size()));
    }
    auto& counts = side == &baseline ? empty.baseline : empty.window;
    counts = {none, static_cast<int64_t>(side->photos.size()) - none};
  }
  std::optional<CategoryPermutationP> empty_permuted;
  if (nb >= thresholds.min_photos && nw >= thresholds.min_photos) {
    empty_permuted = category_photo_permutation_p(
        empty_by_photo, nb, nw, chi_square_homogeneity(empty.baseline, empty.window).statistic,
        population_stability_index(empty.baseline, empty.window), kPhotoPermutations,
        kPermutationSeed);
  }
  report.tests.push_back(category_test("photos without detections", TestMethod::kChiSquare, empty,
                                       nb, nw, thresholds, false,
                                       empty_permuted ? &*empty_permuted : nullptr));

  PhotoGroupedCategories detections;
  const CategoryCounts classes =
      class_counts(baseline, window, baseline.model.class_names, detections);

  // Both class tests share one run of photo permutations, skipped while a side is too small.
  const int least = thresholds.min_photos;
  std::optional<CategoryPermutationP> permuted;
  if (nb >= least && nw >= least && total_of(classes.baseline) >= least &&
      total_of(classes.window) >= least) {
    permuted = category_photo_permutation_p(
        detections, nb, nw, chi_square_homogeneity(classes.baseline, classes.window).statistic,
        population_stability_index(classes.baseline, classes.window), kPhotoPermutations,
        kPermutationSeed);
  }
  const CategoryPermutationP* p = permuted ? &*permuted : nullptr;
  report.tests.push_back(category_test("class frequencies", TestMethod::kChiSquare, classes, nb, nw,
                                       thresholds, true, p));
  report.tests.push_back(
      category_test("class frequencies", TestMethod::kPsi, classes, nb, nw, thresholds, true, p));
}

std::vector<StageTimings> timings_of(const Window& window) {
  std::vector<StageTimings> timings;
  for (const PhotoRecord& photo : window.photos)
    timings.push_back(photo.timings);
  return timings;
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

std::string format(const char* pattern, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pattern, value);
  return buffer;
}

}  // namespace

Status validate_thresholds(const DriftThresholds& thresholds) {
  if (!(thresholds.alpha > 0 && thresholds.alpha < 1)) {
    return make_error("alpha " + format("%g", thresholds.alpha) + " is outside (0, 1)");
  }
  if (!(thresholds.psi > 0 && std::isfinite(thresholds.psi))) {
    return make_error("PSI threshold " + format("%g", thresholds.psi) + " is not above 0");
  }
  if (thresholds.min_photos < 2) {
    return make_error("minimum of " + std::to_string(thresholds.min_photos) +
                      " photos is below 2, the least a two-sample test can use");
  }
  return Status::success();
}

const char* status_name(TestStatus status) {
  switch (status) {
    case TestStatus::kOk:
      return "ok";
    case TestStatus::kAlarm:
      return "alarm";
    case TestStatus::kNotEnoughData:
      return "not enough photos yet";
  }
  return "ok";
}

const char* method_name(TestMethod method) {
  switch (method) {
    case TestMethod::kKolmogorovSmirnov:
      return "ks";
    case TestMethod::kChiSquare:
      return "chi-square";
    case TestMethod::kPsi:
      return "psi";
  }
  return "ks";
}

StageStatistics stage_statistics(const std::vector<StageTimings>& timings) {
  StageStatistics statistics;
  using Field = double StageTimings::*;
  for (Field field : {&StageTimings::decode_ms, &StageTimings::preprocess_ms,
                      &StageTimings::inference_ms, &StageTimings::postprocess_ms}) {
    std::vector<double> values;
    values.reserve(timings.size());
    for (const StageTimings& t : timings)
      values.push_back(t.*field);
    statistics.mean.*field = mean_of(values);
    statistics.median.*field = median_of(std::move(values));
  }
  return statistics;
}

DriftReport check_drift(const Window& baseline, const Window& window,
                        const DriftThresholds& thresholds) {
  DriftReport report;
  report.thresholds = thresholds;
  report.baseline_photos = static_cast<int>(baseline.photos.size());
  report.window_photos = static_cast<int>(window.photos.size());

  for (const ContinuousFeature& feature : input_features()) {
    auto read = [&](const PhotoRecord& photo) { return feature.read(photo.inputs); };
    report.tests.push_back(ks_test(feature.name, true, per_photo(baseline, read),
                                   per_photo(window, read), report.baseline_photos,
                                   report.window_photos, thresholds, false));
  }

  report.outputs_note = outputs_problem(baseline, window);
  report.outputs_compared = report.outputs_note.empty();
  if (report.outputs_compared) {
    if (baseline.model.sha256 != window.model.sha256) {
      report.outputs_note = "the window's model file differs from the baseline's (" +
                            window.model.name + " vs " + baseline.model.name +
                            "): output drift may come from the model";
    }
    add_output_tests(baseline, window, thresholds, report);
  }

  for (const DriftTest& test : report.tests)
    report.any_alarm = report.any_alarm || test.alarm;
  report.baseline_latency = stage_statistics(timings_of(baseline));
  report.window_latency = stage_statistics(timings_of(window));
  return report;
}

std::string drift_report_to_json(const DriftReport& report) {
  Json tests = Json::array();
  for (const DriftTest& test : report.tests) {
    Json histogram = {{"lower", test.histogram.lower},
                      {"upper", test.histogram.upper},
                      {"labels", test.bin_labels},
                      {"baseline", test.histogram.baseline},
                      {"window", test.histogram.window}};
    Json entry = {{"feature", test.feature},
                  {"kind", test.input ? "input" : "output"},
                  {"method", method_name(test.method)},
                  {"status", test.status_text},
                  {"alarm", test.alarm},
                  {"statistic", test.statistic},
                  {"p_value", nullptr},
                  {"threshold", test.threshold},
                  {"baseline_count", test.baseline_count},
                  {"window_count", test.window_count}};
    if (test.method != TestMethod::kPsi || test.permutations > 0) entry["p_value"] = test.p_value;
    entry["p_value_method"] = test.permutations > 0 ? "photo permutation" : "asymptotic";
    entry["permutations"] = test.permutations;
    if (test.method == TestMethod::kKolmogorovSmirnov) {
      entry["baseline_mean"] = test.baseline_mean;
      entry["window_mean"] = test.window_mean;
    }
    entry["histogram"] = std::move(histogram);
    tests.push_back(std::move(entry));
  }
  const Json out = {
      {"alarm", report.any_alarm},
      {"thresholds",
       {{"alpha", report.thresholds.alpha},
        {"psi", report.thresholds.psi},
        {"min_photos", report.thresholds.min_photos}}},
      {"photos", {{"baseline", report.baseline_photos}, {"window", report.window_photos}}},
      {"outputs_compared", report.outputs_compared},
      {"outputs_note", report.outputs_note},
      {"tests", std::move(tests)},
      {"latency_ms",
       {{"baseline", latency_to_json(report.baseline_latency)},
        {"window", latency_to_json(report.window_latency)}}}};
  return out.dump(2, ' ', false, Json::error_handler_t::replace);
}

std::string drift_report_to_table(const DriftReport& report) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%d baseline photos, %d window photos\n", report.baseline_photos,
                report.window_photos);
  out += line;
  if (!report.outputs_note.empty()) out += "note: " + report.outputs_note + "\n";
  std::snprintf(line, sizeof line, "%-26s %-15s %10s %10s %10s %12s %12s  %s\n", "feature",
                "method", "statistic", "p / PSI", "threshold", "baseline", "window", "status");
  out += line;
  for (const DriftTest& test : report.tests) {
    const bool ran = test.status != TestStatus::kNotEnoughData;
    // A permuted PSI has a p-value of its own; an unpermuted one shows the PSI again.
    const bool psi_alone = test.method == TestMethod::kPsi && test.permutations == 0;
    const double shown = psi_alone ? test.statistic : test.p_value;
    const std::string method =
        std::string(method_name(test.method)) + (test.permutations > 0 ? " perm" : "");
    const std::string statistic = ran ? format("%.4f", test.statistic) : "-";
    const std::string p_or_psi = ran ? format("%.3g", shown) : "-";
    const bool means = test.method == TestMethod::kKolmogorovSmirnov;
    const std::string baseline_text =
        means ? format("%.4g", test.baseline_mean) : std::to_string(test.baseline_count);
    const std::string window_text =
        means ? format("%.4g", test.window_mean) : std::to_string(test.window_count);
    std::snprintf(line, sizeof line, "%-26s %-15s %10s %10s %10.3g %12s %12s  %s\n",
                  test.feature.c_str(), method.c_str(), statistic.c_str(), p_or_psi.c_str(),
                  test.threshold, baseline_text.c_str(), window_text.c_str(),
                  test.alarm ? "ALARM" : test.status_text.c_str());
    out += line;
  }
  for (const DriftTest& test : report.tests) {
    if (test.permutations == 0) continue;
    std::snprintf(line, sizeof line,
                  "perm: p from %d photo splits, detections kept with their photo; PSI perm "
                  "alarms only if p < alpha too\n",
                  test.permutations);
    out += line;
    break;
  }
  const StageTimings& b = report.baseline_latency.median;
  const StageTimings& w = report.window_latency.median;
  std::snprintf(line, sizeof line,
                "median latency ms (decode / preprocess / inference / postprocess): baseline "
                "%.1f / %.1f / %.1f / %.2f, window %.1f / %.1f / %.1f / %.2f\n",
                b.decode_ms, b.preprocess_ms, b.inference_ms, b.postprocess_ms, w.decode_ms,
                w.preprocess_ms, w.inference_ms, w.postprocess_ms);
  out += line;
  out += report.any_alarm ? "drift: ALARM\n" : "drift: no alarm\n";
  return out;
}

}  // namespace sightline::monitor
