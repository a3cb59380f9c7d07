// The COCO JSON reader: images, annotations and categories checked entry by entry, with each
// problem named by its JSON path ("$.annotations[12].image_id"). What pycocotools would keep
// (boxes outside the image, duplicate boxes, images whose photo is missing) is kept and
// reported, so metrics stay equal to pycocotools' own.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <system_error>
#include <tuple>

#include "eval/dataset_common.h"
#include "nlohmann/json.hpp"

namespace sightline::eval::detail {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// A box may overhang the image by rounding; pycocotools keeps such boxes either way.
constexpr double kBoundsTolerancePixels = 1.0;
constexpr int64_t kMaxImageSide = 1 << 20;

// Finds where a JSON text stops parsing; run only after a parse failed.
class ParseErrorFinder : public nlohmann::json_sax<Json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& error) override {
    position_ = position;
    reason_ = error.what();
    // The library's text starts with its own error code, "[json.exception.parse_error.101] ".
    const size_t code_end = reason_.find("] ");
    if (reason_.rfind("[json.exception", 0) == 0 && code_end != std::string::npos) {
      reason_.erase(0, code_end + 2);
    }
    return false;
  }

  std::string describe() const {
    if (reason_.empty()) {
      return "not valid JSON";
    }
    return "invalid JSON at byte " + std::to_string(position_) + ": " + reason_;
  }

 private:
  size_t position_ = 0;
  std::string reason_;
};

std::string describe_parse_error(const std::string& text) {
  ParseErrorFinder finder;
  Json::sax_parse(text, &finder);
  return finder.describe();
}

enum class Field { kOk, kMissing, kWrongType };

const Json* member(const Json& object, const char* key) {
  const auto found = object.find(key);
  return found == object.end() ? nullptr : &*found;
}

Field read_integer(const Json& object, const char* key, int64_t& value) {
  const Json* field = member(object, key);
  if (!field) {
    return Field::kMissing;
  }
  if (field->is_number_unsigned()) {
    const auto unsigned_value = field->get<uint64_t>();
    if (unsigned_value > static_cast<uint64_t>(INT64_MAX)) {
      return Field::kWrongType;
    }
    value = static_cast<int64_t>(unsigned_value);
    return Field::kOk;
  }
  if (field->is_number_integer()) {
    value = field->get<int64_t>();
    return Field::kOk;
  }
  // Some converters write ids as 12.0; an integral float is read as the integer it names.
  if (field->is_number_float()) {
    const double number = field->get<double>();
    if (std::isfinite(number) && number == std::floor(number) && std::fabs(number) < 9.0e15) {
      value = static_cast<int64_t>(number);
      return Field::kOk;
    }
  }
  return Field::kWrongType;
}

Field read_number(const Json& object, const char* key, double& value) {
  const Json* field = member(object, key);
  if (!field) {
    return Field::kMissing;
  }
  if (!field->is_number() || !std::isfinite(field->get<double>())) {
    return Field::kWrongType;
  }
  value = field->get<double>();
  return Field::kOk;
}

std::string field_problem(const Json& object, const char* key, const char* expected) {
  const Json* field = member(object, key);
  if (!field) {
    return std::string("missing \"") + key + "\" (" + expected + ")";
  }
  return std::string("\"") + key + "\" is " + field->type_name() + " " +
         field->dump(-1, ' ', false, Json::error_handler_t::replace).substr(0, 40) + ", expected " +
         expected;
}

std::string indexed(const char* array, size_t index) {
  return std::string("$.") + array + "[" + std::to_string(index) + "]";
}

fs::path find_images_dir(const fs::path& json_path, const DatasetOptions& options) {
  if (!options.images_dir.empty()) {
    return options.images_dir;
  }
  const fs::path json_dir = json_path.parent_path().empty() ? "." : json_path.parent_path();
  std::error_code error;
  if (fs::is_directory(json_dir / "images", error)) {
    return json_dir / "images";
  }
  return json_dir;
}

