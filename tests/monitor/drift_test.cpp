// Drift tests: the minimum sample size, synthetic shifts of one feature and of class
// frequencies, clustered detections (many alike per photo) with and without a real change, the
// photo permutation p-values, and real photos: COCO128 against darkened copies of itself (a
// brightness alarm) and against a random half of itself, inputs and YOLOX-Nano outputs (no
// alarm).
#include "monitor/drift.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <random>

#include "core/image.h"
#include "core/model_store.h"
#include "monitor/photo_folder.h"
#include "monitor/test_detectors.h"
#include "support/paths.h"

namespace sightline::monitor {
namespace {

const DriftTest* find_test(const DriftReport& report, const std::string& feature,
                           TestMethod method = TestMethod::kKolmogorovSmirnov) {
  for (const DriftTest& test : report.tests) {
    if (test.feature == feature && test.method == method) return &test;
  }
  return nullptr;
}

// Photos whose brightness is `offset` + a spread of 0..39, everything else fixed.
Window synthetic_window(int photos, double brightness_offset) {
  Window window;
  for (int i = 0; i < photos; ++i) {
    PhotoRecord photo;
    photo.name = "p" + std::to_string(i);
    photo.inputs = {640, 480, 640.0 / 480.0, brightness_offset + (i * 7) % 40, 50, 300, 0.3};
    window.photos.push_back(photo);
  }
  return window;
}

// Outputs where photo i holds one detection of class classes[i % size].
Window with_outputs(Window window, const std::vector<int>& classes) {
  window.has_model = true;
  window.model.name = "m";
  window.model.sha256 = "abc";
  window.model.class_names = {"person", "car", "dog"};
  for (size_t i = 0; i < window.photos.size(); ++i) {
    window.photos[i].has_outputs = true;
    const double score = 0.5 + 0.01 * static_cast<double>(i % 40);
    window.photos[i].detections = {{classes[i % classes.size()], score, 0.1}};
  }
  return window;
}

// Photos each holding `per_photo` identical detections (one class, score and area per photo),
// drawn by `draw` from a portable generator stream.
Window clustered_window(int photos, int per_photo,
                        const std::function<OutputDetection(std::mt19937&)>& draw,
                        std::mt19937& generator) {
  Window window = synthetic_window(photos, 100);
  window.has_model = true;
  window.model.name = "m";
  window.model.sha256 = "abc";
  window.model.class_names = {"person", "car", "dog", "cat"};
  for (PhotoRecord& photo : window.photos) {
    photo.has_outputs = true;
    photo.detections.assign(per_photo, draw(generator));
  }
  return window;
}

OutputDetection random_detection(std::mt19937& generator) {
  OutputDetection detection;
  detection.class_id = static_cast<int>(bounded_draw(generator, 4));
  detection.score = 0.3 + 0.6 * bounded_draw(generator, 1000) / 1000.0;
  detection.relative_area = 0.01 + 0.5 * bounded_draw(generator, 1000) / 1000.0;
  return detection;
}

TEST(Drift, BelowMinimumSaysNotEnoughPhotosYetAndNeverAlarms) {
  const DriftReport report =
      check_drift(synthetic_window(10, 100), synthetic_window(10, 10), DriftThresholds{});
  ASSERT_FALSE(report.tests.empty());
  for (const DriftTest& test : report.tests) {
    EXPECT_EQ(test.status, TestStatus::kNotEnoughData) << test.feature;
    EXPECT_EQ(test.status_text, "not enough photos yet");
    EXPECT_FALSE(test.alarm);
  }
  EXPECT_FALSE(report.any_alarm);
}

TEST(Drift, ShiftedBrightnessAlarmsOnlyBrightness) {
  const DriftReport report =
      check_drift(synthetic_window(40, 100), synthetic_window(40, 60), DriftThresholds{});
  EXPECT_TRUE(report.any_alarm);
  for (const DriftTest& test : report.tests) {
    EXPECT_EQ(test.alarm, test.feature == "brightness") << test.feature;
  }
  const DriftTest* brightness = find_test(report, "brightness");
  ASSERT_NE(brightness, nullptr);
  EXPECT_EQ(brightness->statistic, 1.0);
  EXPECT_LT(brightness->p_value, 1e-6);
  EXPECT_EQ(brightness->histogram.baseline.size(), static_cast<size_t>(kHistogramBins));
  EXPECT_FALSE(report.outputs_compared);
}

TEST(Drift, SameWindowRaisesNothing) {
  const DriftReport report =
      check_drift(with_outputs(synthetic_window(30, 100), {0, 1, 2}),
                  with_outputs(synthetic_window(30, 100), {0, 1, 2}), DriftThresholds{});
  EXPECT_TRUE(report.outputs_compared);
  EXPECT_FALSE(report.any_alarm);
  for (const DriftTest& test : report.tests)
    EXPECT_EQ(test.status, TestStatus::kOk);
}

TEST(Drift, ClassFrequencyShiftAlarmsChiSquareAndPsi) {
  // Baseline: persons, cars and dogs equally; window: 5 of 6 detections are persons.
  const DriftReport report =
      check_drift(with_outputs(synthetic_window(60, 100), {0, 1, 2}),
                  with_outputs(synthetic_window(60, 100), {0, 0, 0, 0, 0, 1}), DriftThresholds{});
  const DriftTest* chi = find_test(report, "class frequencies", TestMethod::kChiSquare);
  const DriftTest* psi = find_test(report, "class frequencies", TestMethod::kPsi);
  ASSERT_NE(chi, nullptr);
  ASSERT_NE(psi, nullptr);
  EXPECT_TRUE(chi->alarm);
  EXPECT_LT(chi->p_value, 0.01);
  EXPECT_TRUE(psi->alarm);
  EXPECT_GT(psi->statistic, 0.2);
  EXPECT_EQ(psi->bin_labels, (std::vector<std::string>{"person", "car", "dog"}));
  EXPECT_FALSE(find_test(report, "brightness")->alarm);
}

TEST(Drift, DogsAgainstCatsAlarmChiSquareAndPsiByPhotoPermutation) {
  std::mt19937 generator(7u);
  auto dog = [](std::mt19937&) { return OutputDetection{2, 0.8, 0.1}; };
  auto cat = [](std::mt19937&) { return OutputDetection{3, 0.8, 0.1}; };
  const Window baseline = clustered_window(40, 3, dog, generator);
  const Window window = clustered_window(40, 3, cat, generator);
  const DriftReport report = check_drift(baseline, window, DriftThresholds{});
  const DriftTest* chi = find_test(report, "class frequencies", TestMethod::kChiSquare);
  const DriftTest* psi = find_test(report, "class frequencies", TestMethod::kPsi);
  ASSERT_NE(chi, nullptr);
  ASSERT_NE(psi, nullptr);
  EXPECT_EQ(chi->permutations, kPhotoPermutations);
  EXPECT_EQ(psi->permutations, kPhotoPermutations);
  EXPECT_TRUE(chi->alarm);
  EXPECT_TRUE(psi->alarm);
  // No random split of the photos separates the classes as well as the real one does.
  EXPECT_DOUBLE_EQ(chi->p_value, 1.0 / (kPhotoPermutations + 1));
  EXPECT_DOUBLE_EQ(psi->p_value, 1.0 / (kPhotoPermutations + 1));
  EXPECT_GT(psi->statistic, psi->threshold);
  // Identical scores and areas on both sides: D = 0, which every split reaches.
  EXPECT_FALSE(find_test(report, "detection score")->alarm);
  EXPECT_DOUBLE_EQ(find_test(report, "relative box area")->p_value, 1.0);
}

TEST(Drift, ClusteredDetectionsFromOnePopulationRaiseNoAlarm) {
  // 40 photos a side, 15 identical detections each: 600 detections but only 40 independent
  // draws per side, which the pooled asymptotic tests mistake for 600.
  std::mt19937 generator(20261204u);
  const Window baseline = clustered_window(40, 15, random_detection, generator);
  const Window window = clustered_window(40, 15, random_detection, generator);
  const DriftReport report = check_drift(baseline, window, DriftThresholds{});
  ASSERT_TRUE(report.outputs_compared);
  for (const DriftTest& test : report.tests) {
    EXPECT_EQ(test.status, TestStatus::kOk) << test.feature;
    EXPECT_FALSE(test.alarm) << test.feature << " " << method_name(test.method) << " p "
                             << test.p_value;
  }
  EXPECT_FALSE(report.any_alarm);

  // The same detections taken as independent samples alarm, which is the bug this guards.
  std::vector<double> baseline_areas;
  std::vector<double> window_areas;
  for (const PhotoRecord& photo : baseline.photos) {
    for (const OutputDetection& detection : photo.detections)
      baseline_areas.push_back(detection.relative_area);
  }
  for (const PhotoRecord& photo : window.photos) {
    for (const OutputDetection& detection : photo.detections)
      window_areas.push_back(detection.relative_area);
  }
  const DriftTest* area = find_test(report, "relative box area");
  ASSERT_NE(area, nullptr);
  EXPECT_EQ(ks_two_sample(baseline_areas, window_areas).statistic, area->statistic);
  EXPECT_LT(ks_two_sample(baseline_areas, window_areas).p_value, 0.01);
  EXPECT_GT(area->p_value, 0.01);
}

TEST(Drift, PermutationPValuesAreTheSameEveryRun) {
  std::mt19937 generator(3u);
  const Window baseline = clustered_window(30, 4, random_detection, generator);
  const Window window = clustered_window(30, 4, random_detection, generator);
  const DriftReport first = check_drift(baseline, window, DriftThresholds{});
  const DriftReport second = check_drift(baseline, window, DriftThresholds{});
  ASSERT_EQ(first.tests.size(), second.tests.size());
  for (size_t i = 0; i < first.tests.size(); ++i)
    EXPECT_EQ(first.tests[i].p_value, second.tests[i].p_value) << first.tests[i].feature;
}

TEST(Drift, DetectionLevelTestsNeedEnoughDetections) {
  Window baseline = with_outputs(synthetic_window(30, 100), {0});
  Window window = with_outputs(synthetic_window(30, 100), {0});
  for (size_t i = 5; i < window.photos.size(); ++i)
    window.photos[i].detections.clear();
  const DriftReport report = check_drift(baseline, window, DriftThresholds{});
  const DriftTest* score = find_test(report, "detection score");
  ASSERT_NE(score, nullptr);
  EXPECT_EQ(score->status, TestStatus::kNotEnoughData);
  EXPECT_EQ(score->status_text, "not enough detections yet");
  const DriftTest* empty = find_test(report, "photos without detections", TestMethod::kChiSquare);
  ASSERT_NE(empty, nullptr);
  EXPECT_TRUE(empty->alarm);
  // 25 of 30 photos went empty: the exact (permutation) p is at its floor.
  EXPECT_EQ(empty->permutations, kPhotoPermutations);
  EXPECT_DOUBLE_EQ(empty->p_value, 1.0 / (kPhotoPermutations + 1));
}

// A few empty photos on one side only: expected counts of 1.5 are where the asymptotic
// chi-square is unreliable; the exact p says three empty photos in 60 are no evidence of drift.
TEST(Drift, AFewPhotosWithoutDetectionsAreNotDrift) {
  Window baseline = with_outputs(synthetic_window(60, 100), {0});
  Window window = with_outputs(synthetic_window(60, 100), {0});
  for (size_t i = 0; i < 3; ++i)
    window.photos[i].detections.clear();
  const DriftReport report = check_drift(baseline, window, DriftThresholds{});
  const DriftTest* empty = find_test(report, "photos without detections", TestMethod::kChiSquare);
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ(empty->permutations, kPhotoPermutations);
  EXPECT_GT(empty->p_value, 0.05);
  EXPECT_FALSE(empty->alarm);
}

TEST(Drift, OtherClassesMeanInputsOnly) {
  Window window = with_outputs(synthetic_window(30, 100), {0});
  window.model.class_names = {"cat"};
  const DriftReport report =
      check_drift(with_outputs(synthetic_window(30, 100), {0}), window, DriftThresholds{});
  EXPECT_FALSE(report.outputs_compared);
  EXPECT_NE(report.outputs_note.find("other classes"), std::string::npos);
  EXPECT_EQ(find_test(report, "detection score"), nullptr);
}

TEST(Drift, ThresholdsOutsideTheirRangesAreRefusedWithTheValue) {
  DriftThresholds thresholds;
  thresholds.alpha = 1.5;
  EXPECT_EQ(validate_thresholds(thresholds).message(), "alpha 1.5 is outside (0, 1)");
  thresholds = {};
  thresholds.psi = -0.1;
  EXPECT_FALSE(validate_thresholds(thresholds));
  thresholds = {};
  thresholds.min_photos = 1;
  EXPECT_FALSE(validate_thresholds(thresholds));
  EXPECT_TRUE(validate_thresholds(DriftThresholds{}));
}

// COCO128's photos decoded once for the real-photo tests.
class Coco128Drift : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto listing = list_photos(testing::data_dir() + "/coco128/images", 1000);
    ASSERT_TRUE(listing) << listing.message();
    for (const std::string& path : listing->photos) {
      const std::vector<uint8_t> bytes = testing::read_file_bytes(path);
      auto image = decode_image(bytes, path);
      ASSERT_TRUE(image) << image.message();
      images_->push_back(std::move(*image));
      names_->push_back(std::filesystem::path(path).filename().string());
    }
  }
  static void TearDownTestSuite() {
    images_->clear();
    names_->clear();
  }

