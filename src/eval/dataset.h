// Labelled datasets in the two formats users bring, read into one model, with every problem
// found on the way reported (file, line or JSON path, and the rule broken) instead of dropped.
//
// YOLO: a folder with images/ and labels/ (or both side by side in one folder), where
//   labels/<stem>.txt holds "class cx cy w h" lines normalised to 0..1, and classes.txt (or
//   *.names) names class N on line N+1. Category ids are the 0-based class numbers. Boxes must
//   lie within the image (a tolerance of 1e-3 for rounding): YOLO tools reject such labels, so we
//   report and skip them; exact duplicate boxes are reported and the copy removed. Annotation
//   area is the box area in pixels.
// COCO JSON: "images" (id, file_name, width, height), "annotations" (id, image_id,
//   category_id, bbox [x, y, w, h], area, iscrowd) and "categories" (id, name), with COCO's
//   non-contiguous category ids. Photos are found in the images directory given, else images/
//   beside the JSON, else the JSON's own folder. Boxes outside the image and duplicates are
//   reported as warnings but kept, because pycocotools keeps them and our metrics must equal
//   its metrics.
// Pascal VOC: a folder with Annotations/*.xml (or *.xml in the folder itself) and the photos in
//   JPEGImages/ (or images/, or the folder). Class ids follow classes.txt when the folder has
//   one (our export writes it), else the object names sorted alphabetically. Corners are pixel
//   edges, as our writer writes them (see dataset_voc.cpp). Boxes outside the photo by more
//   than 1 px are reported and skipped; <difficult>1 reads as a crowd region.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "eval/coco_eval.h"

namespace sightline::eval {

enum class DatasetFormat { kYolo, kCoco, kVoc };

struct DatasetImage {
  int64_t id = 0;
  std::string file_name;  // as the dataset names it
  std::string path;       // where the photo is on disk ("" if it was not found)
  int width = 0;          // from the COCO JSON, or the image header for YOLO
  int height = 0;
  std::vector<std::string> tags;
};

struct Category {
  int64_t id = 0;
  std::string name;
};

enum class Severity {
  kError,    // the item was skipped
  kWarning,  // the item was used, but looks wrong
  kInfo,     // worth knowing (e.g. an image without labels counted as background)
};

struct ValidationIssue {
  Severity severity = Severity::kError;
  std::string location;  // "labels/000000000009.txt:3", "$.annotations[12].bbox", "img.jpg"
  std::string rule;      // "class id 80 is outside [0, 79] (80 classes in classes.txt)"
  std::string kind;      // short key for summaries: "malformed line", "unknown class", ...
};

struct ValidationReport {
  std::vector<ValidationIssue> issues;
  int images_found = 0;
  int images_used = 0;
  int background_images = 0;  // used, with no objects
  int annotations_found = 0;
  int annotations_used = 0;
  // Skipped items by kind of problem, for the summary line.
  std::map<std::string, int> skipped_by_kind;

  int error_count() const;
  int warning_count() const;
};

struct Dataset {
  DatasetFormat format = DatasetFormat::kYolo;
  std::string source;  // the folder or JSON file given
  std::vector<DatasetImage> images;
  std::vector<Category> categories;
  std::vector<GroundTruth> annotations;  // only the usable ones
};

struct DatasetOptions {
  std::string images_dir;           // COCO only; "" = images/ beside the JSON, else its folder
  bool check_image_pixels = false;  // decode every photo fully (validate) rather than its header
  int max_images = 100000;
  int64_t max_annotations = 10'000'000;
};

// Reads a YOLO folder, a Pascal VOC folder (one with Annotations/, or with *.xml files and no
// classes.txt or *.names) or a COCO JSON file (by extension .json). Fails only when nothing usable
// can be read at all (no such path, unparseable JSON, no images); every lesser problem is a
// ValidationIssue in `report`.
Result<Dataset> load_dataset(const std::string& path, const DatasetOptions& options,
                             ValidationReport& report);

// A fingerprint of the dataset's content (image names and sizes, annotations) for the ledger.
std::string dataset_fingerprint(const Dataset& dataset);

// "error", "warning" or "info".
const char* severity_name(Severity severity);

// One line for people: "used 126 of 128 images (2 background) and 929 of 935 annotations;
// skipped 2 images and 6 annotations: 4 malformed line, 2 unreadable image; 6 errors, 0
// warnings".
std::string validation_summary(const ValidationReport& report);

}  // namespace sightline::eval
