// Label and detection writers (COCO results, YOLO txt, COCO dataset JSON, Pascal VOC XML) and
// the COCO results reader, and whole label exports (write_label_export). Text is built in
// memory; only read_coco_results_file and write_export_folder touch the file system.
#include "eval/label_writers.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "eval/dataset_common.h"
#include "eval/ledger.h"
#include "nlohmann/json.hpp"

namespace sightline::eval {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxResults = 10'000'000;

std::string dump(const Json& value) {
  // Names from outside may hold invalid UTF-8; replace it rather than throw.
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// A JSON array written one element a line, so large files stay readable and diffable.
std::string array_lines(const std::vector<Json>& elements, const std::string& indent,
                        const std::string& closing_indent) {
  if (elements.empty()) {
    return "[]";
  }
  std::string text = "[";
  for (size_t i = 0; i < elements.size(); ++i) {
    text += (i == 0 ? "\n" : ",\n") + indent + dump(elements[i]);
  }
  return text + "\n" + closing_indent + "]";
}

Result<std::map<int64_t, int>> class_index_by_category(std::span<const Category> categories) {
  std::map<int64_t, int> index;
  for (size_t i = 0; i < categories.size(); ++i) {
    if (!index.emplace(categories[i].id, static_cast<int>(i)).second) {
      return make_error("category id " + std::to_string(categories[i].id) +
                        " appears twice in the category list");
    }
  }
  return index;
}

Status check_image_size(int width, int height) {
  if (width <= 0 || height <= 0) {
    return make_error("image size " + std::to_string(width) + "x" + std::to_string(height) +
                      " must be positive to normalise YOLO boxes");
  }
  return Status::success();
}

Error unknown_category(int64_t id, size_t count) {
  return make_error("category id " + std::to_string(id) + " is not among the " +
                    std::to_string(count) + " categories given");
}

// "class cx cy w h" with `decimals` digits after the point.
std::string yolo_line(int class_index, double x, double y, double w, double h, int width,
                      int height, int decimals) {
  char line[256];
  std::snprintf(line, sizeof(line), "%d %.*f %.*f %.*f %.*f", class_index, decimals,
                (x + w / 2) / width, decimals, (y + h / 2) / height, decimals, w / width, decimals,
                h / height);
  return line;
}

std::string xml_escaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string two_decimals(double value) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.2f", value);
  std::string out = text;
  while (out.find('.') != std::string::npos && (out.back() == '0' || out.back() == '.')) {
    const bool was_point = out.back() == '.';
    out.pop_back();
    if (was_point) {
      break;
    }
  }
  return out == "-0" ? "0" : out;
}

enum class Field { kOk, kMissing, kWrongType };

Field read_integer(const Json& object, const char* key, int64_t& value) {
  const auto found = object.find(key);
  if (found == object.end()) {
    return Field::kMissing;
  }
  if (found->is_number_unsigned()) {
    const auto number = found->get<uint64_t>();
    if (number > static_cast<uint64_t>(INT64_MAX)) {
      return Field::kWrongType;
    }
    value = static_cast<int64_t>(number);
    return Field::kOk;
  }
  if (found->is_number_integer()) {
    value = found->get<int64_t>();
    return Field::kOk;
  }
  if (found->is_number_float()) {
    const double number = found->get<double>();
    if (std::isfinite(number) && number == std::floor(number) && std::fabs(number) < 9.0e15) {
      value = static_cast<int64_t>(number);
      return Field::kOk;
    }
  }
  return Field::kWrongType;
}

std::string field_problem(const Json& object, const char* key, const char* expected) {
  const auto found = object.find(key);
  if (found == object.end()) {
    return std::string("missing \"") + key + "\" (" + expected + ")";
  }
  return std::string("\"") + key + "\" is " + found->type_name() + " " +
         dump(*found).substr(0, 40) + ", expected " + expected;
}

struct UnknownCategory {
  int count = 0;
  size_t first_index = 0;
};

// Reads one detection entry; false (with an issue) when it is skipped.
bool read_detection(const Json& entry, size_t index, const std::map<int64_t, bool>& image_ids,
                    ScoredBox& box, ValidationReport& report) {
  const std::string path = "$[" + std::to_string(index) + "]";
  auto skip = [&](const std::string& location, const std::string& kind, const std::string& rule) {
    detail::add_issue(report, Severity::kError, location, kind, rule + "; detection skipped");
    detail::count_skipped(report, kind);
    return false;
  };

  if (!entry.is_object()) {
    return skip(path, "malformed detection",
                std::string("a detection must be an object, found ") + entry.type_name());
  }
  if (read_integer(entry, "image_id", box.image_id) != Field::kOk) {
    return skip(path + ".image_id", "malformed detection",
                field_problem(entry, "image_id", "an integer"));
  }
  if (!image_ids.count(box.image_id)) {
    return skip(path + ".image_id", "unknown image id",
                "image id " + std::to_string(box.image_id) + " is not an image of the dataset");
  }
  if (read_integer(entry, "category_id", box.category_id) != Field::kOk) {
    return skip(path + ".category_id", "malformed detection",
                field_problem(entry, "category_id", "an integer"));
  }

  const auto bbox = entry.find("bbox");
  if (bbox == entry.end() || !bbox->is_array() || bbox->size() != 4) {
    return skip(path + ".bbox", "malformed detection",
                field_problem(entry, "bbox", "[x, y, width, height]"));
  }
  double values[4];
  for (size_t k = 0; k < 4; ++k) {
    const Json& value = (*bbox)[k];
    if (!value.is_number() || !std::isfinite(value.get<double>())) {
      return skip(path + ".bbox[" + std::to_string(k) + "]", "malformed detection",
                  std::string("a bbox value must be a finite number, found ") + value.type_name());
    }
    values[k] = value.get<double>();
  }
  if (values[2] < 0 || values[3] < 0) {
    return skip(path + ".bbox", "negative size",
                "bbox width " + detail::format_number(values[2]) + " and height " +
                    detail::format_number(values[3]) + " must not be negative");
  }
  box.x = values[0];
  box.y = values[1];
  box.width = values[2];
  box.height = values[3];

  const auto score = entry.find("score");
  if (score == entry.end() || !score->is_number() || !std::isfinite(score->get<double>())) {
    return skip(path + ".score", "malformed detection",
                field_problem(entry, "score", "a finite number"));
  }
  box.score = score->get<double>();
  return true;
}

}  // namespace

