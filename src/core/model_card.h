// Model cards: one small JSON file per model in models/, saying where the model comes from and
// exactly how to feed it and read its output. The card format is documented in
// models/README.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/letterbox.h"
#include "core/result.h"

namespace sightline {

enum class DecoderKind {
  kYolox,   // [1, N, 5 + C]: grid offsets and log sizes, objectness, class scores
  kYolov5,  // [1, N, 5 + C]: decoded cx, cy, w, h in input pixels, objectness, class scores
  kYolov8,  // [1, 4 + C, N]: channel-major decoded cx, cy, w, h, class scores, no objectness
};

const char* decoder_kind_name(DecoderKind kind);

struct ModelCard {
  std::string name;
  std::string file;    // model file name, looked up in the models directory
  std::string sha256;  // lower-case hex of the model file
  std::string url;     // upstream download address (may be empty)
  std::string license;

  std::string input_name;
  int input_width = 0;
  int input_height = 0;
  InputNormalisation normalisation;
  LetterboxPlacement placement = LetterboxPlacement::kTopLeft;

  DecoderKind decoder = DecoderKind::kYolox;
  std::vector<int> strides;  // YOLOX grid strides, in output row order
  std::string class_names_file;
  std::vector<std::string> class_names;

  std::string source;  // where the card was read from, for messages
};

// Parses a card. Class names are not read here (see load_class_names), so the card can be
// parsed from bytes in the browser.
Result<ModelCard> parse_model_card(std::string_view json_text, std::string_view source_name);

// One class name per line; blank trailing lines are ignored, blank lines inside are an error.
Result<std::vector<std::string>> parse_class_names(std::string_view text,
                                                   std::string_view source_name);

}  // namespace sightline
