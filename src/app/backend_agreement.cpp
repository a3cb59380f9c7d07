// App::compare_backends: when a photo has raw output from both backends for the active model,
// post-process both with the current options and say how far apart their boxes are.
#include <algorithm>
#include <cmath>

#include "app/app.h"

namespace sightline::app {
namespace {

const RawOutput* find_raw(const GalleryImage& image, int model_id, BackendKind backend) {
  for (const RawOutput& raw : image.raw_outputs) {
    if (raw.model_id == model_id && raw.backend == backend) return &raw;
  }
  return nullptr;
}

float corner_difference(const Detection& a, const Detection& b) {
  return std::max({std::fabs(a.x1 - b.x1), std::fabs(a.y1 - b.y1), std::fabs(a.x2 - b.x2),
                   std::fabs(a.y2 - b.y2)});
}

}  // namespace

std::optional<BackendAgreement> App::compare_backends(const GalleryImage& image) const {
  const ModelEntry* model = active_model();
  if (!model || !model->engine || !model->onnxruntime) return std::nullopt;
  const RawOutput* ours = find_raw(image, model->id, BackendKind::kSightline);
  const RawOutput* theirs = find_raw(image, model->id, BackendKind::kOnnxRuntime);
  if (!ours || !theirs) return std::nullopt;
  Result<std::vector<Detection>> our_boxes =
      model->engine->finish(ours->tensor, ours->geometry, options_);
  Result<std::vector<Detection>> their_boxes =
      model->onnxruntime->finish(theirs->tensor, theirs->geometry, options_);
  if (!our_boxes || !their_boxes) return std::nullopt;

  // Each of our boxes is paired with the closest unpaired box of the same class.
  BackendAgreement agreement;
  agreement.sightline_count = static_cast<int>(our_boxes->size());
  agreement.onnxruntime_count = static_cast<int>(their_boxes->size());
  std::vector<bool> paired(their_boxes->size(), false);
  for (const Detection& ours_box : *our_boxes) {
    int best = -1;
    float best_difference = 0;
    for (size_t i = 0; i < their_boxes->size(); ++i) {
      const Detection& their_box = (*their_boxes)[i];
      if (paired[i] || their_box.class_id != ours_box.class_id) continue;
      const float difference = corner_difference(ours_box, their_box);
      if (best < 0 || difference < best_difference) {
        best = static_cast<int>(i);
        best_difference = difference;
      }
    }
    if (best < 0) continue;
    paired[best] = true;
    ++agreement.paired;
    agreement.max_corner_difference = std::max(agreement.max_corner_difference, best_difference);
  }
  return agreement;
}

}  // namespace sightline::app
