// The Compare workspace's session: a primary and a candidate side (model, backend, thresholds)
// run on every gallery photo, one inference at a time, and their boxes matched with
// monitor/shadow's rules (same class, IoU >= 0.5). No ImGui and no App here, so the tests
// drive it with a fake runner; compare_app.cpp runs it on the app's models and photos.
//
// Order of work: for each photo in the order given, the primary side, then the candidate.
// At most one run is in flight; a run may answer before returning (our engine) or later
// (ONNX Runtime Web). Answers from a session that was restarted since are ignored.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/app.h"
#include "core/detector.h"
#include "monitor/shadow.h"

namespace sightline::app {

// One side as the user picked it.
struct CompareSide {
  int model_id = -1;
  std::string model_name;
  BackendKind backend = BackendKind::kSightline;
  PostprocessOptions options;
  // 0 = the card's input size; else the size the model runs at (dynamic-shape models only).
  int input_width = 0;
  int input_height = 0;
  std::vector<std::string> class_names;
};

// "yolox_nano (sightline, conf 0.30, IoU 0.45)", plus the size when it is not the card's.
std::string describe_side(const CompareSide& side);

// Whether a model whose first input has this shape (NCHW, -1 = dynamic) can run at
// width x height; the message says why not.
Status check_input_size(const std::vector<int64_t>& input_shape, int width, int height,
                        const std::string& model_name);

enum class ComparePhase { kIdle, kRunning, kDone };

// "idle", "running", "done", as in the JS API.
const char* compare_phase_name(ComparePhase phase);

enum class CompareRole { kPrimary, kCandidate };

// How the session gets detections: the app's implementation runs a model on a gallery photo.
class CompareRunner {
 public:
  using Done = std::function<void(Result<DetectionReport>)>;
  virtual ~CompareRunner() = default;
  virtual void run(const CompareSide& side, CompareRole role, int image_id, Done done) = 0;
};

struct ComparePhoto {
  int image_id = 0;
  std::string name;
  std::optional<DetectionReport> primary;
  std::optional<DetectionReport> candidate;
  std::string error;  // why this photo could not be compared
  // Valid once both reports are in.
  monitor::ShadowPhoto shadow;
  bool compared = false;
};

class CompareSession {
 public:
  // Starts comparing on these photos (id, name); earlier results are dropped.
  Status start(CompareSide primary, CompareSide candidate,
               const std::vector<std::pair<int, std::string>>& photos);

  // A photo that joined the gallery while a comparison is on: it is compared too.
  void add_photo(int image_id, const std::string& name);

  // Starts the next run unless one is in flight; false when there was nothing to start.
  bool step(CompareRunner& runner);

  // Swaps the sides: the results are matched again with the roles exchanged (no new runs).
  void swap_sides();

  void stop();

  ComparePhase phase() const { return phase_; }
  int number() const { return number_; }
  bool in_flight() const { return in_flight_; }
  bool busy() const { return phase_ == ComparePhase::kRunning; }
  int photos_total() const { return static_cast<int>(photos_.size()); }
  int photos_finished() const;
  const CompareSide& primary() const { return primary_; }
  const CompareSide& candidate() const { return candidate_; }
  const std::vector<ComparePhoto>& photos() const { return photos_; }
  const ComparePhoto* photo_for_image(int image_id) const;

  // Compared photos, their summary (most disagreement first) and index map into photos().
  const std::vector<monitor::ShadowPhoto>& compared() const { return compared_; }
  const std::vector<int>& compared_photo_index() const { return compared_index_; }
  const monitor::ShadowSummary& summary() const { return summary_; }

  // {"phase", "number", "done", "total", "primary", "candidate", "errors": [...],
  //  "report": shadow_to_json's object (once a photo is compared), with "image_id" per photo}.
  std::string state_json() const;

 private:
  void finish_run(int generation, size_t photo, CompareRole role, Result<DetectionReport> report);
  void compare_photo(ComparePhoto& photo) const;
  void refresh_summary();

  ComparePhase phase_ = ComparePhase::kIdle;
  int number_ = 0;
  int generation_ = 0;
  bool in_flight_ = false;
  size_t next_photo_ = 0;
  CompareSide primary_;
  CompareSide candidate_;
  std::vector<int> class_map_;
  std::vector<ComparePhoto> photos_;
  std::vector<monitor::ShadowPhoto> compared_;
  std::vector<int> compared_index_;
  monitor::ShadowSummary summary_;
};

}  // namespace sightline::app