void read_categories(const Json& array, Dataset& dataset, ValidationReport& report) {
  std::set<int64_t> seen;
  for (size_t i = 0; i < array.size(); ++i) {
    const Json& entry = array[i];
    const std::string path = indexed("categories", i);
    if (!entry.is_object()) {
      add_issue(
          report, Severity::kError, path, "malformed category",
          std::string("a category must be an object, found ") + entry.type_name() + "; skipped");
      continue;
    }
    Category category;
    if (read_integer(entry, "id", category.id) != Field::kOk) {
      add_issue(report, Severity::kError, path + ".id", "malformed category",
                field_problem(entry, "id", "an integer") + "; category skipped");
      continue;
    }
    if (!seen.insert(category.id).second) {
      add_issue(
          report, Severity::kError, path + ".id", "duplicate category id",
          "category id " + std::to_string(category.id) + " appears before; this one is skipped");
      continue;
    }
    const Json* name = member(entry, "name");
    if (name && name->is_string()) {
      category.name = name->get<std::string>();
    } else {
      category.name = std::to_string(category.id);
      add_issue(report, Severity::kWarning, path + ".name", "malformed category",
                field_problem(entry, "name", "a string") + "; named '" + category.name + "'");
    }
    dataset.categories.push_back(std::move(category));
  }
}

// Reads the photo's size and compares it with the JSON's; the image stays in the evaluation
// set whatever happens (pycocotools scores it with its ground truth), with path "" when the
// photo cannot be used.
void check_coco_photo(const fs::path& images_dir, const std::string& location,
                      const DatasetOptions& options, DatasetImage& image,
                      ValidationReport& report) {
  std::error_code error;
  fs::path photo = images_dir / image.file_name;
  if (!fs::is_regular_file(photo, error)) {
    photo = images_dir / fs::path(image.file_name).filename();
  }
  if (!fs::is_regular_file(photo, error)) {
    add_issue(report, Severity::kError, location, "photo not found",
              "no file '" + image.file_name + "' in '" + images_dir.string() +
                  "'; the image is evaluated with its ground truth but without detections");
    return;
  }

  Result<ImageSize> size = check_photo(photo, options.check_image_pixels);
  if (!size.ok()) {
    add_issue(
        report, Severity::kError, location, "unreadable image",
        size.message() + "; the image is evaluated with its ground truth but without detections");
    return;
  }
  if (size->width != image.width || size->height != image.height) {
    add_issue(report, Severity::kWarning, location, "image size mismatch",
              "the photo is " + std::to_string(size->width) + "x" + std::to_string(size->height) +
                  " but the JSON says " + std::to_string(image.width) + "x" +
                  std::to_string(image.height) + "; boxes are taken as given in the JSON");
  }
  image.path = photo.string();
}

