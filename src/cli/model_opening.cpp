#include "cli/model_opening.h"

#include <filesystem>

#include "core/model_guess.h"
#include "core/model_store.h"

namespace sightline::cli {

Result<OpenedDetector> open_detector(const std::string& model_argument,
                                     const engine::EngineOptions& options) {
  const std::string models_dir = default_models_dir();
  auto card_path = find_card(model_argument, default_cards_dir());
  if (!card_path) return card_path.error();

  OpenedDetector opened;
  if (!card_path->empty()) {
    auto card = load_card(*card_path, models_dir);
    if (!card) return card.error();
    auto bytes = load_model_file(*card, models_dir);
    if (!bytes) return bytes.error();
    auto backend = engine::load_model(*bytes, card->file, options);
    if (!backend) return backend.error();
    auto detector = Detector::create(std::move(*card), std::move(*backend));
    if (!detector) return detector.error();
    opened.detector = std::move(*detector);
    return opened;
  }

  // A bare .onnx file: load it, then guess the card from its shapes.
  auto bytes = read_file(model_argument, kMaxModelFileBytes);
  if (!bytes) return make_error("model file " + bytes.message());
  const std::string name = std::filesystem::path(model_argument).filename().string();
  auto backend = engine::load_model(*bytes, model_argument, options);
  if (!backend) return backend.error();

  std::vector<std::string> coco_names;
  const std::string names_path = (std::filesystem::path(models_dir) / "coco80.names").string();
  if (auto names_bytes = read_file(names_path, 1 << 20)) {
    auto names = parse_class_names(
        std::string_view(reinterpret_cast<const char*>(names_bytes->data()), names_bytes->size()),
        names_path);
    if (names) coco_names = std::move(*names);
  }

  if ((*backend)->inputs().empty() || (*backend)->outputs().empty()) {
    return make_error("model '" + model_argument + "' has no inputs or no outputs");
  }
  auto guess =
      guess_card(name, (*backend)->inputs().front(), (*backend)->outputs().front(), coco_names);
  if (!guess) return guess.error();
  opened.guess = guess->explanation;
  auto detector = Detector::create(std::move(guess->card), std::move(*backend));
  if (!detector) return detector.error();
  opened.detector = std::move(*detector);
  return opened;
}

}  // namespace sightline::cli
