#include "core/model_card.h"

#include <cmath>

#include "nlohmann/json.hpp"

namespace sightline {
namespace {

using Json = nlohmann::json;

// Typed reads of card fields. Each failure names the card, the JSON path and what was expected;
// no nlohmann call here can throw, because types are checked before values are taken.
class CardReader {
 public:
  explicit CardReader(std::string_view source) : source_(source) {}

  const std::string& first_error() const { return error_; }
  bool failed() const { return !error_.empty(); }

  const Json* object(const Json& parent, const char* key, const std::string& path) {
    const Json* value = find(parent, key, path, true);
    if (value && !value->is_object()) fail(path + "." + key, "must be an object");
    return value && value->is_object() ? value : nullptr;
  }

  std::string text(const Json& parent, const char* key, const std::string& path, bool required,
                   std::string fallback = "") {
    const Json* value = find(parent, key, path, required);
    if (!value) return fallback;
    if (!value->is_string()) {
      fail(path + "." + key, "must be a string, not " + value->dump());
      return fallback;
    }
    return value->get<std::string>();
  }

  double number(const Json& parent, const char* key, const std::string& path, bool required,
                double fallback, double minimum, double maximum) {
    const Json* value = find(parent, key, path, required);
    if (!value) return fallback;
    if (!value->is_number()) {
      fail(path + "." + key, "must be a number, not " + value->dump());
      return fallback;
    }
    const double number = value->get<double>();
    if (!(number >= minimum && number <= maximum)) {
      fail(path + "." + key, "value " + value->dump() + " is outside [" + format(minimum) + ", " +
                                 format(maximum) + "]");
      return fallback;
    }
    return number;
  }

  std::vector<double> numbers(const Json& parent, const char* key, const std::string& path,
                              size_t min_count, size_t max_count, std::vector<double> fallback) {
    const Json* value = find(parent, key, path, false);
    if (!value) return fallback;
    if (!value->is_array() || value->size() < min_count || value->size() > max_count) {
      fail(path + "." + key, "must be an array of " + std::to_string(min_count) + ".." +
                                 std::to_string(max_count) + " numbers, not " + value->dump());
      return fallback;
    }
    std::vector<double> result;
    for (const Json& item : *value) {
      if (!item.is_number()) {
        fail(path + "." + key, "holds a non-number " + item.dump());
        return fallback;
      }
      result.push_back(item.get<double>());
    }
    return result;
  }

  void fail(const std::string& path, const std::string& rule) {
    if (error_.empty()) error_ = "model card '" + source_ + "': " + path + " " + rule;
  }

 private:
  const Json* find(const Json& parent, const char* key, const std::string& path, bool required) {
    auto it = parent.find(key);
    if (it == parent.end()) {
      if (required) fail(path + "." + key, "is missing");
      return nullptr;
    }
    return &*it;
  }

  static std::string format(double value) {
    if (value == std::floor(value) && std::fabs(value) < 1e15) {
      return std::to_string(static_cast<long long>(value));
    }
    return std::to_string(value);
  }

