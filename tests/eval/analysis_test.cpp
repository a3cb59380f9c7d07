#include "eval/analysis.h"

#include <gtest/gtest.h>

namespace sightline::eval {
namespace {

GroundTruth object(int64_t id, int64_t image, int64_t category, double x, double y, double w,
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

ScoredBox box(int64_t image, int64_t category, double x, double y, double w, double h,
              double score) {
  return ScoredBox{image, category, x, y, w, h, score};
}

Dataset two_class_dataset() {
  Dataset dataset;
  dataset.categories = {{1, "cat"}, {2, "dog"}};
  DatasetImage image;
  image.id = 7;
  image.width = 640;
  image.height = 480;
  dataset.images = {image};
  dataset.annotations = {object(1, 7, 1, 0, 0, 100, 100), object(2, 7, 2, 300, 300, 100, 100)};
  return dataset;
}

TEST(ConfusionMatrix, CountsMatchesConfusionsMissesAndBackground) {
  const Dataset dataset = two_class_dataset();
  const std::vector<ScoredBox> detections = {
      box(7, 1, 0, 0, 100, 100, 0.9),       // cat on the cat
      box(7, 1, 300, 300, 100, 100, 0.8),   // cat on the dog: a confusion
      box(7, 2, 500, 0, 50, 50, 0.7),       // dog on nothing: background
      box(7, 2, 300, 300, 100, 100, 0.1)};  // below the confidence: not counted
  const ConfusionMatrix matrix = confusion_matrix(dataset, detections, 0.5, 0.25);
  ASSERT_EQ(matrix.size(), 3);
  EXPECT_EQ(matrix.at(0, 0), 1);  // cat -> cat
  EXPECT_EQ(matrix.at(1, 0), 1);  // dog -> cat
  EXPECT_EQ(matrix.at(2, 1), 1);  // background -> dog
  EXPECT_EQ(matrix.at(1, 1), 0);
  EXPECT_EQ(matrix.at(0, 2), 0);
}

TEST(ConfusionMatrix, UnmatchedObjectLandsInBackgroundColumn) {
  const Dataset dataset = two_class_dataset();
  const ConfusionMatrix matrix = confusion_matrix(dataset, {}, 0.5, 0.25);
  EXPECT_EQ(matrix.at(0, 2), 1);
  EXPECT_EQ(matrix.at(1, 2), 1);
}

TEST(ErrorAnalysis, ClassifiesEveryFalsePositive) {
  const Dataset dataset = two_class_dataset();
  const std::vector<ScoredBox> detections = {
      box(7, 1, 0, 0, 100, 100, 0.9),      // true positive
      box(7, 1, 2, 2, 100, 100, 0.85),     // duplicate of the cat
      box(7, 1, 300, 300, 100, 100, 0.8),  // wrong class on the dog
      box(7, 2, 330, 330, 100, 100, 0.7),  // dog, IoU 0.33: poor localisation
      box(7, 2, 600, 0, 30, 30, 0.6)};     // background
  const ErrorAnalysis analysis = analyse_errors(dataset, detections, 0.5, 0.25);
  EXPECT_EQ(analysis.true_positives, 1);
  ASSERT_EQ(analysis.false_positives.size(), 4u);
  EXPECT_EQ(analysis.false_positives[0].kind, ErrorKind::kDuplicate);
  EXPECT_EQ(analysis.false_positives[0].truth_id, 1);
  EXPECT_EQ(analysis.false_positives[1].kind, ErrorKind::kWrongClass);
  EXPECT_EQ(analysis.false_positives[1].truth_id, 2);
  EXPECT_EQ(analysis.false_positives[2].kind, ErrorKind::kPoorLocalisation);
  EXPECT_EQ(analysis.false_positives[3].kind, ErrorKind::kBackground);
  ASSERT_EQ(analysis.missed.size(), 1u);
  EXPECT_EQ(analysis.missed[0].truth.id, 2);
  EXPECT_NEAR(analysis.missed[0].best_iou, 4900.0 / 15100.0, 1e-9);
}

TEST(ErrorAnalysis, DetectionInsideCrowdRegionIsNotAnError) {
  Dataset dataset = two_class_dataset();
  dataset.annotations.push_back(object(3, 7, 1, 400, 0, 200, 200, true));
  const ErrorAnalysis analysis =
      analyse_errors(dataset, {box(7, 1, 450, 50, 50, 50, 0.9)}, 0.5, 0.25);
  EXPECT_TRUE(analysis.false_positives.empty());
  EXPECT_EQ(analysis.missed.size(), 2u);  // crowd regions are never "missed"
}

TEST(Slices, BucketsImagesByBrightnessSizeAndTag) {
  Dataset dataset = two_class_dataset();
  dataset.images[0].tags = {"night"};
  DatasetImage second;
  second.id = 8;
  second.width = 2000;
  second.height = 1000;
  dataset.images.push_back(second);
  dataset.annotations.push_back(object(3, 8, 1, 0, 0, 50, 50));
  const std::vector<ScoredBox> detections = {box(7, 1, 0, 0, 100, 100, 0.9),
                                             box(7, 2, 300, 300, 100, 100, 0.9)};
  std::map<int64_t, ImageMeasure> measures;
  measures[7].brightness = 40;
  measures[8].brightness = 200;
  const auto slices = slice_metrics(dataset, detections, measures);

  auto find = [&](const std::string& bucket) -> const SliceResult* {
    for (const SliceResult& slice : slices) {
      if (slice.bucket == bucket) return &slice;
    }
    return nullptr;
  };
  const SliceResult* dark = find("dark (< 85)");
  ASSERT_NE(dark, nullptr);
  EXPECT_EQ(dark->images, 1);
  EXPECT_DOUBLE_EQ(dark->ap, 1.0);
  const SliceResult* bright = find("bright (>= 170)");
  ASSERT_NE(bright, nullptr);
  EXPECT_DOUBLE_EQ(bright->ap, 0.0);  // its one object was missed
  const SliceResult* night = find("night");
  ASSERT_NE(night, nullptr);
  EXPECT_EQ(night->objects, 2);
  ASSERT_NE(find("large (>= 1 Mpx)"), nullptr);
  ASSERT_NE(find("medium (0.3-1 Mpx)"), nullptr);
}

}  // namespace
}  // namespace sightline::eval
