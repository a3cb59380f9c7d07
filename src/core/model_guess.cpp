#include "core/model_guess.h"

namespace sightline {
namespace {

int64_t yolox_rows(int64_t width, int64_t height) {
  int64_t rows = 0;
  for (int stride : {8, 16, 32})
    rows += (width / stride) * (height / stride);
  return rows;
}

}  // namespace

Result<GuessedCard> guess_card(const std::string& model_name, const TensorInfo& input,
                               const TensorInfo& output,
                               const std::vector<std::string>& coco_names) {
  const auto& in = input.shape;
  if (in.size() != 4 || in[1] != 3 || in[2] <= 0 || in[3] <= 0 || in[2] > 4096 || in[3] > 4096) {
    return make_error("model '" + model_name + "': cannot guess how to feed input '" + input.name +
                      "' of shape " + shape_to_string(in) +
                      "; expected [1, 3, H, W] with a fixed size up to 4096 (give a model card)");
  }
  const auto& out = output.shape;
  if (out.size() != 3 || out[1] <= 0 || out[2] <= 0) {
    return make_error("model '" + model_name + "': cannot guess the layout of output '" +
                      output.name + "' of shape " + shape_to_string(out) +
                      "; expected [1, N, 5 + classes] or [1, 4 + classes, N] (give a model card)");
  }

  GuessedCard guess;
  ModelCard& card = guess.card;
  card.name = model_name;
  card.source = model_name + " (guessed, no card)";
  card.input_name = input.name;
  card.input_height = static_cast<int>(in[2]);
  card.input_width = static_cast<int>(in[3]);
  card.normalisation.pad_value = 114;

  int64_t classes = 0;
  if (out[2] > 5 && out[1] == yolox_rows(card.input_width, card.input_height)) {
    card.decoder = DecoderKind::kYolox;
    card.strides = {8, 16, 32};
    card.normalisation.channel_order = ChannelOrder::kBgr;
    card.normalisation.scale = 1.0f;
    card.placement = LetterboxPlacement::kTopLeft;
    classes = out[2] - 5;
    guess.explanation = "YOLOX layout (rows match strides 8/16/32), BGR 0..255, top-left letterbox";
  } else if (out[2] > 5 && out[2] < out[1]) {
    card.decoder = DecoderKind::kYolov5;
    card.normalisation.channel_order = ChannelOrder::kRgb;
    card.normalisation.scale = 1.0f / 255.0f;
    card.placement = LetterboxPlacement::kCentre;
    classes = out[2] - 5;
    guess.explanation = "YOLOv5 layout [1, N, 5 + classes], RGB /255, centred letterbox";
  } else if (out[1] > 4 && out[1] < out[2]) {
    card.decoder = DecoderKind::kYolov8;
    card.normalisation.channel_order = ChannelOrder::kRgb;
    card.normalisation.scale = 1.0f / 255.0f;
    card.placement = LetterboxPlacement::kCentre;
    classes = out[1] - 4;
    guess.explanation = "YOLOv8 layout [1, 4 + classes, N], RGB /255, centred letterbox";
  } else {
    return make_error("model '" + model_name + "': output shape " + shape_to_string(out) +
                      " fits no known YOLO layout (give a model card)");
  }

  if (classes == 80 && coco_names.size() == 80) {
    card.class_names = coco_names;
    guess.explanation += ", 80 COCO class names";
  } else {
    for (int64_t c = 0; c < classes; ++c)
      card.class_names.push_back("class" + std::to_string(c));
    guess.explanation += ", " + std::to_string(classes) + " unnamed classes";
  }
  guess.explanation +=
      ", input " + std::to_string(card.input_width) + "x" + std::to_string(card.input_height);
  return guess;
}

}  // namespace sightline
