// The labels of one gallery photo and their edit history, without any UI: the canvas's label
// editor (label_editor.cpp) turns mouse and keyboard input into these edits, and the unit tests
// (tests/app/label_set_test.cpp) drive them directly.
//
// Boxes are in photo pixels, corners (x1, y1) top-left and (x2, y2) bottom-right as pixel
// edges, always inside [0, width] x [0, height] and at least kMinLabelBoxSize on each side.
// Every change (add, delete, move/resize, class, accepting predictions, review state) is one
// edit on the undo stack; a new edit clears the redo stack.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace sightline::app {

// Smaller boxes cannot be grabbed on the canvas and are noise in a dataset.
inline constexpr float kMinLabelBoxSize = 2.0f;

struct LabelBox {
  int class_id = 0;
  float x1 = 0, y1 = 0, x2 = 0, y2 = 0;

  float width() const { return x2 - x1; }
  float height() const { return y2 - y1; }
  bool operator==(const LabelBox&) const = default;
};

enum class ReviewState { kUnreviewed, kReviewed };

// "unreviewed" or "reviewed", as in the JS API.
const char* review_state_name(ReviewState state);

// Which edges a resize drags: a corner is two edges.
enum BoxEdge : uint8_t {
  kEdgeNone = 0,
  kEdgeLeft = 1,
  kEdgeTop = 2,
  kEdgeRight = 4,
  kEdgeBottom = 8
};

// `box` with its corners ordered, clipped to the photo and grown to the minimum size (shifted
// back inside when it sits against an edge). The photo must be at least the minimum size.
LabelBox clip_box(LabelBox box, int photo_width, int photo_height);

// `box` shifted by (dx, dy), its size kept, stopped at the photo's edges.
LabelBox move_box(const LabelBox& box, float dx, float dy, int photo_width, int photo_height);

// `box` with the edges in `edges` moved to the point (x, y); an edge dragged past its opposite
// stops at the minimum size instead of flipping the box.
LabelBox resize_box(const LabelBox& box, uint8_t edges, float x, float y, int photo_width,
                    int photo_height);

// The edges of `box` within `tolerance` of (x, y) (a corner gives two), or kEdgeNone.
uint8_t edges_near(const LabelBox& box, float x, float y, float tolerance);

class LabelSet {
 public:
  LabelSet() = default;
  LabelSet(int photo_width, int photo_height);

  int photo_width() const { return width_; }
  int photo_height() const { return height_; }
  const std::vector<LabelBox>& boxes() const { return boxes_; }
  ReviewState review() const { return review_; }

  // The index of the smallest box containing (x, y), the most specific one; -1 if none.
  int box_at(float x, float y) const;

  // Edits. Each fails with a message naming the bad value (an index out of range, a class id
  // outside [0, class_count)) and leaves the labels as they were. `class_count` is the number
  // of class names the model has; boxes are clipped as clip_box does.
  Result<int> add(const LabelBox& box, int class_count);  // the new box's index
  Status remove(int index);
  Status set_geometry(int index, const LabelBox& geometry);  // move or resize; class kept
  Status set_class(int index, int class_id, int class_count);
  // Replaces every box (the model's predictions accepted as labels).
  Status replace_all(const std::vector<LabelBox>& boxes, int class_count);
  Status set_review(ReviewState state);

  bool can_undo() const { return !undo_.empty(); }
  bool can_redo() const { return !redo_.empty(); }
  // What the next undo or redo would change ("move box 2"), for the buttons' tooltips.
  std::string undo_description() const;
  std::string redo_description() const;
  bool undo();
  bool redo();

 private:
  // An edit as the state before and after it: label sets hold tens of boxes, so whole copies
  // are cheap and make undo exact for every kind of edit.
  struct Edit {
    std::string description;
    std::vector<LabelBox> before_boxes, after_boxes;
    ReviewState before_review = ReviewState::kUnreviewed;
    ReviewState after_review = ReviewState::kUnreviewed;
  };

  Status check_index(int index) const;
  Status check_class(int class_id, int class_count) const;
  void apply(std::string description, std::vector<LabelBox> boxes, ReviewState review);

  int width_ = 0;
  int height_ = 0;
  std::vector<LabelBox> boxes_;
  ReviewState review_ = ReviewState::kUnreviewed;
  std::vector<Edit> undo_;
  std::vector<Edit> redo_;
};

}  // namespace sightline::app
