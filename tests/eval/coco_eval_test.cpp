#include "eval/coco_eval.h"

#include <gtest/gtest.h>

namespace sightline::eval {
namespace {

constexpr int kAP = 0, kAP50 = 1, kAP75 = 2, kAPs = 3, kAPm = 4, kAPl = 5, kAR1 = 6, kAR100 = 8;

GroundTruth truth(int64_t id, int64_t image, int64_t category, double x, double y, double w,
                  double h, bool crowd = false) {
  GroundTruth g;
  g.id = id;
  g.image_id = image;
  g.category_id = category;
  g.x = x;
  g.y = y;
  g.width = w;
  g.height = h;
  g.area = w * h;
  g.crowd = crowd;
  return g;
}

ScoredBox detection(int64_t image, int64_t category, double x, double y, double w, double h,
                    double score) {
  ScoredBox d;
  d.image_id = image;
  d.category_id = category;
  d.x = x;
  d.y = y;
  d.width = w;
  d.height = h;
  d.score = score;
  return d;
}

TEST(CocoEval, PerfectDetectionsScoreOne) {
  EvalInput input;
  input.image_ids = {1, 2};
  input.category_ids = {1, 3};
  input.ground_truth = {truth(1, 1, 1, 10, 10, 50, 50), truth(2, 2, 3, 0, 0, 200, 100),
                        truth(3, 2, 1, 300, 300, 20, 20)};
  input.detections = {detection(1, 1, 10, 10, 50, 50, 0.9), detection(2, 3, 0, 0, 200, 100, 0.8),
                      detection(2, 1, 300, 300, 20, 20, 0.7)};
  const EvalResult result = evaluate_coco(input);
  for (int metric : {kAP, kAP50, kAP75, kAR100}) {
    EXPECT_DOUBLE_EQ(result.stats[metric], 1.0) << metric_name(metric);
  }
  EXPECT_DOUBLE_EQ(result.stats[kAPs], 1.0);  // the 20x20 box
  EXPECT_DOUBLE_EQ(result.stats[kAPm], 1.0);  // the 50x50 box
  EXPECT_DOUBLE_EQ(result.stats[kAPl], 1.0);  // the 200x100 box
}

TEST(CocoEval, HigherScoredFalsePositiveBeforeTruePositiveHalvesAp) {
  EvalInput input;
  input.image_ids = {1};
  input.category_ids = {1};
  input.ground_truth = {truth(1, 1, 1, 10, 10, 50, 50)};
  input.detections = {detection(1, 1, 200, 200, 50, 50, 0.9), detection(1, 1, 10, 10, 50, 50, 0.8)};
  const EvalResult result = evaluate_coco(input);
  EXPECT_DOUBLE_EQ(result.stats[kAP50], 0.5);
  EXPECT_DOUBLE_EQ(result.stats[kAP], 0.5);
  EXPECT_DOUBLE_EQ(result.stats[kAR100], 1.0);
  // With one detection per image, only the false positive counts.
  EXPECT_DOUBLE_EQ(result.stats[kAR1], 0.0);
}

TEST(CocoEval, IouOf072GivesAp50OneAndAp75Zero) {
  // Ground truth 100x100; detection 100x72 inside it: IoU 7200 / 10000 = 0.72.
  EvalInput input;
  input.image_ids = {1};
  input.category_ids = {1};
  input.ground_truth = {truth(1, 1, 1, 0, 0, 100, 100)};
  input.detections = {detection(1, 1, 0, 0, 100, 72, 0.9)};
  const EvalResult result = evaluate_coco(input);
  EXPECT_DOUBLE_EQ(result.stats[kAP50], 1.0);
  EXPECT_DOUBLE_EQ(result.stats[kAP75], 0.0);
  // Matched at 0.50, 0.55, 0.60, 0.65, 0.70: 5 of 10 thresholds.
  EXPECT_DOUBLE_EQ(result.stats[kAP], 0.5);
}

TEST(CocoEval, DetectionOnCrowdRegionIsIgnored) {
  EvalInput input;
  input.image_ids = {1};
  input.category_ids = {1};
  input.ground_truth = {truth(1, 1, 1, 0, 0, 50, 50), truth(2, 1, 1, 100, 100, 300, 300, true)};
  // The first detection lies inside the crowd region and outscores the true positive.
  input.detections = {detection(1, 1, 150, 150, 40, 40, 0.95), detection(1, 1, 0, 0, 50, 50, 0.9)};
  const EvalResult result = evaluate_coco(input);
  EXPECT_DOUBLE_EQ(result.stats[kAP], 1.0);
  EXPECT_EQ(result.per_category[0].ground_truth_count, 1);

  // Without the crowd flag the same detection is a false positive ranked first.
  input.ground_truth[1].crowd = false;
  EXPECT_LT(evaluate_coco(input).stats[kAP50], 1.0);
}

TEST(CocoEval, CrowdIouUsesDetectionAreaAsDenominator) {
  const GroundTruth crowd = truth(1, 1, 1, 0, 0, 100, 100, true);
  EXPECT_DOUBLE_EQ(coco_box_iou(detection(1, 1, 10, 10, 20, 20, 1), crowd), 1.0);
  const GroundTruth plain = truth(1, 1, 1, 0, 0, 100, 100, false);
  EXPECT_DOUBLE_EQ(coco_box_iou(detection(1, 1, 10, 10, 20, 20, 1), plain), 0.04);
}

TEST(CocoEval, OneOfTwoObjectsFoundGives51Of101) {
  EvalInput input;
  input.image_ids = {1};
  input.category_ids = {1};
  input.ground_truth = {truth(1, 1, 1, 0, 0, 50, 50), truth(2, 1, 1, 200, 200, 50, 50)};
  input.detections = {detection(1, 1, 0, 0, 50, 50, 0.9)};
  const EvalResult result = evaluate_coco(input);
  EXPECT_NEAR(result.stats[kAP], 51.0 / 101.0, 1e-12);
  EXPECT_DOUBLE_EQ(result.stats[kAR100], 0.5);
}

TEST(CocoEval, EmptyImagesAddNothingButDetectionsOnThemAreFalsePositives) {
  EvalInput input;
  input.image_ids = {1, 2, 3};
  input.category_ids = {1};
  input.ground_truth = {truth(1, 1, 1, 0, 0, 50, 50)};
  input.detections = {detection(1, 1, 0, 0, 50, 50, 0.9)};
  EXPECT_DOUBLE_EQ(evaluate_coco(input).stats[kAP], 1.0);

  input.detections.push_back(detection(3, 1, 0, 0, 50, 50, 0.95));
  EXPECT_DOUBLE_EQ(evaluate_coco(input).stats[kAP], 0.5);
}

TEST(CocoEval, ClassWithoutGroundTruthIsLeftOutOfTheMean) {
  EvalInput input;
  input.image_ids = {1};
  input.category_ids = {1, 2};
  input.ground_truth = {truth(1, 1, 1, 0, 0, 50, 50)};
  input.detections = {detection(1, 1, 0, 0, 50, 50, 0.9), detection(1, 2, 0, 0, 50, 50, 0.9)};
  const EvalResult result = evaluate_coco(input);
  EXPECT_DOUBLE_EQ(result.stats[kAP], 1.0);
  ASSERT_EQ(result.per_category.size(), 2u);
  EXPECT_DOUBLE_EQ(result.per_category[1].ap, -1.0);
  EXPECT_TRUE(result.per_category[1].precision_at_iou50.empty());
}

TEST(CocoEval, NoGroundTruthAtAllGivesMinusOne) {
  EvalInput input;
  input.image_ids = {1};
  input.category_ids = {1};
  input.detections = {detection(1, 1, 0, 0, 5, 5, 0.9)};
  const EvalResult result = evaluate_coco(input);
  for (double value : result.stats)
    EXPECT_DOUBLE_EQ(value, -1.0);
}

TEST(CocoEval, MaxDetsApplyPerImageAndCategory) {
  // 101 detections on one object: the best-scored one matches, the other 100 are cut to 99.
  EvalInput input;
  input.image_ids = {1};
  input.category_ids = {1};
  input.ground_truth = {truth(1, 1, 1, 0, 0, 50, 50)};
  for (int i = 0; i < 101; ++i) {
    input.detections.push_back(detection(1, 1, 500 + i, 500, 10, 10, 0.5 + i * 0.001));
  }
  input.detections.push_back(detection(1, 1, 0, 0, 50, 50, 0.1));  // ranked 102nd: cut
  EXPECT_DOUBLE_EQ(evaluate_coco(input).stats[kAR100], 0.0);
  input.detections.back().score = 0.99;
  EXPECT_DOUBLE_EQ(evaluate_coco(input).stats[kAR1], 1.0);
}

TEST(CocoEval, TiedScoresKeepImageOrder) {
  // Equal scores: the detection of the lower image id ranks first (a stable sort by image).
  EvalInput input;
  input.image_ids = {2, 1};
  input.category_ids = {1};
  input.ground_truth = {truth(1, 2, 1, 0, 0, 50, 50)};
  input.detections = {detection(2, 1, 0, 0, 50, 50, 0.5), detection(1, 1, 0, 0, 50, 50, 0.5)};
  // Order: image 1 (false positive), then image 2 (true positive): precision 1/2 at recall 1.
  EXPECT_DOUBLE_EQ(evaluate_coco(input).stats[kAP50], 0.5);
}

TEST(CocoEval, AreaRangesUseAnnotationArea) {
  EvalInput input;
  input.image_ids = {1};
  input.category_ids = {1};
  GroundTruth g = truth(1, 1, 1, 0, 0, 100, 100);
  g.area = 500;  // a thin polygon inside a large box: small by COCO's rule
  input.ground_truth = {g};
  input.detections = {detection(1, 1, 0, 0, 100, 100, 0.9)};
  const EvalResult result = evaluate_coco(input);
  EXPECT_DOUBLE_EQ(result.stats[kAPs], 1.0);
  EXPECT_DOUBLE_EQ(result.stats[kAPl], -1.0);
}

}  // namespace
}  // namespace sightline::eval