  std::string source_;
  std::string error_;
};

bool is_lower_hex(const std::string& text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

const char* decoder_kind_name(DecoderKind kind) {
  switch (kind) {
    case DecoderKind::kYolox:
      return "yolox";
    case DecoderKind::kYolov5:
      return "yolov5";
    case DecoderKind::kYolov8:
      return "yolov8";
  }
  return "?";
}

Result<ModelCard> parse_model_card(std::string_view json_text, std::string_view source_name) {
  const Json root = Json::parse(json_text.begin(), json_text.end(), nullptr, false);
  if (root.is_discarded()) {
    return make_error("model card '" + std::string(source_name) + "': not valid JSON");
  }
  if (!root.is_object()) {
    return make_error("model card '" + std::string(source_name) + "': top level must be an object");
  }

  CardReader read(source_name);
  ModelCard card;
  card.source = source_name;
  card.name = read.text(root, "name", "$", true);
  card.file = read.text(root, "file", "$", true);
  card.sha256 = read.text(root, "sha256", "$", true);
  card.url = read.text(root, "url", "$", false);
  card.license = read.text(root, "license", "$", false);
  card.class_names_file = read.text(root, "class_names", "$", true);

  if (!read.failed() && (card.sha256.size() != 64 || !is_lower_hex(card.sha256))) {
    read.fail("$.sha256", "'" + card.sha256 + "' is not 64 lower-case hex digits");
  }
  if (!read.failed() && (card.file.empty() || card.file.find('/') != std::string::npos ||
                         card.file.find('\\') != std::string::npos || card.file == "..")) {
    read.fail("$.file", "'" + card.file + "' must be a plain file name without directories");
  }

  if (const Json* input = read.object(root, "input", "$")) {
    card.input_name = read.text(*input, "name", "$.input", true);
    card.input_width = static_cast<int>(read.number(*input, "width", "$.input", true, 0, 1, 4096));
    card.input_height =
        static_cast<int>(read.number(*input, "height", "$.input", true, 0, 1, 4096));
    const std::string layout = read.text(*input, "layout", "$.input", false, "NCHW");
    if (!read.failed() && layout != "NCHW") {
      read.fail("$.input.layout", "'" + layout + "' is not supported (only NCHW)");
    }
    const std::string order = read.text(*input, "channel_order", "$.input", true);
    if (order == "RGB") {
      card.normalisation.channel_order = ChannelOrder::kRgb;
    } else if (order == "BGR") {
      card.normalisation.channel_order = ChannelOrder::kBgr;
    } else if (!read.failed()) {
      read.fail("$.input.channel_order", "'" + order + "' must be \"RGB\" or \"BGR\"");
    }
    card.normalisation.scale =
        static_cast<float>(read.number(*input, "scale", "$.input", false, 1.0, 1e-9, 1e9));
    const auto mean = read.numbers(*input, "mean", "$.input", 3, 3, {0, 0, 0});
    const auto std = read.numbers(*input, "std", "$.input", 3, 3, {1, 1, 1});
    // Bounded so each entry stays finite, and each std non-zero, as the float the letterbox
    // divides by: a mean of 1e39 or a std of 1e-50 was accepted and fed the model inf or NaN
    // (caught by the check behind tests/fuzz/fuzz_model_card).
    constexpr double kMaxMagnitude = 1e6, kMinStd = 1e-6;
    for (int c = 0; c < 3 && !read.failed(); ++c) {
      if (!(std::fabs(mean[c]) <= kMaxMagnitude)) {
        read.fail("$.input.mean", "entry " + std::to_string(mean[c]) + " is outside [-1e6, 1e6]");
      } else if (!(std[c] > 0)) {
        read.fail("$.input.std", "entries must be positive");
      } else if (!(std[c] >= kMinStd && std[c] <= kMaxMagnitude)) {
        read.fail("$.input.std", "entry " + std::to_string(std[c]) + " is outside [1e-6, 1e6]");
      } else {
        card.normalisation.mean[c] = static_cast<float>(mean[c]);
        card.normalisation.std[c] = static_cast<float>(std[c]);
      }
    }
  }

  if (const Json* letterbox = read.object(root, "letterbox", "$")) {
    const std::string placement = read.text(*letterbox, "placement", "$.letterbox", true);
    if (placement == "top-left") {
      card.placement = LetterboxPlacement::kTopLeft;
    } else if (placement == "centre" || placement == "center") {
      card.placement = LetterboxPlacement::kCentre;
    } else if (!read.failed()) {
      read.fail("$.letterbox.placement", "'" + placement + "' must be \"top-left\" or \"centre\"");
    }
    card.normalisation.pad_value =
        static_cast<float>(read.number(*letterbox, "pad_value", "$.letterbox", false, 114, 0, 255));
  }

  if (const Json* decoder = read.object(root, "decoder", "$")) {
    const std::string kind = read.text(*decoder, "kind", "$.decoder", true);
    if (kind == "yolox") {
      card.decoder = DecoderKind::kYolox;
    } else if (kind == "yolov5") {
      card.decoder = DecoderKind::kYolov5;
    } else if (kind == "yolov8") {
      card.decoder = DecoderKind::kYolov8;
    } else if (!read.failed()) {
      read.fail("$.decoder.kind", "'" + kind + "' must be \"yolox\", \"yolov5\" or \"yolov8\"");
    }
    const auto strides = read.numbers(*decoder, "strides", "$.decoder", 1, 8, {8, 16, 32});
    for (double stride : strides) {
      if (stride < 1 || stride > 1024 || stride != std::floor(stride)) {
        read.fail("$.decoder.strides",
                  "entry " + std::to_string(stride) + " must be an integer in [1, 1024]");
        break;
      }
      card.strides.push_back(static_cast<int>(stride));
    }
  }

  if (read.failed()) return make_error(read.first_error());
  return card;
}

Result<std::vector<std::string>> parse_class_names(std::string_view text,
                                                   std::string_view source_name) {
  std::vector<std::string> names;
  size_t line_start = 0;
  int line_number = 0;
  int blank_line = 0;
  while (line_start < text.size()) {
    size_t line_end = text.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = text.size();
    std::string_view line = text.substr(line_start, line_end - line_start);
    ++line_number;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    if (line.empty()) {
      if (blank_line == 0) blank_line = line_number;
    } else {
      if (blank_line != 0) {
        return make_error("class names '" + std::string(source_name) + "': line " +
                          std::to_string(blank_line) +
                          " is blank, but names follow it (line N must name class N-1)");
      }
      if (names.size() >= 100000) {
        return make_error("class names '" + std::string(source_name) +
                          "': more than 100000 classes");
      }
      names.emplace_back(line);
    }
    line_start = line_end + 1;
  }
  if (names.empty()) {
    return make_error("class names '" + std::string(source_name) + "': no class names in file");
  }
  return names;
}

}  // namespace sightline