void read_images(const Json& array, const fs::path& images_dir, const DatasetOptions& options,
                 Dataset& dataset, std::set<int64_t>& skipped_ids, ValidationReport& report) {
  std::set<int64_t> seen;
  std::map<std::string, size_t> first_with_name;
  for (size_t i = 0; i < array.size(); ++i) {
    const Json& entry = array[i];
    const std::string path = indexed("images", i);
    if (!entry.is_object()) {
      add_issue(
          report, Severity::kError, path, "malformed image",
          std::string("an image must be an object, found ") + entry.type_name() + "; skipped");
      count_skipped(report, "malformed image");
      continue;
    }

    DatasetImage image;
    if (read_integer(entry, "id", image.id) != Field::kOk) {
      add_issue(report, Severity::kError, path + ".id", "malformed image",
                field_problem(entry, "id", "an integer") + "; image skipped");
      count_skipped(report, "malformed image");
      continue;
    }
    if (!seen.insert(image.id).second) {
      add_issue(report, Severity::kError, path + ".id", "duplicate image id",
                "image id " + std::to_string(image.id) +
                    " appears before; this entry is skipped and its annotations go to the first");
      count_skipped(report, "duplicate image id");
      continue;
    }

    const Json* file_name = member(entry, "file_name");
    int64_t width = 0, height = 0;
    std::string problem;
    std::string problem_path = path;
    if (!file_name || !file_name->is_string() || file_name->get<std::string>().empty()) {
      problem = field_problem(entry, "file_name", "a file name");
      problem_path += ".file_name";
    } else if (read_integer(entry, "width", width) != Field::kOk || width <= 0 ||
               width > kMaxImageSide) {
      problem = field_problem(entry, "width", "an integer in [1, 1048576]");
      problem_path += ".width";
    } else if (read_integer(entry, "height", height) != Field::kOk || height <= 0 ||
               height > kMaxImageSide) {
      problem = field_problem(entry, "height", "an integer in [1, 1048576]");
      problem_path += ".height";
    }
    if (!problem.empty()) {
      add_issue(report, Severity::kError, problem_path, "malformed image",
                problem + "; image " + std::to_string(image.id) + " and its annotations skipped");
      count_skipped(report, "malformed image");
      skipped_ids.insert(image.id);
      continue;
    }

    image.file_name = file_name->get<std::string>();
    image.width = static_cast<int>(width);
    image.height = static_cast<int>(height);
    const auto [first, inserted] = first_with_name.emplace(image.file_name, i);
    if (!inserted) {
      add_issue(report, Severity::kWarning, path + ".file_name", "duplicate file name",
                "'" + image.file_name + "' is also " + indexed("images", first->second) +
                    "; both are kept");
    }

    check_coco_photo(images_dir, path, options, image, report);
    dataset.images.push_back(std::move(image));
  }
}

struct AnnotationChecks {
  std::map<int64_t, size_t> image_index_by_id;
  std::set<int64_t> skipped_image_ids;
  std::set<int64_t> category_ids;
  std::set<int64_t> annotation_ids;
  std::map<std::tuple<int64_t, int64_t, double, double, double, double>, size_t> first_of_box;
  int missing_area_count = 0;
  size_t first_missing_area = 0;
};

void skip_annotation(ValidationReport& report, const std::string& location, const std::string& kind,
                     const std::string& rule) {
  add_issue(report, Severity::kError, location, kind, rule + "; annotation skipped");
  count_skipped(report, kind);
}

