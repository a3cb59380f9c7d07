// Shadow comparison: greedy matching by class and IoU, per-photo agreement and totals on
// hand-made boxes; then real models on the sample photos: YOLOX-Nano against itself agrees
// fully, and against YOLOv8n (int8) disagrees for real.
#include "monitor/shadow.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "monitor/test_detectors.h"
#include "support/paths.h"

namespace sightline::monitor {
namespace {

Detection box(int class_id, float score, float x1, float y1, float x2, float y2) {
  return Detection{class_id, score, x1, y1, x2, y2};
}

DetectionReport report_of(std::vector<Detection> detections) {
  DetectionReport report;
  report.image = "photo.jpg";
  report.width = 100;
  report.height = 100;
  report.detections = std::move(detections);
  return report;
}

const std::vector<int> kIdentity = {0, 1, 2};

TEST(ShadowMatching, HighestIouPairsAreTakenFirst) {
  // In index order primary 0 would take candidate 0 (IoU 0.82) and leave primary 1 with
  // candidate 1 (IoU 0.82); highest IoU first pairs both exactly (IoU 1).
  const std::vector<Detection> primary = {box(0, 0.9f, 0, 0, 10, 10), box(0, 0.8f, 1, 0, 11, 10)};
  const std::vector<Detection> candidate = {box(0, 0.7f, 1, 0, 11, 10), box(0, 0.6f, 0, 0, 10, 10)};
  const std::vector<BoxMatch> matches = match_boxes(primary, candidate, 0.5);
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0].primary, 0);
  EXPECT_EQ(matches[0].candidate, 1);
  EXPECT_EQ(matches[1].primary, 1);
  EXPECT_EQ(matches[1].candidate, 0);
  EXPECT_DOUBLE_EQ(matches[0].iou, 1.0);
}

TEST(ShadowMatching, OtherClassOrLowIouNeverMatches) {
  EXPECT_TRUE(match_boxes({box(0, 0.9f, 0, 0, 10, 10)}, {box(1, 0.9f, 0, 0, 10, 10)}, 0.5).empty());
  // IoU of [0,10] and [5,15] squares: 25 / 175.
  EXPECT_TRUE(match_boxes({box(0, 0.9f, 0, 0, 10, 10)}, {box(0, 0.9f, 5, 5, 15, 15)}, 0.5).empty());
  EXPECT_EQ(match_boxes({box(0, 0.9f, 0, 0, 10, 10)}, {box(0, 0.9f, 5, 5, 15, 15)}, 0.1).size(),
            1u);
}

TEST(ShadowPhotoComparison, AgreementIsF1AndScoreGapIsOverMatchedPairs) {
  const ShadowPhoto photo =
      compare_reports(report_of({box(0, 0.9f, 0, 0, 10, 10), box(2, 0.5f, 50, 50, 60, 60)}),
                      report_of({box(0, 0.6f, 0, 0, 10, 10), box(1, 0.5f, 80, 80, 90, 90),
                                 box(1, 0.4f, 0, 50, 9, 59)}),
                      kIdentity, 0.5);
  ASSERT_EQ(photo.matches.size(), 1u);
  EXPECT_DOUBLE_EQ(photo.agreement, 2.0 / 5.0);
  EXPECT_EQ(photo.only_primary, (std::vector<int>{1}));
  EXPECT_EQ(photo.only_candidate, (std::vector<int>{1, 2}));
  EXPECT_NEAR(photo.mean_abs_score_difference, 0.3, 1e-6);
}

TEST(ShadowPhotoComparison, BothEmptyIsFullAgreement) {
  const ShadowPhoto photo = compare_reports(report_of({}), report_of({}), kIdentity, 0.5);
  EXPECT_EQ(photo.agreement, 1.0);
  EXPECT_EQ(photo.mean_abs_score_difference, 0.0);
}

TEST(ShadowPhotoComparison, OneSideEmptyIsNoAgreement) {
  const ShadowPhoto photo =
      compare_reports(report_of({box(0, 0.9f, 0, 0, 10, 10)}), report_of({}), kIdentity, 0.5);
  EXPECT_EQ(photo.agreement, 0.0);
  EXPECT_EQ(photo.only_primary.size(), 1u);
}

TEST(ShadowClasses, CandidateClassesMapOntoPrimaryByName) {
  EXPECT_EQ(candidate_class_map({"a", "b"}, {"a", "b"}), (std::vector<int>{0, 1}));
  EXPECT_EQ(candidate_class_map({"cat", "dog", "car"}, {"car", "bird", "cat"}),
            (std::vector<int>{2, -1, 0}));
  // Candidate class 1 ("dog") is primary class 0, so the boxes match.
  const ShadowPhoto photo = compare_reports(report_of({box(0, 0.9f, 0, 0, 10, 10)}),
                                            report_of({box(1, 0.9f, 0, 0, 10, 10)}),
                                            candidate_class_map({"dog"}, {"cat", "dog"}), 0.5);
  EXPECT_EQ(photo.agreement, 1.0);
}

