// LabelSet: a photo's label boxes, the geometry rules that keep them inside the photo, and the
// undo/redo stacks (see label_set.h).
#include "app/label_set.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace sightline::app {
namespace {

// Enough for a long session on one photo; the oldest edits are dropped first.
constexpr size_t kMaxUndoEdits = 500;

// The minimum size, or the whole side when the photo itself is smaller.
float min_side(int photo_side) {
  return std::min(kMinLabelBoxSize, static_cast<float>(std::max(photo_side, 0)));
}

// One axis of clip_box: [low, high] ordered, inside [0, side], at least the minimum long.
void clip_span(float& low, float& high, int side) {
  const float limit = static_cast<float>(std::max(side, 0));
  if (!std::isfinite(low)) low = 0;
  if (!std::isfinite(high)) high = limit;
  if (low > high) std::swap(low, high);
  low = std::clamp(low, 0.0f, limit);
  high = std::clamp(high, 0.0f, limit);
  const float minimum = min_side(side);
  if (high - low < minimum) {
    high = std::min(low + minimum, limit);
    low = high - minimum;
  }
}

}  // namespace

const char* review_state_name(ReviewState state) {
  return state == ReviewState::kReviewed ? "reviewed" : "unreviewed";
}

LabelBox clip_box(LabelBox box, int photo_width, int photo_height) {
  clip_span(box.x1, box.x2, photo_width);
  clip_span(box.y1, box.y2, photo_height);
  return box;
}

LabelBox move_box(const LabelBox& box, float dx, float dy, int photo_width, int photo_height) {
  const LabelBox clipped = clip_box(box, photo_width, photo_height);
  // The shift is limited so the whole box stays inside; its size never changes.
  const float shift_x = std::clamp(std::isfinite(dx) ? dx : 0.0f, -clipped.x1,
                                   static_cast<float>(photo_width) - clipped.x2);
  const float shift_y = std::clamp(std::isfinite(dy) ? dy : 0.0f, -clipped.y1,
                                   static_cast<float>(photo_height) - clipped.y2);
  LabelBox moved = clipped;
  moved.x1 += shift_x;
  moved.x2 += shift_x;
  moved.y1 += shift_y;
  moved.y2 += shift_y;
  return moved;
}

LabelBox resize_box(const LabelBox& box, uint8_t edges, float x, float y, int photo_width,
                    int photo_height) {
  LabelBox resized = clip_box(box, photo_width, photo_height);
  const float min_width = min_side(photo_width);
  const float min_height = min_side(photo_height);
  x = std::clamp(std::isfinite(x) ? x : 0.0f, 0.0f, static_cast<float>(photo_width));
  y = std::clamp(std::isfinite(y) ? y : 0.0f, 0.0f, static_cast<float>(photo_height));
  if (edges & kEdgeLeft) resized.x1 = std::min(x, resized.x2 - min_width);
  if (edges & kEdgeRight) resized.x2 = std::max(x, resized.x1 + min_width);
  if (edges & kEdgeTop) resized.y1 = std::min(y, resized.y2 - min_height);
  if (edges & kEdgeBottom) resized.y2 = std::max(y, resized.y1 + min_height);
  return clip_box(resized, photo_width, photo_height);
}

uint8_t edges_near(const LabelBox& box, float x, float y, float tolerance) {
  const bool within_x = x >= box.x1 - tolerance && x <= box.x2 + tolerance;
  const bool within_y = y >= box.y1 - tolerance && y <= box.y2 + tolerance;
  if (!within_x || !within_y) return kEdgeNone;
  uint8_t edges = kEdgeNone;
  // On a thin box both edges are near; the nearer one wins so it can still be resized.
  const float left = std::fabs(x - box.x1), right = std::fabs(x - box.x2);
  const float top = std::fabs(y - box.y1), bottom = std::fabs(y - box.y2);
  if (std::min(left, right) <= tolerance) edges |= left <= right ? kEdgeLeft : kEdgeRight;
  if (std::min(top, bottom) <= tolerance) edges |= top <= bottom ? kEdgeTop : kEdgeBottom;
  return edges;
}

LabelSet::LabelSet(int photo_width, int photo_height)
    : width_(photo_width), height_(photo_height) {}

int LabelSet::box_at(float x, float y) const {
  int best = -1;
  float best_area = 0;
  for (size_t i = 0; i < boxes_.size(); ++i) {
    const LabelBox& box = boxes_[i];
    if (x < box.x1 || x > box.x2 || y < box.y1 || y > box.y2) continue;
    const float area = box.width() * box.height();
    if (best < 0 || area < best_area) {
      best = static_cast<int>(i);
      best_area = area;
    }
  }
  return best;
}