// Checks one annotation entry; adds it to the dataset when usable.
void read_annotation(const Json& entry, size_t index, const Dataset& dataset,
                     AnnotationChecks& checks, std::vector<GroundTruth>& annotations,
                     ValidationReport& report) {
  const std::string path = indexed("annotations", index);
  if (!entry.is_object()) {
    skip_annotation(report, path, "malformed annotation",
                    std::string("an annotation must be an object, found ") + entry.type_name());
    return;
  }

  GroundTruth truth;
  if (read_integer(entry, "id", truth.id) != Field::kOk) {
    skip_annotation(report, path + ".id", "malformed annotation",
                    field_problem(entry, "id", "an integer"));
    return;
  }
  if (read_integer(entry, "image_id", truth.image_id) != Field::kOk) {
    skip_annotation(report, path + ".image_id", "malformed annotation",
                    field_problem(entry, "image_id", "an integer"));
    return;
  }
  const auto image = checks.image_index_by_id.find(truth.image_id);
  if (image == checks.image_index_by_id.end()) {
    if (checks.skipped_image_ids.count(truth.image_id)) {
      skip_annotation(report, path + ".image_id", "annotation of skipped image",
                      "image " + std::to_string(truth.image_id) + " was skipped");
    } else {
      skip_annotation(report, path + ".image_id", "dangling image id",
                      "image id " + std::to_string(truth.image_id) + " is not in $.images");
    }
    return;
  }
  if (read_integer(entry, "category_id", truth.category_id) != Field::kOk) {
    skip_annotation(report, path + ".category_id", "malformed annotation",
                    field_problem(entry, "category_id", "an integer"));
    return;
  }
  if (!checks.category_ids.count(truth.category_id)) {
    skip_annotation(report, path + ".category_id", "unknown category",
                    "category id " + std::to_string(truth.category_id) + " is not in $.categories");
    return;
  }

  const Json* bbox = member(entry, "bbox");
  if (!bbox || !bbox->is_array() || bbox->size() != 4) {
    skip_annotation(report, path + ".bbox", "malformed bbox",
                    field_problem(entry, "bbox", "[x, y, width, height]"));
    return;
  }
  double values[4];
  for (size_t k = 0; k < 4; ++k) {
    const Json& value = (*bbox)[k];
    if (!value.is_number() || !std::isfinite(value.get<double>())) {
      skip_annotation(
          report, path + ".bbox[" + std::to_string(k) + "]", "malformed bbox",
          std::string("a bbox value must be a finite number, found ") + value.type_name());
      return;
    }
    values[k] = value.get<double>();
  }
  truth.x = values[0];
  truth.y = values[1];
  truth.width = values[2];
  truth.height = values[3];
  if (truth.width <= 0 || truth.height <= 0) {
    skip_annotation(report, path + ".bbox", "zero or negative size",
                    "bbox width " + format_number(truth.width) + " and height " +
                        format_number(truth.height) + " must be above 0");
    return;
  }

  const Json* crowd = member(entry, "iscrowd");
  if (crowd) {
    if (crowd->is_boolean()) {
      truth.crowd = crowd->get<bool>();
    } else if (crowd->is_number() && (crowd->get<double>() == 0 || crowd->get<double>() == 1)) {
      truth.crowd = crowd->get<double>() == 1;
    } else {
      skip_annotation(report, path + ".iscrowd", "malformed annotation",
                      field_problem(entry, "iscrowd", "0 or 1"));
      return;
    }
  }

  const Field area = read_number(entry, "area", truth.area);
  if (area == Field::kMissing) {
    if (checks.missing_area_count++ == 0) {
      checks.first_missing_area = index;
    }
    truth.area = truth.width * truth.height;
  } else if (area == Field::kWrongType || truth.area < 0) {
    truth.area = truth.width * truth.height;
    add_issue(report, Severity::kWarning, path + ".area", "malformed area",
              field_problem(entry, "area", "a number >= 0") + "; the box area " +
                  format_number(truth.area) + " is used");
  }

  if (!checks.annotation_ids.insert(truth.id).second) {
    skip_annotation(report, path + ".id", "duplicate annotation id",
                    "annotation id " + std::to_string(truth.id) + " appears before");
    return;
  }

  const DatasetImage& owner = dataset.images[image->second];
  if (truth.x < -kBoundsTolerancePixels || truth.y < -kBoundsTolerancePixels ||
      truth.x + truth.width > owner.width + kBoundsTolerancePixels ||
      truth.y + truth.height > owner.height + kBoundsTolerancePixels) {
    add_issue(report, Severity::kWarning, path + ".bbox", "box outside image",
              "bbox [" + format_number(truth.x) + ", " + format_number(truth.y) + ", " +
                  format_number(truth.width) + ", " + format_number(truth.height) +
                  "] goes more than 1 pixel outside the " + std::to_string(owner.width) + "x" +
                  std::to_string(owner.height) + " image; kept");
  }

  const auto key = std::make_tuple(truth.image_id, truth.category_id, truth.x, truth.y, truth.width,
                                   truth.height);
  const auto [first, inserted] = checks.first_of_box.emplace(key, index);
  if (!inserted) {
    add_issue(report, Severity::kWarning, path, "duplicate box",
              "same image, category and bbox as " + indexed("annotations", first->second) +
                  "; kept, as pycocotools keeps it");
  }
  annotations.push_back(truth);
}

}  // namespace

