// Baseline files: a window of photo records written as JSON and read back with every field
// checked (format in window.h).
#include "monitor/window.h"

#include <cmath>
#include <optional>

#include "nlohmann/json.hpp"

namespace sightline::monitor {
namespace {

using Json = nlohmann::ordered_json;

std::string describe(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::discarded:
      return "nothing";
    default:
      return "the number " + value.dump();
  }
}

std::string format_number(double value) {
  return Json(value).dump();
}

// Reads typed fields out of the parsed JSON; the first problem is kept with its path and
// every later read is skipped, so callers check `failed()` once per step.
class FieldReader {
 public:
  explicit FieldReader(std::string_view source) : source_(source) {}

  bool failed() const { return error_.has_value(); }
  Error error() const { return make_error(*error_); }

  void fail(const std::string& path, const std::string& rule) {
    if (!error_) error_ = "baseline " + source_ + ": " + path + ": " + rule;
  }

  const Json* member(const Json& object, const std::string& path, const char* key) {
    if (failed()) return nullptr;
    const auto found = object.find(key);
    if (found == object.end()) {
      fail(path, "the field '" + std::string(key) + "' is missing");
      return nullptr;
    }
    return &*found;
  }

  double number(const Json& object, const std::string& path, const char* key, double minimum,
                double maximum) {
    const Json* value = member(object, path, key);
    if (value == nullptr) return 0;
    const std::string where = path + "." + key;
    if (!value->is_number()) {
      fail(where, "expected a number, found " + describe(*value));
      return 0;
    }
    const double number = value->get<double>();
    if (!std::isfinite(number) || number < minimum || number > maximum) {
      fail(where, format_number(number) + " is outside [" + format_number(minimum) + ", " +
                      format_number(maximum) + "]");
      return 0;
    }
    return number;
  }

  int integer(const Json& object, const std::string& path, const char* key, int minimum,
              int maximum) {
    const Json* value = member(object, path, key);
    if (value == nullptr) return 0;
    const std::string where = path + "." + key;
    if (!value->is_number_integer()) {
      fail(where, "expected a whole number, found " + describe(*value));
      return 0;
    }
    const int64_t number = value->get<int64_t>();
    if (number < minimum || number > maximum) {
      fail(where, std::to_string(number) + " is outside [" + std::to_string(minimum) + ", " +
                      std::to_string(maximum) + "]");
      return 0;
    }
    return static_cast<int>(number);
  }

  std::string text(const Json& object, const std::string& path, const char* key) {
    const Json* value = member(object, path, key);
    if (value == nullptr) return "";
    return text_value(*value, path + "." + key);
  }

  std::string text_value(const Json& value, const std::string& where) {
    if (failed()) return "";
    if (!value.is_string()) {
      fail(where, "expected a string, found " + describe(value));
      return "";
    }
    const std::string& text = value.get_ref<const std::string&>();
    if (text.size() > kMaxNameLength) {
      fail(where, "a string of " + std::to_string(text.size()) + " bytes is longer than " +
                      std::to_string(kMaxNameLength));
      return "";
    }
    return text;
  }

  // The array at `key`, refusing more than `limit` elements before anything is allocated.
  const Json* array(const Json& object, const std::string& path, const char* key, size_t limit) {
    const Json* value = member(object, path, key);
    if (value == nullptr) return nullptr;
    const std::string where = path + "." + key;
    if (!value->is_array()) {
      fail(where, "expected an array, found " + describe(*value));
      return nullptr;
    }
    if (value->size() > limit) {
      fail(where, std::to_string(value->size()) + " entries are more than the limit of " +
                      std::to_string(limit));
      return nullptr;
    }
    return value;
  }

  const Json* object(const Json& parent, const std::string& path, const char* key) {
    const Json* value = member(parent, path, key);
    if (value == nullptr) return nullptr;
    if (!value->is_object()) {
      fail(path + "." + key, "expected an object, found " + describe(*value));
      return nullptr;
    }
    return value;
  }

