#include "core/postprocess.h"

#include <gtest/gtest.h>

#include <cmath>

namespace sightline {
namespace {

Detection box(float x1, float y1, float x2, float y2, float score, int class_id = 0) {
  Detection d;
  d.x1 = x1;
  d.y1 = y1;
  d.x2 = x2;
  d.y2 = y2;
  d.score = score;
  d.class_id = class_id;
  return d;
}

// A YOLOX output for a 64x64 input (strides 8, 16, 32: 64 + 16 + 4 = 84 rows) with 3 classes.
FloatTensor empty_yolox_output() {
  FloatTensor raw;
  raw.shape = {1, 84, 8};
  raw.data.assign(84 * 8, 0.0f);
  return raw;
}

DecodeSpec yolox_spec() {
  DecodeSpec spec;
  spec.kind = DecoderKind::kYolox;
  spec.strides = {8, 16, 32};
  spec.input_width = 64;
  spec.input_height = 64;
  return spec;
}

TEST(Nms, KeepsHigherScoreOfIdenticalBoxes) {
  auto kept =
      non_max_suppression({box(0, 0, 10, 10, 0.5f), box(0, 0, 10, 10, 0.9f)}, 0.45f, 10, false);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_FLOAT_EQ(kept[0].score, 0.9f);
}

TEST(Nms, TieOnScoreKeepsEarlierCandidate) {
  auto kept = non_max_suppression({box(0, 0, 10, 10, 0.5f, 1), box(1, 0, 11, 10, 0.5f, 1)}, 0.3f,
                                  10, false);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_FLOAT_EQ(kept[0].x1, 0.0f);
}

TEST(Nms, FlippedCornersOverlapLikeOrderedOnes) {
  EXPECT_NEAR(intersection_over_union(box(10, 10, 0, 0, 1), box(0, 0, 10, 10, 1)), 1.0f, 1e-6);
  auto kept =
      non_max_suppression({box(10, 10, 0, 0, 0.9f), box(0, 0, 10, 10, 0.8f)}, 0.5f, 10, false);
  EXPECT_EQ(kept.size(), 1u);
}

TEST(Nms, ZeroAreaBoxesNeitherSuppressNorCrash) {
  EXPECT_EQ(intersection_over_union(box(5, 5, 5, 5, 1), box(5, 5, 5, 5, 1)), 0.0f);
  auto kept = non_max_suppression({box(5, 5, 5, 5, 0.9f), box(5, 5, 5, 5, 0.8f)}, 0.45f, 10, false);
  EXPECT_EQ(kept.size(), 2u);
}

TEST(Nms, EmptyInputGivesEmptyOutput) {
  EXPECT_TRUE(non_max_suppression({}, 0.45f, 10, false).empty());
}

TEST(Nms, MaxDetectionsZeroGivesNothing) {
  EXPECT_TRUE(non_max_suppression({box(0, 0, 1, 1, 0.9f)}, 0.45f, 0, false).empty());
}

TEST(Nms, MaxDetectionsKeepsHighestScores) {
  auto kept = non_max_suppression(
      {box(0, 0, 1, 1, 0.3f), box(10, 10, 11, 11, 0.9f), box(20, 20, 21, 21, 0.6f)}, 0.45f, 2,
      false);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_FLOAT_EQ(kept[0].score, 0.9f);
  EXPECT_FLOAT_EQ(kept[1].score, 0.6f);
}

TEST(Nms, ClassAwareKeepsOverlappingBoxesOfDifferentClasses) {
  std::vector<Detection> boxes = {box(0, 0, 10, 10, 0.9f, 0), box(0, 0, 10, 10, 0.8f, 1)};
  EXPECT_EQ(non_max_suppression(boxes, 0.45f, 10, false).size(), 2u);
  EXPECT_EQ(non_max_suppression(boxes, 0.45f, 10, true).size(), 1u);
}

TEST(Nms, IouExactlyAtThresholdIsKept) {
  // Two 10x10 boxes offset by 5: intersection 50, union 150, IoU 1/3.
  std::vector<Detection> boxes = {box(0, 0, 10, 10, 0.9f), box(5, 0, 15, 10, 0.8f)};
  EXPECT_EQ(non_max_suppression(boxes, 1.0f / 3.0f + 1e-6f, 10, false).size(), 2u);
  EXPECT_EQ(non_max_suppression(boxes, 0.3f, 10, false).size(), 1u);
}

TEST(DecodeYolox, DecodesGridOffsetsAndLogSizes) {
  FloatTensor raw = empty_yolox_output();
  // Row 64 + 5 is the stride-16 grid cell (gx 1, gy 1).
  float* row = &raw.data[(64 + 5) * 8];
  row[0] = 0.5f;
  row[1] = 0.25f;
  row[2] = std::log(2.0f);
  row[3] = 0.0f;
  row[4] = 0.8f;
  row[5 + 2] = 0.9f;
  auto candidates = decode_candidates(raw, yolox_spec(), 0.3f);
  ASSERT_TRUE(candidates) << candidates.message();
  ASSERT_EQ(candidates->size(), 1u);
  const Detection& d = (*candidates)[0];
  EXPECT_EQ(d.class_id, 2);
  EXPECT_NEAR(d.score, 0.72f, 1e-6);
  // cx = (0.5 + 1) * 16 = 24, cy = (0.25 + 1) * 16 = 20, w = 32, h = 16.
  EXPECT_NEAR(d.x1, 8.0f, 1e-4);
  EXPECT_NEAR(d.x2, 40.0f, 1e-4);
  EXPECT_NEAR(d.y1, 12.0f, 1e-4);
  EXPECT_NEAR(d.y2, 28.0f, 1e-4);
}

TEST(DecodeYolox, ScoreIsObjectnessTimesClassAndBelowThresholdIsDropped) {
  FloatTensor raw = empty_yolox_output();
  raw.data[4] = 0.5f;
  raw.data[5] = 0.5f;  // score 0.25
  auto candidates = decode_candidates(raw, yolox_spec(), 0.3f);
  ASSERT_TRUE(candidates);
  EXPECT_TRUE(candidates->empty());
}

TEST(DecodeYolox, RejectsRowCountThatDoesNotMatchStrides) {
  FloatTensor raw;
  raw.shape = {1, 83, 8};
  raw.data.assign(83 * 8, 0.0f);
  auto candidates = decode_candidates(raw, yolox_spec(), 0.3f);
  ASSERT_FALSE(candidates);
  EXPECT_NE(candidates.message().find("83 rows"), std::string::npos) << candidates.message();
}

TEST(DecodeYolox, IgnoresNanScores) {
  FloatTensor raw = empty_yolox_output();
  raw.data[4] = std::nanf("");
  raw.data[5] = 1.0f;
  auto candidates = decode_candidates(raw, yolox_spec(), 0.01f);
  ASSERT_TRUE(candidates);
  EXPECT_TRUE(candidates->empty());
}

TEST(DecodeYolov5, ReadsDecodedCentreBoxesWithObjectness) {
  FloatTensor raw;
  raw.shape = {1, 2, 7};
  raw.data = {50, 40, 20, 10, 0.9f, 0.1f, 0.8f,  //
              10, 10, 4,  4,  0.2f, 0.9f, 0.1f};
  DecodeSpec spec;
  spec.kind = DecoderKind::kYolov5;
  auto candidates = decode_candidates(raw, spec, 0.25f);
  ASSERT_TRUE(candidates);
  ASSERT_EQ(candidates->size(), 1u);
  EXPECT_EQ((*candidates)[0].class_id, 1);
  EXPECT_NEAR((*candidates)[0].score, 0.72f, 1e-6);
  EXPECT_FLOAT_EQ((*candidates)[0].x1, 40.0f);
  EXPECT_FLOAT_EQ((*candidates)[0].y2, 45.0f);
}

TEST(DecodeYolov8, ReadsChannelMajorLayoutWithoutObjectness) {
  // [1, 4 + 2, 3]: three anchors, two classes, stored channel by channel.
  FloatTensor raw;
  raw.shape = {1, 6, 3};
  raw.data = {10,   20,   30,     // cx
              10,   20,   30,     // cy
              4,    4,    4,      // w
              2,    2,    2,      // h
              0.1f, 0.7f, 0.2f,   // class 0
              0.6f, 0.1f, 0.1f};  // class 1
  DecodeSpec spec;
  spec.kind = DecoderKind::kYolov8;
  auto candidates = decode_candidates(raw, spec, 0.5f);
  ASSERT_TRUE(candidates);
  ASSERT_EQ(candidates->size(), 2u);
  EXPECT_EQ((*candidates)[0].class_id, 1);
  EXPECT_FLOAT_EQ((*candidates)[0].x1, 8.0f);
  EXPECT_EQ((*candidates)[1].class_id, 0);
  EXPECT_FLOAT_EQ((*candidates)[1].score, 0.7f);
  EXPECT_FLOAT_EQ((*candidates)[1].y1, 19.0f);
}

TEST(DecodeYolov8, RejectsWrongRank) {
  FloatTensor raw;
  raw.shape = {84, 10};
  raw.data.assign(840, 0.0f);
  DecodeSpec spec;
  spec.kind = DecoderKind::kYolov8;
  EXPECT_FALSE(decode_candidates(raw, spec, 0.5f));
}

TEST(Postprocess, MapsBoxesToImagePixelsAndClipsToImage) {
  FloatTensor raw;
  raw.shape = {1, 1, 6};
  raw.data = {30, 20, 80, 20, 1.0f, 1.0f};  // input-pixel box x -10..70, y 10..30
  DecodeSpec spec;
  spec.kind = DecoderKind::kYolov5;
  // A 200x100 photo letterboxed top-left into 64x64: scale 0.32.
  const auto geometry = compute_letterbox(200, 100, 64, 64, LetterboxPlacement::kTopLeft);
  auto detections = postprocess(raw, spec, geometry, PostprocessOptions{});
  ASSERT_TRUE(detections) << detections.message();
  ASSERT_EQ(detections->size(), 1u);
  const Detection& d = (*detections)[0];
  EXPECT_FLOAT_EQ(d.x1, 0.0f);
  EXPECT_FLOAT_EQ(d.x2, 200.0f);  // 70 / 0.32 = 218.75, past the photo's right edge
  EXPECT_NEAR(d.y1, 10.0f / 0.32f, 1e-3);
  EXPECT_NEAR(d.y2, 93.75f, 1e-3);
}

TEST(Postprocess, RejectsOutOfRangeOptionsNamingTheValue) {
  PostprocessOptions options;
  options.confidence = 2.0f;
  Status status = validate_options(options);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.message(), "confidence 2 is outside [0, 1]");
  options.confidence = 0.3f;
  options.iou = std::nanf("");
  EXPECT_FALSE(validate_options(options));
  options.iou = 0.5f;
  options.max_detections = -1;
  EXPECT_FALSE(validate_options(options));
}

}  // namespace
}  // namespace sightline
