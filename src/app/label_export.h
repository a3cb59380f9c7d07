// The gallery's labels as an eval::Dataset, and that dataset as export files (YOLO, COCO or
// Pascal VOC through eval::write_label_export): the part of the app's label export that is plain
// C++ (no ImGui, no App), so tests/app/label_export_test.cpp drives it directly. The web page
// zips the files (web/site/sightline-labels.js); the desktop program writes them to a folder.
//
// Which photos are exported: those with a LabelSet holding at least one box, or marked
// reviewed (a reviewed photo without boxes is a background photo, a real label). Category ids
// are the model's class indices (0-based), named by the model's class names, so YOLO class
// numbers, COCO category ids and VOC's classes.txt order all equal the app's class ids.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/label_set.h"
#include "core/result.h"
#include "eval/dataset.h"
#include "eval/label_writers.h"

namespace sightline::app {

// One gallery photo as the export sees it. `labels` may be null (never edited).
struct LabelledPhoto {
  std::string name;
  const LabelSet* labels = nullptr;
  const std::vector<uint8_t>* bytes = nullptr;  // the photo's file as dropped; null = none
};

// Whether the photo belongs in an export (see the rule at the top).
bool has_exportable_labels(const LabelSet* labels);

// The exported photos as a dataset: image ids 1.. in gallery order, one annotation per box.
// Fails with a message when no photo has labels, or a box's class id has no class name.
Result<eval::Dataset> build_label_dataset(const std::vector<LabelledPhoto>& photos,
                                          const std::vector<std::string>& class_names);

// The export files of the photos with labels, the photos' bytes beside them when kept.
Result<std::vector<eval::ExportFile>> export_labels(const std::vector<LabelledPhoto>& photos,
                                                    const std::vector<std::string>& class_names,
                                                    eval::LabelFormat format);

}  // namespace sightline::app
