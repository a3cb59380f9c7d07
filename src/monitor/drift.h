// Drift tests of a window of photos against a baseline window.
//
// Continuous features (every input feature; detections per photo, scores and relative box
// areas of the outputs) get a two-sample Kolmogorov-Smirnov test: alarm when p < alpha. Class
// frequencies get a chi-square test of homogeneity (alarm when p < alpha) and the PSI; the
// share of photos without any detection gets a chi-square test. A test whose sample is smaller
// than the minimum on either side says "not enough photos yet" (or detections) and never
// alarms. Alpha applies to each test on its own: with about a dozen tests, a window drawn from
// the baseline's own population alarms somewhere roughly 10% of the time at alpha 0.01.
//
// Detections are not independent samples: the detections of one photo are strongly alike (a
// photo of ten sheep gives ten similar boxes of one class), so the asymptotic KS and chi-square
// p-values, which count every detection as a sample, are far too small. Over 50 random halves
// of COCO128 with YOLOX-Nano outputs they alarmed the class chi-square and PSI 50 times, box
// area 17 and score 10 times, where alpha 0.01 allows about one alarm in 100. The photo is the
// independent unit, so the detection-level tests (detection score, relative box area, class
// frequencies chi-square and PSI) keep their statistic but take their p-value from a photo
// permutation test (statistics.h): the photos of both windows are split at random into windows
// of the same sizes, each photo keeping all its detections, kPhotoPermutations times. Such a
// p-value is never below 1 / (kPhotoPermutations + 1) = 0.001. "Photos without detections"
// counts photos, but so few that its 2x2 table's expected counts are small and the asymptotic
// chi-square p too low (3 alarms in the same 50 halves), so it takes the same permutation p
// (exact given the counts). The other per-photo tests (inputs, detections per photo) keep their
// asymptotic KS p-values.
// The PSI alarms only when PSI > the PSI threshold AND its permutation p < alpha: with sparse
// classes, random photo splits of COCO128 routinely reach a PSI over 1, which is sampling
// noise, not drift.
// The permutations cost O(P n) per test after one sort (n detections), a few milliseconds for
// windows of a few hundred photos.
//
// Latency is summarised for both windows but never tested: it depends on the machine and its
// load more than on the photos.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "monitor/statistics.h"
#include "monitor/window.h"

namespace sightline::monitor {

struct DriftThresholds {
  double alpha = 0.01;
  double psi = 0.2;
  int min_photos = 20;
};

// "alpha 1.5 is outside (0, 1)" and the like.
Status validate_thresholds(const DriftThresholds& thresholds);

enum class TestStatus { kOk, kAlarm, kNotEnoughData };

// "ok", "alarm", "not enough photos yet" (or "not enough detections yet", per the test).
const char* status_name(TestStatus status);

enum class TestMethod { kKolmogorovSmirnov, kChiSquare, kPsi };

const char* method_name(TestMethod method);

// Classes seen fewer times than this in both windows together are pooled into one "other"
// category for the class tests, keeping expected chi-square counts near 5 or more.
inline constexpr int kMinClassCount = 10;

inline constexpr int kHistogramBins = 10;

struct DriftTest {
  std::string feature;  // "brightness", "class frequencies", ...
  bool input = true;    // an input feature, else an output feature
  TestMethod method = TestMethod::kKolmogorovSmirnov;
  TestStatus status = TestStatus::kOk;
  std::string status_text;  // status_name, or "not enough detections yet"
  double statistic = 0;     // KS D, chi-square, or PSI
  double p_value = -1;      // -1 for a PSI without permutations, which has none
  int permutations = 0;     // > 0: p_value is a photo permutation p over this many splits
  double threshold = 0;     // alpha for KS and chi-square, the PSI limit for PSI
  bool alarm = false;
  int baseline_count = 0;  // sample sizes the test used
  int window_count = 0;
  double baseline_mean = 0;  // means of a continuous feature, for people reading the report
  double window_mean = 0;
  // Plot bins, as fractions of each sample: equal-width for continuous features (labels empty),
  // one bin per class (labels = class names) for class frequencies.
  Histogram histogram;
  std::vector<std::string> bin_labels;
};

struct StageStatistics {
  StageTimings mean;
  StageTimings median;
};

StageStatistics stage_statistics(const std::vector<StageTimings>& timings);

struct DriftReport {
  DriftThresholds thresholds;
  int baseline_photos = 0;
  int window_photos = 0;
  bool outputs_compared = false;
  std::string outputs_note;  // why outputs were not compared, or a caution about them
  std::vector<DriftTest> tests;
  bool any_alarm = false;
  StageStatistics baseline_latency;
  StageStatistics window_latency;
};

DriftReport check_drift(const Window& baseline, const Window& window,
                        const DriftThresholds& thresholds);

// {"alarm", "thresholds", "photos": {"baseline", "window"}, "outputs_compared", "outputs_note",
//  "tests": [{"feature", "kind": "input"|"output", "method", "status", "alarm", "statistic",
//             "p_value" (null for a PSI without permutations),
//             "p_value_method": "asymptotic"|"photo permutation", "permutations" (0 when
//             asymptotic), "threshold", "baseline_count", "window_count", "baseline_mean",
//             "window_mean", "histogram": {"lower", "upper", "labels", "baseline", "window"}}],
//  "latency_ms": {"baseline": {"mean": {...}, "median": {...}}, "window": {...}}}
std::string drift_report_to_json(const DriftReport& report);

std::string drift_report_to_table(const DriftReport& report);

}  // namespace sightline::monitor