  // The photos as a window with YOLOX-Nano's outputs, at the CLI's default thresholds.
  static Window detected_window(const std::vector<size_t>& indices, Detector& detector) {
    Window window;
    window.has_model = true;
    window.model.name = detector.card().name;
    window.model.sha256 = detector.card().sha256;
    window.model.class_names = detector.card().class_names;
    for (size_t index : indices) {
      const Image& image = (*images_)[index];
      const PreparedInput input = detector.prepare(image);
      auto raw = detector.infer(input);
      EXPECT_TRUE(raw) << raw.message();
      if (!raw) return window;
      auto detections = detector.finish(*raw, input.geometry, window.model.options);
      EXPECT_TRUE(detections) << detections.message();
      if (!detections) return window;
      window.photos.push_back(
          make_photo_record((*names_)[index], image, &*detections, StageTimings{}));
    }
    return window;
  }

  // Indices of COCO128 in a shuffled order, the same on every platform.
  static std::vector<size_t> shuffled_indices() {
    std::vector<size_t> order(images_->size());
    for (size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    // Fisher-Yates with mt19937's standardised output, so every platform draws the same halves.
    std::mt19937 generator(20240605u);
    for (size_t i = order.size() - 1; i > 0; --i)
      std::swap(order[i], order[generator() % (i + 1)]);
    return order;
  }

  static Window window_of(const std::vector<const Image*>& images) {
    Window window;
    for (const Image* image : images) {
      PhotoRecord photo;
      photo.inputs = compute_input_features(*image);
      window.photos.push_back(photo);
    }
    return window;
  }

  static void print(const DriftReport& report) {
    std::printf("%s", drift_report_to_table(report).c_str());
  }

  static inline std::vector<Image> storage_;
  static inline std::vector<Image>* images_ = &storage_;
  static inline std::vector<std::string> name_storage_;
  static inline std::vector<std::string>* names_ = &name_storage_;
};

TEST_F(Coco128Drift, DarkenedCopiesRaiseBrightnessAlarm) {
  ASSERT_EQ(images_->size(), 128u);
  std::vector<Image> darkened = *images_;
  for (Image& image : darkened) {
    for (uint8_t& value : image.rgb)
      value = static_cast<uint8_t>(value / 2);
  }
  std::vector<const Image*> originals;
  std::vector<const Image*> dark;
  for (size_t i = 0; i < images_->size(); ++i) {
    originals.push_back(&(*images_)[i]);
    dark.push_back(&darkened[i]);
  }
  const DriftReport report = check_drift(window_of(originals), window_of(dark), DriftThresholds{});
  print(report);
  const DriftTest* brightness = find_test(report, "brightness");
  ASSERT_NE(brightness, nullptr);
  EXPECT_TRUE(brightness->alarm);
  EXPECT_LT(brightness->p_value, 1e-6);
  EXPECT_NEAR(brightness->window_mean, brightness->baseline_mean / 2, 1.0);
  EXPECT_TRUE(find_test(report, "contrast")->alarm);
  // Halving every channel keeps sizes, so those cannot alarm.
  EXPECT_FALSE(find_test(report, "width")->alarm);
  EXPECT_FALSE(find_test(report, "aspect ratio")->alarm);
  EXPECT_TRUE(report.any_alarm);
}

TEST_F(Coco128Drift, RandomHalvesRaiseNoAlarm) {
  ASSERT_EQ(images_->size(), 128u);
  const std::vector<size_t> order = shuffled_indices();
  std::vector<const Image*> first;
  std::vector<const Image*> second;
  for (size_t i = 0; i < order.size(); ++i)
    (i < 64 ? first : second).push_back(&(*images_)[order[i]]);

  const DriftReport report = check_drift(window_of(first), window_of(second), DriftThresholds{});
  print(report);
  for (const DriftTest& test : report.tests) {
    EXPECT_EQ(test.status, TestStatus::kOk) << test.feature;
    EXPECT_FALSE(test.alarm) << test.feature << " p " << test.p_value;
  }
  EXPECT_FALSE(report.any_alarm);
}

TEST_F(Coco128Drift, RandomHalvesWithYoloxNanoOutputsRaiseNoAlarm) {
  ASSERT_EQ(images_->size(), 128u);
  auto detector = testing::open_card_detector("yolox_nano");
  ASSERT_NE(detector, nullptr);
  const std::vector<size_t> order = shuffled_indices();
  const Window first =
      detected_window(std::vector<size_t>(order.begin(), order.begin() + 64), *detector);
  const Window second =
      detected_window(std::vector<size_t>(order.begin() + 64, order.end()), *detector);
  ASSERT_EQ(first.photos.size(), 64u);
  ASSERT_EQ(second.photos.size(), 64u);

  const DriftReport report = check_drift(first, second, DriftThresholds{});
  print(report);
  ASSERT_TRUE(report.outputs_compared);
  EXPECT_EQ(report.tests.size(), 13u);
  for (const DriftTest& test : report.tests) {
    EXPECT_EQ(test.status, TestStatus::kOk) << test.feature;
    EXPECT_FALSE(test.alarm) << test.feature << " " << method_name(test.method) << " p "
                             << test.p_value;
  }
  EXPECT_FALSE(report.any_alarm);
  EXPECT_GT(find_test(report, "relative box area")->baseline_count, 200);
}

}  // namespace
}  // namespace sightline::monitor
