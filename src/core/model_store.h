// Finding and reading model cards, class name files and model files on a file system.
//
// Cards live in the repository's models/ folder; model files and class names live in a models
// directory: $SIGHTLINE_MODELS, else ../shared/models beside the repository. A model file must
// match the sha256 its card gives; scripts/fetch-models downloads missing ones.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/model_card.h"
#include "core/result.h"

namespace sightline {

// Model files can be large but not absurd; this bounds what we read into memory.
inline constexpr uint64_t kMaxModelFileBytes = uint64_t{1} << 30;

std::string default_models_dir();
std::string default_cards_dir();

// The whole file, refusing files larger than max_bytes before reading them.
Result<std::vector<uint8_t>> read_file(const std::string& path, uint64_t max_bytes);

// Reads a card and its class names (from the models directory).
Result<ModelCard> load_card(const std::string& card_path, const std::string& models_dir);

// Resolves what a user typed after --model: a card path, a card name in the cards directory
// ("yolox_nano"), or an .onnx path (returns an empty card path for the latter).
Result<std::string> find_card(const std::string& model_argument, const std::string& cards_dir);

// Reads the card's model file from the models directory and checks its sha256.
Result<std::vector<uint8_t>> load_model_file(const ModelCard& card, const std::string& models_dir);

}  // namespace sightline