Status LabelSet::check_index(int index) const {
  if (index < 0 || index >= static_cast<int>(boxes_.size())) {
    return make_error("label box " + std::to_string(index) + " does not exist (the photo has " +
                      std::to_string(boxes_.size()) + " boxes)");
  }
  return Status::success();
}

Status LabelSet::check_class(int class_id, int class_count) const {
  if (class_id < 0 || class_id >= class_count) {
    return make_error("class id " + std::to_string(class_id) + " is outside [0, " +
                      std::to_string(class_count - 1) + "] (the model has " +
                      std::to_string(class_count) + " classes)");
  }
  return Status::success();
}

void LabelSet::apply(std::string description, std::vector<LabelBox> boxes, ReviewState review) {
  Edit edit;
  edit.description = std::move(description);
  edit.before_boxes = std::move(boxes_);
  edit.before_review = review_;
  edit.after_boxes = boxes;
  edit.after_review = review;
  boxes_ = std::move(boxes);
  review_ = review;
  undo_.push_back(std::move(edit));
  if (undo_.size() > kMaxUndoEdits) undo_.erase(undo_.begin());
  redo_.clear();
}

Result<int> LabelSet::add(const LabelBox& box, int class_count) {
  if (Status valid = check_class(box.class_id, class_count); !valid) return valid.error();
  std::vector<LabelBox> boxes = boxes_;
  boxes.push_back(clip_box(box, width_, height_));
  const int index = static_cast<int>(boxes.size()) - 1;
  apply("add box " + std::to_string(index), std::move(boxes), review_);
  return index;
}

Status LabelSet::remove(int index) {
  if (Status valid = check_index(index); !valid) return valid;
  std::vector<LabelBox> boxes = boxes_;
  boxes.erase(boxes.begin() + index);
  apply("delete box " + std::to_string(index), std::move(boxes), review_);
  return Status::success();
}

Status LabelSet::set_geometry(int index, const LabelBox& geometry) {
  if (Status valid = check_index(index); !valid) return valid;
  LabelBox changed = clip_box(geometry, width_, height_);
  changed.class_id = boxes_[index].class_id;
  // A click without a drag is no edit: it would only fill the undo stack.
  if (changed == boxes_[index]) return Status::success();
  std::vector<LabelBox> boxes = boxes_;
  boxes[index] = changed;
  apply("move or resize box " + std::to_string(index), std::move(boxes), review_);
  return Status::success();
}

Status LabelSet::set_class(int index, int class_id, int class_count) {
  if (Status valid = check_index(index); !valid) return valid;
  if (Status valid = check_class(class_id, class_count); !valid) return valid;
  if (boxes_[index].class_id == class_id) return Status::success();
  std::vector<LabelBox> boxes = boxes_;
  boxes[index].class_id = class_id;
  apply("change class of box " + std::to_string(index), std::move(boxes), review_);
  return Status::success();
}

Status LabelSet::replace_all(const std::vector<LabelBox>& boxes, int class_count) {
  std::vector<LabelBox> clipped;
  clipped.reserve(boxes.size());
  for (size_t i = 0; i < boxes.size(); ++i) {
    if (Status valid = check_class(boxes[i].class_id, class_count); !valid) {
      return make_error("box " + std::to_string(i) + ": " + valid.message());
    }
    clipped.push_back(clip_box(boxes[i], width_, height_));
  }
  apply("accept " + std::to_string(clipped.size()) + " predictions", std::move(clipped), review_);
  return Status::success();
}

Status LabelSet::set_review(ReviewState state) {
  if (state == review_) return Status::success();
  apply(std::string("mark ") + review_state_name(state), boxes_, state);
  return Status::success();
}

std::string LabelSet::undo_description() const {
  return undo_.empty() ? "" : undo_.back().description;
}

std::string LabelSet::redo_description() const {
  return redo_.empty() ? "" : redo_.back().description;
}

bool LabelSet::undo() {
  if (undo_.empty()) return false;
  Edit edit = std::move(undo_.back());
  undo_.pop_back();
  boxes_ = edit.before_boxes;
  review_ = edit.before_review;
  redo_.push_back(std::move(edit));
  return true;
}

bool LabelSet::redo() {
  if (redo_.empty()) return false;
  Edit edit = std::move(redo_.back());
  redo_.pop_back();
  boxes_ = edit.after_boxes;
  review_ = edit.after_review;
  undo_.push_back(std::move(edit));
  return true;
}

}  // namespace sightline::app