Result<Dataset> load_coco_json(const fs::path& json_path, const DatasetOptions& options,
                               ValidationReport& report) {
  const std::string name = json_path.string();
  Result<std::string> text = read_text_file(json_path, kMaxJsonFileBytes);
  if (!text.ok()) {
    add_issue(report, Severity::kError, name, "unreadable JSON", text.message());
    return text.error();
  }

  const Json root = Json::parse(*text, nullptr, false);
  if (root.is_discarded()) {
    const std::string rule = "cannot read '" + name + "': " + describe_parse_error(*text);
    add_issue(report, Severity::kError, name, "invalid JSON", rule);
    return make_error(rule);
  }
  text->clear();
  text->shrink_to_fit();

  auto fail = [&](const std::string& location, const std::string& kind, const std::string& rule) {
    const std::string message = "'" + name + "': " + rule;
    add_issue(report, Severity::kError, location, kind, message);
    return make_error(message);
  };
  if (!root.is_object()) {
    return fail("$", "not a COCO dataset",
                std::string("the top level is ") + root.type_name() +
                    ", expected an object with images, annotations and categories");
  }
  for (const char* key : {"images", "annotations", "categories"}) {
    const Json* array = member(root, key);
    if (!array || !array->is_array()) {
      return fail(std::string("$.") + key, "not a COCO dataset",
                  field_problem(root, key, "an array") +
                      " (a COCO dataset has images, annotations and categories)");
    }
  }
  const Json& images = root["images"];
  const Json& annotations = root["annotations"];
  const Json& categories = root["categories"];

  report.images_found = static_cast<int>(std::min<size_t>(images.size(), INT32_MAX));
  report.annotations_found = static_cast<int>(std::min<size_t>(annotations.size(), INT32_MAX));
  if (images.empty()) {
    return fail("$.images", "no images", "$.images is empty");
  }
  if (images.size() > static_cast<size_t>(options.max_images)) {
    return fail("$.images", "too many images",
                std::to_string(images.size()) + " images exceed the limit of " +
                    std::to_string(options.max_images));
  }
  if (annotations.size() > static_cast<uint64_t>(std::max<int64_t>(options.max_annotations, 0))) {
    return fail("$.annotations", "too many annotations",
                std::to_string(annotations.size()) + " annotations exceed the limit of " +
                    std::to_string(options.max_annotations));
  }

  const fs::path images_dir = find_images_dir(json_path, options);
  std::error_code error;
  if (!fs::is_directory(images_dir, error)) {
    return fail(images_dir.string(), "no images folder",
                "the images folder '" + images_dir.string() + "' does not exist");
  }

  Dataset dataset;
  dataset.format = DatasetFormat::kCoco;
  dataset.source = name;
  read_categories(categories, dataset, report);
  if (dataset.categories.empty()) {
    return fail("$.categories", "no categories", "$.categories names no usable category");
  }

  AnnotationChecks checks;
  read_images(images, images_dir, options, dataset, checks.skipped_image_ids, report);
  if (dataset.images.empty()) {
    return fail("$.images", "no images",
                "none of the " + std::to_string(images.size()) + " entries of $.images is usable");
  }
  for (size_t i = 0; i < dataset.images.size(); ++i) {
    checks.image_index_by_id.emplace(dataset.images[i].id, i);
  }
  for (const Category& category : dataset.categories) {
    checks.category_ids.insert(category.id);
  }

  dataset.annotations.reserve(annotations.size());
  for (size_t i = 0; i < annotations.size(); ++i) {
    read_annotation(annotations[i], i, dataset, checks, dataset.annotations, report);
  }
  if (checks.missing_area_count > 0) {
    add_issue(report, Severity::kInfo, indexed("annotations", checks.first_missing_area) + ".area",
              "area missing",
              std::to_string(checks.missing_area_count) +
                  " annotations have no \"area\" (the first is here); their box area w*h is "
                  "used for the small/medium/large split");
  }

  const fs::path json_dir = json_path.parent_path().empty() ? "." : json_path.parent_path();
  read_tags_file(json_dir, dataset.images, report);
  return dataset;
}

}  // namespace sightline::eval::detail
