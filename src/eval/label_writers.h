// Writing labels and detections in the formats other tools read (COCO results JSON, YOLO txt,
// COCO dataset JSON, Pascal VOC XML), and reading a COCO results JSON back for
// `sightline eval --dets`. Writers are pure functions returning text; callers write the files
// (and refuse to overwrite), so the same code serves the browser, which has no file system.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "eval/coco_eval.h"
#include "eval/dataset.h"

namespace sightline::eval {

// The COCO 2017 category ids (1..90 with gaps) of the 80 classes, in the order detectors
// trained on COCO number them (0 = person -> 1, ..., 79 = toothbrush -> 90).
const std::array<int64_t, 80>& coco2017_category_ids();

// The COCO 2017 category id of class index 0..79, or -1 outside that range.
int64_t coco2017_category_id(int class_index);

// COCO results JSON: [{"image_id", "category_id", "bbox": [x, y, w, h], "score"}, ...],
// numbers written so they read back exactly.
std::string write_coco_results_json(std::span<const ScoredBox> detections);

// One image's YOLO label text, "class cx cy w h" a line normalised by the image size, with
// `decimals` digits after the point. A box's class is the position of its category id in
// `categories` (classes.txt order). Crowd regions are left out because YOLO has no way to mark
// them; `crowd_left_out` says how many.
struct YoloLabelText {
  std::string text;
  int crowd_left_out = 0;
};
Result<YoloLabelText> write_yolo_labels(std::span<const GroundTruth> boxes, int image_width,
                                        int image_height, std::span<const Category> categories,
                                        int decimals = 6);

// The same for detections; with `with_scores` each line gets the score as a sixth field, as
// YOLO tools write predictions (ground-truth readers, ours included, take five fields only).
Result<std::string> write_yolo_detections(std::span<const ScoredBox> detections, int image_width,
                                          int image_height, std::span<const Category> categories,
                                          bool with_scores, int decimals = 6);

// classes.txt: one category name a line, in `categories` order.
std::string write_classes_txt(std::span<const Category> categories);

// A COCO dataset JSON (images, annotations, categories) that load_dataset reads back to the same
// images, boxes, areas and crowd flags.
std::string write_coco_dataset_json(const Dataset& dataset);

// One image's Pascal VOC XML. Corners are written as pixel edges (xmin = x, xmax = x + width),
// not VOC's 1-based inclusive pixel indices, with at most 2 decimals. VOC has no crowd flag:
// crowd regions are written as "difficult", which VOC evaluation also ignores.
Result<std::string> write_voc_xml(const DatasetImage& image, std::span<const GroundTruth> boxes,
                                  std::span<const Category> categories);

// A labelled dataset written out as files, for a zip (browser) or a folder (desktop, CLI).
enum class LabelFormat { kYolo, kCoco, kVoc };

// "yolo", "coco" or "voc"; parse_label_format names the bad value and the choices.
const char* label_format_name(LabelFormat format);
Result<LabelFormat> parse_label_format(std::string_view name);

struct ExportFile {
  std::string path;   // relative, with forward slashes: "labels/dog.txt"
  std::string bytes;  // text, or a photo's bytes
};

// The files of `dataset` in `format`, each photo's bytes (photo_bytes[i] for images[i]; an
// empty string leaves that photo out) stored beside its labels:
//   yolo: classes.txt, images/<file>, labels/<stem>.txt (an empty file for a photo without
//         boxes: a background photo); 6 decimals of the normalised coordinates.
//   coco: annotations.json (write_coco_dataset_json) and images/<file>.
//   voc:  Annotations/<stem>.xml (write_voc_xml), JPEGImages/<file> and classes.txt, which
//         keeps the class order for our VOC reader.
// Each reads back through load_dataset (the folder for yolo and voc, annotations.json for
// coco). Fails on a file name that is not a plain name or two photos with the same stem.
Result<std::vector<ExportFile>> write_label_export(const Dataset& dataset,
                                                   const std::vector<std::string>& photo_bytes,
                                                   LabelFormat format);

// Writes `files` under `folder` (created when missing). A folder that exists and is not empty
// is refused unless `overwrite`: the message says so, so the caller can ask for confirmation.
Status write_export_folder(const std::string& folder, const std::vector<ExportFile>& files,
                           bool overwrite);

// Reads a COCO results JSON. Entries with missing or non-numeric fields, negative sizes or an
// image id not in `dataset` are skipped and reported with their JSON path in `report`
// (annotations_found/used count detections here). Fails only when the text is not a JSON array.
Result<std::vector<ScoredBox>> read_coco_results_json(std::string_view json_text,
                                                      std::string_view source_name,
                                                      const Dataset& dataset,
                                                      ValidationReport& report);

// The same from a file (bounded to 1 GiB).
Result<std::vector<ScoredBox>> read_coco_results_file(const std::string& path,
                                                      const Dataset& dataset,
                                                      ValidationReport& report);

}  // namespace sightline::eval