 private:
  std::string source_;
  std::optional<std::string> error_;
};

Json timings_to_json(const StageTimings& timings) {
  return {{"decode", timings.decode_ms},
          {"preprocess", timings.preprocess_ms},
          {"inference", timings.inference_ms},
          {"postprocess", timings.postprocess_ms}};
}

Json photo_to_json(const PhotoRecord& photo, bool with_outputs) {
  const InputFeatures& in = photo.inputs;
  Json out = {{"name", photo.name},
              {"width", in.width},
              {"height", in.height},
              {"aspect_ratio", in.aspect_ratio},
              {"brightness", in.brightness},
              {"contrast", in.contrast},
              {"sharpness", in.sharpness},
              {"saturation", in.saturation},
              {"timings_ms", timings_to_json(photo.timings)}};
  if (with_outputs) {
    Json detections = Json::array();
    for (const OutputDetection& detection : photo.detections) {
      detections.push_back({{"class", detection.class_id},
                            {"score", detection.score},
                            {"area", detection.relative_area}});
    }
    out["detections"] = std::move(detections);
  }
  return out;
}

// Latencies above a day are surely corrupt.
constexpr double kMaxStageMilliseconds = 86'400'000.0;

void read_timings(FieldReader& reader, const Json& photo, const std::string& path,
                  StageTimings& timings) {
  const Json* object = reader.object(photo, path, "timings_ms");
  if (object == nullptr) return;
  const std::string where = path + ".timings_ms";
  timings.decode_ms = reader.number(*object, where, "decode", 0, kMaxStageMilliseconds);
  timings.preprocess_ms = reader.number(*object, where, "preprocess", 0, kMaxStageMilliseconds);
  timings.inference_ms = reader.number(*object, where, "inference", 0, kMaxStageMilliseconds);
  timings.postprocess_ms = reader.number(*object, where, "postprocess", 0, kMaxStageMilliseconds);
}

void read_detections(FieldReader& reader, const Json& photo, const std::string& path,
                     int class_count, std::vector<OutputDetection>& detections) {
  const Json* list = reader.array(photo, path, "detections", kMaxDetectionsPerPhoto);
  if (list == nullptr) return;
  detections.reserve(list->size());
  for (size_t i = 0; i < list->size() && !reader.failed(); ++i) {
    const std::string where = path + ".detections[" + std::to_string(i) + "]";
    const Json& entry = (*list)[i];
    if (!entry.is_object()) {
      reader.fail(where, "expected an object, found " + describe(entry));
      return;
    }
    OutputDetection detection;
    detection.class_id = reader.integer(entry, where, "class", 0, class_count - 1);
    detection.score = reader.number(entry, where, "score", 0, 1);
    detection.relative_area = reader.number(entry, where, "area", 0, 1);
    detections.push_back(detection);
  }
}

std::optional<PhotoRecord> read_photo(FieldReader& reader, const Json& entry,
                                      const std::string& path, const Window& window) {
  if (!entry.is_object()) {
    reader.fail(path, "expected an object, found " + describe(entry));
    return std::nullopt;
  }
  PhotoRecord photo;
  photo.name = reader.text(entry, path, "name");
  InputFeatures& in = photo.inputs;
  in.width = reader.integer(entry, path, "width", 1, kMaxPhotoSide);
  in.height = reader.integer(entry, path, "height", 1, kMaxPhotoSide);
  in.aspect_ratio = reader.number(entry, path, "aspect_ratio", 0, kMaxPhotoSide);
  in.brightness = reader.number(entry, path, "brightness", 0, 255);
  in.contrast = reader.number(entry, path, "contrast", 0, 255);
  // The Laplacian of 0..255 luma stays within +-1020, so its variance is below 1020^2.
  in.sharpness = reader.number(entry, path, "sharpness", 0, 1020.0 * 1020.0);
  in.saturation = reader.number(entry, path, "saturation", 0, 1);
  read_timings(reader, entry, path, photo.timings);

  if (window.has_model) {
    const int class_count = static_cast<int>(window.model.class_names.size());
    read_detections(reader, entry, path, class_count, photo.detections);
    photo.has_outputs = true;
  } else if (entry.contains("detections")) {
    reader.fail(path + ".detections", "detections are given but the baseline has no model");
  }
  if (reader.failed()) return std::nullopt;
  return photo;
}

void read_model(FieldReader& reader, const Json& model, Window& window) {
  const std::string path = "$.model";
  if (!model.is_object()) {
    reader.fail(path, "expected an object or null, found " + describe(model));
    return;
  }
  window.has_model = true;
  MonitoredModel& out = window.model;
  out.name = reader.text(model, path, "name");
  out.argument = reader.text(model, path, "argument");
  out.sha256 = reader.text(model, path, "sha256");
  out.options.confidence = static_cast<float>(reader.number(model, path, "confidence", 0, 1));
  out.options.iou = static_cast<float>(reader.number(model, path, "iou", 0, 1));
  out.options.max_detections =
      reader.integer(model, path, "max_detections", 0, kMaxDetectionsPerPhoto);
  const Json* names = reader.array(model, path, "class_names", kMaxClassNames);
  if (names == nullptr) return;
  if (names->empty()) {
    reader.fail(path + ".class_names", "a model needs at least one class name");
    return;
  }
  for (size_t i = 0; i < names->size() && !reader.failed(); ++i) {
    out.class_names.push_back(
        reader.text_value((*names)[i], path + ".class_names[" + std::to_string(i) + "]"));
  }
}

}  // namespace