const std::array<int64_t, 80>& coco2017_category_ids() {
  static const std::array<int64_t, 80> ids = {
      1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21,
      22, 23, 24, 25, 27, 28, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44,
      46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65,
      67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90};
  return ids;
}

int64_t coco2017_category_id(int class_index) {
  if (class_index < 0 || class_index >= 80) {
    return -1;
  }
  return coco2017_category_ids()[static_cast<size_t>(class_index)];
}

std::string write_coco_results_json(std::span<const ScoredBox> detections) {
  std::vector<Json> entries;
  entries.reserve(detections.size());
  for (const ScoredBox& box : detections) {
    entries.push_back({{"image_id", box.image_id},
                       {"category_id", box.category_id},
                       {"bbox", {box.x, box.y, box.width, box.height}},
                       {"score", box.score}});
  }
  return array_lines(entries, "  ", "") + "\n";
}

Result<YoloLabelText> write_yolo_labels(std::span<const GroundTruth> boxes, int image_width,
                                        int image_height, std::span<const Category> categories,
                                        int decimals) {
  if (Status size = check_image_size(image_width, image_height); !size.ok()) {
    return size.error();
  }
  Result<std::map<int64_t, int>> class_index = class_index_by_category(categories);
  if (!class_index.ok()) {
    return class_index.error();
  }
  decimals = std::clamp(decimals, 0, 17);

  YoloLabelText labels;
  for (const GroundTruth& box : boxes) {
    if (box.crowd) {
      ++labels.crowd_left_out;
      continue;
    }
    const auto found = class_index->find(box.category_id);
    if (found == class_index->end()) {
      return unknown_category(box.category_id, categories.size());
    }
    labels.text += yolo_line(found->second, box.x, box.y, box.width, box.height, image_width,
                             image_height, decimals) +
                   "\n";
  }
  return labels;
}

