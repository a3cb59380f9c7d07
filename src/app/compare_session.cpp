// The Compare workspace's session (see compare_session.h): the queue of photo runs, the
// matching of each photo's two reports, the summary and the JSON for the JS API.
#include "app/compare_session.h"

#include <cstdio>
#include <utility>

#include "nlohmann/json.hpp"

namespace sightline::app {
namespace {

using Json = nlohmann::ordered_json;

const char* side_backend_name(BackendKind kind) {
  return kind == BackendKind::kOnnxRuntime ? "onnxruntime" : "sightline";
}

Json side_to_json(const CompareSide& side) {
  Json out = {{"model", side.model_name},
              {"backend", side_backend_name(side.backend)},
              {"conf", side.options.confidence},
              {"iou", side.options.iou},
              {"description", describe_side(side)}};
  if (side.input_width > 0) out["input_size"] = {side.input_width, side.input_height};
  return out;
}

}  // namespace

std::string describe_side(const CompareSide& side) {
  char text[256];
  std::snprintf(text, sizeof text, "%s (%s, conf %.2f, IoU %.2f", side.model_name.c_str(),
                side_backend_name(side.backend), side.options.confidence, side.options.iou);
  std::string out = text;
  if (side.input_width > 0) {
    out += ", input " + std::to_string(side.input_width) + "x" + std::to_string(side.input_height);
  }
  return out + ")";
}

Status check_input_size(const std::vector<int64_t>& input_shape, int width, int height,
                        const std::string& model_name) {
  if (width < 32 || height < 32 || width > 4096 || height > 4096) {
    return make_error("input size " + std::to_string(width) + "x" + std::to_string(height) +
                      " is outside 32..4096 per side");
  }
  // Layout NCHW: [batch, channels, height, width]; a positive entry is a fixed size.
  if (input_shape.size() != 4) {
    return make_error(model_name + ": its input has " + std::to_string(input_shape.size()) +
                      " dimensions, not NCHW, so its size cannot be changed");
  }
  if (input_shape[2] > 0 || input_shape[3] > 0) {
    return make_error(model_name + " was exported with a fixed input of " +
                      std::to_string(input_shape[3]) + "x" + std::to_string(input_shape[2]) +
                      ", so it runs at that size only (a model exported with dynamic height "
                      "and width can run at another)");
  }
  return Status::success();
}

const char* compare_phase_name(ComparePhase phase) {
  switch (phase) {
    case ComparePhase::kIdle:
      return "idle";
    case ComparePhase::kRunning:
      return "running";
    case ComparePhase::kDone:
      return "done";
  }
  return "idle";
}

Status CompareSession::start(CompareSide primary, CompareSide candidate,
                             const std::vector<std::pair<int, std::string>>& photos) {
  if (Status valid = validate_options(primary.options); !valid) {
    return make_error("primary: " + valid.message());
  }
  if (Status valid = validate_options(candidate.options); !valid) {
    return make_error("candidate: " + valid.message());
  }
  if (photos.empty()) return make_error("no photos to compare: drop photos in the Photos tab");
  primary_ = std::move(primary);
  candidate_ = std::move(candidate);
  class_map_ = monitor::candidate_class_map(primary_.class_names, candidate_.class_names);
  photos_.clear();
  for (const auto& [image_id, name] : photos) {
    ComparePhoto photo;
    photo.image_id = image_id;
    photo.name = name;
    photos_.push_back(std::move(photo));
  }
  ++number_;
  ++generation_;
  in_flight_ = false;
  next_photo_ = 0;
  phase_ = ComparePhase::kRunning;
  refresh_summary();
  return Status::success();
}

void CompareSession::add_photo(int image_id, const std::string& name) {
  if (phase_ == ComparePhase::kIdle || photo_for_image(image_id)) return;
  ComparePhoto photo;
  photo.image_id = image_id;
  photo.name = name;
  photos_.push_back(std::move(photo));
  phase_ = ComparePhase::kRunning;
}

void CompareSession::stop() {
  ++generation_;
  in_flight_ = false;
  if (phase_ == ComparePhase::kRunning) phase_ = ComparePhase::kDone;
  // Photos not run yet are left out of the totals.
  next_photo_ = photos_.size();
}

int CompareSession::photos_finished() const {
  int finished = 0;
  for (const ComparePhoto& photo : photos_) {
    if (photo.compared || !photo.error.empty()) ++finished;
  }
  return finished;
}

const ComparePhoto* CompareSession::photo_for_image(int image_id) const {
  for (const ComparePhoto& photo : photos_) {
    if (photo.image_id == image_id) return &photo;
  }
  return nullptr;
}

bool CompareSession::step(CompareRunner& runner) {
  if (phase_ != ComparePhase::kRunning || in_flight_) return false;
  while (next_photo_ < photos_.size() && !photos_[next_photo_].error.empty())
    ++next_photo_;
  if (next_photo_ >= photos_.size()) {
    phase_ = ComparePhase::kDone;
    return false;
  }
  const size_t index = next_photo_;
  const ComparePhoto& photo = photos_[index];
  const CompareRole role = photo.primary ? CompareRole::kCandidate : CompareRole::kPrimary;
  const CompareSide& side = role == CompareRole::kPrimary ? primary_ : candidate_;
  in_flight_ = true;
  const int generation = generation_;
  runner.run(side, role, photo.image_id,
             [this, generation, index, role](Result<DetectionReport> report) {
               finish_run(generation, index, role, std::move(report));
             });
  return true;
}

void CompareSession::finish_run(int generation, size_t index, CompareRole role,
                                Result<DetectionReport> report) {
  if (generation != generation_ || index >= photos_.size()) return;
  in_flight_ = false;
  ComparePhoto& photo = photos_[index];
  if (!report) {
    photo.error = (role == CompareRole::kPrimary ? "primary: " : "candidate: ") + report.message();
    ++next_photo_;
    return;
  }
  if (role == CompareRole::kPrimary) {
    photo.primary = std::move(*report);
    return;
  }
  photo.candidate = std::move(*report);
  compare_photo(photo);
  ++next_photo_;
  refresh_summary();
  if (next_photo_ >= photos_.size()) phase_ = ComparePhase::kDone;
}

void CompareSession::compare_photo(ComparePhoto& photo) const {
  photo.shadow = monitor::compare_reports(*photo.primary, *photo.candidate, class_map_,
                                          monitor::kDefaultMatchIou);
  photo.shadow.name = photo.name;
  photo.compared = true;
}

void CompareSession::swap_sides() {
  std::swap(primary_, candidate_);
  class_map_ = monitor::candidate_class_map(primary_.class_names, candidate_.class_names);
  ++generation_;
  if (in_flight_) {
    // The answer in flight belonged to a side that just moved: that run starts again.
    in_flight_ = false;
  }
  for (ComparePhoto& photo : photos_) {
    std::swap(photo.primary, photo.candidate);
    photo.compared = false;
    if (photo.primary && photo.candidate) {
      compare_photo(photo);
    } else {
      // A half-run photo keeps nothing: its primary run is redone for the new roles.
      photo.primary.reset();
      photo.candidate.reset();
    }
  }
  refresh_summary();
}

void CompareSession::refresh_summary() {
  compared_.clear();
  compared_index_.clear();
  for (size_t i = 0; i < photos_.size(); ++i) {
    if (!photos_[i].compared) continue;
    compared_.push_back(photos_[i].shadow);
    compared_index_.push_back(static_cast<int>(i));
  }
  summary_ = monitor::summarise_shadow(compared_);
}

std::string CompareSession::state_json() const {
  Json errors = Json::array();
  for (const ComparePhoto& photo : photos_) {
    if (!photo.error.empty()) errors.push_back(photo.name + ": " + photo.error);
  }
  Json state = {{"phase", compare_phase_name(phase_)},
                {"number", number_},
                {"done", photos_finished()},
                {"total", photos_total()},
                {"primary", side_to_json(primary_)},
                {"candidate", side_to_json(candidate_)},
                {"errors", errors}};
  if (!compared_.empty()) {
    const monitor::ShadowModels models{describe_side(primary_), describe_side(candidate_),
                                       primary_.class_names};
    Json report = Json::parse(monitor::shadow_to_json(compared_, summary_, models), nullptr, false);
    // shadow_to_json lists photos most disagreement first; the ids follow that order.
    if (report.is_object() && report["photos"].is_array()) {
      for (size_t rank = 0; rank < summary_.most_disagreement_first.size(); ++rank) {
        const int index = compared_index_[summary_.most_disagreement_first[rank]];
        report["photos"][rank]["image_id"] = photos_[index].image_id;
      }
    }
    state["report"] = std::move(report);
  }
  return state.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace sightline::app
