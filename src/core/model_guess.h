// Guessing how to feed and decode a model that came without a card, from its tensor shapes.
// Every guess is written into `explanation` so the user is told what was assumed.
#pragma once

#include <string>

#include "core/backend.h"
#include "core/model_card.h"
#include "core/result.h"

namespace sightline {

struct GuessedCard {
  ModelCard card;
  std::string explanation;
};

// Input must be [1, 3, H, W] with static H and W. Output layouts recognised:
//   [1, N, 5 + C] with N = the YOLOX grid count for strides 8, 16, 32 -> YOLOX (BGR, 0..255,
//   top-left letterbox); other [1, N, 5 + C] -> YOLOv5 (RGB, /255, centred);
//   [1, 4 + C, N] with 4 + C < N -> YOLOv8 (RGB, /255, centred).
// Class names: the COCO names if C == 80 and coco_names is given, else "class0", "class1", ...
Result<GuessedCard> guess_card(const std::string& model_name, const TensorInfo& input,
                               const TensorInfo& output,
                               const std::vector<std::string>& coco_names);

}  // namespace sightline