Result<std::string> write_yolo_detections(std::span<const ScoredBox> detections, int image_width,
                                          int image_height, std::span<const Category> categories,
                                          bool with_scores, int decimals) {
  if (Status size = check_image_size(image_width, image_height); !size.ok()) {
    return size.error();
  }
  Result<std::map<int64_t, int>> class_index = class_index_by_category(categories);
  if (!class_index.ok()) {
    return class_index.error();
  }
  decimals = std::clamp(decimals, 0, 17);

  std::string text;
  for (const ScoredBox& box : detections) {
    const auto found = class_index->find(box.category_id);
    if (found == class_index->end()) {
      return unknown_category(box.category_id, categories.size());
    }
    text += yolo_line(found->second, box.x, box.y, box.width, box.height, image_width, image_height,
                      decimals);
    if (with_scores) {
      char score[40];
      std::snprintf(score, sizeof(score), " %.*f", decimals, box.score);
      text += score;
    }
    text += "\n";
  }
  return text;
}

std::string write_classes_txt(std::span<const Category> categories) {
  std::string text;
  for (const Category& category : categories) {
    std::string name = category.name;
    // A line break inside a name would shift every later class by one.
    std::replace(name.begin(), name.end(), '\n', ' ');
    std::replace(name.begin(), name.end(), '\r', ' ');
    text += name + "\n";
  }
  return text;
}

std::string write_coco_dataset_json(const Dataset& dataset) {
  std::vector<Json> images, annotations, categories;
  images.reserve(dataset.images.size());
  for (const DatasetImage& image : dataset.images) {
    images.push_back({{"id", image.id},
                      {"file_name", image.file_name},
                      {"width", image.width},
                      {"height", image.height}});
  }
  annotations.reserve(dataset.annotations.size());
  for (const GroundTruth& truth : dataset.annotations) {
    annotations.push_back({{"id", truth.id},
                           {"image_id", truth.image_id},
                           {"category_id", truth.category_id},
                           {"bbox", {truth.x, truth.y, truth.width, truth.height}},
                           {"area", truth.area},
                           {"iscrowd", truth.crowd ? 1 : 0}});
  }
  for (const Category& category : dataset.categories) {
    categories.push_back({{"id", category.id}, {"name", category.name}});
  }
  return "{\n  \"images\": " + array_lines(images, "    ", "  ") +
         ",\n  \"annotations\": " + array_lines(annotations, "    ", "  ") +
         ",\n  \"categories\": " + array_lines(categories, "    ", "  ") + "\n}\n";
}

Result<std::string> write_voc_xml(const DatasetImage& image, std::span<const GroundTruth> boxes,
                                  std::span<const Category> categories) {
  std::map<int64_t, const Category*> by_id;
  for (const Category& category : categories) {
    by_id.emplace(category.id, &category);
  }

  std::string xml = "<annotation>\n";
  xml += "  <filename>" + xml_escaped(image.file_name) + "</filename>\n";
  xml += "  <size>\n    <width>" + std::to_string(image.width) + "</width>\n    <height>" +
         std::to_string(image.height) + "</height>\n    <depth>3</depth>\n  </size>\n";
  xml += "  <segmented>0</segmented>\n";
  for (const GroundTruth& box : boxes) {
    if (box.image_id != image.id) {
      return make_error("box " + std::to_string(box.id) + " belongs to image " +
                        std::to_string(box.image_id) + ", not to image " +
                        std::to_string(image.id) + " ('" + image.file_name + "')");
    }
    const auto category = by_id.find(box.category_id);
    if (category == by_id.end()) {
      return unknown_category(box.category_id, categories.size());
    }
    xml += "  <object>\n    <name>" + xml_escaped(category->second->name) + "</name>\n";
    xml += "    <pose>Unspecified</pose>\n    <truncated>0</truncated>\n";
    xml += std::string("    <difficult>") + (box.crowd ? "1" : "0") + "</difficult>\n";
    xml += "    <bndbox>\n      <xmin>" + two_decimals(box.x) + "</xmin>\n      <ymin>" +
           two_decimals(box.y) + "</ymin>\n      <xmax>" + two_decimals(box.x + box.width) +
           "</xmax>\n      <ymax>" + two_decimals(box.y + box.height) +
           "</ymax>\n    </bndbox>\n  </object>\n";
  }
  xml += "</annotation>\n";
  return xml;
}