std::string window_to_json(const Window& window) {
  Json model = nullptr;
  if (window.has_model) {
    const MonitoredModel& m = window.model;
    model = {{"name", m.name},
             {"argument", m.argument},
             {"sha256", m.sha256},
             {"confidence", m.options.confidence},
             {"iou", m.options.iou},
             {"max_detections", m.options.max_detections},
             {"class_names", m.class_names}};
  }
  Json photos = Json::array();
  for (const PhotoRecord& photo : window.photos) {
    photos.push_back(photo_to_json(photo, window.has_model));
  }
  const Json out = {{"format", kBaselineFormat},
                    {"version", kBaselineVersion},
                    {"created", window.created},
                    {"model", std::move(model)},
                    {"photos", std::move(photos)}};
  return out.dump(1, ' ', false, Json::error_handler_t::replace) + "\n";
}

Result<Window> parse_window(std::string_view json_text, std::string_view source) {
  if (json_text.size() > kMaxBaselineBytes) {
    return make_error("baseline " + std::string(source) + ": " + std::to_string(json_text.size()) +
                      " bytes is more than the limit of " + std::to_string(kMaxBaselineBytes));
  }
  const Json root = Json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    return make_error("baseline " + std::string(source) + ": not valid JSON");
  }
  FieldReader reader(source);
  if (!root.is_object()) {
    reader.fail("$", "expected an object, found " + describe(root));
    return reader.error();
  }

  const std::string format = reader.text(root, "$", "format");
  if (!reader.failed() && format != kBaselineFormat) {
    reader.fail("$.format", "'" + format + "' is not '" + kBaselineFormat + "'");
  }
  const int version = reader.integer(root, "$", "version", 0, 1 << 30);
  if (!reader.failed() && version != kBaselineVersion) {
    reader.fail("$.version", "version " + std::to_string(version) +
                                 " is not supported (this build reads version " +
                                 std::to_string(kBaselineVersion) + ")");
  }
  Window window;
  window.created = reader.text(root, "$", "created");
  const Json* model = reader.member(root, "$", "model");
  if (model != nullptr && !model->is_null()) read_model(reader, *model, window);

  const Json* photos = reader.array(root, "$", "photos", kMaxWindowPhotos);
  if (photos != nullptr) {
    window.photos.reserve(photos->size());
    for (size_t i = 0; i < photos->size() && !reader.failed(); ++i) {
      auto photo = read_photo(reader, (*photos)[i], "$.photos[" + std::to_string(i) + "]", window);
      if (photo) window.photos.push_back(std::move(*photo));
    }
  }
  if (reader.failed()) return reader.error();
  return window;
}

}  // namespace sightline::monitor