TEST(ShadowSummaryTotals, PooledAgreementAndMostDisagreementFirst) {
  std::vector<ShadowPhoto> photos;
  photos.push_back(compare_reports(report_of({box(0, 0.9f, 0, 0, 10, 10)}),
                                   report_of({box(0, 0.7f, 0, 0, 10, 10)}), kIdentity, 0.5));
  photos.push_back(
      compare_reports(report_of({box(0, 0.9f, 0, 0, 10, 10)}), report_of({}), kIdentity, 0.5));
  photos.push_back(
      compare_reports(report_of({box(0, 0.9f, 0, 0, 10, 10), box(1, 0.9f, 0, 0, 10, 10)}),
                      report_of({box(2, 0.9f, 30, 30, 40, 40)}), kIdentity, 0.5));
  const ShadowSummary summary = summarise_shadow(photos);
  EXPECT_EQ(summary.photos, 3);
  EXPECT_EQ(summary.primary_boxes, 4);
  EXPECT_EQ(summary.candidate_boxes, 2);
  EXPECT_EQ(summary.matched, 1);
  EXPECT_DOUBLE_EQ(summary.agreement, 2.0 / 6.0);
  EXPECT_DOUBLE_EQ(summary.mean_photo_agreement, 1.0 / 3.0);
  EXPECT_EQ(summary.photos_in_full_agreement, 1);
  EXPECT_NEAR(summary.mean_abs_score_difference, 0.2, 1e-6);
  // Photos 1 and 2 both agree 0; photo 2 has more unmatched boxes.
  EXPECT_EQ(summary.most_disagreement_first, (std::vector<int>{2, 1, 0}));
}

std::vector<ShadowPhoto> shadow_on_samples(Detector& primary, Detector& candidate,
                                           const std::vector<std::string>& names) {
  std::vector<ShadowPhoto> photos;
  for (const std::string& name : names) {
    const std::vector<uint8_t> bytes =
        testing::read_file_bytes(testing::samples_dir() + "/" + name);
    auto photo =
        shadow_photo(primary, candidate, bytes, name, PostprocessOptions{}, PostprocessOptions{});
    EXPECT_TRUE(photo) << photo.message();
    if (photo) photos.push_back(std::move(*photo));
  }
  return photos;
}

TEST(ShadowRealModels, YoloxNanoAgainstItselfAgreesFullyOnSamples) {
  auto primary = testing::open_card_detector("yolox_nano");
  auto candidate = testing::open_card_detector("yolox_nano");
  ASSERT_TRUE(primary && candidate);
  const std::vector<ShadowPhoto> photos =
      shadow_on_samples(*primary, *candidate,
                        {"dog.jpg", "eagle.jpg", "giraffe.jpg", "horses.jpg", "kite.jpg",
                         "person.jpg", "scream.jpg"});
  ASSERT_EQ(photos.size(), 7u);
  const ShadowSummary summary = summarise_shadow(photos);
  EXPECT_GT(summary.primary_boxes, 10);
  EXPECT_EQ(summary.matched, summary.primary_boxes);
  EXPECT_EQ(summary.agreement, 1.0);
  EXPECT_EQ(summary.photos_in_full_agreement, 7);
  EXPECT_EQ(summary.mean_abs_score_difference, 0.0);
}

TEST(ShadowRealModels, YoloxNanoAgainstYolov8nDisagreesOnSamples) {
  // Two photos keep the int8 model's scalar-kernel run short (about 1-2 s per photo natively).
  auto primary = testing::open_card_detector("yolox_nano");
  auto candidate = testing::open_card_detector("yolov8n_int8");
  ASSERT_TRUE(primary && candidate);
  const std::vector<ShadowPhoto> photos =
      shadow_on_samples(*primary, *candidate, {"horses.jpg", "kite.jpg"});
  ASSERT_EQ(photos.size(), 2u);
  const ShadowSummary summary = summarise_shadow(photos);
  std::printf(
      "yolox_nano vs yolov8n_int8 on horses.jpg, kite.jpg: agreement %.3f, boxes %d / %d,"
      " matched %d, mean |score difference| %.3f\n",
      summary.agreement, summary.primary_boxes, summary.candidate_boxes, summary.matched,
      summary.mean_abs_score_difference);
  EXPECT_GT(summary.matched, 0);
  EXPECT_LT(summary.agreement, 1.0);
  EXPECT_GT(summary.primary_boxes + summary.candidate_boxes - 2 * summary.matched, 0);
  EXPECT_GT(summary.mean_abs_score_difference, 0.0);
  EXPECT_GT(summary.candidate_latency.mean.inference_ms, 0.0);
}

}  // namespace
}  // namespace sightline::monitor
