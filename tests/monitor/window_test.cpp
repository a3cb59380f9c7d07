// Baseline files: a window survives the JSON round trip, and every kind of damage is refused
// with the JSON path and the rule, never a crash (including every truncation of a real file).
#include "monitor/window.h"

#include <gtest/gtest.h>

#include "nlohmann/json.hpp"

namespace sightline::monitor {
namespace {

using Json = nlohmann::json;

Window sample_window() {
  Window window;
  window.created = "2026-01-02T03:04:05Z";
  window.has_model = true;
  window.model.name = "yolox_nano";
  window.model.argument = "yolox_nano";
  window.model.sha256 = "00ff";
  window.model.options.confidence = 0.25f;
  window.model.options.iou = 0.5f;
  window.model.options.max_detections = 50;
  window.model.class_names = {"person", "car"};
  for (int i = 0; i < 3; ++i) {
    PhotoRecord photo;
    photo.name = "photo" + std::to_string(i) + ".jpg";
    photo.inputs = {640 + i, 480, (640.0 + i) / 480.0, 100.5 + i, 40.25, 1234.5, 0.375};
    photo.has_outputs = true;
    photo.timings = {1.5, 2.5, 30.0 + i, 0.25};
    for (int d = 0; d < i; ++d)
      photo.detections.push_back({d % 2, 0.5 + 0.1 * d, 0.125});
    window.photos.push_back(photo);
  }
  return window;
}

// The sample written, changed by `edit`, and read back.
Result<Window> parse_edited(const std::function<void(Json&)>& edit) {
  Json json = Json::parse(window_to_json(sample_window()));
  edit(json);
  return parse_window(json.dump(), "b.json");
}

TEST(BaselineFile, RoundTripKeepsEveryField) {
  const Window original = sample_window();
  auto read = parse_window(window_to_json(original), "b.json");
  ASSERT_TRUE(read) << read.message();
  EXPECT_EQ(read->created, original.created);
  ASSERT_TRUE(read->has_model);
  EXPECT_EQ(read->model.name, "yolox_nano");
  EXPECT_EQ(read->model.sha256, "00ff");
  EXPECT_FLOAT_EQ(read->model.options.confidence, 0.25f);
  EXPECT_EQ(read->model.options.max_detections, 50);
  EXPECT_EQ(read->model.class_names, original.model.class_names);
  ASSERT_EQ(read->photos.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const PhotoRecord& a = original.photos[i];
    const PhotoRecord& b = read->photos[i];
    EXPECT_EQ(b.name, a.name);
    EXPECT_EQ(b.inputs.width, a.inputs.width);
    EXPECT_DOUBLE_EQ(b.inputs.aspect_ratio, a.inputs.aspect_ratio);
    EXPECT_DOUBLE_EQ(b.inputs.brightness, a.inputs.brightness);
    EXPECT_DOUBLE_EQ(b.inputs.sharpness, a.inputs.sharpness);
    EXPECT_DOUBLE_EQ(b.inputs.saturation, a.inputs.saturation);
    EXPECT_DOUBLE_EQ(b.timings.inference_ms, a.timings.inference_ms);
    ASSERT_EQ(b.detections.size(), a.detections.size());
    for (size_t d = 0; d < a.detections.size(); ++d) {
      EXPECT_EQ(b.detections[d].class_id, a.detections[d].class_id);
      EXPECT_DOUBLE_EQ(b.detections[d].score, a.detections[d].score);
    }
  }
}

TEST(BaselineFile, InputsOnlyWindowHasNullModelAndNoDetections) {
  Window window = sample_window();
  window.has_model = false;
  const std::string text = window_to_json(window);
  EXPECT_TRUE(Json::parse(text)["model"].is_null());
  EXPECT_FALSE(Json::parse(text)["photos"][2].contains("detections"));
  auto read = parse_window(text, "b.json");
  ASSERT_TRUE(read) << read.message();
  EXPECT_FALSE(read->has_model);
  EXPECT_TRUE(read->photos[2].detections.empty());
}

TEST(BaselineFile, OutOfRangeBrightnessNamesPathAndRange) {
  auto read = parse_edited([](Json& j) { j["photos"][1]["brightness"] = 300; });
  ASSERT_FALSE(read);
  EXPECT_EQ(read.message(),
            "baseline b.json: $.photos[1].brightness: 300.0 is outside [0.0, 255.0]");
}

TEST(BaselineFile, WrongTypeNamesWhatWasFound) {
  auto read = parse_edited([](Json& j) { j["photos"][0]["width"] = "wide"; });
  ASSERT_FALSE(read);
  EXPECT_EQ(read.message(),
            "baseline b.json: $.photos[0].width: expected a whole number, found a string");
}

TEST(BaselineFile, MissingFieldIsNamed) {
  auto read = parse_edited([](Json& j) { j["photos"][2]["timings_ms"].erase("inference"); });
  ASSERT_FALSE(read);
  EXPECT_EQ(read.message(),
            "baseline b.json: $.photos[2].timings_ms: the field 'inference' is missing");
}

TEST(BaselineFile, UnsupportedVersionAndFormatAreRefused) {
  auto version = parse_edited([](Json& j) { j["version"] = 2; });
  ASSERT_FALSE(version);
  EXPECT_NE(version.message().find("$.version: version 2 is not supported"), std::string::npos);
  auto format = parse_edited([](Json& j) { j["format"] = "something-else"; });
  ASSERT_FALSE(format);
  EXPECT_NE(format.message().find("$.format"), std::string::npos);
}

TEST(BaselineFile, DetectionClassOutsideModelClassesIsRefused) {
  auto read = parse_edited([](Json& j) { j["photos"][2]["detections"][0]["class"] = 2; });
  ASSERT_FALSE(read);
  EXPECT_EQ(read.message(),
            "baseline b.json: $.photos[2].detections[0].class: 2 is outside [0, 1]");
}

TEST(BaselineFile, DetectionsWithoutModelAreRefused) {
  auto read = parse_edited([](Json& j) { j["model"] = nullptr; });
  ASSERT_FALSE(read);
  EXPECT_NE(read.message().find("$.photos[0].detections"), std::string::npos);
}

TEST(BaselineFile, TooManyPhotosRefusedBeforeReadingThem) {
  Json json = Json::parse(window_to_json(sample_window()));
  json["photos"] = Json::array();
  for (int i = 0; i <= kMaxWindowPhotos; ++i)
    json["photos"].push_back(0);
  auto read = parse_window(json.dump(), "b.json");
  ASSERT_FALSE(read);
  EXPECT_EQ(read.message(),
            "baseline b.json: $.photos: 100001 entries are more than the limit of " +
                std::to_string(kMaxWindowPhotos));
}

TEST(BaselineFile, NotJsonAndNotAnObjectAreRefused) {
  EXPECT_EQ(parse_window("{\"photos\": [", "b.json").message(), "baseline b.json: not valid JSON");
  EXPECT_EQ(parse_window("[1, 2]", "b.json").message(),
            "baseline b.json: $: expected an object, found an array");
}

TEST(BaselineFile, EveryTruncationIsAnErrorNotACrash) {
  const std::string text = window_to_json(sample_window());
  for (size_t length = 0; length + 1 < text.size(); ++length) {
    auto read = parse_window(std::string_view(text).substr(0, length), "b.json");
    EXPECT_FALSE(read) << length;
  }
}

TEST(BaselineFile, EveryByteFlipIsHandled) {
  const std::string text = window_to_json(sample_window());
  for (size_t at = 0; at < text.size(); ++at) {
    std::string damaged = text;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x15);
    auto read = parse_window(damaged, "b.json");
    if (!read) {
      EXPECT_EQ(read.message().rfind("baseline b.json: ", 0), 0u) << read.message();
    }
  }
}

}  // namespace
}  // namespace sightline::monitor