Result<std::vector<ScoredBox>> read_coco_results_json(std::string_view json_text,
                                                      std::string_view source_name,
                                                      const Dataset& dataset,
                                                      ValidationReport& report) {
  const std::string name(source_name);
  const Json root = Json::parse(json_text.begin(), json_text.end(), nullptr, false);
  if (root.is_discarded()) {
    const std::string rule = "cannot read '" + name + "': not valid JSON";
    detail::add_issue(report, Severity::kError, name, "invalid JSON", rule);
    return make_error(rule);
  }
  if (!root.is_array()) {
    const std::string rule = "'" + name + "': the top level is " + root.type_name() +
                             ", expected an array of {image_id, category_id, bbox, score}";
    detail::add_issue(report, Severity::kError, "$", "not COCO results", rule);
    return make_error(rule);
  }
  if (root.size() > kMaxResults) {
    const std::string rule = "'" + name + "': " + std::to_string(root.size()) +
                             " detections exceed the limit of " + std::to_string(kMaxResults);
    detail::add_issue(report, Severity::kError, "$", "too many detections", rule);
    return make_error(rule);
  }
  report.annotations_found = static_cast<int>(root.size());

  std::map<int64_t, bool> image_ids;
  for (const DatasetImage& image : dataset.images) {
    image_ids.emplace(image.id, true);
  }
  std::map<int64_t, bool> category_ids;
  for (const Category& category : dataset.categories) {
    category_ids.emplace(category.id, true);
  }

  std::vector<ScoredBox> detections;
  detections.reserve(root.size());
  std::map<int64_t, UnknownCategory> unknown_categories;
  for (size_t i = 0; i < root.size(); ++i) {
    ScoredBox box;
    if (!read_detection(root[i], i, image_ids, box, report)) {
      continue;
    }
    if (!category_ids.count(box.category_id)) {
      UnknownCategory& unknown = unknown_categories[box.category_id];
      if (unknown.count++ == 0) {
        unknown.first_index = i;
      }
    }
    detections.push_back(box);
  }

  // Detections of categories the dataset lacks are kept (the evaluation ignores them, as
  // pycocotools does) but reported once per category id.
  const bool ids_look_like_indices =
      dataset.format == DatasetFormat::kCoco && !unknown_categories.empty() &&
      unknown_categories.begin()->first >= 0 && unknown_categories.rbegin()->first < 80;
  for (const auto& [id, unknown] : unknown_categories) {
    std::string rule = std::to_string(unknown.count) + " detections (the first is here) have " +
                       "category id " + std::to_string(id) +
                       ", which the dataset does not have; they are ignored in the metrics";
    if (ids_look_like_indices) {
      rule += " (these look like 0-based class indices; COCO 2017 ids run 1..90 with gaps)";
    }
    detail::add_issue(report, Severity::kWarning,
                      "$[" + std::to_string(unknown.first_index) + "].category_id",
                      "unknown category", rule);
  }
  report.annotations_used = static_cast<int>(detections.size());
  return detections;
}

Result<std::vector<ScoredBox>> read_coco_results_file(const std::string& path,
                                                      const Dataset& dataset,
                                                      ValidationReport& report) {
  Result<std::string> text = detail::read_text_file(path, detail::kMaxJsonFileBytes);
  if (!text.ok()) {
    detail::add_issue(report, Severity::kError, path, "unreadable JSON", text.message());
    return text.error();
  }
  return read_coco_results_json(*text, path, dataset, report);
}

}  // namespace sightline::eval

