#include "core/model_store.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "core/sha256.h"

namespace sightline {
namespace {

namespace fs = std::filesystem;

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::string(value) : fallback;
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string default_models_dir() {
  return env_or("SIGHTLINE_MODELS", SIGHTLINE_DEFAULT_MODELS_DIR);
}

std::string default_cards_dir() {
  return env_or("SIGHTLINE_CARDS", SIGHTLINE_DEFAULT_CARDS_DIR);
}

Result<std::vector<uint8_t>> read_file(const std::string& path, uint64_t max_bytes) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) {
    return make_error("'" + path +
                      "': " + (fs::exists(path, error) ? "not a regular file" : "no such file"));
  }
  const uint64_t size = fs::file_size(path, error);
  if (error) return make_error("'" + path + "': cannot read its size: " + error.message());
  if (size > max_bytes) {
    return make_error("'" + path + "': " + std::to_string(size) + " bytes is over the limit of " +
                      std::to_string(max_bytes) + " bytes");
  }

  std::ifstream file(path, std::ios::binary);
  if (!file) return make_error("'" + path + "': cannot open for reading");
  std::vector<uint8_t> bytes(size);
  if (size > 0 && !file.read(reinterpret_cast<char*>(bytes.data()), static_cast<long>(size))) {
    return make_error("'" + path + "': read failed after " + std::to_string(file.gcount()) +
                      " of " + std::to_string(size) + " bytes");
  }
  return bytes;
}

Result<ModelCard> load_card(const std::string& card_path, const std::string& models_dir) {
  auto bytes = read_file(card_path, 1 << 20);
  if (!bytes) return make_error("model card " + bytes.message());
  auto card = parse_model_card(
      std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()), card_path);
  if (!card) return card;

  const std::string names_path = (fs::path(models_dir) / card->class_names_file).string();
  auto names_bytes = read_file(names_path, 16 << 20);
  if (!names_bytes) {
    return make_error("class names for card '" + card_path + "' (models directory '" + models_dir +
                      "', set by $SIGHTLINE_MODELS): " + names_bytes.message());
  }
  auto names = parse_class_names(
      std::string_view(reinterpret_cast<const char*>(names_bytes->data()), names_bytes->size()),
      names_path);
  if (!names) return names.error();
  card->class_names = std::move(*names);
  return card;
}

Result<std::string> find_card(const std::string& model_argument, const std::string& cards_dir) {
  std::error_code error;
  if (ends_with(model_argument, ".onnx")) return std::string();
  if (fs::is_regular_file(model_argument, error)) return model_argument;

  const std::string by_name = (fs::path(cards_dir) / (model_argument + ".json")).string();
  if (fs::is_regular_file(by_name, error)) return by_name;

  std::string known;
  for (const auto& entry : fs::directory_iterator(cards_dir, error)) {
    if (entry.path().extension() == ".json") {
      known += (known.empty() ? "" : ", ") + entry.path().stem().string();
    }
  }
  return make_error("model '" + model_argument + "' is neither a card file, an .onnx file, nor " +
                    "a card name in '" + cards_dir +
                    "' (known: " + (known.empty() ? "none" : known) + ")");
}

Result<std::vector<uint8_t>> load_model_file(const ModelCard& card, const std::string& models_dir) {
  const std::string path = (fs::path(models_dir) / card.file).string();
  std::error_code error;
  if (!fs::exists(path, error)) {
    return make_error("model file '" + card.file + "' of card '" + card.source +
                      "' not found: looked for '" + path +
                      "' (models directory from $SIGHTLINE_MODELS, default ../shared/models); "
                      "scripts/fetch-models downloads it from " +
                      (card.url.empty() ? "its upstream address" : card.url));
  }
  auto bytes = read_file(path, kMaxModelFileBytes);
  if (!bytes) return make_error("model file " + bytes.message());

  const std::string digest = sha256_hex(*bytes);
  if (digest != card.sha256) {
    return make_error("model file '" + path + "' has sha256 " + digest + ", but card '" +
                      card.source + "' requires " + card.sha256 +
                      "; the file is corrupt or a different model");
  }
  return bytes;
}

}  // namespace sightline
