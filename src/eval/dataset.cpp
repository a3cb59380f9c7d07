// load_dataset picks the reader (a .json file is COCO, a folder is YOLO), then counts what was
// used; also the dataset fingerprint and the one-line validation summary.
#include "eval/dataset.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>
#include <system_error>

#include "core/sha256.h"
#include "eval/dataset_common.h"

namespace sightline::eval {

namespace fs = std::filesystem;

namespace {

// Annotations/ marks a VOC folder; so do *.xml files without a YOLO classes file beside them.
bool is_voc_folder(const fs::path& folder) {
  std::error_code error;
  if (fs::is_directory(folder / "Annotations", error)) return true;
  if (fs::exists(folder / "classes.txt", error)) return false;
  bool has_xml = false;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    const std::string extension = detail::lower_case(it->path().extension().string());
    if (extension == ".names") return false;
    has_xml = has_xml || extension == ".xml";
  }
  return has_xml;
}

}  // namespace

int ValidationReport::error_count() const {
  return static_cast<int>(std::count_if(issues.begin(), issues.end(), [](const auto& issue) {
    return issue.severity == Severity::kError;
  }));
}

int ValidationReport::warning_count() const {
  return static_cast<int>(std::count_if(issues.begin(), issues.end(), [](const auto& issue) {
    return issue.severity == Severity::kWarning;
  }));
}

const char* severity_name(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "info";
  }
  return "?";
}

Result<Dataset> load_dataset(const std::string& path, const DatasetOptions& options,
                             ValidationReport& report) {
  if (path.empty()) {
    return make_error("no dataset given: pass a folder (YOLO) or a .json file (COCO)");
  }
  if (options.max_images <= 0 || options.max_annotations < 0) {
    return make_error("dataset limits max_images " + std::to_string(options.max_images) +
                      " and max_annotations " + std::to_string(options.max_annotations) +
                      " must be above 0 and at least 0");
  }

  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (error || !fs::exists(status)) {
    return make_error("dataset '" + path + "' does not exist");
  }

  Result<Dataset> dataset = make_error("");
  if (fs::is_directory(status)) {
    dataset = is_voc_folder(path) ? detail::load_voc_folder(path, options, report)
                                  : detail::load_yolo_folder(path, options, report);
  } else if (fs::is_regular_file(status) &&
             detail::lower_case(fs::path(path).extension().string()) == ".json") {
    dataset = detail::load_coco_json(path, options, report);
  } else {
    return make_error("dataset '" + path +
                      "' is neither a folder (YOLO or VOC) nor a .json file (COCO)");
  }
  if (!dataset.ok()) {
    return dataset;
  }

  std::set<int64_t> images_with_objects;
  for (const GroundTruth& truth : dataset->annotations) {
    images_with_objects.insert(truth.image_id);
  }
  report.images_used = static_cast<int>(dataset->images.size());
  report.annotations_used = static_cast<int>(dataset->annotations.size());
  report.background_images = static_cast<int>(std::count_if(
      dataset->images.begin(), dataset->images.end(),
      [&](const DatasetImage& image) { return !images_with_objects.count(image.id); }));
  return dataset;
}

std::string dataset_fingerprint(const Dataset& dataset) {
  // Canonical text: one line per image, category and annotation, in the dataset's order, with
  // numbers in a form that reads back to the same double on every platform.
  std::string text = dataset.format == DatasetFormat::kCoco  ? "coco\n"
                     : dataset.format == DatasetFormat::kVoc ? "voc\n"
                                                             : "yolo\n";
  for (const DatasetImage& image : dataset.images) {
    text += "image " + std::to_string(image.id) + " " + image.file_name + " " +
            std::to_string(image.width) + " " + std::to_string(image.height) + "\n";
  }
  for (const Category& category : dataset.categories) {
    text += "category " + std::to_string(category.id) + " " + category.name + "\n";
  }
  for (const GroundTruth& truth : dataset.annotations) {
    text += "box " + std::to_string(truth.id) + " " + std::to_string(truth.image_id) + " " +
            std::to_string(truth.category_id) + " " + detail::format_number(truth.x) + " " +
            detail::format_number(truth.y) + " " + detail::format_number(truth.width) + " " +
            detail::format_number(truth.height) + " " + detail::format_number(truth.area) +
            (truth.crowd ? " crowd\n" : "\n");
  }
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  return sha256_hex({bytes, text.size()}).substr(0, 16);
}

std::string validation_summary(const ValidationReport& report) {
  const int skipped_images = report.images_found - report.images_used;
  const int skipped_annotations = report.annotations_found - report.annotations_used;
  std::string text = "used " + std::to_string(report.images_used) + " of " +
                     std::to_string(report.images_found) + " images (" +
                     std::to_string(report.background_images) + " background) and " +
                     std::to_string(report.annotations_used) + " of " +
                     std::to_string(report.annotations_found) + " annotations";
  if (skipped_images > 0 || skipped_annotations > 0) {
    text += "; skipped " + std::to_string(skipped_images) + " images and " +
            std::to_string(skipped_annotations) + " annotations:";
    bool first = true;
    for (const auto& [kind, count] : report.skipped_by_kind) {
      text += (first ? " " : ", ") + std::to_string(count) + " " + kind;
      first = false;
    }
  } else {
    text += "; nothing skipped";
  }
  const int errors = report.error_count();
  const int warnings = report.warning_count();
  text += "; " + std::to_string(errors) + (errors == 1 ? " error, " : " errors, ") +
          std::to_string(warnings) + (warnings == 1 ? " warning" : " warnings");
  return text;
}

}  // namespace sightline::eval