namespace sightline::eval {

const char* label_format_name(LabelFormat format) {
  switch (format) {
    case LabelFormat::kYolo:
      return "yolo";
    case LabelFormat::kCoco:
      return "coco";
    case LabelFormat::kVoc:
      return "voc";
  }
  return "?";
}

Result<LabelFormat> parse_label_format(std::string_view name) {
  for (LabelFormat format : {LabelFormat::kYolo, LabelFormat::kCoco, LabelFormat::kVoc}) {
    if (name == label_format_name(format)) return format;
  }
  return make_error("label format '" + std::string(name) + "' is not one of yolo, coco, voc");
}

Result<std::vector<ExportFile>> write_label_export(const Dataset& dataset,
                                                   const std::vector<std::string>& photo_bytes,
                                                   LabelFormat format) {
  if (photo_bytes.size() != dataset.images.size()) {
    return make_error(std::to_string(photo_bytes.size()) + " photos given for " +
                      std::to_string(dataset.images.size()) + " images");
  }
  std::map<std::string, std::string> file_by_stem;
  for (const DatasetImage& image : dataset.images) {
    const std::filesystem::path name(image.file_name);
    if (image.file_name.empty() || name.has_parent_path() || name.is_absolute() ||
        image.file_name == "." || image.file_name == "..") {
      return make_error("photo name '" + image.file_name + "' is not a plain file name");
    }
    const auto [first, inserted] = file_by_stem.emplace(name.stem().string(), image.file_name);
    if (!inserted) {
      return make_error("photos '" + first->second + "' and '" + image.file_name +
                        "' share the name stem '" + name.stem().string() +
                        "', so their label files would collide");
    }
  }

  std::map<int64_t, std::vector<GroundTruth>> boxes_by_image;
  for (const GroundTruth& truth : dataset.annotations) {
    boxes_by_image[truth.image_id].push_back(truth);
  }

  std::vector<ExportFile> files;
  const std::string images_folder = format == LabelFormat::kVoc ? "JPEGImages/" : "images/";
  for (size_t i = 0; i < dataset.images.size(); ++i) {
    const DatasetImage& image = dataset.images[i];
    if (!photo_bytes[i].empty()) files.push_back({images_folder + image.file_name, photo_bytes[i]});
    const std::vector<GroundTruth>& boxes = boxes_by_image[image.id];
    const std::string stem = std::filesystem::path(image.file_name).stem().string();
    if (format == LabelFormat::kYolo) {
      Result<YoloLabelText> text =
          write_yolo_labels(boxes, image.width, image.height, dataset.categories);
      if (!text.ok()) return make_error(image.file_name + ": " + text.message());
      files.push_back({"labels/" + stem + ".txt", text->text});
    } else if (format == LabelFormat::kVoc) {
      Result<std::string> xml = write_voc_xml(image, boxes, dataset.categories);
      if (!xml.ok()) return make_error(image.file_name + ": " + xml.message());
      files.push_back({"Annotations/" + stem + ".xml", *xml});
    }
  }
  if (format == LabelFormat::kCoco) {
    files.push_back({"annotations.json", write_coco_dataset_json(dataset)});
  } else {
    files.push_back({"classes.txt", write_classes_txt(dataset.categories)});
  }
  return files;
}

Status write_export_folder(const std::string& folder, const std::vector<ExportFile>& files,
                           bool overwrite) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (fs::exists(folder, error)) {
    if (!fs::is_directory(folder, error)) {
      return make_error("'" + folder + "' exists and is not a folder");
    }
    if (!overwrite && !fs::is_empty(folder, error)) {
      return make_error("'" + folder + "' is not empty; overwriting needs a confirmation " +
                        "(--force on the command line)");
    }
  }
  for (const ExportFile& file : files) {
    const fs::path path = fs::path(folder) / file.path;
    fs::create_directories(path.parent_path(), error);
    if (error) {
      return make_error("cannot create '" + path.parent_path().string() + "': " + error.message());
    }
    Status written = write_file_atomically(path.string(), file.bytes);
    if (!written.ok()) return written;
  }
  return Status::success();
}

}  // namespace sightline::eval
