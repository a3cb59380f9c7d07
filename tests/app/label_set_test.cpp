// The label editing model without a UI: boxes stay inside the photo at the minimum size, every
// edit is undone and redone exactly, and bad edits are refused with a message.
#include "app/label_set.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace sightline::app {
namespace {

constexpr int kWidth = 200;
constexpr int kHeight = 100;
constexpr int kClasses = 3;

LabelBox box(int class_id, float x1, float y1, float x2, float y2) {
  return LabelBox{class_id, x1, y1, x2, y2};
}

TEST(LabelGeometry, ClipKeepsBoxesInsideThePhoto) {
  EXPECT_EQ(clip_box(box(0, -10, -5, 250, 120), kWidth, kHeight), box(0, 0, 0, 200, 100));
  // Corners given the wrong way round are ordered.
  EXPECT_EQ(clip_box(box(1, 50, 60, 10, 20), kWidth, kHeight), box(1, 10, 20, 50, 60));
}

TEST(LabelGeometry, ClipGrowsTinyBoxesToTheMinimumAgainstAnEdge) {
  const LabelBox tiny = clip_box(box(0, 199.5f, 99.9f, 199.6f, 100), kWidth, kHeight);
  EXPECT_FLOAT_EQ(tiny.width(), kMinLabelBoxSize);
  EXPECT_FLOAT_EQ(tiny.height(), kMinLabelBoxSize);
  EXPECT_FLOAT_EQ(tiny.x2, 200);
  EXPECT_FLOAT_EQ(tiny.y2, 100);
}

TEST(LabelGeometry, ClipOfNonFiniteCornersGivesABoxInsideThePhoto) {
  const LabelBox clipped = clip_box(
      box(0, std::nanf(""), 10, 20, std::numeric_limits<float>::infinity()), kWidth, kHeight);
  EXPECT_GE(clipped.x1, 0);
  EXPECT_LE(clipped.x2, kWidth);
  EXPECT_LE(clipped.y2, kHeight);
  EXPECT_GE(clipped.width(), kMinLabelBoxSize);
}

TEST(LabelGeometry, MoveStopsAtTheEdgeAndKeepsTheSize) {
  const LabelBox moved = move_box(box(2, 10, 10, 60, 40), 500, -30, kWidth, kHeight);
  EXPECT_EQ(moved, box(2, 150, 0, 200, 30));
  EXPECT_EQ(move_box(box(0, 10, 10, 60, 40), 5, 7, kWidth, kHeight), box(0, 15, 17, 65, 47));
}

TEST(LabelGeometry, ResizeCornerMovesTwoEdges) {
  EXPECT_EQ(resize_box(box(0, 10, 10, 60, 40), kEdgeRight | kEdgeBottom, 80, 90, kWidth, kHeight),
            box(0, 10, 10, 80, 90));
  EXPECT_EQ(resize_box(box(0, 10, 10, 60, 40), kEdgeLeft, -20, 0, kWidth, kHeight),
            box(0, 0, 10, 60, 40));
}

TEST(LabelGeometry, ResizePastTheOppositeEdgeStopsAtTheMinimumSize) {
  const LabelBox resized = resize_box(box(0, 10, 10, 60, 40), kEdgeLeft, 90, 0, kWidth, kHeight);
  EXPECT_FLOAT_EQ(resized.x2, 60);
  EXPECT_FLOAT_EQ(resized.width(), kMinLabelBoxSize);
}

TEST(LabelGeometry, EdgesNearFindsCornersEdgesAndNothingInside) {
  const LabelBox b = box(0, 10, 10, 60, 40);
  EXPECT_EQ(edges_near(b, 11, 39, 3), kEdgeLeft | kEdgeBottom);
  EXPECT_EQ(edges_near(b, 35, 9, 3), kEdgeTop);
  EXPECT_EQ(edges_near(b, 35, 25, 3), kEdgeNone);
  EXPECT_EQ(edges_near(b, 100, 25, 3), kEdgeNone);
}

TEST(LabelSet, StartsEmptyAndUnreviewed) {
  LabelSet labels(kWidth, kHeight);
  EXPECT_TRUE(labels.boxes().empty());
  EXPECT_EQ(labels.review(), ReviewState::kUnreviewed);
  EXPECT_FALSE(labels.can_undo());
  EXPECT_FALSE(labels.can_redo());
  EXPECT_FALSE(labels.undo());
}

TEST(LabelSet, AddClipsAndReturnsTheIndex) {
  LabelSet labels(kWidth, kHeight);
  Result<int> first = labels.add(box(1, -5, 10, 30, 40), kClasses);
  ASSERT_TRUE(first.ok()) << first.message();
  EXPECT_EQ(*first, 0);
  EXPECT_EQ(labels.boxes()[0], box(1, 0, 10, 30, 40));
  EXPECT_EQ(*labels.add(box(0, 50, 50, 60, 60), kClasses), 1);
}

TEST(LabelSet, RefusesUnknownClassesAndIndicesWithoutChanging) {
  LabelSet labels(kWidth, kHeight);
  ASSERT_TRUE(labels.add(box(0, 1, 1, 20, 20), kClasses).ok());
  Result<int> bad_class = labels.add(box(3, 1, 1, 20, 20), kClasses);
  ASSERT_FALSE(bad_class.ok());
  EXPECT_NE(bad_class.message().find("class id 3 is outside [0, 2]"), std::string::npos)
      << bad_class.message();
  Status bad_index = labels.remove(5);
  ASSERT_FALSE(bad_index.ok());
  EXPECT_NE(bad_index.message().find("label box 5"), std::string::npos) << bad_index.message();
  EXPECT_FALSE(labels.set_class(0, -1, kClasses).ok());
  EXPECT_FALSE(labels.set_geometry(-1, box(0, 0, 0, 5, 5)).ok());
  EXPECT_EQ(labels.boxes().size(), 1u);
  // Only the one good add is on the undo stack.
  EXPECT_TRUE(labels.undo());
  EXPECT_FALSE(labels.can_undo());
}

TEST(LabelSet, EveryKindOfEditIsUndoneAndRedoneExactly) {
  LabelSet labels(kWidth, kHeight);
  std::vector<std::vector<LabelBox>> states{labels.boxes()};
  std::vector<ReviewState> reviews{labels.review()};
  auto record = [&] {
    states.push_back(labels.boxes());
    reviews.push_back(labels.review());
  };

  ASSERT_TRUE(labels.replace_all({box(0, 10, 10, 50, 50), box(1, 60, 20, 90, 80)}, kClasses).ok());
  record();
  ASSERT_TRUE(labels.add(box(2, 100, 10, 150, 60), kClasses).ok());
  record();
  ASSERT_TRUE(labels.set_geometry(0, box(2, 20, 15, 70, 45)).ok());
  record();
  ASSERT_TRUE(labels.set_class(1, 2, kClasses).ok());
  record();
  ASSERT_TRUE(labels.remove(2).ok());
  record();
  ASSERT_TRUE(labels.set_review(ReviewState::kReviewed).ok());
  record();

  // set_geometry keeps the class: the 2 in the geometry is ignored.
  EXPECT_EQ(states[3][0], box(0, 20, 15, 70, 45));
  EXPECT_EQ(labels.undo_description(), "mark reviewed");

  for (size_t step = states.size() - 1; step > 0; --step) {
    ASSERT_TRUE(labels.undo());
    EXPECT_EQ(labels.boxes(), states[step - 1]) << "after undoing edit " << step;
    EXPECT_EQ(labels.review(), reviews[step - 1]);
  }
  EXPECT_FALSE(labels.can_undo());
  for (size_t step = 1; step < states.size(); ++step) {
    ASSERT_TRUE(labels.redo());
    EXPECT_EQ(labels.boxes(), states[step]) << "after redoing edit " << step;
    EXPECT_EQ(labels.review(), reviews[step]);
  }
  EXPECT_FALSE(labels.can_redo());
}

TEST(LabelSet, ANewEditClearsTheRedoStack) {
  LabelSet labels(kWidth, kHeight);
  ASSERT_TRUE(labels.add(box(0, 1, 1, 20, 20), kClasses).ok());
  ASSERT_TRUE(labels.add(box(1, 30, 30, 50, 50), kClasses).ok());
  ASSERT_TRUE(labels.undo());
  EXPECT_TRUE(labels.can_redo());
  ASSERT_TRUE(labels.remove(0).ok());
  EXPECT_FALSE(labels.can_redo());
  EXPECT_TRUE(labels.boxes().empty());
}

TEST(LabelSet, NoOpEditsAreNotRecorded) {
  LabelSet labels(kWidth, kHeight);
  ASSERT_TRUE(labels.add(box(0, 10, 10, 20, 20), kClasses).ok());
  ASSERT_TRUE(labels.set_geometry(0, box(0, 10, 10, 20, 20)).ok());
  ASSERT_TRUE(labels.set_class(0, 0, kClasses).ok());
  ASSERT_TRUE(labels.set_review(ReviewState::kUnreviewed).ok());
  EXPECT_EQ(labels.undo_description(), "add box 0");
  ASSERT_TRUE(labels.undo());
  EXPECT_FALSE(labels.can_undo());
}

TEST(LabelSet, AcceptingPredictionsWithAnUnknownClassChangesNothing) {
  LabelSet labels(kWidth, kHeight);
  Status accepted = labels.replace_all({box(0, 1, 1, 9, 9), box(7, 1, 1, 9, 9)}, kClasses);
  ASSERT_FALSE(accepted.ok());
  EXPECT_NE(accepted.message().find("box 1: class id 7"), std::string::npos) << accepted.message();
  EXPECT_TRUE(labels.boxes().empty());
  EXPECT_FALSE(labels.can_undo());
}

TEST(LabelSet, BoxAtPicksTheSmallestBoxUnderThePoint) {
  LabelSet labels(kWidth, kHeight);
  ASSERT_TRUE(labels.replace_all({box(0, 0, 0, 200, 100), box(1, 40, 40, 60, 60)}, kClasses).ok());
  EXPECT_EQ(labels.box_at(50, 50), 1);
  EXPECT_EQ(labels.box_at(10, 10), 0);
  EXPECT_EQ(labels.box_at(250, 10), -1);
}

}  // namespace
}  // namespace sightline::app
